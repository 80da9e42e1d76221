// Whole-file reading and crash-safe writing on top of the C library, since
// the core module may not use Foundation.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A path as the operating system sees it: bytes, which need not be UTF-8.
///
/// C callers hand over arbitrary bytes; turning them into a Swift `String`
/// would replace invalid UTF-8 with U+FFFD and so name a different file.
/// Every file operation here goes through the exact bytes; `description`
/// is only for messages (valid UTF-8 as is, any other byte as `\xHH`).
public struct FilePath: Equatable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes, without a terminating NUL.
    public let bytes: [UInt8]

    public init(_ string: String) { bytes = Array(string.utf8) }
    public init(stringLiteral string: String) { self.init(string) }
    /// Copies a NUL-terminated C string.
    public init(cString: UnsafePointer<CChar>) {
        bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self),
                                          count: strlen(cString)))
    }
    init(bytes: [UInt8]) { self.bytes = bytes }

    public var description: String {
        var text = ""
        var i = 0
        while i < bytes.count {
            // One scalar at a time: its length from the lead byte, then the
            // standard library's check (overlong forms, surrogates, range).
            let lead = bytes[i]
            let length = lead < 0x80 ? 1 : (0xC2...0xDF).contains(lead) ? 2 : (0xE0...0xEF).contains(lead) ? 3
                : (0xF0...0xF4).contains(lead) ? 4 : 0
            if length > 0, i + length <= bytes.count,
               let scalar = String(validating: bytes[i..<(i + length)], as: UTF8.self) {
                text += scalar
                i += length
            } else {
                let hex = String(lead, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                i += 1
            }
        }
        return text
    }

    /// Calls `body` with the path as a NUL-terminated C string.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        let terminated = bytes.map { CChar(bitPattern: $0) } + [0]
        return terminated.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The directory part, as `dirname` gives it (without modifying anything).
    var directory: FilePath {
        let slash = UInt8(ascii: "/")
        var end = bytes.endIndex
        while end > 1, bytes[end - 1] == slash { end -= 1 }
        guard let last = bytes[..<end].lastIndex(of: slash) else { return FilePath(bytes: [UInt8(ascii: ".")]) }
        var cut = last
        while cut > 0, bytes[cut - 1] == slash { cut -= 1 }
        return cut == 0 ? FilePath(bytes: [slash]) : FilePath(bytes: Array(bytes[..<cut]))
    }

    /// The last component (what follows the last slash).
    var lastComponent: [UInt8] {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return bytes }
        return Array(bytes[(slash + 1)...])
    }

    func appending(_ suffix: String) -> FilePath { FilePath(bytes: bytes + Array(suffix.utf8)) }
}

/// A failed file operation: what was attempted, on which path, and the
/// system's explanation (`strerror(errno)`).
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path the operation was on (as `FilePath.description` shows it).
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
    static func fromErrno(_ operation: String, _ path: FilePath) -> FileError {
        let code = errno
        return FileError(path: path.description, operation: operation, code: code,
                         reason: String(cString: strerror(code)))
    }

    public var description: String { "\(operation) '\(path)': \(reason)" }
}

/// Reads a whole regular file.
///
/// Anything else (a FIFO, a device such as /dev/zero, a directory) is
/// refused without reading: opening a FIFO would block until a writer came,
/// and a device may never end. The file is opened non-blocking for that
/// check. Reads until end of file rather than trusting the size from
/// `fstat`, so a file that changes size while read still reads correctly.
/// Files larger than `maxBytes` are rejected instead of read, so a wrong
/// path cannot exhaust memory.
public func readFileBytes(at path: FilePath, maxBytes: Int = 1 << 31) throws(FileError) -> [UInt8] {
    let fd = path.withCString { name in retryingOnEINTR { open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } }
    guard fd >= 0 else { throw FileError.fromErrno("cannot open", path) }
    defer { _ = close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw FileError.fromErrno("cannot inspect", path) }
    guard info.st_mode & S_IFMT == S_IFREG else {
        throw FileError(path: path.description, operation: "cannot read",
                        code: info.st_mode & S_IFMT == S_IFDIR ? EISDIR : 0,
                        reason: "not a regular file (\(fileKind(info.st_mode)))")
    }
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }

    // We never need more than one byte past the limit: that byte only
    // serves to detect an over-long file.
    let bufferLimit = max(1, maxBytes < Int.max ? maxBytes + 1 : Int.max)
    // Size hint: the file size plus one byte, so that reaching end of file
    // normally needs no reallocation.
    var capacity = 64 * 1024
    if info.st_size > 0, info.st_size < Int64(Int.max) {
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
        throw FileError(path: path.description, operation: "cannot read", code: 0,
                        reason: "file is larger than the limit of \(maxBytes) bytes")
    }
    buffer.removeSubrange(count...)
    return buffer
}

