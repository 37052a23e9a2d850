// swift-tools-version: 6.2
// Benchmarks for the CNIPacket hot paths, with a C implementation of the same
// template-and-patch UDP builder measured in the same run as the reference point.
// Run through scripts/bench-packet.sh (or `swift package --disable-sandbox benchmark`).
import PackageDescription

let package = Package(
    name: "CNIPacketBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The trait is required: package-benchmark's malloc statistics come from the interposer.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(name: "cnibench", path: "../"),
    ],
    targets: [
        .target(
            name: "CPacketReference",
            path: "Sources/CPacketReference",
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .executableTarget(
            name: "PacketBuilder",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CNIPacket", package: "cnibench"),
                "CPacketReference",
            ],
            path: "Benchmarks/PacketBuilder",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
