import XCTest
@testable import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - JSON

final class JSONTests: XCTestCase {
    /// Asserts that parsing `text` fails at the given position with a message
    /// containing `message`.
    private func assertRejects(_ text: String, line: Int, column: Int, _ message: String,
                               file: StaticString = #filePath, lineNumber: UInt = #line) {
        assertRejects(Array(text.utf8), line: line, column: column, message,
                      file: file, lineNumber: lineNumber)
    }

    private func assertRejects(_ bytes: [UInt8], line: Int, column: Int, _ message: String,
                               file: StaticString = #filePath, lineNumber: UInt = #line) {
        do {
            let value = try JSONValue.parse(bytes)
            XCTFail("accepted \(bytes) as \(value)", file: file, line: lineNumber)
        } catch {
            XCTAssertEqual(error.line, line, "line of \(error)", file: file, line: lineNumber)
            XCTAssertEqual(error.column, column, "column of \(error)", file: file, line: lineNumber)
            XCTAssertTrue(error.message.contains(message), "message of \(error)",
                          file: file, line: lineNumber)
        }
    }

    func testParsesAllValueKinds() throws {
        let text = #" { "n" : null, "t": true, "f": false, "num": -12.5e1, "s": "a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00", "a": [1, [], {}], "o": {"x": 0} } "#
        let value = try JSONValue.parse(text)
        XCTAssertEqual(value, .object([
            (key: "n", value: .null),
            (key: "t", value: .bool(true)),
            (key: "f", value: .bool(false)),
            (key: "num", value: .number(-125)),
            (key: "s", value: .string("a\"\\/\u{08}\u{0C}\n\r\té😀")),
            (key: "a", value: .array([.number(1), .array([]), .object([])])),
            (key: "o", value: .object([(key: "x", value: .number(0))])),
        ]))
        XCTAssertEqual(value["num"]?.int, -125)
        XCTAssertEqual(value["s"]?.string, "a\"\\/\u{08}\u{0C}\n\r\té😀")
        XCTAssertEqual(value["t"]?.bool, true)
        XCTAssertEqual(value["a"]?.array?.count, 3)
        XCTAssertEqual(value["o"]?.object?.first?.key, "x")
        XCTAssertEqual(value["n"]?.isNull, true)
        XCTAssertNil(value["missing"])
        XCTAssertNil(JSONValue.number(1)["x"])
    }

    func testRoundTripPreservesKeyOrder() throws {
        let compact = #"{"z":1,"a":[true,false,null],"m":{"q":"é\n","b":-0.5},"e":[]}"#
        let value = try JSONValue.parse(compact)
        XCTAssertEqual(value.serialized(), compact)
        XCTAssertEqual(try JSONValue.parse(value.serialized(pretty: true)), value)
        XCTAssertEqual(value.object?.map(\.key), ["z", "a", "m", "e"])
    }

