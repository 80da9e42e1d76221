// A small, strict JSON (RFC 8259) value type, parser and serializer.
//
// The core module may not use Foundation, and checkpoint headers, configs and
// logs all need JSON, so this file provides exactly what those need and no
// more. The parser is deliberately strict: a checkpoint that is "almost"
// JSON is more likely to be corrupt than hand-edited, and refusing it with a
// precise line/column message is better than guessing.

/// A JSON value.
///
/// Objects are stored as an ordered list of members rather than a dictionary
/// so that serialization is deterministic (the same value always produces the
/// same bytes, which matters for checksums and diffs) and so that a parsed
/// document re-serializes in its original key order.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Structural equality. Object members are compared in order, because
    /// order is part of what this type preserves and serializes; two objects
    /// with the same members in a different order are therefore unequal.
    /// Numbers compare with `Double`'s `==` (so `0` equals `-0`).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(a), .bool(b)):
            return a == b
        case let (.number(a), .number(b)):
            return a == b
        case let (.string(a), .string(b)):
            return a == b
        case let (.array(a), .array(b)):
            return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where x.key != y.key || x.value != y.value {
                return false
            }
            return true
        default:
            return false
        }
    }
}

// MARK: - Accessors

extension JSONValue {
    /// The value of the first member named `key` if this is an object,
    /// otherwise nil. Parsed objects never contain duplicate keys.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The number, if this is a number.
    public var double: Double? {
        if case let .number(x) = self { return x }
        return nil
    }

    /// The number as an `Int`, only if it is an exact integer within `Int`'s
    /// range; `2.5` or `1e300` give nil rather than a silently altered value.
    public var int: Int? {
        if case let .number(x) = self { return Int(exactly: x) }
        return nil
    }

    /// The string, if this is a string.
    public var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The boolean, if this is a boolean.
    public var bool: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The elements, if this is an array.
    public var array: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The members in order, if this is an object.
    public var object: [(key: String, value: JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// True if this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

// MARK: - Errors

/// Why a JSON text was rejected, and where.
///
/// `line` and `column` are 1-based; the column counts Unicode scalars, not
/// bytes, so it matches what a text editor shows. `offset` is the 0-based
/// byte offset into the UTF-8 input, for programmatic use.
public struct JSONError: Error, CustomStringConvertible, Equatable, Sendable {
    public var line: Int
    public var column: Int
    public var offset: Int
    public var message: String

    public init(line: Int, column: Int, offset: Int, message: String) {
        self.line = line
        self.column = column
        self.offset = offset
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}

// MARK: - Parsing

extension JSONValue {
    /// The deepest nesting of arrays/objects the parser accepts. The parser is
    /// recursive; the limit keeps hostile input from exhausting the stack and
    /// is far beyond anything this library writes.
    public static let maximumNestingDepth = 64

    /// Parses a complete JSON text. See `parse(_: [UInt8])`.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses a complete JSON text given as UTF-8 bytes.
    ///
    /// Strict RFC 8259: exactly one value surrounded only by whitespace;
    /// no comments, trailing commas, single quotes, NaN/Infinity, leading
    /// zeros, unescaped control characters, invalid escapes, unpaired
    /// surrogates, invalid UTF-8, duplicate object keys, or numbers too large
    /// for `Double`. Numbers are converted with correct rounding.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position < bytes.count {
            throw parser.error("unexpected content after the JSON value", at: parser.position)
        }
        return value
    }
}

/// A recursive-descent parser over UTF-8 bytes. Kept private: the public
/// surface is `JSONValue.parse`.
private struct JSONParser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    // ASCII code points used by the grammar, named for readability.
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let slash = UInt8(ascii: "/")
    private static let comma = UInt8(ascii: ",")
    private static let colon = UInt8(ascii: ":")
    private static let minus = UInt8(ascii: "-")
    private static let plus = UInt8(ascii: "+")
    private static let dot = UInt8(ascii: ".")
    private static let zero = UInt8(ascii: "0")
    private static let nine = UInt8(ascii: "9")

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    /// Builds an error at a byte offset. Line and column are computed only
    /// here, on the failure path, so the hot path does no bookkeeping.
    func error(_ message: String, at offset: Int) -> JSONError {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
            i += 1
        }
        return JSONError(line: line, column: column, offset: offset, message: message)
    }

