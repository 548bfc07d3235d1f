// swift-tools-version: 6.1
// r70: hourly adequacy and dispatch simulator for Vietnam's power system (Resolution 70-NQ/TW).
import PackageDescription

// The per-step loop's modules are compiled without dynamic exclusivity checks in release builds: their
// state lives in class-owned arrays that are never accessed overlappingly (each simulator belongs to one
// worker), and the checks cost about 15 % of a trial (measured with perf).
let hot: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "r70",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "r70", targets: ["r70"]),
        .library(name: "GridDispatch", targets: ["GridDispatch"]),
        .library(name: "GridModel", targets: ["GridModel"]),
        .library(name: "GridSim", targets: ["GridSim"]),
        .library(name: "GridStudy", targets: ["GridStudy"]),
        .library(name: "GridReport", targets: ["GridReport"]),
        .library(name: "LPOracle", targets: ["LPOracle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C libraries: GSL (random streams, distributions, statistics), GLPK (the LP oracle of the tests,
        // and the small allocation LPs of the regional firm imports) and CLP (below).
        .systemLibrary(name: "CGSL", pkgConfig: "gsl", providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]),
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"]), .brew(["glpk"])]),
        // COIN-OR CLP: the perfect-foresight LP of a whole horizon (`r70 run --foresight`).
        .systemLibrary(name: "CClp", pkgConfig: "clp", providers: [.apt(["coinor-libclp-dev"]), .brew(["clp"])]),
        // Philox4x32-10 as a GSL generator type (counter-based streams keyed by seed, trial and name).
        .target(name: "CPhilox", dependencies: ["CGSL"]),
        .target(name: "GridRandom", dependencies: ["CGSL", "CPhilox"]),
        .target(name: "LPOracle", dependencies: ["CGLPK", "CClp"]),
        .target(name: "_TestSupport"),
        // A prefetch hint (`__builtin_prefetch`) for the step loop's time-major streams.
        .target(name: "CPrefetch"),
        // An atomic exchange of two directories (renameat2), for replacing an output directory whole.
        .target(name: "CFileSwap"),
        // The engine, in the order data flows.
        .target(name: "GridDispatch", swiftSettings: hot),
        .target(name: "GridModel", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "GridSim", dependencies: ["GridModel", "GridDispatch", "GridRandom", "CPrefetch", "LPOracle"], swiftSettings: hot),
        .target(name: "GridStudy", dependencies: ["GridModel", "GridSim"]),
        .target(name: "GridReport", dependencies: ["GridModel", "GridSim", "GridStudy", "CFileSwap"]),
        // Sweep results in SQLite (GRDB over the system's libsqlite3).
        .target(name: "GridStore", dependencies: ["GridStudy", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(name: "r70", dependencies: [
            "GridModel", "GridSim", "GridStudy", "GridReport", "GridStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "GridDispatchTests", dependencies: ["GridDispatch", "LPOracle", "_TestSupport"]),
        .testTarget(name: "GridModelTests", dependencies: ["GridModel", "GridRandom", "_TestSupport"]),
        .testTarget(name: "GridSimTests", dependencies: ["GridSim", "GridStudy", "GridModel", "GridDispatch", "LPOracle", "_TestSupport"]),
        .testTarget(name: "GridStudyTests", dependencies: ["GridStudy", "GridSim", "GridModel", "GridRandom", "_TestSupport"]),
        .testTarget(name: "GridReportTests", dependencies: ["GridReport", "GridSim", "GridStudy", "GridModel", "_TestSupport"]),
        .testTarget(name: "GridStoreTests", dependencies: ["GridStore", "GridStudy", "GridModel", "_TestSupport"]),
        .testTarget(name: "r70Tests", dependencies: ["GridModel", "GridReport", "_TestSupport"]),
    ]
)
