/// The library's version: `major * 10000 + minor * 100 + patch`.
@c public func ntm_version_number() -> Int32 { 100 }
