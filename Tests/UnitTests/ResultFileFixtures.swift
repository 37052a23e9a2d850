import Foundation
@testable import Topology
@testable import TopologyModel
@testable import Measure
@testable import Results

/// Result files for the validation, failed-round and fuzz tests: small, deterministic.
enum ResultFileFixtures {
    static let baseline = "none@l2/node-node"
    static let subject = "host-gw@l2/cross-node"
    static let throughputKey = "host-gw@l2/cross-node/tcp1/throughputGbps"

    /// Baseline none + host-gw cross-node, tcp1: throughput (10 and 10·ratio Gbit/s) and CPU per
    /// GB, each round × (1 ± noise) from `seed`. Base and head made with the same start time
    /// count as a same-runner A/B.
    static func gateResult(rounds: Int, ratio: Double = 0.9, noise: Double = 0.02, seed: UInt64) -> BenchResult {
        var rng = SplitMix64(seed: seed)
        func jitter() -> Double { 1 + noise * (Double(rng.next() % 2001) / 1000 - 1) }
        let start = Date(timeIntervalSince1970: 1_000_000)
        var samples: [BenchSample] = []
        for r in 1...rounds {
            for (id, mode, path, gbps) in [
                (baseline, "none", BenchPath.nodeToNode, 10.0), (subject, "host-gw", BenchPath.crossNode, 10 * ratio)
            ] {
                samples.append(
                    BenchSample(
                        subject: id, mode: mode, underlay: "l2", path: path, test: .tcp1, round: r, startedAt: start,
                        metrics: ["throughputGbps": gbps * jitter(), "cpuSecondsPerGB": 0.5 / ratio * jitter()], cpu: nil, error: nil))
            }
        }
        let ep = BenchEndpoint(namespace: "x", ip: "10.0.0.1")
        var env = EnvironmentFingerprint(
            kernel: "6.18", kernelVersion: nil, cpuModel: "test", cpuCount: 2, memoryGiB: nil, offloads: [], sysctls: [:],
            iperf3Version: nil, cnibenchVersion: "t", gitCommit: nil, gitDirty: nil, ipip: nil, stealSeconds: 0,
            stealFraction: 0, loadAverageAtStart: nil, pktgenAvailable: false)
        env.hostName = "runner-1"
        return BenchResult(
            schemaVersion: BenchResult.currentSchemaVersion, kind: BenchResult.kindName, about: "test", command: "test",
            startedAt: start, finishedAt: start.addingTimeInterval(60), complete: true, interruption: nil,
            config: BenchConfig(
                modes: ["none", "host-gw"], tests: [.tcp1], underlay: nil, underlays: ["none": "l2", "host-gw": "l2"], repeats: rounds,
                durationSeconds: 2, seed: seed, nodes: 2, podsPerNode: 2, runPrefix: "cb", udpBitrate: "1G", udpPacketBytes: 1400,
                rrMessageBytes: 1, confidenceLevel: 0.95, bootstrapResamples: 100),
            environment: env,
            subjects: [
                BenchSubject(
                    id: baseline, mode: "none", underlay: "l2", path: .nodeToNode, run: "cb", source: ep, destination: ep, mtu: 1500,
                    baseline: nil),
                BenchSubject(
                    id: subject, mode: "host-gw", underlay: "l2", path: .crossNode, run: "cb", source: ep, destination: ep, mtu: 1500,
                    baseline: baseline)
            ],
            rounds: [], samples: samples, summaries: [], warnings: [])
    }

    /// Index of the host-gw sample of round `round` (1-based).
    static func subjectSample(_ r: BenchResult, round: Int) -> Int {
        r.samples.firstIndex { $0.subject == subject && $0.round == round }!
    }

    static func write(_ r: BenchResult, to dir: URL, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try r.encoded().write(to: url)
        return url.path
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
