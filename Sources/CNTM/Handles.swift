#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NTM

// Handles are not object addresses. A handle is a number, `id << 4 | kind`,
// with `id` counting up from 1 and never reused, cast to a pointer; it is
// looked up in one global table guarded by a read-write lock. So a handle
// that was freed, one of another kind, or a pointer this library never
// returned is always recognised and reported as NTM_ERR_HANDLE — it can
// never reach a dead or wrong object.
//
// Lookups retain the object; a thread that frees a handle while another
// thread is inside a call on it only removes the table entry, and the
// object lives until that call returns.

/// The three kinds of handle, as the low four bits of a handle.
enum HandleKind: UInt, CaseIterable {
    case model = 1
    case stream = 2
    case trainer = 3

    var name: String {
        switch self {
        case .model: return "model"
        case .stream: return "stream"
        case .trainer: return "trainer"
        }
    }
}

/// A stream or trainer: something that one thread may use at a time. The
/// lock is only ever try-locked, so a second thread gets NTM_ERR_BUSY
/// instead of racing.
class ExclusiveObject {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` while no other thread is inside a call on this object.
    func exclusively<R>(_ what: String, _ body: () throws(CError) -> R) throws(CError) -> R {
        guard pthread_mutex_trylock(mutex) == 0 else {
            throw CError(.NTM_ERR_BUSY, "\(what) is being used by another thread right now (a \(what) "
                         + "belongs to one thread at a time)")
        }
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// The table of live handles.
final class HandleTable: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var objects: [UInt: AnyObject] = [:]
    /// The last id issued.
    private var lastID: UInt = 0

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    /// A new handle for `object`.
    func insert(_ object: AnyObject, kind: HandleKind) throws(CError) -> OpaquePointer {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        guard lastID < UInt.max >> 4 else { throw CError(.NTM_ERR_INTERNAL, "out of handle numbers") }
        lastID += 1
        let key = lastID << 4 | kind.rawValue
        objects[key] = object
        return OpaquePointer(bitPattern: key)!
    }

    /// The object behind a live handle of `kind`; `argument` names the
    /// parameter in error messages.
    func object(_ handle: OpaquePointer?, kind: HandleKind, argument: String) throws(CError) -> AnyObject {
        guard let handle else { throw CError(.NTM_ERR_NULL, "\(argument) is NULL") }
        let key = UInt(bitPattern: Int(bitPattern: handle))
        pthread_rwlock_rdlock(lock)
        let object = objects[key]
        let lastID = self.lastID
        pthread_rwlock_unlock(lock)
        if let object, key & 15 == kind.rawValue { return object }
        throw describe(key, object: object, lastID: lastID, kind: kind, argument: argument)
    }

    /// Removes a live handle of `kind`; NULL is a no-op.
    func remove(_ handle: OpaquePointer?, kind: HandleKind, argument: String) throws(CError) {
        guard let handle else { return }
        let key = UInt(bitPattern: Int(bitPattern: handle))
        pthread_rwlock_wrlock(lock)
        let object = key & 15 == kind.rawValue ? objects.removeValue(forKey: key) : objects[key]
        let lastID = self.lastID
        pthread_rwlock_unlock(lock)
        // The object (if removed) is released here, outside the lock.
        if object != nil && key & 15 == kind.rawValue { return }
        throw describe(key, object: object, lastID: lastID, kind: kind, argument: argument)
    }

    /// Why `key` is not a live handle of `kind`.
    private func describe(_ key: UInt, object: AnyObject?, lastID: UInt, kind: HandleKind,
                          argument: String) -> CError {
        let shown = "0x" + String(key, radix: 16)
        let actual = HandleKind(rawValue: key & 15)
        if object != nil, let actual {
            return CError(.NTM_ERR_HANDLE, "\(argument) (\(shown)) is a \(actual.name) handle, not a \(kind.name) handle")
        }
        if let actual, key >> 4 >= 1, key >> 4 <= lastID {
            return CError(.NTM_ERR_HANDLE, "\(argument) (\(shown)) is a \(actual.name) handle that was already freed")
        }
        return CError(.NTM_ERR_HANDLE, "\(argument) (\(shown)) is not a handle made by this library")
    }
}

let handles = HandleTable()

// MARK: Typed lookups

/// A stream: its inference state over a network.
final class StreamObject: ExclusiveObject {
    let stream: InferenceStream<Float>
    init(_ stream: InferenceStream<Float>) { self.stream = stream }
}

/// A trainer, with what the C API keeps beside it.
final class TrainerObject: ExclusiveObject {
    let trainer: Trainer<Float>
    /// Made on first use by `ntm_trainer_backward`.
    var backwardPass: BackwardPass<Float>?
    /// The longest sequence `backwardPass` has room for.
    var backwardCapacity = 0
    /// The checked lengths of the last batch, kept so that the next update
    /// reuses the array instead of allocating one (see `CheckedBatch`).
    var lengthStorage: [Int] = []

    init(_ trainer: Trainer<Float>) { self.trainer = trainer }
}

func lookupModel(_ handle: OpaquePointer?, _ argument: String = "model") throws(CError) -> Network<Float> {
    let object = try handles.object(handle, kind: .model, argument: argument)
    guard let network = object as? Network<Float> else { throw CError(.NTM_ERR_INTERNAL, "model table entry") }
    return network
}

func lookupStream(_ handle: OpaquePointer?, _ argument: String = "stream") throws(CError) -> StreamObject {
    let object = try handles.object(handle, kind: .stream, argument: argument)
    guard let stream = object as? StreamObject else { throw CError(.NTM_ERR_INTERNAL, "stream table entry") }
    return stream
}

func lookupTrainer(_ handle: OpaquePointer?, _ argument: String = "trainer") throws(CError) -> TrainerObject {
    let object = try handles.object(handle, kind: .trainer, argument: argument)
    guard let trainer = object as? TrainerObject else { throw CError(.NTM_ERR_INTERNAL, "trainer table entry") }
    return trainer
}

/// Stores a new handle in `*out`, which was checked non-NULL beforehand.
func publish(_ object: AnyObject, kind: HandleKind, to out: UnsafeMutablePointer<OpaquePointer?>) throws(CError) {
    out.pointee = try handles.insert(object, kind: kind)
}
