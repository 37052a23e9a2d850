// swift-tools-version: 6.2
// cnibench: Kubernetes pod-network datapaths rebuilt in Linux network namespaces, measured.
//
// The pipeline is spec → plan → apply → verify → measure → report → compare/gate.
// Layers, bottom up:
//   CLibNL / CLibMNL / CLibBPF  system libraries (pkg-config)
//   CNetShim                    C shims (_GNU_SOURCE): setns/unshare, libnl calls, libmnl batches
//   Netlink                     safe Swift over the shims: one handle per namespace, ip(8)-named verbs
//   CNIPacket                   hot-path packet builder/parser over unsafe buffers
//   CNIBenchCore                spec, plan, apply, state ledger, teardown, verify
//   cnibench                    the command line
import PackageDescription

let package = Package(
    name: "cnibench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cnibench", targets: ["cnibench"]),
        .library(name: "NetAddress", targets: ["NetAddress"]),
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
        .target(name: "NetAddress", swiftSettings: [.strictMemorySafety()]),
        .target(
            name: "Netlink",
            dependencies: ["NetAddress", "CNetShim", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: [.strictMemorySafety()]
        ),
        .target(
            name: "CNIPacket",
            dependencies: ["NetAddress"],
            swiftSettings: [.strictMemorySafety()]
        ),
        .target(
            name: "CNIBenchCore",
            dependencies: [
                "NetAddress", "Netlink", "CNIPacket", "Yams",
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
        .testTarget(name: "NetAddressTests", dependencies: ["NetAddress"]),
        .testTarget(name: "CNIPacketTests", dependencies: ["CNIPacket", "NetAddress"]),
        .testTarget(name: "CNIBenchCoreTests", dependencies: ["CNIBenchCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KernelTests", dependencies: ["CNIBenchCore", "NetAddress", "Netlink", "CNIPacket"]),
    ]
)
