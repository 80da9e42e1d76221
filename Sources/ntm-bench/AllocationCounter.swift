// Heap-allocation counts: exact through benchmarks/alloc_count.c's preloaded
// interposer, otherwise glibc's arena growth (labelled as bytes, not a count).

import NTM
#if canImport(Glibc)
import Glibc
#endif

/// Heap-allocation counting: exact when the preloaded interposer is there.
enum AllocationCounter {
    typealias Getter = @convention(c) () -> UInt64
    static let getter: Getter? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ntm_bench_allocations") else { return nil }
        return unsafeBitCast(symbol, to: Getter.self)
    }()

    static var exact: Bool { getter != nil }

    /// The interposer's call-stack tracing switch, when preloaded.
    static let trace: (@convention(c) (Int32) -> Void)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ntm_bench_trace") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
    }()

    /// Exact: allocating calls so far. Fallback: bytes in use in the malloc
    /// arena (mallinfo2 uordblks + hblkhd), whose growth is *not* a count.
    static func reading() -> Int64 {
        if let getter { return Int64(getter()) }
        return arenaBytesInUse()
    }

    /// glibc's `mallinfo2()` (not in Swift's Glibc module): a struct of ten
    /// `size_t`, which the x86-64 System V ABI returns through a hidden
    /// pointer in the first argument register. Fields 4 (hblkhd, mmapped
    /// bytes) and 7 (uordblks, bytes in use) are summed.
    static let mallinfo2: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer)? = {
        #if arch(x86_64)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallinfo2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer).self)
        #else
        return nil
        #endif
    }()

    static func arenaBytesInUse() -> Int64 {
        guard let mallinfo2 else { return 0 }
        var fields = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &fields) { raw in
            _ = mallinfo2(raw.baseAddress!)
            let f = raw.bindMemory(to: Int.self)
            return Int64(f[4] + f[7])
        }
    }

    static var unit: String { exact ? "allocations" : "arena bytes (mallinfo2 growth, not a count)" }
}
