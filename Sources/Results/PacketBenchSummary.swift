import Foundation

/// bench-results/packet-builder.json: the CNIPacket micro-benchmarks (the Benchmarks/ package,
/// package-benchmark) summarised per packet. scripts/bench-packet.sh runs them and exports the
/// raw percentiles as influx CSV; `cnibench summarize packet-bench` reads that export here.
/// Body keys keep the snake_case names the file has always had.
public struct PacketBenchSummary: ResultDocument, Sendable, Equatable {
    public static let kind = "cnibench.packet-bench"
    public static let schemaVersion = 1
    /// Files from before the envelope: `generated`, `cpu`, `cores` at the top.
    public static func upgrade(_ object: inout [String: Any], from version: Int) throws {
        guard version == 0 else { throw unsupported(version) }
        if let g = object.removeValue(forKey: "generated") { object["createdAt"] = g }
        LegacyEnvelope.upgrade(&object)
        object.removeValue(forKey: "cpu")
    }

    /// Packets written or parsed per measured iteration (scalingFactor .kilo in the benchmarks).
    public static let packetsPerIteration = 1000

    public struct Percentiles: Codable, Sendable, Equatable {
        public var min, p50, p90, p99: Double?
    }

    public struct Benchmark: Codable, Sendable, Equatable {
        public var nsPerPacket: Percentiles
        public var mallocsPerIterationP100: Double?
        enum CodingKeys: String, CodingKey {
            case nsPerPacket = "ns_per_packet"
            case mallocsPerIterationP100 = "mallocs_per_iteration_p100"
        }
    }

    public struct Target: Codable, Sendable, Equatable {
        public var target: String
        public var measured: Double?
        public var measuredMinOverMin: Double?
        public var met: Bool
        enum CodingKeys: String, CodingKey {
            case target, measured
            case measuredMinOverMin = "measured_min_over_min"
            case met
        }
    }

    public struct Targets: Codable, Sendable, Equatable {
        public var swiftTemplate: Target
        public var swiftOverC: Target
        public var mallocs: Target
        enum CodingKeys: String, CodingKey {
            case swiftTemplate = "swift_template_ns_per_64B_frame"
            case swiftOverC = "swift_over_c_ratio"
            case mallocs
        }
    }

    public var kind = PacketBenchSummary.kind
    public var schemaVersion = PacketBenchSummary.schemaVersion
    public var createdAt = Date()
    public var environment: HostEnvironment
    public var commit: String
    public var swift: String
    public var packetsPerIteration = PacketBenchSummary.packetsPerIteration
    public var frame = "64 bytes written per frame: Ethernet 14 + IPv4 20 + UDP 8 + payload 22 (no FCS)"
    public var targets: Targets
    /// What the static-threshold check said (or that it did not run).
    public var thresholds: String
    public var benchmarks: [String: Benchmark]

    enum CodingKeys: String, CodingKey {
        case kind, schemaVersion, createdAt, environment, commit, swift
        case packetsPerIteration = "packets_per_iteration"
        case frame, targets, thresholds, benchmarks
    }

