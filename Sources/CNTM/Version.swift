// MARK: Version

/// The library's version. `scripts/generate-header` copies these numbers
/// into `NTM_VERSION_MAJOR`, `NTM_VERSION_MINOR` and `NTM_VERSION_PATCH`.
enum LibraryVersion {
    static let major: Int32 = 0
    static let minor: Int32 = 1
    static let patch: Int32 = 0
    static let text: StaticString = "0.1.0"
}

/// The library's version as one number: `major * 10000 + minor * 100 + patch`.
///
/// Compare it with `NTM_VERSION_NUMBER` to check that the library loaded at
/// run time is the one the program was compiled against.
///
/// Errors: none. Thread-safety: any thread, any time.
@c public func ntm_version_number() -> Int32 {
    LibraryVersion.major * 10000 + LibraryVersion.minor * 100 + LibraryVersion.patch
}

/// The library's version as text, `"major.minor.patch"` (e.g. `"0.1.0"`).
///
/// Ownership: a static string owned by the library; never free it.
/// Errors: none. Thread-safety: any thread, any time.
@c public func ntm_version_string() -> UnsafePointer<CChar> {
    staticCString(LibraryVersion.text)
}
