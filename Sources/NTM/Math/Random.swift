/// The project's own seeded generator: xoshiro256** seeded through
/// splitmix64. Integer arithmetic only, so the same seed gives the same
/// stream of bits on every platform; `uniform()` is derived from those bits
/// exactly (24 or 53 of them), so it is portable too.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    /// The full state, for saving a trainer so that it resumes bit-identically.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4 && newValue.contains { $0 != 0 },
                         "generator state must be four words, not all zero")
            s0 = newValue[0]; s1 = newValue[1]; s2 = newValue[2]; s3 = newValue[3]
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with the full precision of `T`'s significand.
    public mutating func uniform<T: BinaryFloatingPoint>(_: T.Type = T.self) -> T {
        let bits = T.significandBitCount + 1
        return T(next() >> UInt64(64 - bits)) / T(UInt64(1) << UInt64(bits))
    }

    /// Uniform in [low, high).
    public mutating func uniform<T: BinaryFloatingPoint>(_ low: T, _ high: T) -> T {
        low + (high - low) * uniform(T.self)
    }

    /// Uniform integer in the closed range, without modulo bias.
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(bitPattern: UInt(next())) }
        return range.lowerBound + Int(next(upperBound: span))
    }

    /// A fair coin.
    public mutating func bit() -> Bool { next() >> 63 == 1 }
}