    /// A human-readable name for the byte at `offset`, for messages.
    func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + hex(UInt32(b), digits: 2)
    }

    mutating func skipWhitespace() {
        while let b = current,
              b == UInt8(ascii: " ") || b == UInt8(ascii: "\t")
                || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
            position += 1
        }
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard let b = current else {
            throw error("unexpected end of input, expected a value", at: position)
        }
        switch b {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case Self.quote:
            return .string(try parseString())
        case Self.minus, Self.zero...Self.nine:
            return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("NaN and Infinity are not valid JSON", at: position)
        default:
            throw error("expected a value, found \(describeByte(at: position))", at: position)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { lit -> Bool in
            guard start + count <= bytes.count else { return false }
            for i in 0..<count where bytes[start + i] != lit[i] { return false }
            return true
        }
        guard matches else { throw error("invalid literal, expected '\(literal)'", at: start) }
        position += count
    }

    mutating func checkDepth(_ depth: Int) throws(JSONError) {
        if depth > JSONValue.maximumNestingDepth {
            throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels", at: position)
        }
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        position += 1  // '['
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                throw error("trailing comma in array", at: position)
            }
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case Self.comma:
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw error("expected ',' or ']' after array element", at: position)
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        position += 1  // '{'
        var members: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == Self.quote else {
                if current == UInt8(ascii: "}") {
                    throw error("trailing comma in object", at: position)
                }
                throw error("expected a string key, found \(describeByte(at: position))", at: position)
            }
            let keyStart = position
            let key = try parseString()
            // Duplicate keys are legal-but-undefined in RFC 8259; different
            // readers keep the first or the last. Rejecting them removes the
            // ambiguity (and a classic way to smuggle values past validators).
            guard seen.insert(key).inserted else {
                throw error("duplicate key \"\(escapedForMessage(key))\"", at: keyStart)
            }
            skipWhitespace()
            guard current == Self.colon else {
                throw error("expected ':' after object key", at: position)
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key: key, value: value))
            skipWhitespace()
            switch current {
            case Self.comma:
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default:
                throw error("expected ',' or '}' after object member", at: position)
            }
        }
    }

    /// Validates the RFC 8259 number grammar, then converts the token with
    /// the standard library's `Double(_:)`, which is correctly rounded. The
    /// grammar check comes first because `Double(_:)` also accepts forms JSON
    /// forbids ("inf", "0x1p3", "+1", ".5").
    mutating func parseNumber() throws(JSONError) -> Double {
        let start = position
        if current == Self.minus {
            position += 1
            if current == UInt8(ascii: "I") {
                throw error("NaN and Infinity are not valid JSON", at: start)
            }
        }
        guard let first = current, first >= Self.zero && first <= Self.nine else {
            throw error("expected a digit in number", at: position)
        }
        position += 1
        if first == Self.zero, let next = current, next >= Self.zero && next <= Self.nine {
            throw error("leading zeros are not allowed in numbers", at: start)
        }
        skipDigits()
        if current == Self.dot {
            position += 1
            guard let d = current, d >= Self.zero && d <= Self.nine else {
                throw error("expected a digit after the decimal point", at: position)
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == Self.plus || current == Self.minus { position += 1 }
            guard let d = current, d >= Self.zero && d <= Self.nine else {
                throw error("expected a digit in the exponent", at: position)
            }
            skipDigits()
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(token) else {
            // Unreachable for a grammatically valid token, but never trap.
            throw error("invalid number", at: start)
        }
        guard value.isFinite else {
            throw error("number \(token) is out of range for a double", at: start)
        }
        return value
    }

    mutating func skipDigits() {
        while let b = current, b >= Self.zero && b <= Self.nine { position += 1 }
    }

    /// Parses a string literal starting at the opening quote, decoding
    /// escapes and validating UTF-8 (well-formed, shortest form, no encoded
    /// surrogates, at most U+10FFFF) so the result is exactly the text meant.
    mutating func parseString() throws(JSONError) -> String {
        let start = position
        position += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        while true {
            guard let b = current else {
                throw error("unterminated string", at: start)
            }
            switch b {
            case Self.quote:
                position += 1
                return String(scalars)
            case Self.backslash:
                scalars.append(try parseEscape())
            case 0x00..<0x20:
                throw error("unescaped control character U+\(hex(UInt32(b), digits: 4)) in string",
                            at: position)
            case 0x20..<0x80:
                scalars.append(Unicode.Scalar(b))
                position += 1
            default:
                scalars.append(try parseUTF8Sequence())
            }
        }
    }

    /// Decodes one multi-byte UTF-8 sequence at `position`.
    mutating func parseUTF8Sequence() throws(JSONError) -> Unicode.Scalar {
        let start = position
        let lead = bytes[start]
        let length: Int
        var value: UInt32
        // The allowed range of the second byte, per RFC 3629's table; this
        // excludes overlong forms, surrogates and values above U+10FFFF.
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF:
            length = 2; value = UInt32(lead & 0x1F)
        case 0xE0:
            length = 3; value = UInt32(lead & 0x0F); secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF:
            length = 3; value = UInt32(lead & 0x0F)
        case 0xED:
            length = 3; value = UInt32(lead & 0x0F); secondHigh = 0x9F
        case 0xF0:
            length = 4; value = UInt32(lead & 0x07); secondLow = 0x90
        case 0xF1...0xF3:
            length = 4; value = UInt32(lead & 0x07)
        case 0xF4:
            length = 4; value = UInt32(lead & 0x07); secondHigh = 0x8F
        default:
            throw error("invalid UTF-8", at: start)
        }
        for i in 1..<length {
            let index = start + i
            guard index < bytes.count else { throw error("invalid UTF-8", at: start) }
            let c = bytes[index]
            let low = i == 1 ? secondLow : 0x80
            let high = i == 1 ? secondHigh : 0xBF
            guard c >= low && c <= high else { throw error("invalid UTF-8", at: start) }
            value = (value << 6) | UInt32(c & 0x3F)
        }
        position += length
        guard let scalar = Unicode.Scalar(value) else { throw error("invalid UTF-8", at: start) }
        return scalar
    }

    /// Parses an escape sequence starting at the backslash.
    mutating func parseEscape() throws(JSONError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let e = current else { throw error("unterminated string", at: start) }
        position += 1
        switch e {
        case Self.quote: return "\""
        case Self.backslash: return "\\"
        case Self.slash: return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: start)
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed immediately by an escaped
                // low surrogate; together they encode one scalar.
                let lowStart = position
                guard position + 1 < bytes.count,
                      bytes[position] == Self.backslash,
                      bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("lone surrogate \\u\(hex(unit, digits: 4)) in string", at: start)
                }
                position += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("lone surrogate \\u\(hex(unit, digits: 4)) in string", at: start)
                }
                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                return Unicode.Scalar(scalar)!  // always in 0x10000...0x10FFFF
            case 0xDC00...0xDFFF:
                throw error("lone surrogate \\u\(hex(unit, digits: 4)) in string", at: start)
            default:
                return Unicode.Scalar(unit)!  // non-surrogate BMP value
            }
        default:
            throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(e)))'", at: start)
        }
    }

    /// Reads the four hex digits of a `\u` escape.
    mutating func parseHex4(escapeStart: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let h = current else {
                throw error("invalid \\u escape, expected 4 hex digits", at: escapeStart)
            }
            let digit: UInt8
            switch h {
            case Self.zero...Self.nine: digit = h - Self.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = h - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = h - UInt8(ascii: "A") + 10
            default:
                throw error("invalid \\u escape, expected 4 hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

/// Uppercase hexadecimal with zero padding, e.g. `hex(0x1F, digits: 4)` is
/// "001F".
private func hex(_ value: UInt32, digits: Int) -> String {
    let s = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}

/// A key quoted inside an error message, escaped so the message stays on one
/// line and unambiguous.
private func escapedForMessage(_ s: String) -> String {
    var out = ""
    appendEscaped(s, to: &out)
    return out
}

// MARK: - Serialization

extension JSONValue {
    /// The JSON text of this value.
    ///
    /// Compact output has no whitespace at all. Pretty output puts each array
    /// element and object member on its own line, indented by two spaces,
    /// with `": "` after keys; empty containers print as `[]` and `{}`.
    ///
    /// Numbers: an integral value of magnitude below 2^63 prints as an
    /// integer ("3", not "3.0"), and `-0.0` prints as "-0" so the sign
    /// survives. Anything else prints with Swift's shortest round-trip
    /// `description` (e.g. "0.1", "1e+20"), so parsing the output gives back
    /// exactly the same `Double`. JSON cannot represent NaN or infinity;
    /// they are written as `null`, as JavaScript's `JSON.stringify` does,
    /// rather than producing a file no reader accepts.
    ///
    /// Strings escape `"`, `\` and all control characters below U+0020 (the
    /// common ones as `\n`, `\r`, `\t`, `\b`, `\f`, the rest as `\u00XX`);
    /// everything else, including non-ASCII text, is written as UTF-8.
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null:
            out += "null"
        case let .bool(b):
            out += b ? "true" : "false"
        case let .number(x):
            out += JSONValue.format(x)
        case let .string(s):
            out += "\""
            appendEscaped(s, to: &out)
            out += "\""
        case let .array(elements):
            if elements.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                element.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "]"
        case let .object(members):
            if members.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                if pretty { newline(&out, indent + 1) }
                out += "\""
                appendEscaped(member.key, to: &out)
                out += pretty ? "\": " : "\":"
                member.value.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(&out, indent) }
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// Formats a number as described in `serialized(pretty:)`.
    static func format(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == 0 { return x.sign == .minus ? "-0" : "0" }
        // Every integral double in (-2^63, 2^63) converts to Int64 exactly,
        // so its decimal digits are exactly its value.
        if x == x.rounded(.towardZero), abs(x) < 9.223372036854775808e18 {
            return String(Int64(x))
        }
        return x.description
    }
}

/// Appends `s` with JSON string escaping (without the surrounding quotes).
private func appendEscaped(_ s: String, to out: inout String) {
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{00}"..."\u{1F}": out += "\\u" + hex(scalar.value, digits: 4).lowercased()
        default: out.unicodeScalars.append(scalar)
        }
    }
}
