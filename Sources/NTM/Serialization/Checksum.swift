// CRC-32C (Castagnoli), used to detect corruption in files this library
// writes. CRC-32C rather than the zlib CRC-32 because its polynomial has
// better error-detection properties for the message sizes we store and it is
// the checksum used by iSCSI, ext4, Btrfs and many storage formats, so
// external tools can verify our files.

/// The 256-entry lookup table for the reflected polynomial 0x82F63B78.
/// Built once, lazily and thread-safely (global `let`s are initialised with
/// `swift_once`), instead of being spelled out as 256 literals.
private let crc32cTable: [UInt32] = (0..<256).map { (byte: UInt32) -> UInt32 in
    var crc = byte
    for _ in 0..<8 {
        crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
    }
    return crc
}

/// The CRC-32C of `bytes`.
///
/// `seed` is a previous result, which makes the checksum incremental:
/// `crc32c(b, seed: crc32c(a)) == crc32c(a + b)`. The default of 0 gives the
/// standard CRC-32C (initial value and final XOR of 0xFFFFFFFF are applied
/// inside), so `crc32c("123456789")` is 0xE3069283.
public func crc32c(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    var crc = ~seed
    crc32cTable.withUnsafeBufferPointer { table in
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
    }
    return ~crc
}

/// The CRC-32C of `bytes`; see `crc32c(_: UnsafeRawBufferPointer, seed:)`.
public func crc32c(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
    bytes.withUnsafeBytes { crc32c($0, seed: seed) }
}
