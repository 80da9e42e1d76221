// swift-tools-version: 6.0
import PackageDescription

// The core (`NTM`) depends on the Swift standard library and the C library
// only. Arithmetic in the hot loops uses wrapping index operators so that
// `-O` can vectorise them without `-Ounchecked`; everything else keeps
// Swift's checks.
let package = Package(
    name: "ntm",
    products: [
        .library(name: "NTM", targets: ["NTM"]),
        .library(name: "NTMPlot", targets: ["NTMPlot"]),
    ],
    targets: [
        .target(name: "NTM", path: "Sources/NTM"),
        // SVG pictures (learning curves, heads over time); no dependencies.
        .target(name: "NTMPlot", path: "Sources/NTMPlot"),
        .testTarget(name: "NTMTests", dependencies: ["NTM"], path: "Tests/NTMTests"),
        .testTarget(name: "NTMPlotTests", dependencies: ["NTMPlot"], path: "Tests/NTMPlotTests"),
    ],
    swiftLanguageModes: [.v5]
)