    /// From package-benchmark's influx CSV export (every *.csv in `directory`): per test, the
    /// time percentiles per iteration (ns) and the malloc count.
    public static func fromInfluxExport(
        directory: String, environment: HostEnvironment, commit: String, swift: String,
        thresholds: String
    ) throws -> PacketBenchSummary {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".csv") }.sorted()
        var rows: [String: (ns: [Double: Double], malloc: [Double: Double])] = [:]
        for file in files {
            let lines = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }
            guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                let ti = header.firstIndex(of: "test"), let mi = header.firstIndex(of: "metric"),
                let pi = header.firstIndex(of: "percentile"), let vi = header.firstIndex(of: "value")
            else { continue }
            for line in lines.dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard f.count == header.count, let p = Double(f[pi]), let v = Double(f[vi]) else { continue }
                if f[mi].hasPrefix("Time") {
                    rows[f[ti], default: ([:], [:])].ns[p] = v
                } else {
                    rows[f[ti], default: ([:], [:])].malloc[p] = v
                }
            }
        }
        func per(_ t: [Double: Double], _ p: Double) -> Double? { t[p].map { round3($0 / Double(packetsPerIteration)) } }
        var benchmarks: [String: Benchmark] = [:]
        for (name, m) in rows {
            benchmarks[name] = Benchmark(
                nsPerPacket: Percentiles(min: per(m.ns, 0), p50: per(m.ns, 50), p90: per(m.ns, 90), p99: per(m.ns, 99)),
                mallocsPerIterationP100: m.malloc[100])
        }
        let swiftT = benchmarks["PacketBuilder.udp64Template"]?.nsPerPacket, c = benchmarks["CReference.udp64Template"]?.nsPerPacket
        func ratio(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b, a != 0, b != 0 else { return nil }
            return round3(a / b)
        }
        let r = ratio(swiftT?.p50, c?.p50)
        // The minimum is the least noise-sensitive figure on a shared VM; its ratio is kept too.
        let rMin = ratio(swiftT?.min, c?.min)
        let mallocs = benchmarks.values.compactMap(\.mallocsPerIterationP100)
        let targets = Targets(
            swiftTemplate: Target(target: "<= 15", measured: swiftT?.p50, met: (swiftT?.p50).map { $0 <= 15 } ?? false),
            swiftOverC: Target(target: "<= 1.1", measured: r, measuredMinOverMin: rMin, met: r.map { $0 <= 1.1 } ?? false),
            mallocs: Target(target: "0", measured: mallocs.max(), met: mallocs.max() == 0))
        return PacketBenchSummary(
            environment: environment, commit: commit, swift: swift, targets: targets, thresholds: thresholds, benchmarks: benchmarks)
    }

    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    /// packet-builder.md.
    public func markdown() -> String {
        func fmt(_ x: Double?) -> String {
            guard let x else { return "–" }
            if (x == x.rounded() && x > 100) || x == 0 { return String(Int(x)) }
            return String(format: "%.2f", x)
        }
        let f = ISO8601DateFormatter()
        var md = [
            "# CNIPacket benchmarks", "",
            "Generated \(f.string(from: createdAt)) at commit `\(commit)` by `scripts/bench-packet.sh`.",
            "Machine: \(environment.cpuModel), \(environment.cpuCount) cores (shared VM: expect noise). \(swift).", "",
            "Each benchmark writes or parses 1000 packets per measured iteration; figures are wall-clock",
            "ns per packet (iteration time / 1000) from package-benchmark's percentiles. Frames are",
            "written round-robin into a 64-slot ring that stays in L1. Mallocs are counted by",
            "package-benchmark's malloc interposer over each whole iteration.", "",
            "## Targets", "",
            "| Target | Goal | Measured | Met |", "|---|---|---|---|",
            "| Swift template path, ns per 64-byte UDP frame (p50) | ≤ 15 | \(fmt(targets.swiftTemplate.measured)) | \(targets.swiftTemplate.met ? "yes" : "NO") |",
            "| Swift / C (same algorithm, p50) | ≤ 1.1 | \(fmt(targets.swiftOverC.measured)) (min/min: \(fmt(targets.swiftOverC.measuredMinOverMin))) | \(targets.swiftOverC.met ? "yes" : "NO") |",
            "| mallocs per iteration (max over benchmarks) | 0 | \(fmt(targets.mallocs.measured)) | \(targets.mallocs.met ? "yes" : "NO") |",
            "", "Static thresholds: \(thresholds).", "",
            "## All benchmarks (ns per packet)", "",
            "| Benchmark | min | p50 | p90 | p99 | mallocs |", "|---|---:|---:|---:|---:|---:|"
        ]
        for (name, b) in benchmarks.sorted(by: { $0.key < $1.key }) {
            let n = b.nsPerPacket
            md.append("| `\(name)` | \(fmt(n.min)) | \(fmt(n.p50)) | \(fmt(n.p90)) | \(fmt(n.p99)) | \(fmt(b.mallocsPerIterationP100)) |")
        }
        md += [
            "", "`PacketBuilder.udp64Template` and `CReference.udp64Template` run the same template-and-patch",
            "algorithm (copy the 64-byte template, patch source port, IP ID and a 32-bit payload stamp,",
            "RFC 1624 incremental IPv4 and UDP checksums); the benchmark checks at start-up that both",
            "produce identical bytes. `PacketBuilder.udp64/ipip/vxlan` build from header values with",
            "full checksums (IPIP: 84 bytes, VXLAN: 114 bytes around the same 64-byte inner frame).",
            "`Checksum.full1500` is one RFC 1071 sum over 1500 bytes.", ""
        ]
        return md.joined(separator: "\n")
    }
}
