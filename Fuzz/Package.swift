// swift-tools-version:6.0
import PackageDescription

// Coverage-guided fuzz targets (libFuzzer) for Crosstalk's parsers of untrusted input.
// Build: swift build --package-path Fuzz -c debug -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz
// Run:   Fuzz/run.sh (see README "Fuzzing").
let targets = ["FuzzScenario", "FuzzArchive", "FuzzLive", "FuzzTranscript"]

let package = Package(
    name: "CrosstalkFuzz",
    platforms: [.macOS(.v14)],
    products: targets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(name: "Crosstalk", path: ".."),
        // The archive target edits archives with SQL before reading them (same version the root resolves).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // libFuzzer's LLVMFuzzerRunDriver: each target's main hands its input callback to libFuzzer
        // (SwiftPM gives every executable its own `main`, so libFuzzer's own main cannot be linked).
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CLibFuzzer",
                .product(name: "CrosstalkCore", package: "Crosstalk"),
                .product(name: "CrosstalkRecorder", package: "Crosstalk"),
            ]
        ),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: "CrosstalkCore", package: "Crosstalk"),
                .product(name: "CrosstalkRecorder", package: "Crosstalk"),
                .product(name: "CrosstalkReplayer", package: "Crosstalk"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        )
    }
)