    func testPrettyPrinting() throws {
        let value = try JSONValue.parse(#"{"a":[1,2],"b":{},"c":[],"d":{"e":null}}"#)
        XCTAssertEqual(value.serialized(pretty: true), """
        {
          "a": [
            1,
            2
          ],
          "b": {},
          "c": [],
          "d": {
            "e": null
          }
        }
        """)
    }

    func testEqualityIsOrderSensitiveForObjects() {
        let ab = JSONValue.object([(key: "a", value: .null), (key: "b", value: .null)])
        let ba = JSONValue.object([(key: "b", value: .null), (key: "a", value: .null)])
        XCTAssertNotEqual(ab, ba)
        XCTAssertEqual(ab, ab)
        XCTAssertNotEqual(JSONValue.number(1), .string("1"))
    }

    func testNumberFormatting() {
        XCTAssertEqual(JSONValue.number(3).serialized(), "3")
        XCTAssertEqual(JSONValue.number(-3).serialized(), "-3")
        XCTAssertEqual(JSONValue.number(0).serialized(), "0")
        XCTAssertEqual(JSONValue.number(-0.0).serialized(), "-0")
        XCTAssertEqual(JSONValue.number(0.5).serialized(), "0.5")
        XCTAssertEqual(JSONValue.number(0.1).serialized(), "0.1")
        XCTAssertEqual(JSONValue.number(-1.25).serialized(), "-1.25")
        XCTAssertEqual(JSONValue.number(1e18).serialized(), "1000000000000000000")
        XCTAssertEqual(JSONValue.number(9007199254740992).serialized(), "9007199254740992")
        XCTAssertEqual(JSONValue.number(1e20).serialized(), "1e+20")
        XCTAssertEqual(JSONValue.number(.leastNonzeroMagnitude).serialized(), "5e-324")
        XCTAssertEqual(JSONValue.number(.nan).serialized(), "null")
        XCTAssertEqual(JSONValue.number(.infinity).serialized(), "null")
    }

    func testNumbersRoundTripExactly() throws {
        var rng = SystemRandomNumberGenerator()
        var samples: [Double] = [.pi, -.ulpOfOne, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                 .leastNormalMagnitude, 1e23, 123456789.125, -0.0, 1 / 3]
        for _ in 0..<2000 {
            let bits = rng.next() as UInt64
            let x = Double(bitPattern: bits)
            if x.isFinite { samples.append(x) }
            samples.append(Double.random(in: -1e6...1e6, using: &rng))
        }
        for x in samples {
            let parsed = try JSONValue.parse(JSONValue.number(x).serialized())
            XCTAssertEqual(parsed.double?.bitPattern, x.bitPattern, "\(x)")
        }
    }

    func testNumberParsingIsCorrectlyRounded() throws {
        XCTAssertEqual(try JSONValue.parse("0.1").double, 0.1)
        // The value that once hung PHP and Java: the largest subnormal.
        XCTAssertEqual(try JSONValue.parse("2.2250738585072011e-308").double,
                       Double.leastNormalMagnitude.nextDown)
        XCTAssertEqual(try JSONValue.parse("9007199254740993").double, 9007199254740992)
        XCTAssertEqual(try JSONValue.parse("1.7976931348623157e308").double, .greatestFiniteMagnitude)
        XCTAssertEqual(try JSONValue.parse("1E+2").double, 100)
        XCTAssertEqual(try JSONValue.parse("0.5e-3").double, 0.0005)
        XCTAssertEqual(try JSONValue.parse("1e-400").double, 0)  // underflow is not an error
        XCTAssertEqual(try JSONValue.parse("-0").double?.sign, .minus)
    }

    func testIntAccessor() {
        XCTAssertEqual(JSONValue.number(3).int, 3)
        XCTAssertEqual(JSONValue.number(-7).int, -7)
        XCTAssertNil(JSONValue.number(2.5).int)
        XCTAssertNil(JSONValue.number(1e300).int)
        XCTAssertNil(JSONValue.number(9.223372036854775808e18).int)
        XCTAssertNil(JSONValue.string("3").int)
        XCTAssertNil(JSONValue.number(.nan).int)
    }

    func testStringEscaping() {
        XCTAssertEqual(JSONValue.string("a\"b\\c/\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F}é😀").serialized(),
                       #""a\"b\\c/\n\r\t\b\f\u0001\u001f"# + "\u{7F}é😀\"")
        let tricky = JSONValue.string("\u{00}\u{2028}\\u0041\"")
        XCTAssertEqual(try JSONValue.parse(tricky.serialized()), tricky)
        let key = JSONValue.object([(key: "k\"\n", value: .number(1))])
        XCTAssertEqual(key.serialized(), #"{"k\"\n":1}"#)
    }

    func testRejectsStructuralErrors() {
        assertRejects("", line: 1, column: 1, "unexpected end of input")
        assertRejects("   ", line: 1, column: 4, "unexpected end of input")
        assertRejects("[1] x", line: 1, column: 5, "unexpected content after the JSON value")
        assertRejects("{} {}", line: 1, column: 4, "unexpected content after the JSON value")
        assertRejects("[1 2]", line: 1, column: 4, "expected ',' or ']' after array element")
        assertRejects("[1,]", line: 1, column: 4, "trailing comma in array")
        assertRejects(#"{"a":1,}"#, line: 1, column: 8, "trailing comma in object")
        assertRejects(#"{"a" 1}"#, line: 1, column: 6, "expected ':' after object key")
        assertRejects("{a:1}", line: 1, column: 2, "expected a string key")
        assertRejects("{\n\"a\": 1,\n\"b\": 1\"c\": 2\n}", line: 3, column: 7,
                      "expected ',' or '}' after object member")
        assertRejects("{\"a\": 1", line: 1, column: 8, "expected ',' or '}' after object member")
        assertRejects("[", line: 1, column: 2, "unexpected end of input")
        assertRejects("'a'", line: 1, column: 1, "expected a value")
        assertRejects("tru", line: 1, column: 1, "invalid literal")
        assertRejects("nul", line: 1, column: 1, "invalid literal")
        assertRejects("// c\n1", line: 1, column: 1, "expected a value")
        assertRejects([0xEF, 0xBB, 0xBF, 0x31], line: 1, column: 1, "expected a value")  // BOM
    }

    func testMessageFormat() {
        do {
            _ = try JSONValue.parse("{\n\"a\": 1,\n\"b\": 1\"c\": 2\n}")
            XCTFail("accepted")
        } catch {
            XCTAssertEqual(error.description, "line 3, column 7: expected ',' or '}' after object member")
            XCTAssertEqual(error.offset, 16)
        }
    }

    func testColumnsCountCharactersNotBytes() {
        assertRejects("[\"é😀\", x]", line: 1, column: 8, "expected a value")
        assertRejects("[\r\n\t1,\n  x]", line: 3, column: 3, "expected a value")
    }

    func testRejectsDuplicateKeys() {
        assertRejects(#"{"a":1,"a":2}"#, line: 1, column: 8, "duplicate key \"a\"")
        assertRejects(#"{"x":{"a":1,"b":2,"a":3}}"#, line: 1, column: 19, "duplicate key \"a\"")
        // Escapes are decoded before comparison.
        assertRejects(#"{"a":1,"\u0061":2}"#, line: 1, column: 8, "duplicate key")
        XCTAssertNoThrow(try JSONValue.parse(#"{"a":{"a":1}}"#))
    }

    func testRejectsBadNumbers() {
        assertRejects("01", line: 1, column: 1, "leading zeros are not allowed")
        assertRejects("-01", line: 1, column: 1, "leading zeros are not allowed")
        assertRejects("[00]", line: 1, column: 2, "leading zeros are not allowed")
        assertRejects("1.", line: 1, column: 3, "expected a digit after the decimal point")
        assertRejects(".5", line: 1, column: 1, "expected a value")
        assertRejects("1e", line: 1, column: 3, "expected a digit in the exponent")
        assertRejects("1e+", line: 1, column: 4, "expected a digit in the exponent")
        assertRejects("-", line: 1, column: 2, "expected a digit in number")
        assertRejects("+1", line: 1, column: 1, "expected a value")
        assertRejects("0x10", line: 1, column: 2, "unexpected content")
        assertRejects("1e309", line: 1, column: 1, "out of range")
        assertRejects("[-1e400]", line: 1, column: 2, "out of range")
        assertRejects("NaN", line: 1, column: 1, "NaN and Infinity are not valid JSON")
        assertRejects("Infinity", line: 1, column: 1, "NaN and Infinity are not valid JSON")
        assertRejects("[-Infinity]", line: 1, column: 2, "NaN and Infinity are not valid JSON")
    }

    func testRejectsBadStrings() {
        assertRejects("\"a\u{01}\"", line: 1, column: 3, "unescaped control character U+0001")
        assertRejects("\"a\nb\"", line: 1, column: 3, "unescaped control character U+000A")
        assertRejects("\"abc", line: 1, column: 1, "unterminated string")
        assertRejects("\"abc\\", line: 1, column: 5, "unterminated string")
        assertRejects(#""\x""#, line: 1, column: 2, "invalid escape sequence '\\x'")
        assertRejects(#""\'""#, line: 1, column: 2, "invalid escape sequence")
        assertRejects(#""\u12G4""#, line: 1, column: 2, "expected 4 hex digits")
        assertRejects(#""\u12"#, line: 1, column: 2, "expected 4 hex digits")
        assertRejects(#""\uD800""#, line: 1, column: 2, "lone surrogate \\uD800")
        assertRejects(#""\uDC00""#, line: 1, column: 2, "lone surrogate \\uDC00")
        assertRejects(#""\uD800\u0041""#, line: 1, column: 2, "lone surrogate \\uD800")
        assertRejects(#""\uD800\n""#, line: 1, column: 2, "lone surrogate")
        assertRejects(#""\uDBFF\uDBFF""#, line: 1, column: 2, "lone surrogate")
    }

    func testRejectsInvalidUTF8() {
        let quote: UInt8 = 0x22
        assertRejects([quote, 0xC0, 0x80, quote], line: 1, column: 2, "invalid UTF-8")  // overlong
        assertRejects([quote, 0xE0, 0x80, 0xAF, quote], line: 1, column: 2, "invalid UTF-8")
        assertRejects([quote, 0xED, 0xA0, 0x80, quote], line: 1, column: 2, "invalid UTF-8")  // surrogate
        assertRejects([quote, 0xF4, 0x90, 0x80, 0x80, quote], line: 1, column: 2, "invalid UTF-8")
        assertRejects([quote, 0xC3, quote], line: 1, column: 2, "invalid UTF-8")  // truncated
        assertRejects([quote, 0x80, quote], line: 1, column: 2, "invalid UTF-8")  // stray continuation
        assertRejects([quote, 0xFF, quote], line: 1, column: 2, "invalid UTF-8")
        assertRejects([quote, 0xE2, 0x82], line: 1, column: 2, "invalid UTF-8")
        assertRejects([0xC3, 0xA9], line: 1, column: 1, "expected a value")  // outside a string
        XCTAssertEqual(try JSONValue.parse([quote, 0xF0, 0x9F, 0x98, 0x80, quote]), .string("😀"))
        XCTAssertEqual(try JSONValue.parse([quote, 0xF4, 0x8F, 0xBF, 0xBF, quote]), .string("\u{10FFFF}"))
    }

    func testNestingDepthLimit() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try JSONValue.parse(ok))
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        assertRejects(tooDeep, line: 1, column: 65, "nesting deeper than 64 levels")
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        assertRejects(objects, line: 1, column: 321, "nesting deeper than 64 levels")
        // Hostile input far deeper than the limit fails cleanly, no stack overflow.
        let hostile = String(repeating: "[", count: 1_000_000)
        assertRejects(hostile, line: 1, column: 65, "nesting deeper")
    }
}

// MARK: - CRC-32C

final class Crc32cTests: XCTestCase {
    func testStandardVectors() {
        XCTAssertEqual(crc32c(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(crc32c([]), 0)
        // RFC 3720 (iSCSI) appendix B.4 vectors.
        XCTAssertEqual(crc32c([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(crc32c([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(crc32c((0..<32).map { UInt8($0) }), 0x46DD_794E)
    }

    func testIncremental() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = crc32c(bytes)
        for split in [0, 1, 500, 999, 1000] {
            let first = crc32c(Array(bytes[..<split]))
            XCTAssertEqual(crc32c(Array(bytes[split...]), seed: first), whole)
        }
        bytes.withUnsafeBytes { XCTAssertEqual(crc32c($0), whole) }
    }
}

// MARK: - safetensors

final class SafeTensorsTests: XCTestCase {
    /// A file with the given header text (unpadded) and data buffer.
    private func file(header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        return file(headerBytes: h, data: data)
    }

    private func file(headerBytes h: [UInt8], data: [UInt8] = []) -> [UInt8] {
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(h.count) >> (8 * UInt64($0))) }
        bytes += h
        bytes += data
        return bytes
    }

    private func assertRejects(_ bytes: [UInt8], _ message: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try SafeTensorsArchive.decode(bytes)
            XCTFail("accepted a malformed file; expected: \(message)", file: file, line: line)
        } catch {
            XCTAssertTrue(error.message.contains(message), "\(error.message) lacks \(message)",
                          file: file, line: line)
        }
    }

    private func sampleArchive() -> SafeTensorsArchive {
        SafeTensorsArchive(
            tensors: [
                SafeTensor(name: "weights", shape: [2, 3], floats: [1, -2, 3.5, .pi, -0.0, 1e-30]),
                SafeTensor(name: "scalar", shape: [], doubles: [.pi]),
                SafeTensor(name: "steps", uint64s: [0, 1, .max]),
                SafeTensor(name: "seeds", int64s: [-1, .min, .max, 42]),
                SafeTensor(name: "empty", shape: [0, 4], floats: []),
                SafeTensor(name: "bytes", dtype: .u8, shape: [3], data: [1, 2, 3]),
            ],
            metadata: [(key: "format", value: "ntm"), (key: "note", value: "ünïcode \"quoted\"\n")])
    }

    func testRoundTrip() throws {
        let archive = sampleArchive()
        let bytes = archive.encoded()
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(headerLength % 8, 0, "data buffer must be 8-byte aligned")
        let decoded = try SafeTensorsArchive.decode(bytes)
        XCTAssertEqual(decoded, archive)
        XCTAssertEqual(try decoded["weights"]?.floats(), [1, -2, 3.5, .pi, -0.0, 1e-30])
        XCTAssertEqual(try decoded["weights"]?.floats()[4].sign, .minus)
        XCTAssertEqual(try decoded["scalar"]?.doubles(), [.pi])
        XCTAssertEqual(decoded["scalar"]?.shape, [])
        XCTAssertEqual(decoded["scalar"]?.elementCount, 1)
        XCTAssertEqual(try decoded["steps"]?.uint64s(), [0, 1, .max])
        XCTAssertEqual(try decoded["seeds"]?.int64s(), [-1, .min, .max, 42])
        XCTAssertEqual(try decoded["empty"]?.floats(), [])
        XCTAssertEqual(decoded.metadataValue(forKey: "note"), "ünïcode \"quoted\"\n")
        XCTAssertEqual(decoded.encoded(), bytes)
    }

    func testEmptyArchive() throws {
        let bytes = SafeTensorsArchive().encoded()
        XCTAssertEqual(bytes, [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        XCTAssertEqual(try SafeTensorsArchive.decode(bytes), SafeTensorsArchive())
    }

    func testAccessorChecksDType() {
        let t = SafeTensor(name: "w", doubles: [1, 2])
        XCTAssertThrowsError(try t.floats()) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.message, "tensor \"w\" has dtype F64, not F32")
        }
        XCTAssertThrowsError(try t.int64s())
        XCTAssertThrowsError(try t.uint64s())
        XCTAssertEqual(try t.doubles(), [1, 2])
    }

    func testByteExactLayout() throws {
        let archive = SafeTensorsArchive(tensors: [SafeTensor(name: "a", floats: [1.0, -2.0])],
                                         metadata: [(key: "k", value: "v")])
        let header = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        // 79 header bytes plus one space of padding = 80 = 0x50.
        let expected: [UInt8] = [0x50, 0, 0, 0, 0, 0, 0, 0]
            + Array(header.utf8) + [0x20]
            + [0x00, 0x00, 0x80, 0x3F,  // 1.0f little-endian
               0x00, 0x00, 0x00, 0xC0]  // -2.0f little-endian
        XCTAssertEqual(archive.encoded(), expected)
        XCTAssertEqual(try SafeTensorsArchive.decode(expected), archive)
    }

    func testDecodesForeignLayouts() throws {
        // Entries out of offset order, metadata last, extra padding, no
        // metadata at all: all valid. Tensors come back in header order.
        let header = #"{"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},"a":{"shape":[1],"data_offsets":[0,1],"dtype":"I8"},"__metadata__":{}}"#
            + "                "
        let archive = try SafeTensorsArchive.decode(file(header: header, data: [9, 7, 8]))
        XCTAssertEqual(archive.tensors.map(\.name), ["b", "a"])
        XCTAssertEqual(archive["b"]?.data, [7, 8])
        XCTAssertEqual(archive["a"]?.data, [9])
        XCTAssertEqual(archive["a"]?.dtype, .i8)
        XCTAssertTrue(archive.metadata.isEmpty)
        // Zero-sized tensors may share an offset with their neighbours.
        let zeros = #"{"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"y":{"dtype":"F64","shape":[2,0],"data_offsets":[0,0]}}"#
        XCTAssertEqual(try SafeTensorsArchive.decode(file(header: zeros)).tensors.count, 2)
    }

    func testRejectsBadFraming() {
        for n in 0..<8 {
            assertRejects([UInt8](repeating: 0, count: n), "too short to hold the 8-byte header length")
        }
        assertRejects([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B, 0x7D], "exceeds the limit")
        // 100_000_001
        assertRejects([0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0, 0x7B, 0x7D], "exceeds the limit")
        assertRejects([3, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D], "is larger than the 2 bytes after")
        assertRejects([0, 0, 0, 0, 0, 0, 0, 0], "header is empty")
    }

    func testRejectsBadHeaderText() {
        assertRejects(file(headerBytes: [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D]), "invalid UTF-8")
        assertRejects(file(header: "{\"a\":"), "header is not valid JSON: line 1, column 6")
        assertRejects(file(header: "[]"), "header does not start with '{'")
        assertRejects(file(header: " {}"), "header does not start with '{'")
        assertRejects(file(header: "{} x"), "header is not valid JSON")
        assertRejects(file(headerBytes: Array("{}".utf8) + [0]), "header is not valid JSON")
    }

    func testRejectsBadTensorEntries() {
        let good = #""dtype":"F32","shape":[2],"data_offsets":[0,8]"#
        let data = [UInt8](repeating: 0, count: 8)
        func entry(_ body: String) -> [UInt8] { file(header: "{\"w\":{\(body)}}", data: data) }

        assertRejects(file(header: #"{"w":[1]}"#, data: data), "tensor \"w\": entry is not an object")
        assertRejects(entry(#""shape":[2],"data_offsets":[0,8]"#), "tensor \"w\": missing \"dtype\"")
        assertRejects(entry(#""dtype":"F32","data_offsets":[0,8]"#), "tensor \"w\": missing \"shape\"")
        assertRejects(entry(#""dtype":"F32","shape":[2]"#), "tensor \"w\": missing \"data_offsets\"")
        assertRejects(entry(#""dtype":32,"shape":[2],"data_offsets":[0,8]"#), "tensor \"w\": \"dtype\" is not a string")
        assertRejects(entry(#""dtype":"F31","shape":[2],"data_offsets":[0,8]"#), "tensor \"w\": unknown dtype \"F31\"")
        assertRejects(entry(#""dtype":"f32","shape":[2],"data_offsets":[0,8]"#), "unknown dtype")
        assertRejects(entry(#""dtype":"F32","shape":2,"data_offsets":[0,8]"#), "tensor \"w\": \"shape\" is not an array")
        assertRejects(entry(#""dtype":"F32","shape":[-2],"data_offsets":[0,8]"#), "tensor \"w\": \"shape\" entry -2 is not a non-negative integer")
        assertRejects(entry(#""dtype":"F32","shape":[2.5],"data_offsets":[0,8]"#), "\"shape\" entry 2.5")
        assertRejects(entry(#""dtype":"F32","shape":["2"],"data_offsets":[0,8]"#), "\"shape\" entry \"2\"")
        assertRejects(entry(#""dtype":"F32","shape":[1e300],"data_offsets":[0,8]"#), "is not a non-negative integer")
        assertRejects(entry(#""dtype":"F32","shape":[2],"data_offsets":{"a":0}"#), "tensor \"w\": \"data_offsets\" is not an array of two integers")
        assertRejects(entry(#""dtype":"F32","shape":[2],"data_offsets":[0,8,8]"#), "is not an array of two integers")
        assertRejects(entry(#""dtype":"F32","shape":[2],"data_offsets":[0.5,8]"#), "are not non-negative integers")
        assertRejects(entry(#""dtype":"F32","shape":[2],"data_offsets":[-8,8]"#), "are not non-negative integers")
        assertRejects(entry(#""dtype":"F32","shape":[2],"data_offsets":[8,0]"#), "tensor \"w\": data_offsets [8, 0] begin after they end")
        assertRejects(entry(#""dtype":"F32","shape":[4],"data_offsets":[0,16]"#), "tensor \"w\": data_offsets [0, 16] extend past the 8-byte data buffer")
        assertRejects(entry(#""dtype":"F32","shape":[3],"data_offsets":[0,8]"#), "tensor \"w\": data_offsets [0, 8] cover 8 bytes but shape [3] of F32 needs 12")
        assertRejects(entry(#""dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]"#), "tensor \"w\": shape [4611686018427387904, 4] of F64 is too large")
        assertRejects(entry(#""dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,8]"#), "is too large")
        assertRejects(entry(good + #","extra":1"#), "tensor \"w\": unexpected field \"extra\"")
        assertRejects(entry(good + #","dtype":"F32""#), "duplicate key \"dtype\"")
    }

    func testRejectsBadLayout() {
        let data = [UInt8](repeating: 0, count: 8)
        func t(_ name: String, _ begin: Int, _ end: Int) -> String {
            #""\#(name)":{"dtype":"U8","shape":[\#(end - begin)],"data_offsets":[\#(begin),\#(end)]}"#
        }
        assertRejects(file(header: "{\(t("a", 0, 6)),\(t("b", 4, 8))}", data: data),
                      "tensor \"b\": data_offsets [4, 8] overlap tensor \"a\"")
        assertRejects(file(header: "{\(t("a", 0, 8)),\(t("b", 0, 8))}", data: data), "overlap")
        assertRejects(file(header: "{\(t("a", 0, 8)),\(t("z", 4, 4))}", data: data), "tensor \"z\"")
        assertRejects(file(header: "{\(t("a", 0, 3)),\(t("b", 4, 8))}", data: data),
                      "bytes 3..<4 of the data buffer (before tensor \"b\") belong to no tensor")
        assertRejects(file(header: "{\(t("b", 2, 8))}", data: data), "bytes 0..<2")
        assertRejects(file(header: "{\(t("a", 0, 6))}", data: data),
                      "data buffer is 8 bytes but the tensors cover only 6")
        assertRejects(file(header: "{}", data: [1]), "data buffer is 1 bytes but the tensors cover only 0")
        assertRejects(file(header: "{\(t("a", 0, 4)),\(t("a", 4, 8))}", data: data), "duplicate key \"a\"")
    }

    func testRejectsBadMetadata() {
        assertRejects(file(header: #"{"__metadata__":{"k":1}}"#), "__metadata__ value for \"k\" is not a string")
        assertRejects(file(header: #"{"__metadata__":{"k":null}}"#), "is not a string")
        assertRejects(file(header: #"{"__metadata__":["k"]}"#), "__metadata__ is not an object")
        assertRejects(file(header: #"{"__metadata__":{"k":"a","k":"b"}}"#), "duplicate key")
    }

    func testTruncationAtEveryOffsetIsRejected() {
        let bytes = sampleArchive().encoded()
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try SafeTensorsArchive.decode(Array(bytes[..<n])), "length \(n)")
        }
        // An extra trailing byte is rejected too.
        XCTAssertThrowsError(try SafeTensorsArchive.decode(bytes + [0]))
    }

    func testCorruptedBytesNeverTrap() {
        // Flipping bits anywhere must give either a valid archive or an
        // error; this exercises every validation path without crashing.
        let bytes = SafeTensorsArchive(
            tensors: [SafeTensor(name: "a", shape: [2, 1], floats: [1, 2]),
                      SafeTensor(name: "b", int64s: [3])],
            metadata: [(key: "m", value: "x")]).encoded()
        for i in bytes.indices {
            for bit in [0, 1, 3, 5, 7] {
                var corrupt = bytes
                corrupt[i] ^= UInt8(1) << UInt8(bit)
                _ = try? SafeTensorsArchive.decode(corrupt)
            }
        }
    }
}

// MARK: - File I/O

final class FileIOTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/ntm-serialization-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        XCTAssertNotNil(made)
        directory = String(cString: made!)
    }

    override func tearDownWithError() throws {
        for name in entries() { _ = unlink(directory + "/" + name); _ = rmdir(directory + "/" + name) }
        _ = rmdir(directory)
    }

    /// The names in the test directory.
    private func entries() -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func testWriteThenReadAndReplace() throws {
        let path = directory + "/file.bin"
        let first = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try writeFileAtomically(atPath: path, bytes: first)
        XCTAssertEqual(try readFileBytes(atPath: path), first)
        try writeFileAtomically(atPath: path, bytes: [1, 2, 3])
        XCTAssertEqual(try readFileBytes(atPath: path), [1, 2, 3])
        try writeFileAtomically(atPath: path, bytes: [])
        XCTAssertEqual(try readFileBytes(atPath: path), [])
        XCTAssertEqual(entries(), ["file.bin"], "no temporary files are left behind")
    }

    func testReplacingKeepsPermissions() throws {
        let path = directory + "/mode.txt"
        try writeFileAtomically(atPath: path, bytes: [1])
        XCTAssertEqual(chmod(path, 0o600), 0)
        try writeFileAtomically(atPath: path, bytes: [2])
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
    }

    func testReadErrors() {
        let missing = directory + "/missing"
        XCTAssertThrowsError(try readFileBytes(atPath: missing)) { error in
            let e = error as! FileError
            XCTAssertEqual(e.code, ENOENT)
            XCTAssertEqual(e.description, "cannot open '\(missing)': No such file or directory")
        }
        XCTAssertThrowsError(try readFileBytes(atPath: directory)) { error in
            XCTAssertEqual((error as! FileError).code, EISDIR)
            XCTAssertTrue((error as! FileError).reason.contains("not a regular file (a directory)"), "\(error)")
        }
    }

    func testReadLimit() throws {
        let path = directory + "/big"
        try writeFileAtomically(atPath: path, bytes: [UInt8](repeating: 9, count: 100))
        XCTAssertEqual(try readFileBytes(atPath: path, maxBytes: 100).count, 100)
        XCTAssertEqual(try readFileBytes(atPath: path, maxBytes: .max).count, 100)
        XCTAssertThrowsError(try readFileBytes(atPath: path, maxBytes: 0))
        let empty = directory + "/empty"
        try writeFileAtomically(atPath: empty, bytes: [])
        XCTAssertEqual(try readFileBytes(atPath: empty, maxBytes: 0), [])
        XCTAssertThrowsError(try readFileBytes(atPath: path, maxBytes: 99)) { error in
            XCTAssertTrue((error as! FileError).description.contains("larger than the limit of 99 bytes"))
        }
    }

    func testReadsFilesWithoutASize() throws {
        // /proc files report size 0; reading must not trust fstat.
        let bytes = try readFileBytes(atPath: "/proc/self/status")
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).hasPrefix("Name:"))
    }

    func testWriteIntoMissingDirectoryFails() {
        let path = directory + "/no/such/dir/file"
        XCTAssertThrowsError(try writeFileAtomically(atPath: path, bytes: [1])) { error in
            let e = error as! FileError
            XCTAssertEqual(e.code, ENOENT)
            XCTAssertTrue(e.description.contains(path))
            XCTAssertTrue(e.description.contains("No such file or directory"))
        }
        XCTAssertEqual(entries(), [])
    }

    func testFailedRenameLeavesTargetAndNoTemporary() throws {
        // The target is a non-empty directory, so the final rename fails.
        let target = directory + "/dir"
        XCTAssertEqual(mkdir(target, 0o755), 0)
        try writeFileAtomically(atPath: target + "/inside", bytes: [5])
        XCTAssertThrowsError(try writeFileAtomically(atPath: target, bytes: [1, 2]))
        XCTAssertEqual(entries(), ["dir"])
        XCTAssertEqual(try readFileBytes(atPath: target + "/inside"), [5])
        _ = unlink(target + "/inside")
    }

    func testFailedWriteLeavesOldFileIntact() throws {
        let path = directory + "/keep.bin"
        let old = [UInt8](repeating: 0xAB, count: 1000)
        try writeFileAtomically(atPath: path, bytes: old)

        // Make write() fail part-way with EFBIG by lowering the file-size
        // limit (ignoring SIGXFSZ, which would otherwise kill the process).
        var saved = rlimit()
        XCTAssertEqual(getrlimit(RLIMIT_FSIZE_VALUE, &saved), 0)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = saved
        limited.rlim_cur = 4096
        XCTAssertEqual(setrlimit(RLIMIT_FSIZE_VALUE, &limited), 0)
        let result = Result { () throws(FileError) in
            try writeFileAtomically(atPath: path, bytes: [UInt8](repeating: 1, count: 100_000))
        }
        _ = setrlimit(RLIMIT_FSIZE_VALUE, &saved)
        _ = signal(SIGXFSZ, previousHandler)

        switch result {
        case .success:
            XCTFail("write beyond RLIMIT_FSIZE succeeded")
        case let .failure(error):
            XCTAssertEqual(error.code, EFBIG)
            XCTAssertTrue(error.description.hasPrefix("cannot write '\(path)."))
        }
        XCTAssertEqual(try readFileBytes(atPath: path), old)
        XCTAssertEqual(entries(), ["keep.bin"], "the temporary file is removed")
    }
}

/// `RLIMIT_FSIZE` is imported with different types on different C
/// libraries; this gives the value `getrlimit`/`setrlimit` expect.
#if canImport(Glibc)
private let RLIMIT_FSIZE_VALUE = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
#else
private let RLIMIT_FSIZE_VALUE = RLIMIT_FSIZE
#endif
