import XCTest
@testable import NTM

/// `FilePath.description` shows a path in messages: valid UTF-8 as text,
/// every other byte as `\xHH`, in one pass.
final class FilePathTests: XCTestCase {
    func shown(_ bytes: [UInt8]) -> String { FilePath(bytes: bytes).description }

    func testValidUTF8IsShownAsText() {
        XCTAssertEqual(FilePath("runs/model.safetensors").description, "runs/model.safetensors")
        XCTAssertEqual(FilePath("café/😀.st").description, "café/😀.st")
        XCTAssertEqual(shown([]), "")
    }

    func testInvalidBytesAreShownOneByOne() {
        XCTAssertEqual(shown(Array("caf".utf8) + [0xE9] + Array(".st".utf8)), #"caf\xe9.st"#)
        XCTAssertEqual(shown([0x80, 0x41]), #"\x80A"#)                 // a lone continuation byte
        XCTAssertEqual(shown([0xC0, 0xAF]), #"\xc0\xaf"#)              // an overlong "/"
        XCTAssertEqual(shown([0xED, 0xA0, 0x80]), #"\xed\xa0\x80"#)    // a UTF-16 surrogate
        XCTAssertEqual(shown([0xF4, 0x90, 0x80, 0x80]), #"\xf4\x90\x80\x80"#)   // beyond U+10FFFF
        XCTAssertEqual(shown([0x61, 0xE2, 0x82]), #"a\xe2\x82"#)       // cut short at the end
        XCTAssertEqual(shown([0xE2, 0x82, 0xAC, 0xFF, 0xE2, 0x82, 0xAC]), #"€\xff€"#)
    }

    func testLongPathsTakeLinearTime() {
        // 200,000 bytes alternating valid and invalid: the old longest-prefix
        // search took quadratic time on such input.
        let bytes: [UInt8] = (0..<100_000).flatMap { _ -> [UInt8] in [0x61, 0xFF] }
        let text = shown(bytes)
        XCTAssertEqual(text.utf8.count, 100_000 * 5)
        XCTAssertTrue(text.hasPrefix(#"a\xffa\xff"#))
    }
}
