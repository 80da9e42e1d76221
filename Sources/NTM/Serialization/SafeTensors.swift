// The safetensors file format (https://huggingface.co/docs/safetensors),
// used for checkpoints so they can be opened by the wider ML tooling
// (Python `safetensors`, PyTorch, NumPy) without custom code.
//
// Layout:
//   bytes 0..<8      N, the header length, unsigned 64-bit little-endian
//   bytes 8..<8+N    the header: UTF-8 JSON object, possibly padded with
//                    trailing spaces
//   bytes 8+N...     the data buffer
//
// The header maps each tensor name to
//   {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
// with offsets relative to the start of the data buffer, and may contain a
// "__metadata__" object of string keys to string values. Tensor data is
// stored row-major and little-endian.

/// The element types of the safetensors format. Raw values are the strings
/// used in the header.
public enum SafeTensorDType: String, CaseIterable, Equatable, Sendable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }
}

/// Why a safetensors file was rejected or a tensor could not be read as the
/// requested type. The message names the offending tensor where there is one.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One named tensor: its element type, shape and raw little-endian bytes.
///
/// The fields are immutable and the initialisers check that `data` holds
/// exactly `shape`'s element count of `dtype`, so every `SafeTensor` can be
/// written without further checks.
public struct SafeTensor: Equatable, Sendable {
    public let name: String
    public let dtype: SafeTensorDType
    public let shape: [Int]
    public let data: [UInt8]

