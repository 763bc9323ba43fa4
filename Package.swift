// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "livegate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "livegate", targets: ["livegate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        // Hummingbird's own dependencies, named because serve's bounds (a body deadline per connection) are a
        // NIO channel handler: the versions Hummingbird resolves.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
    ],
    targets: [
        // C libraries: each is imported by exactly one Swift module below.
        .systemLibrary(
            name: "CRdKafka", pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),

        // Secrets kept out of errors, logs and the terminal; both wrappers register what they are given.
        .target(name: "Redaction"),
        .target(name: "Kafka", dependencies: ["CRdKafka", "Redaction"]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "Redaction"]),
        // The pure domain: no I/O. Crypto for digests (and signatures): computation only.
        .target(name: "LiveGateCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "LiveGateStore", dependencies: ["LiveGateCore", "Postgres"]),
        // The private PostgreSQL of development, tests and the bench, and bounded child processes.
        .target(name: "LiveGateLocal"),
        // Workers as Services: consume, decode, apply, publish, commit.
        .target(
            name: "LiveGatePipeline",
            dependencies: [
                "LiveGateCore", "LiveGateStore", "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Ops tools: replay, topics checked and applied against the contract, a group's offsets read and reset.
        .target(
            name: "LiveGateOps",
            dependencies: [
                "LiveGateCore", "LiveGateStore", "LiveGatePipeline", "Kafka",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // What both HTTP surfaces share: the Prometheus scrape, plain-text answers, 405 with `Allow`, listen addresses.
        .target(
            name: "HTTPCommon",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // The worker's HTTP side (`livegate run --http`): /metrics, /healthz, /readyz.
        .target(
            name: "LiveGateWorkerHTTP",
            dependencies: [
                "HTTPCommon", "LiveGatePipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // `livegate serve`: the status API and the one-call verdict path (Hummingbird, Prometheus).
        .target(
            name: "LiveGateHTTP",
            dependencies: [
                "HTTPCommon", "LiveGatePipeline", "LiveGateStore", "Postgres", "Kafka",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // livegate bench: the real pipeline under load, side by side with its baselines.
        .target(
            name: "LiveGateBench",
            dependencies: [
                "LiveGateCore", "LiveGateStore", "LiveGatePipeline", "Kafka", "Postgres", "LiveGateLocal",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]),
        .executableTarget(
            name: "livegate",
            dependencies: [
                "LiveGateCore", "LiveGateStore", "LiveGatePipeline", "LiveGateBench", "LiveGateLocal", "Postgres", "Kafka",
                "Redaction", "LiveGateHTTP", "LiveGateWorkerHTTP", "HTTPCommon", "LiveGateOps",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Fixtures and a private PostgreSQL for the test targets; never linked into the tool.
        .target(name: "LiveGateTestSupport", dependencies: ["LiveGateCore", "LiveGateStore", "LiveGatePipeline", "LiveGateLocal", "Postgres", "Kafka"]),
        .testTarget(
            name: "LiveGateCoreTests",
            dependencies: [
                "LiveGateCore", "LiveGateTestSupport", "Postgres",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "LiveGateTestSupport"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(
            name: "LiveGateHTTPTests",
            dependencies: [
                "LiveGateHTTP", "LiveGateCore", "LiveGateStore", "Postgres", "Kafka", "LiveGateTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "LiveGateWorkerHTTPTests",
            dependencies: [
                "LiveGateWorkerHTTP", "HTTPCommon", "LiveGatePipeline",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "LiveGateLocalTests", dependencies: ["LiveGateLocal"]),
        .testTarget(
            name: "LiveGatePipelineTests",
            dependencies: [
                "LiveGatePipeline", "LiveGateStore", "LiveGateBench", "LiveGateCore", "LiveGateLocal", "Kafka", "Postgres", "LiveGateTestSupport",
                "LiveGateHTTP", "LiveGateOps",
            ]),
        .testTarget(
            name: "LiveGateStoreTests",
            dependencies: [
                "LiveGateStore", "LiveGateCore", "Postgres", "LiveGateTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
