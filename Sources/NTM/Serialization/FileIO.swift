// Whole-file reading and crash-safe writing on top of the C library, since
// the core module may not use Foundation.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: what was attempted, on which path, and the
/// system's explanation (`strerror(errno)`).
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path the operation was on.
    public var path: String
    /// What was being done, e.g. "cannot open".
    public var operation: String
    /// The `errno` value, or 0 if the failure was not a system error.
    public var code: Int32
    /// The `strerror` text for `code`, or a plain explanation.
    public var reason: String

    public init(path: String, operation: String, code: Int32, reason: String) {
        self.path = path
        self.operation = operation
        self.code = code
        self.reason = reason
    }

    /// An error from the current `errno`. Must be called before anything
    /// else can overwrite `errno`.
    static func fromErrno(_ operation: String, _ path: String) -> FileError {
        let code = errno
        return FileError(path: path, operation: operation, code: code,
                         reason: String(cString: strerror(code)))
    }

    public var description: String { "\(operation) '\(path)': \(reason)" }
}

/// Reads a whole file.
///
/// Reads until end of file rather than trusting the size from `fstat`, so
/// files that change size or report no size (pipes, /proc) still read
/// correctly. Files larger than `maxBytes` are rejected instead of read, so
/// a wrong path cannot exhaust memory.
public func readFileBytes(atPath path: String, maxBytes: Int = 1 << 31) throws(FileError) -> [UInt8] {
    let fd = retryingOnEINTR { open(path, O_RDONLY | O_CLOEXEC) }
    guard fd >= 0 else { throw FileError.fromErrno("cannot open", path) }
    defer { _ = close(fd) }

    // We never need more than one byte past the limit: that byte only
    // serves to detect an over-long file.
    let bufferLimit = max(1, maxBytes < Int.max ? maxBytes + 1 : Int.max)
    // Size hint: the file size plus one byte, so that reaching end of file
    // normally needs no reallocation.
    var info = stat()
    var capacity = 64 * 1024
    if fstat(fd, &info) == 0, info.st_size > 0, info.st_size < Int64(Int.max) {
        capacity = Int(info.st_size) + 1
    }
    var buffer = [UInt8](repeating: 0, count: min(capacity, bufferLimit))
    var count = 0
    while true {
        if count == buffer.count {
            if count >= bufferLimit { break }
            let grown = count <= bufferLimit / 2 ? count * 2 : bufferLimit
            buffer.append(contentsOf: repeatElement(0, count: grown - count))
        }
        let n = buffer.withUnsafeMutableBytes { raw in
            read(fd, raw.baseAddress! + count, raw.count - count)
        }
        if n < 0 {
            if errno == EINTR { continue }
            throw FileError.fromErrno("cannot read", path)
        }
        if n == 0 { break }
        count += n
    }
    guard count <= maxBytes else {
        throw FileError(path: path, operation: "cannot read", code: 0,
                        reason: "file is larger than the limit of \(maxBytes) bytes")
    }
    buffer.removeSubrange(count...)
    return buffer
}

/// Writes `bytes` to `path` so that the file afterwards holds either its old
/// content or the complete new content, never a mixture or a truncation —
/// even if the process crashes or the disk fills up mid-write.
///
/// The data goes to a new temporary file in the same directory (same
/// filesystem, so `rename` is atomic), named after the target plus the
/// process id and a counter so concurrent writers never collide. It is
/// flushed with `fsync` before being renamed over the target, and the
/// directory is synced afterwards so the rename itself is durable. On any
/// failure the temporary file is removed and the target is untouched. An
/// existing target's permission bits are kept.
public func writeFileAtomically(atPath path: String, bytes: [UInt8]) throws(FileError) {
    // Create the temporary file; O_EXCL guarantees we never reuse someone
    // else's file (e.g. a leftover from a crashed process with the same pid).
    var temporaryPath = ""
    var fd: Int32 = -1
    while true {
        temporaryPath = "\(path).\(getpid()).\(temporaryFileCounter.next()).tmp"
        fd = retryingOnEINTR { open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666) }
        if fd >= 0 { break }
        if errno != EEXIST { throw FileError.fromErrno("cannot create temporary file for", path) }
    }

    var succeeded = false
    var descriptorOpen = true
    defer {
        if descriptorOpen { _ = close(fd) }
        if !succeeded { _ = unlink(temporaryPath) }
    }

    var existing = stat()
    if stat(path, &existing) == 0 {
        _ = fchmod(fd, existing.st_mode & 0o7777)
    }

    // write() may write fewer bytes than asked (and be interrupted), so loop.
    let writeError: FileError? = bytes.withUnsafeBytes { raw in
        var written = 0
        while written < raw.count {
            let n = write(fd, raw.baseAddress! + written, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                return FileError.fromErrno("cannot write", temporaryPath)
            }
            written += n
        }
        return nil
    }
    if let writeError { throw writeError }
    guard retryingOnEINTR({ fsync(fd) }) == 0 else {
        throw FileError.fromErrno("cannot sync", temporaryPath)
    }
    // close() is not retried on EINTR: on Linux the descriptor is released
    // regardless, and retrying could close an unrelated, reused descriptor.
    descriptorOpen = false
    guard close(fd) == 0 else { throw FileError.fromErrno("cannot close", temporaryPath) }
    guard rename(temporaryPath, path) == 0 else { throw FileError.fromErrno("cannot replace", path) }
    succeeded = true

    // Make the rename durable. Best effort: some filesystems refuse to sync
    // directories, and the new content is already safely in place.
    let directoryFD = retryingOnEINTR { open(directoryName(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    if directoryFD >= 0 {
        _ = retryingOnEINTR { fsync(directoryFD) }
        _ = close(directoryFD)
    }
}

/// The directory part of a path, as `dirname` would give it, computed without
/// modifying the string (C `dirname` may write into its argument).
private func directoryName(of path: String) -> String {
    var scalars = Array(path.unicodeScalars)
    while scalars.count > 1, scalars.last == "/" { scalars.removeLast() }
    guard let slash = scalars.lastIndex(of: "/") else { return "." }
    var end = slash
    while end > 0, scalars[end - 1] == "/" { end -= 1 }
    if end == 0 { return "/" }
    var result = ""
    result.unicodeScalars.append(contentsOf: scalars[..<end])
    return result
}

/// Repeats a system call while it fails with EINTR (interrupted by a signal
/// before doing anything).
private func retryingOnEINTR(_ call: () -> Int32) -> Int32 {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}

/// A process-wide counter for temporary file names, guarded by a mutex so
/// that concurrent writers in different threads get different names.
private final class TemporaryFileCounter: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value = 0

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    func next() -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        value += 1
        return value
    }
}

private let temporaryFileCounter = TemporaryFileCounter()