/// `readFileBytes(at:maxBytes:)` for a path given as text.
public func readFileBytes(atPath path: String, maxBytes: Int = 1 << 31) throws(FileError) -> [UInt8] {
    try readFileBytes(at: FilePath(path), maxBytes: maxBytes)
}

private func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "a directory"
    case S_IFIFO: "a FIFO"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    default: "not a plain file"
    }
}

/// Writes `bytes` to `path` so that the file afterwards holds either its old
/// content or the complete new content, never a mixture or a truncation —
/// even if the process crashes or the disk fills up mid-write.
///
/// The data goes to a new temporary file in the same directory (same
/// filesystem, so `rename` is atomic), named `<path>.<pid>.<n>.tmp` after
/// the target, the process id and a counter, so concurrent writers never
/// collide. It is flushed with `fsync` before being renamed over the target,
/// and the directory is synced afterwards so the rename itself is durable.
/// On any failure the temporary file is removed and the target is
/// untouched. An existing target's permission bits are kept.
///
/// A process killed mid-save cannot remove its temporary file; the next
/// successful save to the same path removes such leftovers (see
/// `removeStaleTemporaryFiles`).
public func writeFileAtomically(at path: FilePath, bytes: [UInt8]) throws(FileError) {
    // Create the temporary file; O_EXCL guarantees we never reuse someone
    // else's file (e.g. a leftover from a crashed process with the same pid).
    var temporaryPath = path
    var fd: Int32 = -1
    while true {
        temporaryPath = path.appending(".\(getpid()).\(temporaryFileCounter.next()).tmp")
        fd = temporaryPath.withCString { name in
            retryingOnEINTR { open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666) }
        }
        if fd >= 0 { break }
        if errno != EEXIST { throw FileError.fromErrno("cannot create temporary file for", path) }
    }

    var succeeded = false
    var descriptorOpen = true
    defer {
        if descriptorOpen { _ = close(fd) }
        if !succeeded { _ = temporaryPath.withCString { unlink($0) } }
    }

    var existing = stat()
    if path.withCString({ stat($0, &existing) }) == 0 {
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
    let renamed = temporaryPath.withCString { from in path.withCString { to in rename(from, to) } }
    guard renamed == 0 else { throw FileError.fromErrno("cannot replace", path) }
    succeeded = true

    // Make the rename durable. Best effort: some filesystems refuse to sync
    // directories, and the new content is already safely in place.
    let directoryFD = path.directory.withCString { name in
        retryingOnEINTR { open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }
    if directoryFD >= 0 {
        _ = retryingOnEINTR { fsync(directoryFD) }
        _ = close(directoryFD)
    }
    removeStaleTemporaryFiles(of: path)
}

/// `writeFileAtomically(at:bytes:)` for a path given as text.
public func writeFileAtomically(atPath path: String, bytes: [UInt8]) throws(FileError) {
    try writeFileAtomically(at: FilePath(path), bytes: bytes)
}

/// Removes the temporary files `<path>.<pid>.<n>.tmp` that saves to `path`
/// by processes no longer running left behind (they were killed mid-save),
/// and returns how many it removed. A file is only taken as stale when its
/// process does not exist (`kill(pid, 0)` fails with ESRCH) and it has not
/// been modified for `minimumAge` seconds, so a save in progress in another
/// process — even one in another pid namespace sharing the directory —
/// keeps its file. Best effort: failures are ignored, since the save itself
/// has succeeded.
@discardableResult
public func removeStaleTemporaryFiles(of path: FilePath, minimumAge: Int = 60) -> Int {
    let prefix = path.lastComponent + Array(".".utf8)
    let suffix = Array(".tmp".utf8)
    let directory = path.directory
    guard let stream = directory.withCString({ opendir($0) }) else { return 0 }
    defer { closedir(stream) }
    var stale: [FilePath] = []
    let now = Int(time(nil))
    while let entry = readdir(stream) {
        let name: [UInt8] = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
            Array(raw.prefix { $0 != 0 })
        }
        guard name.count > prefix.count + suffix.count, name.starts(with: prefix),
              Array(name.suffix(suffix.count)) == suffix else { continue }
        // What lies between is "<pid>.<n>", both decimal.
        let middle = name[prefix.count..<(name.count - suffix.count)]
            .split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard middle.count == 2,
              middle.allSatisfy({ !$0.isEmpty && $0.count <= 18 && $0.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let pid = Int32(String(decoding: middle[0], as: UTF8.self)), pid > 0, pid != getpid()
        else { continue }
        guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
        let candidate = FilePath(bytes: directory.bytes + [UInt8(ascii: "/")] + name)
        var info = stat()
        guard candidate.withCString({ lstat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG,
              now - Int(info.st_mtim.tv_sec) >= minimumAge else { continue }
        stale.append(candidate)
    }
    var removed = 0
    for file in stale where file.withCString({ unlink($0) }) == 0 { removed += 1 }
    return removed
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
