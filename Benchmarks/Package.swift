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
        // Pinned to a minor version: a newer package-benchmark may measure differently and
        // move the figures the thresholds in Thresholds/ were set from.
        .package(url: "https://github.com/ordo-one/benchmark", .upToNextMinor(from: "1.38.1"), traits: ["MallocInterposer"]),
        .package(name: "cnibench", path: "../")
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
                .product(name: "NetAddress", package: "cnibench"),
                "CPacketReference"
            ],
            path: "Benchmarks/PacketBuilder",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
