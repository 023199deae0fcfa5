// swift-tools-version:6.0
import PackageDescription

/// Applied to every target so `public import` and `any` are deliberate (hummingbird's habit).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "celeriac",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "celeriac-api", targets: ["celeriac-api"]),
        .executable(name: "celeriac-worker", targets: ["celeriac-worker"]),
        .executable(name: "celeriac-beat", targets: ["celeriac-beat"]),
        .executable(name: "celeriac", targets: ["celeriac"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        // 4.x builds on FoundationEssentials, so the worker still links no full Foundation.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // notify.email's templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        // Headers only: libpq itself is loaded at run time (PQLibrary.swift); no pkg-config, whose
        // `-lpq` would link it.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        // Headers only: libcurl itself is loaded at run time (CurlLibrary.swift).
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        // zlib: gzip streams (backups) without a gzip child.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Values and pure logic only: no threads, clocks, randomness, C symbols or I/O.
        .target(name: "CeleriacCore", swiftSettings: swiftSettings),
        // What Core must not do: threads and locks, the clock, randomness, C symbol lookup,
        // the log handler.
        .target(
            name: "CeleriacSystem",
            dependencies: [
                "CeleriacCore", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacRedis",
            dependencies: ["CeleriacCore", "CeleriacSystem", "CHiredis", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacPostgres",
            dependencies: ["CeleriacCore", "CeleriacSystem", "CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        // The HTTP client (libcurl) and the server seam (Hummingbird) live in one folder but
        // are two modules, so the worker links neither Hummingbird nor, through it, all of
        // Foundation: an idle worker's memory is mostly shared-library pages.
        .target(
            name: "CeleriacHTTP",
            dependencies: ["CeleriacCore", "CeleriacSystem", "CCurl"],
            exclude: ["Server"],
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacHTTPServer",
            dependencies: [
                "CeleriacCore", "CeleriacSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CeleriacHTTP/Server",
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacJobs",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacHTTP", "CeleriacPostgres", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacAPI",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacRedis", "CeleriacPostgres", "CeleriacHTTPServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacWorker",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacRedis", "CeleriacHTTP", "CeleriacJobs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "CeleriacBeat",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacRedis", "CeleriacPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),

        .executableTarget(
            name: "celeriac-api",
            dependencies: [
                "CeleriacAPI", "CeleriacCore", "CeleriacSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "celeriac-worker",
            dependencies: [
                "CeleriacWorker", "CeleriacCore", "CeleriacSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "celeriac-beat",
            dependencies: [
                "CeleriacBeat", "CeleriacCore", "CeleriacSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "celeriac",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacHTTP", "CeleriacPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        .target(
            name: "TestSupport",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacRedis", "CeleriacPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            path: "Tests/support",
            swiftSettings: swiftSettings),
        // One test target per module; Core's and System's need no services.
        .testTarget(
            name: "CeleriacCoreTests", dependencies: ["CeleriacCore"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacSystemTests",
            dependencies: ["CeleriacSystem", "CeleriacCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacRedisTests", dependencies: ["CeleriacRedis", "CeleriacSystem", "CHiredis", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacPostgresTests",
            dependencies: [
                "CeleriacCore", "CeleriacSystem", "CeleriacPostgres", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacHTTPTests",
            dependencies: [
                "CeleriacHTTP", "CeleriacHTTPServer", "CeleriacSystem", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacJobsTests",
            dependencies: [
                "CeleriacJobs", "CeleriacCore", "CeleriacHTTP", "CeleriacPostgres", "CeleriacSystem", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacWorkerTests",
            dependencies: [
                "CeleriacWorker", "CeleriacJobs", "CeleriacRedis", "CeleriacHTTP", "CeleriacSystem", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacAPITests",
            dependencies: [
                "CeleriacAPI", "CeleriacWorker", "CeleriacHTTP", "CeleriacHTTPServer", "CeleriacJobs", "CeleriacPostgres",
                "CeleriacSystem", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CeleriacBeatTests",
            dependencies: [
                "CeleriacBeat", "CeleriacCore", "CeleriacRedis", "CeleriacPostgres", "CeleriacSystem", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DeploymentTests",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
    ]
)
