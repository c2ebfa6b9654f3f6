// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Crosstalk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "crosstalk", targets: ["crosstalk"]),
        // For the fuzz targets in Fuzz/ (a separate package that depends on this one by path).
        .library(name: "CrosstalkCore", targets: ["Core"]),
        .library(name: "CrosstalkRecorder", targets: ["Recorder"]),
        .library(name: "CrosstalkReplayer", targets: ["Replayer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // SHA-256 of the Smart Turn model before it is loaded (already in the graph through async-http-client).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C system libraries (Debian -dev packages; see Makefile `deps`).
        .systemLibrary(name: "COpus", path: "Sources/COpus", pkgConfig: "opus"),
        .systemLibrary(name: "CEspeak", path: "Sources/CEspeak"),
        .systemLibrary(name: "CSndfile", path: "Sources/CSndfile", pkgConfig: "sndfile"),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        // Real engines, all opened at run time (dlopen) so the package builds and runs without them:
        // sherpa-onnx's VAD config structs (library from `make engines`), and a C API over WebRTC's
        // C++ audio processing module (headers from libwebrtc-audio-processing-dev when present).
        .systemLibrary(name: "CSherpaOnnx", path: "Sources/CSherpaOnnx"),
        // ONNX Runtime's C API reached through its function table (libonnxruntime.so from `make engines`,
        // opened with dlopen by a small C shim): runs the Smart Turn model in-process.
        .target(name: "COnnxRuntime", path: "Sources/COnnxRuntime", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "CWebRTCShim",
            path: "Sources/CWebRTCShim",
            cxxSettings: [
                .define("WEBRTC_POSIX"), .define("WEBRTC_AUDIO_PROCESSING_ONLY_BUILD"),
                .unsafeFlags(["-I/usr/include/webrtc_audio_processing"]),
            ]
        ),

        // Clock, events, stages, scenario model, metrics. No I/O, no C.
        .target(
            name: "Core",
            dependencies: [
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // C-backed implementations of Core's engine protocols, and the OpenAI-compatible HTTP language model.
        .target(
            name: "Engines",
            dependencies: [
                "Core", "COpus", "CEspeak", "CSherpaOnnx", "COnnxRuntime", "CWebRTCShim",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The session archive, scenario files, import/export.
        .target(
            name: "Recorder",
            dependencies: [
                "Core", "Engines", "CSndfile",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Deterministic re-execution, counterfactual settings, diffs and sweeps.
        .target(name: "Replayer", dependencies: ["Recorder", "Engines", "Core"]),
        // The terminal inspector (`crosstalk inspect`): components drawing into an in-memory grid.
        .target(name: "Inspector", dependencies: ["Replayer", "Recorder", "Core", "CNcurses"]),
        .executableTarget(
            name: "crosstalk",
            dependencies: [
                "Core", "Engines", "Recorder", "Replayer", "Inspector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "EnginesTests", dependencies: ["Engines", "Core"]),
        // A blocking line client of the live protocol, shared by the two suites that drive a recorder.
        .target(name: "LiveTestSupport", path: "Tests/LiveTestSupport"),
        .testTarget(name: "RecorderTests", dependencies: ["Recorder", "Engines", "Core", "LiveTestSupport"]),
        .testTarget(name: "ReplayerTests", dependencies: ["Replayer", "Recorder", "Engines", "Core"]),
        .testTarget(name: "InspectorTests", dependencies: ["Inspector", "Replayer", "Recorder", "Core"], exclude: ["Snapshots"]),
        .testTarget(
            name: "CrosstalkCLITests",
            dependencies: ["Core", "Recorder", "LiveTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
