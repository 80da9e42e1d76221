// swift-tools-version: 6.1
import PackageDescription

// The core (`NTM`) depends on the Swift standard library and the C library
// only (beyond one small C target of ours, the AVX2 build of its hot
// kernels). Arithmetic in the hot loops uses wrapping index operators so
// that `-O` can vectorise them without `-Ounchecked`; everything else keeps
// Swift's checks.
//
// No target sets `unsafeFlags`, so a package can depend on this one by
// version. `AVX2Kernels` is a C transcription of the Swift kernels whose
// functions carry the `haswell` target in their source (a Swift module
// would need `-target-cpu`, an unsafe flag); `NTM` calls it only when its
// CPUID test passes, so the library still runs on any x86-64, and the two
// builds give the same bits (WideKernelTests).
//
// `NTMC` is the C ABI. SwiftPM cannot have a library product and an
// executable product both named `ntm`, so `make lib` builds this product
// with the Swift runtime linked statically, an export list and the soname
// `libntm.so.0.1`, and names the file `libntm.so`.

let package = Package(
    name: "ntm",
    products: [
        .library(name: "NTM", targets: ["NTM"]),
        .library(name: "NTMPlot", targets: ["NTMPlot"]),
        .library(name: "NTMC", type: .dynamic, targets: ["CNTM"]),
        .executable(name: "ntm", targets: ["ntm"]),
    ],
    // The command-line tool's dependency, swift-argument-parser, is behind
    // a default trait, so that a package that wants the libraries only can
    // depend on this one with `traits: []` and never fetch it.
    traits: [
        .trait(name: "CommandLineTool", description: "The `ntm` command (needs swift-argument-parser)."),
        .default(enabledTraits: ["CommandLineTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "NTM", dependencies: ["AVX2Kernels"], path: "Sources/NTM"),
        // The hot kernels for AVX2, in C, and the CPUID test that guards them.
        .target(name: "AVX2Kernels", path: "Sources/AVX2Kernels"),
        // SVG pictures (learning curves, heads over time); no dependencies.
        .target(name: "NTMPlot", path: "Sources/NTMPlot"),
        // The C ABI: validates and delegates to NTM; computes nothing itself.
        .target(name: "CNTM", dependencies: ["NTM"], path: "Sources/CNTM"),
        // The command-line tool: train, eval, show.
        .executableTarget(name: "ntm", dependencies: [
            "NTM", "NTMPlot",
            .product(name: "ArgumentParser", package: "swift-argument-parser",
                     condition: .when(traits: ["CommandLineTool"])),
        ], path: "Sources/ntm"),
        // Benchmarks of issue 6: throughput, latency, FLOP rates (see benchmarks/).
        .executableTarget(name: "ntm-bench", dependencies: [
            "NTM",
            .product(name: "ArgumentParser", package: "swift-argument-parser",
                     condition: .when(traits: ["CommandLineTool"])),
        ], path: "Sources/ntm-bench"),
        .testTarget(name: "NTMTests", dependencies: ["NTM"], path: "Tests/NTMTests",
                    exclude: ["Fixtures"]),   // read from the source tree by PyTorchFixtureTests
        .testTarget(name: "NTMPlotTests", dependencies: ["NTMPlot"], path: "Tests/NTMPlotTests"),
        .testTarget(name: "CLITests", dependencies: ["ntm"], path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v5]
)
