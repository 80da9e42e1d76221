// swift-tools-version: 6.0
import PackageDescription

// The core (`NTM`) depends on the Swift standard library and the C library
// only. Arithmetic in the hot loops uses wrapping index operators so that
// `-O` can vectorise them without `-Ounchecked`; everything else keeps
// Swift's checks.
//
// `NTMC` is the C ABI. SwiftPM cannot have a library product and an
// executable product both named `ntm`, so `make lib` builds this product
// with the Swift runtime linked statically, an export list and the soname
// `libntm.so`, and names the file `libntm.so`.
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
        .target(name: "NTM", path: "Sources/NTM"),
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
        .testTarget(name: "NTMTests", dependencies: ["NTM"], path: "Tests/NTMTests"),
        .testTarget(name: "NTMPlotTests", dependencies: ["NTMPlot"], path: "Tests/NTMPlotTests"),
        .testTarget(name: "CLITests", dependencies: ["ntm"], path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v5]
)
