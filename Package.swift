// swift-tools-version: 6.0
import PackageDescription

// The core (`NTM`) depends on the Swift standard library and the C library
// only (beyond two small targets of ours: the AVX2 build of its dense kernels
// and a CPUID test). Arithmetic in the hot loops uses wrapping index operators so that
// `-O` can vectorise them without `-Ounchecked`; everything else keeps
// Swift's checks.
//
// `NTMC` is the C ABI. SwiftPM cannot have a library product and an
// executable product both named `ntm`, so `make lib` builds this product
// with the Swift runtime linked statically, an export list and the soname
// `libntm.so`, and names the file `libntm.so`.
// `NTMWideKernels` compiles the dense kernels a second time for AVX2
// (`-target-cpu haswell`); `NTM` calls into it only when `CPUFeatures` finds
// that CPU, so the library still runs on any x86-64. Elsewhere the flag is
// left out and the dispatch never selects the module.
#if arch(x86_64)
let wideKernelFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let wideKernelFlags: [SwiftSetting] = []
#endif

let package = Package(
    name: "ntm",
    products: [
        .library(name: "NTM", targets: ["NTM"]),
        .library(name: "NTMPlot", targets: ["NTMPlot"]),
        .library(name: "NTMC", type: .dynamic, targets: ["CNTM"]),
        .executable(name: "ntm", targets: ["ntm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "NTM", dependencies: ["NTMWideKernels", "CPUFeatures"], path: "Sources/NTM"),
        // The dense kernels again, for AVX2 (DenseKernels.swift is a link to NTM's).
        .target(name: "NTMWideKernels", path: "Sources/NTMWideKernels", swiftSettings: wideKernelFlags),
        // CPUID, which Swift cannot reach: may NTMWideKernels run here? Its
        // debug information is DWARF 4, which Debian 12's valgrind (3.19)
        // can still read; clang's default DWARF 5 makes it give up on libntm.so.
        .target(name: "CPUFeatures", path: "Sources/CPUFeatures",
                cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // SVG pictures (learning curves, heads over time); no dependencies.
        .target(name: "NTMPlot", path: "Sources/NTMPlot"),
        // The C ABI: validates and delegates to NTM; computes nothing itself.
        .target(name: "CNTM", dependencies: ["NTM"], path: "Sources/CNTM"),
        // The command-line tool: train, eval, show.
        .executableTarget(name: "ntm", dependencies: [
            "NTM", "NTMPlot", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/ntm"),
        // Benchmarks of issue 6: throughput, latency, FLOP rates (see benchmarks/).
        .executableTarget(name: "ntm-bench", dependencies: ["NTM"], path: "Sources/ntm-bench"),
        .testTarget(name: "NTMTests", dependencies: ["NTM", "NTMWideKernels"], path: "Tests/NTMTests"),
        .testTarget(name: "NTMPlotTests", dependencies: ["NTMPlot"], path: "Tests/NTMPlotTests"),
        .testTarget(name: "CLITests", dependencies: ["ntm"], path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v5]
)
