// swift-tools-version: 6.2
// cnibench: Kubernetes pod-network datapaths rebuilt in Linux network namespaces, measured.
//
// The pipeline is spec → plan → apply → verify → measure → report → compare/gate.
// Targets, bottom up. Each depends only on targets above it (its `dependencies` below), so
// the compiler keeps the layering:
//   CLibNL / CLibMNL / CLibBPF  system libraries, found by pkg-config (include paths flow from here)
//   CNetShim                    C shims (_GNU_SOURCE): setns/unshare, libnl calls, libmnl batches,
//                               packet rings, tun, ethtool, the Calico IPIP BPF loader
//   NetAddress                  IPv4Address, IPv4Prefix, MACAddress: the one address set every layer
//                               shares; pure Swift, no C, no Foundation, Codable as text
//   Netlink                     safe Swift over the shims: one handle per namespace, ip(8)-named verbs
//   CNIPacket                   hot-path packet builder/parser over unsafe buffers, allocation-free
//   ProcessKit                  every child process: spawn (in a namespace), wait, signal, /proc
//   Profile                     perf cpu-clock profiles of a test window, attributed to kernel stages
//   CNIRuntime                  CNI plugins run per the spec: env, netconf on stdin, result chaining
//   CNIBenchCore                spec, plan, apply, state ledger, teardown, verify, measure, report, gate
//   cnibench                    the command line
// Unsafe code lives only in CNetShim, Netlink, CNIPacket and the agents' packet loops; strict
// memory safety is on for Netlink, CNIPacket and NetAddress so unsafe code shows up in review.
import PackageDescription

let package = Package(
    name: "cnibench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cnibench", targets: ["cnibench"]),
        .library(name: "NetAddress", targets: ["NetAddress"]),
        .library(name: "CNIPacket", targets: ["CNIPacket"]),
        .library(name: "TopologyModel", targets: ["TopologyModel"]),
        .library(name: "Topology", targets: ["Topology"]),
        .library(name: "Measure", targets: ["Measure"]),
        .library(name: "Results", targets: ["Results"]),
        .library(name: "Gate", targets: ["Gate"])
    ],
    dependencies: [
        // Pinned to the minor versions this was built and tested with (Package.resolved is not
        // committed: mirrors rewrite commit ids). hdrhistogram-swift is 0.x, where a minor
        // release may break the API.
        .package(url: "https://github.com/apple/swift-argument-parser", .upToNextMinor(from: "1.8.2")),
        .package(url: "https://github.com/apple/swift-log", .upToNextMinor(from: "1.16.2")),
        .package(url: "https://github.com/apple/swift-system", .upToNextMinor(from: "1.8.1")),
        .package(url: "https://github.com/jpsim/Yams", .upToNextMinor(from: "6.2.2")),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", .upToNextMinor(from: "0.2.0"))
    ],
    targets: [
        .systemLibrary(
            name: "CLibNL", pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        .systemLibrary(name: "CLibMNL", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        .target(
            name: "CNetShim",
            dependencies: ["CLibNL", "CLibMNL", "CLibBPF"],
            // libnl's include path (-I/usr/include/libnl3) comes from CLibNL's pkg-config entry.
            cSettings: [.define("_GNU_SOURCE")]
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
        // Result files, their summaries and renderers: Foundation only, no namespaces or netlink.
        .target(name: "Results"),
        // compare/gate over result files.
        .target(name: "Gate", dependencies: ["Results"]),
        .target(
            name: "ProcessKit",
            dependencies: [.product(name: "SystemPackage", package: "swift-system"), "Netlink", "CNetShim"]
        ),
        .target(
            name: "TopologyModel",
            dependencies: ["NetAddress", "Yams"]
        ),
        // The CNI runtime: a conflist's plugins run per the CNI spec (ADD/CHECK/DEL/STATUS).
        .target(name: "CNIRuntime", dependencies: ["ProcessKit", "TopologyModel", "NetAddress"]),
        // Run-time layer: builds, checks and removes runs in namespaces.
        .target(
            name: "Topology",
            dependencies: [
                "TopologyModel", "NetAddress", "Netlink", "ProcessKit", "CNIRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system")
            ]
        ),
        // Calico's BGP control plane: BIRD configuration, client, faults, the IPIP route mirror.
        .target(
            name: "CalicoBGP",
            dependencies: [
                .product(name: "SystemPackage", package: "swift-system"), "TopologyModel", "Topology", "NetAddress", "Netlink",
                "ProcessKit", .product(name: "Logging", package: "swift-log")
            ]
        ),
        // Programs that run inside a run's namespaces: rr server/client, pktgen, flannel-udp daemon.
        .target(
            name: "Agents",
            dependencies: [
                "TopologyModel", "Topology", "NetAddress", "Netlink", "CNIPacket", "CNetShim", "ProcessKit", "Results",
                .product(name: "Histogram", package: "hdrhistogram-swift")
            ]
        ),
        // The bench engine: one driver per test, CPU accounting, the environment fingerprint.
        .target(
            name: "Measure",
            dependencies: [
                .product(name: "SystemPackage", package: "swift-system"),
                "TopologyModel", "Topology", "Agents", "Results", "Gate", "NetAddress", "Netlink", "ProcessKit",
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        // CPU profiles of a test window: perf runner, folding, stage rules, flame graph (no Netlink);
        // Measure for the bench engine's window hook (bench --profile).
        .target(name: "Profile", dependencies: ["ProcessKit", "Results", "Measure"]),
        // Benchmarks of the testbed itself: topology build, route programming, pktgen, BGP.
        .target(
            name: "SideBenchmarks",
            dependencies: [
                "TopologyModel", "Topology", "CalicoBGP", "Agents", "Measure", "Results", "NetAddress", "Netlink",
                "CNIPacket", "ProcessKit", .product(name: "Logging", package: "swift-log")
            ]
        ),
        .executableTarget(
            name: "cnibench",
            dependencies: [
                .product(name: "SystemPackage", package: "swift-system"),
                "TopologyModel", "Topology", "CalicoBGP", "Agents", "Measure", "SideBenchmarks", "Profile", "Results", "Gate", "NetAddress",
                "Netlink",
                "CNIPacket", "ProcessKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ]
        ),
        .testTarget(name: "NetAddressTests", dependencies: ["NetAddress"]),
        .testTarget(name: "CNIPacketTests", dependencies: ["CNIPacket", "NetAddress"]),
        // No root needed: spec, plans, datapaths, results, gate, fuzzing of the inputs.
        .testTarget(
            name: "UnitTests",
            dependencies: [
                "TopologyModel", "Topology", "CalicoBGP", "Agents", "Measure", "SideBenchmarks", "Profile", "Results", "Gate", "NetAddress",
                "Netlink",
                "CNIPacket", "ProcessKit", "CNIRuntime", "Yams", .product(name: "SystemPackage", package: "swift-system")
            ], resources: [.copy("Fixtures")]),
        .testTarget(name: "ProcessKitTests", dependencies: ["ProcessKit"]),
        // Real namespaces (root; skipped with a printed reason otherwise).
        .testTarget(
            name: "KernelTests",
            dependencies: [
                "TopologyModel", "Topology", "CalicoBGP", "Agents", "Measure", "SideBenchmarks", "Profile", "Results", "Gate", "NetAddress",
                "Netlink",
                "CNIPacket", "ProcessKit", "CNIRuntime", .product(name: "SystemPackage", package: "swift-system")
            ])
    ]
)
