// swift-tools-version: 6.1
// r70 benchmarks (ordo-one/benchmark). Run with `make bench` or `cd Benchmarks && swift package benchmark`.
import PackageDescription

let package = Package(
    name: "r70-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "r70", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "GridBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GridModel", package: "r70"),
                .product(name: "GridSim", package: "r70"),
                .product(name: "GridDispatch", package: "r70"),
                .product(name: "GridStudy", package: "r70"),
                .product(name: "GridReport", package: "r70"),
            ],
            path: "Benchmarks/GridBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
