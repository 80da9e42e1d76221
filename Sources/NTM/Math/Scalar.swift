#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The floating-point types the machine computes in: `Float` for speed,
/// `Double` for gradient checks. The elementary functions come from the C
/// library so the core needs nothing beyond it.
public protocol NTMScalar: BinaryFloatingPoint, VectorMath, Codable, Sendable
where Self.RawSignificand: FixedWidthInteger {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    static var name: String { get }
}

extension Float: NTMScalar {
    @inline(__always) public static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) public static func log1p(_ x: Float) -> Float { log1pf(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    public static var name: String { "float32" }
}

extension Double: NTMScalar {
    @inline(__always) public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inline(__always) public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    public static var name: String { "float64" }
}