    /// Wraps raw bytes. Traps if the shape has a negative dimension or
    /// `data.count` is not the size the shape and dtype imply — that is a
    /// programming error, not a data error (decoding reports such problems
    /// as `SafeTensorsError` instead).
    public init(name: String, dtype: SafeTensorDType, shape: [Int], data: [UInt8]) {
        let expected = SafeTensor.byteCount(shape: shape, dtype: dtype)
        precondition(expected != nil, "tensor \"\(name)\": invalid shape \(shape)")
        precondition(expected == data.count,
                     "tensor \"\(name)\": \(data.count) bytes given, shape \(shape) of "
                     + "\(dtype.rawValue) needs \(expected!)")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Used by the decoder, which has already validated the sizes.
    fileprivate init(validatedName name: String, dtype: SafeTensorDType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// An F32 tensor. `shape` defaults to one dimension of `floats.count`.
    public init(name: String, shape: [Int]? = nil, floats: [Float]) {
        self.init(name: name, dtype: .f32, shape: shape ?? [floats.count],
                  data: littleEndianBytes(floats.map { $0.bitPattern }))
    }

    /// An F64 tensor. `shape` defaults to one dimension of `doubles.count`.
    public init(name: String, shape: [Int]? = nil, doubles: [Double]) {
        self.init(name: name, dtype: .f64, shape: shape ?? [doubles.count],
                  data: littleEndianBytes(doubles.map { $0.bitPattern }))
    }

    /// A U64 tensor. `shape` defaults to one dimension of `uint64s.count`.
    public init(name: String, shape: [Int]? = nil, uint64s: [UInt64]) {
        self.init(name: name, dtype: .u64, shape: shape ?? [uint64s.count],
                  data: littleEndianBytes(uint64s))
    }

    /// An I64 tensor. `shape` defaults to one dimension of `int64s.count`.
    public init(name: String, shape: [Int]? = nil, int64s: [Int64]) {
        self.init(name: name, dtype: .i64, shape: shape ?? [int64s.count],
                  data: littleEndianBytes(int64s))
    }

    /// The number of elements (1 for a scalar of shape `[]`).
    public var elementCount: Int { data.count / dtype.byteSize }

    /// The elements of an F32 tensor; throws if the dtype is not F32.
    public func floats() throws(SafeTensorsError) -> [Float] {
        try checkDType(.f32)
        return fromLittleEndianBytes(data, as: UInt32.self).map(Float.init(bitPattern:))
    }

    /// The elements of an F64 tensor; throws if the dtype is not F64.
    public func doubles() throws(SafeTensorsError) -> [Double] {
        try checkDType(.f64)
        return fromLittleEndianBytes(data, as: UInt64.self).map(Double.init(bitPattern:))
    }

    /// The elements of a U64 tensor; throws if the dtype is not U64.
    public func uint64s() throws(SafeTensorsError) -> [UInt64] {
        try checkDType(.u64)
        return fromLittleEndianBytes(data, as: UInt64.self)
    }

    /// The elements of an I64 tensor; throws if the dtype is not I64.
    public func int64s() throws(SafeTensorsError) -> [Int64] {
        try checkDType(.i64)
        return fromLittleEndianBytes(data, as: Int64.self)
    }

    private func checkDType(_ wanted: SafeTensorDType) throws(SafeTensorsError) {
        guard dtype == wanted else {
            throw SafeTensorsError(
                "tensor \"\(name)\" has dtype \(dtype.rawValue), not \(wanted.rawValue)")
        }
    }

    /// The byte size of a tensor, or nil if a dimension is negative or the
    /// size overflows `Int`. Overflow is checked because shapes come from
    /// untrusted files.
    static func byteCount(shape: [Int], dtype: SafeTensorDType) -> Int? {
        var count = dtype.byteSize
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}

/// Packs integers little-endian regardless of the host's byte order.
private func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    let size = MemoryLayout<T>.size
    var bytes = [UInt8](repeating: 0, count: values.count * size)
    bytes.withUnsafeMutableBytes { raw in
        for (i, value) in values.enumerated() {
            raw.storeBytes(of: value.littleEndian, toByteOffset: i * size, as: T.self)
        }
    }
    return bytes
}

/// Unpacks little-endian integers regardless of the host's byte order. The
/// caller guarantees `bytes.count` is a multiple of the element size.
private func fromLittleEndianBytes<T: FixedWidthInteger>(_ bytes: [UInt8], as: T.Type) -> [T] {
    let size = MemoryLayout<T>.size
    let count = bytes.count / size
    return bytes.withUnsafeBytes { raw in
        (0..<count).map { i in
            T(littleEndian: raw.loadUnaligned(fromByteOffset: i * size, as: T.self))
        }
    }
}

/// A whole safetensors file: tensors plus string metadata.
public struct SafeTensorsArchive: Equatable, Sendable {
    /// The header key reserved for metadata; no tensor may use this name.
    public static let metadataKey = "__metadata__"

    /// Header lengths above this are rejected when decoding, as the reference
    /// implementation does, so a corrupt length cannot make us parse
    /// gigabytes as JSON.
    public static let maximumHeaderLength = 100_000_000

    /// Tensors in file order. After `decode` this is the order of the header
    /// entries (which is also the data order for files written by `encoded`).
    public var tensors: [SafeTensor]

    /// String metadata, in order. Empty metadata is omitted from the header.
    public var metadata: [(key: String, value: String)]

    public init(tensors: [SafeTensor] = [], metadata: [(key: String, value: String)] = []) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The first tensor called `name`, if any.
    public subscript(name: String) -> SafeTensor? {
        tensors.first { $0.name == name }
    }

    /// The first metadata value for `key`, if any.
    public func metadataValue(forKey key: String) -> String? {
        metadata.first { $0.key == key }?.value
    }

    /// Order-sensitive equality of tensors and metadata.
    public static func == (lhs: SafeTensorsArchive, rhs: SafeTensorsArchive) -> Bool {
        guard lhs.tensors == rhs.tensors, lhs.metadata.count == rhs.metadata.count else {
            return false
        }
        return zip(lhs.metadata, rhs.metadata).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    // MARK: Encoding

    /// The file bytes.
    ///
    /// Tensors are stored in the given order with contiguous offsets. The
    /// header is compact JSON — `"__metadata__"` first if there is any
    /// metadata, then one entry per tensor with keys `dtype`, `shape`,
    /// `data_offsets` — padded with spaces to a multiple of 8 bytes so the
    /// data buffer starts 8-byte aligned and can be mapped as typed arrays.
    ///
    /// Traps if two tensors share a name, a tensor is named
    /// `"__metadata__"`, or a metadata key repeats: such an archive cannot be
    /// represented, and that is a programming error.
    public func encoded() -> [UInt8] {
        var names: Set<String> = []
        for tensor in tensors {
            precondition(tensor.name != SafeTensorsArchive.metadataKey,
                         "a tensor may not be named \(SafeTensorsArchive.metadataKey)")
            precondition(names.insert(tensor.name).inserted,
                         "duplicate tensor name \"\(tensor.name)\"")
        }
        var keys: Set<String> = []
        for entry in metadata {
            precondition(keys.insert(entry.key).inserted, "duplicate metadata key \"\(entry.key)\"")
        }

        var header: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            header.append((key: SafeTensorsArchive.metadataKey,
                           value: .object(metadata.map { (key: $0.key, value: .string($0.value)) })))
        }
        var offset = 0
        for tensor in tensors {
            let end = offset + tensor.data.count
            header.append((key: tensor.name, value: .object([
                (key: "dtype", value: .string(tensor.dtype.rawValue)),
                (key: "shape", value: .array(tensor.shape.map { .number(Double($0)) })),
                (key: "data_offsets", value: .array([.number(Double(offset)), .number(Double(end))])),
            ])))
            offset = end
        }

        var headerBytes = Array(JSONValue.object(header).serialized().utf8)
        let padding = (8 - headerBytes.count % 8) % 8
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))

        var file: [UInt8] = []
        file.reserveCapacity(8 + headerBytes.count + offset)
        let length = UInt64(headerBytes.count)
        for i in 0..<8 { file.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        file.append(contentsOf: headerBytes)
        for tensor in tensors { file.append(contentsOf: tensor.data) }
        return file
    }

    // MARK: Decoding

    /// Parses and fully validates a safetensors file. Never traps on bad
    /// input; every problem is reported as a `SafeTensorsError`.
    ///
    /// Checked: the file holds the 8-byte length and the whole header; the
    /// header length is at most `maximumHeaderLength`; the header is UTF-8
    /// JSON (strictly parsed, so duplicate names are rejected) whose top
    /// level is an object starting at its first byte; each tensor entry is an
    /// object with exactly `dtype` (a known name), `shape` (non-negative
    /// integers) and `data_offsets` (two integers, begin ≤ end, within the
    /// data buffer); the byte range matches shape × element size without
    /// overflow; the ranges neither overlap nor leave holes and end exactly at
    /// the end of the file; `__metadata__`, if present, maps strings to
    /// strings.
    ///
    /// Tensors are returned in header order, not sorted by offset.
    public static func decode(_ bytes: [UInt8]) throws(SafeTensorsError) -> SafeTensorsArchive {
        guard bytes.count >= 8 else {
            throw SafeTensorsError(
                "file is \(bytes.count) bytes, too short to hold the 8-byte header length")
        }
        var rawLength: UInt64 = 0
        for i in 0..<8 { rawLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard rawLength <= UInt64(maximumHeaderLength) else {
            throw SafeTensorsError(
                "header length \(rawLength) exceeds the limit of \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(rawLength)
        guard headerLength <= bytes.count - 8 else {
            throw SafeTensorsError(
                "header length \(headerLength) is larger than the \(bytes.count - 8) bytes "
                + "after the length field")
        }
        guard headerLength > 0 else { throw SafeTensorsError("header is empty") }
        let dataStart = 8 + headerLength
        let dataCount = bytes.count - dataStart

        // The reference implementation requires the JSON object to start at
        // the first header byte; only trailing padding is allowed.
        guard bytes[8] == UInt8(ascii: "{") else {
            throw SafeTensorsError("header does not start with '{'")
        }
        let header: JSONValue
        do {
            header = try JSONValue.parse(Array(bytes[8..<dataStart]))
        } catch {
            throw SafeTensorsError("header is not valid JSON: \(error)")
        }
        guard let entries = header.object else {
            throw SafeTensorsError("header is not a JSON object")
        }

        var metadata: [(key: String, value: String)] = []
        var infos: [(name: String, dtype: SafeTensorDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, entry) in entries {
            if name == metadataKey {
                metadata = try decodeMetadata(entry)
                continue
            }
            let info = try decodeTensorInfo(name: name, entry: entry, dataCount: dataCount)
            infos.append((name: name, dtype: info.dtype, shape: info.shape,
                          begin: info.begin, end: info.end))
        }

        // Sort the ranges by offset and walk them: each must start exactly
        // where the previous one ended, and the last must end at the end of
        // the file. This rejects overlaps, holes and trailing bytes at once.
        let byOffset = infos.indices.sorted {
            (infos[$0].begin, infos[$0].end) < (infos[$1].begin, infos[$1].end)
        }
        var expected = 0
        var previous: String? = nil
        for index in byOffset {
            let info = infos[index]
            if info.begin < expected {
                throw SafeTensorsError(
                    "tensor \"\(info.name)\": data_offsets [\(info.begin), \(info.end)] overlap "
                    + "tensor \"\(previous ?? "")\"")
            }
            if info.begin > expected {
                throw SafeTensorsError(
                    "bytes \(expected)..<\(info.begin) of the data buffer (before tensor "
                    + "\"\(info.name)\") belong to no tensor")
            }
            expected = info.end
            previous = info.name
        }
        if expected != dataCount {
            throw SafeTensorsError(
                "data buffer is \(dataCount) bytes but the tensors cover only \(expected); "
                + "bytes \(expected)..<\(dataCount) belong to no tensor")
        }

        let tensors = infos.map { info in
            SafeTensor(validatedName: info.name, dtype: info.dtype, shape: info.shape,
                       data: Array(bytes[(dataStart + info.begin)..<(dataStart + info.end)]))
        }
        return SafeTensorsArchive(tensors: tensors, metadata: metadata)
    }

    private static func decodeMetadata(
        _ entry: JSONValue
    ) throws(SafeTensorsError) -> [(key: String, value: String)] {
        guard let members = entry.object else {
            throw SafeTensorsError("\(metadataKey) is not an object")
        }
        var result: [(key: String, value: String)] = []
        for (key, value) in members {
            guard let string = value.string else {
                throw SafeTensorsError("\(metadataKey) value for \"\(key)\" is not a string")
            }
            result.append((key: key, value: string))
        }
        return result
    }

    private static func decodeTensorInfo(
        name: String, entry: JSONValue, dataCount: Int
    ) throws(SafeTensorsError) -> (dtype: SafeTensorDType, shape: [Int], begin: Int, end: Int) {
        func fail(_ problem: String) -> SafeTensorsError {
            SafeTensorsError("tensor \"\(name)\": \(problem)")
        }
        guard let members = entry.object else { throw fail("entry is not an object") }
        for (key, _) in members where !["dtype", "shape", "data_offsets"].contains(key) {
            throw fail("unexpected field \"\(key)\"")
        }

        guard let dtypeValue = entry["dtype"] else { throw fail("missing \"dtype\"") }
        guard let dtypeName = dtypeValue.string else { throw fail("\"dtype\" is not a string") }
        guard let dtype = SafeTensorDType(rawValue: dtypeName) else {
            throw fail("unknown dtype \"\(dtypeName)\"")
        }

        guard let shapeValue = entry["shape"] else { throw fail("missing \"shape\"") }
        guard let shapeArray = shapeValue.array else { throw fail("\"shape\" is not an array") }
        var shape: [Int] = []
        for dimension in shapeArray {
            guard let d = dimension.int, d >= 0 else {
                throw fail("\"shape\" entry \(dimension.serialized()) is not a non-negative integer")
            }
            shape.append(d)
        }

        guard let offsetsValue = entry["data_offsets"] else { throw fail("missing \"data_offsets\"") }
        guard let offsets = offsetsValue.array, offsets.count == 2 else {
            throw fail("\"data_offsets\" is not an array of two integers")
        }
        guard let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, end >= 0 else {
            throw fail("\"data_offsets\" \(offsetsValue.serialized()) are not non-negative integers")
        }
        guard begin <= end else {
            throw fail("data_offsets [\(begin), \(end)] begin after they end")
        }
        guard end <= dataCount else {
            throw fail("data_offsets [\(begin), \(end)] extend past the \(dataCount)-byte data buffer")
        }

        guard let size = SafeTensor.byteCount(shape: shape, dtype: dtype) else {
            throw fail("shape \(shape) of \(dtype.rawValue) is too large")
        }
        guard size == end - begin else {
            throw fail("data_offsets [\(begin), \(end)] cover \(end - begin) bytes but shape "
                       + "\(shape) of \(dtype.rawValue) needs \(size)")
        }
        return (dtype, shape, begin, end)
    }
}
