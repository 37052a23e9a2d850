// swift-tools-version: 6.2
// cnibench: Kubernetes pod-network datapaths rebuilt in Linux network namespaces, measured.
//
// The pipeline is spec → plan → apply → verify → measure → report → compare/gate.
// Layers, bottom up:
//   CLibNL / CLibMNL / CLibBPF  system libraries (pkg-config)
//   CNetShim                    C shims (_GNU_SOURCE): setns/unshare, libnl calls, libmnl batches
//   Netlink                     safe Swift over the shims: one handle per namespace, ip(8)-named verbs
//   CNIPacket                   hot-path packet builder/parser over unsafe buffers
//   Results                     result files (one envelope), metrics, statistics, renderers
//   Gate                        compare/gate over result files
//   CNIBenchCore                spec, plan, apply, state ledger, teardown, verify, measure
//   cnibench                    the command line
import PackageDescription

let package = Package(
    name: "cnibench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cnibench", targets: ["cnibench"]),
        .library(name: "CNIPacket", targets: ["CNIPacket"]),
        .library(name: "CNIBenchCore", targets: ["CNIBenchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibNL", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        .systemLibrary(name: "CLibMNL", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        .target(
            name: "CNetShim",
            dependencies: ["CLibNL", "CLibMNL", "CLibBPF"],
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-I/usr/include/libnl3"])]
        ),
        .target(
            name: "Netlink",
            dependencies: ["CNetShim", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: [.strictMemorySafety()]
        ),
        .target(
            name: "CNIPacket",
            swiftSettings: [.strictMemorySafety()]
        ),
        // Result files, their summaries and renderers: Foundation only, no namespaces or netlink.
        .target(name: "Results"),
        // compare/gate over result files.
        .target(name: "Gate", dependencies: ["Results"]),
        .target(
            name: "CNIBenchCore",
            dependencies: [
                "Netlink", "CNIPacket", "Yams", "Results", "Gate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "cnibench",
            dependencies: [
                "CNIBenchCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CNIPacketTests", dependencies: ["CNIPacket"]),
        .testTarget(name: "CNIBenchCoreTests", dependencies: ["CNIBenchCore", "Results", "Gate"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KernelTests", dependencies: ["CNIBenchCore", "Netlink", "CNIPacket"]),
    ]
)
