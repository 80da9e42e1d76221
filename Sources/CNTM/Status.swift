#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// MARK: Status codes and errors

/// What a call did. Every function that can fail returns one of these; on
/// any status other than `NTM_OK`, `ntm_last_error()` says what was wrong
/// (naming the argument, field or index at fault) and nothing was changed:
/// no handle was created or freed, no model, stream, trainer or file was
/// modified, and output arguments were not written — except that
/// `NTM_ERR_BUFFER_TOO_SMALL` still reports the size needed, and a failed
/// update leaves the gradient it tried in the trainer's gradient buffer.
@c public enum ntm_status: Int32 {
    /// Success.
    case NTM_OK = 0
    /// A pointer argument that must not be NULL was NULL.
    case NTM_ERR_NULL = 1
    /// An argument is out of range or of the wrong size: a count that does
    /// not match the model, a length of 0 or above `max_length`, a target
    /// outside [0, 1], a negative mask, an unknown head index.
    case NTM_ERR_ARGUMENT = 2
    /// A handle that is not a live handle of the expected kind: already
    /// freed, of another kind (a stream passed as a model), or not made by
    /// this library.
    case NTM_ERR_HANDLE = 3
    /// A JSON config or options text that is malformed, has an unknown
    /// field, or a value out of range (the message names the field); an
    /// unknown preset or task name.
    case NTM_ERR_CONFIG = 4
    /// A file could not be read or written.
    case NTM_ERR_IO = 5
    /// Not an ntm checkpoint, or a damaged one: not safetensors, truncated,
    /// foreign metadata, missing or mis-shaped tensors, a checksum mismatch,
    /// no trainer state where one is required.
    case NTM_ERR_FORMAT = 6
    /// An input value (input, target, mask, gradient) is NaN or infinite, or
    /// a model or trainer to be saved holds one.
    case NTM_ERR_NONFINITE = 7
    /// An output buffer is too small; the size needed was reported.
    case NTM_ERR_BUFFER_TOO_SMALL = 8
    /// An update would have made a parameter non-finite or larger than 1e6
    /// in magnitude, or the optimiser state non-finite, or the gradient to
    /// update from is non-finite. The
    /// parameters, the optimiser state and the data generator are as they
    /// were (the gradient buffer holds the offending gradient). Lower the
    /// learning rate or clip the gradient.
    case NTM_ERR_DIVERGED = 9
    /// A bug in the library (please report it with the message).
    case NTM_ERR_INTERNAL = 10
    /// A stream or trainer is being used by another thread right now; a
    /// stream or trainer belongs to one thread at a time. Nothing was done.
    case NTM_ERR_BUSY = 11
    /// The call would allocate more than the memory limit
    /// (`ntm_set_memory_limit`); the message says how many bytes it needs.
    /// Nothing was done.
    case NTM_ERR_MEMORY = 12
}

extension ntm_status {
    /// Every status in value order, with its C name.
    static let names: [(status: ntm_status, name: StaticString)] = [
        (.NTM_OK, "NTM_OK"),
        (.NTM_ERR_NULL, "NTM_ERR_NULL"),
        (.NTM_ERR_ARGUMENT, "NTM_ERR_ARGUMENT"),
        (.NTM_ERR_HANDLE, "NTM_ERR_HANDLE"),
        (.NTM_ERR_CONFIG, "NTM_ERR_CONFIG"),
        (.NTM_ERR_IO, "NTM_ERR_IO"),
        (.NTM_ERR_FORMAT, "NTM_ERR_FORMAT"),
        (.NTM_ERR_NONFINITE, "NTM_ERR_NONFINITE"),
        (.NTM_ERR_BUFFER_TOO_SMALL, "NTM_ERR_BUFFER_TOO_SMALL"),
        (.NTM_ERR_DIVERGED, "NTM_ERR_DIVERGED"),
        (.NTM_ERR_INTERNAL, "NTM_ERR_INTERNAL"),
        (.NTM_ERR_BUSY, "NTM_ERR_BUSY"),
        (.NTM_ERR_MEMORY, "NTM_ERR_MEMORY"),
    ]
}

/// The name of a status code, e.g. `"NTM_ERR_HANDLE"` for
/// `NTM_ERR_HANDLE`; `"NTM_UNKNOWN_STATUS"` for a value that is not a status.
///
/// Ownership: a static string owned by the library; never free it.
/// Errors: none. Thread-safety: any thread, any time.
@c public func ntm_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    guard let entry = ntm_status.names.first(where: { $0.status.rawValue == status }) else {
        return staticCString("NTM_UNKNOWN_STATUS")
    }
    return staticCString(entry.name)
}

/// The message of the last call that failed on the calling thread, e.g.
/// `ntm_model_create: config field "read_heads": expected an integer from 1
/// to 64, got 0`; `""` if no call has failed on this thread yet.
/// Successful calls do not clear it (like `errno`), so read it right after
/// a call returned a status other than `NTM_OK`.
///
/// Ownership: owned by the library, per thread; valid until the next
/// failing call on the same thread or the thread's exit. Copy it to keep it.
/// Errors: none. Thread-safety: any thread; each thread sees its own message.
@c public func ntm_last_error() -> UnsafePointer<CChar> {
    guard let key = lastErrorKey else { return staticCString("(no thread-specific storage for error messages)") }
    guard let message = pthread_getspecific(key) else { return staticCString("") }
    return UnsafePointer(message.assumingMemoryBound(to: CChar.self))
}

// MARK: - Internals

/// A failure to report to C: a status and a message that names the argument,
/// field or index at fault.
struct CError: Error {
    var status: ntm_status
    var message: String

    init(_ status: ntm_status, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// Runs the body of an exported function: every `@c` function's body runs
/// inside this, so that a Swift error never crosses into C. A thrown
/// `CError` becomes its status, and its message (prefixed with `function`)
/// the calling thread's last error.
@inline(__always)
func guarded(_ function: StaticString, _ body: () throws(CError) -> Void) -> ntm_status {
    do {
        try body()
        return .NTM_OK
    } catch {
        setLastError("\(function): \(error.message)")
        return error.status
    }
}

/// The C string of a static Swift string literal (which is NUL-terminated
/// and lives in the binary's read-only data for the life of the process).
func staticCString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// The thread-specific slot for the last error message: a `malloc`ed C
/// string that the key's destructor frees when the thread exits. Nil only if
/// the process has run out of thread-specific keys.
private let lastErrorKey: pthread_key_t? = {
    var key = pthread_key_t()
    guard pthread_key_create(&key, { free($0) }) == 0 else { return nil }
    return key
}()

private func setLastError(_ message: String) {
    guard let key = lastErrorKey else { return }
    let old = pthread_getspecific(key)
    // strdup returns NULL when out of memory; then the thread has no message.
    _ = pthread_setspecific(key, strdup(message))
    free(old)
}
