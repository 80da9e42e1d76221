#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NTM

// MARK: Memory limit

/// The most one call may allocate, library-wide. A size the header accepts
/// can still ask for more memory than the machine has, and Swift's
/// allocator ends the process when it cannot deliver; so each call that
/// allocates in proportion to its arguments computes what it needs first
/// (overflow-checked) and refuses with NTM_ERR_MEMORY above this limit.
enum MemoryLimit {
    /// 8 GiB: far above any of the paper's experiments (the copy model
    /// trained on sequences of 20 needs a few MB), far below what would
    /// exhaust a typical machine's memory and swap.
    static let defaultBytes: UInt64 = 8 << 30

    private static let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        m.initialize(to: pthread_mutex_t())
        pthread_mutex_init(m, nil)
        return m
    }()
    nonisolated(unsafe) private static var value = defaultBytes

    static var bytes: UInt64 {
        get { pthread_mutex_lock(mutex); defer { pthread_mutex_unlock(mutex) }; return value }
    }

    /// Sets the limit (0: the default) and returns the previous one.
    static func exchange(_ newValue: UInt64) -> UInt64 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let old = value
        value = newValue == 0 ? defaultBytes : newValue
        return old
    }

    /// Throws NTM_ERR_MEMORY unless `needed` bytes (nil: more than can be
    /// counted) fit the limit. `what` says what the memory is for.
    static func check(_ needed: Int?, for what: @autoclosure () -> String) throws(CError) {
        let limit = bytes
        guard let needed, UInt64(needed) <= limit else {
            let amount = needed.map { "\($0) bytes" } ?? "more than 2^63 bytes"
            throw CError(.NTM_ERR_MEMORY, "\(what()) needs \(amount), more than the memory limit of \(limit) bytes "
                         + "(see ntm_set_memory_limit)")
        }
    }
}

/// Sets the most memory one call may allocate, in bytes, for every handle
/// in the process, and returns the previous limit; 0 restores the default
/// of 8 GiB. Calls whose arguments would need more (long sequences, large
/// batches or models; computed before allocating) fail with NTM_ERR_MEMORY
/// and change nothing. The limit covers one call's own allocations, not
/// the total over all handles.
///
/// Errors: none. Thread-safety: any thread, any time; calls already past
/// their check are not affected.
@c public func ntm_set_memory_limit(_ bytes: UInt64) -> UInt64 {
    MemoryLimit.exchange(bytes)
}

/// The current memory limit in bytes (see `ntm_set_memory_limit`).
///
/// Errors: none. Thread-safety: any thread, any time.
@c public func ntm_memory_limit() -> UInt64 {
    MemoryLimit.bytes
}
