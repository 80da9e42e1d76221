/// Eight values at a time from a buffer, for `mapLanes`. A tail of fewer
/// than eight runs in a zero-padded vector whose extra lanes are never stored.

extension UnsafeMutablePointer where Pointee: NTMScalar {
    /// Eight values at `offset`.
    @inline(__always)
    func load8(_ offset: Int) -> SIMD8<Pointee> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<Pointee>.self)
    }

    @inline(__always)
    func store8(_ v: SIMD8<Pointee>, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: SIMD8<Pointee>.self)
    }

    /// The `lanes` (≤ 8) values at `offset`, zero-padded.
    @inline(__always)
    func lanes(_ offset: Int, _ lanes: Int) -> SIMD8<Pointee> {
        if lanes == 8 { return UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD8<Pointee>.self) }
        var v = SIMD8<Pointee>()
        for k in 0..<lanes { v[k] = self[offset &+ k] }
        return v
    }

    @inline(__always)
    func storeLanes(_ v: SIMD8<Pointee>, _ offset: Int, _ lanes: Int) {
        if lanes == 8 {
            UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: SIMD8<Pointee>.self)
            return
        }
        for k in 0..<lanes { self[offset &+ k] = v[k] }
    }
}
