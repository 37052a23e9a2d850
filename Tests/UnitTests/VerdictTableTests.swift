import Foundation
import XCTest
@testable import Results

/// The verdict the bench reports open with: ranked by CPU per GB, signs that agree with the
/// values beside them, one reading per mode.
final class VerdictTableTests: XCTestCase {
    /// Baseline none + modes a, b, c cross-node, tests tcp4 and rr, `rounds` rounds. Against the
    /// baseline (same round): a costs ×1.12 CPU per GB and loses 10% throughput, p99 +10%;
    /// b ×1.69, −50%, p99 −10% (better); c's CPU per GB swings ×0.8…×1.3 (no clear direction).
    static func result(rounds: Int = 4) -> BenchResult {
        let modes = ["none", "a", "b", "c"]
        let config = BenchConfig(
            modes: modes, tests: [.tcp4, .rr], underlays: Dictionary(uniqueKeysWithValues: modes.map { ($0, "l2") }), repeats: rounds,
            durationSeconds: 2, seed: 1, nodes: 2, podsPerNode: 2, runPrefix: "qc", udpBitrate: "500M", udpPacketBytes: 1400,
            rrMessageBytes: 64, confidenceLevel: 0.95, bootstrapResamples: 0)
        let ep = BenchEndpoint(namespace: "qc", ip: "10.0.0.1")
        let base = "none@l2/node-node"
        let subjects = modes.map { m in
            let path: BenchPath = m == "none" ? .nodeToNode : .crossNode
            return BenchSubject(
                id: BenchSubject.id(mode: m, underlay: "l2", path: path), mode: m, underlay: "l2", path: path, run: "qc", source: ep,
                destination: ep, mtu: 1500, baseline: m == "none" ? nil : base)
        }
        // Per mode: (throughput ×, CPU per GB ×, p99 ×), each round × a small wobble.
        let shape: [String: (Double, Double, Double)] = ["none": (1, 1, 1), "a": (0.9, 1.12, 1.1), "b": (0.5, 1.69, 0.9), "c": (0.95, 1, 1)]
        let wobble = [1.0, 1.01, 0.99, 1.005, 0.995, 1.002]
        let cSwing = [0.8, 1.3, 1.1, 0.85, 1.2, 0.9]
        var samples: [BenchSample] = []
        for r in 1...rounds {
            let speed = [1.0, 1.2, 0.9, 1.1, 1.05, 0.95][r - 1]
            for s in subjects {
                let (t, c, l) = shape[s.mode]!
                let w = s.mode == "none" ? 1 : wobble[r - 1]
                let cpu = (s.mode == "c" ? cSwing[r - 1] : c * w) * 0.5 / speed
                samples.append(
                    BenchSample(
                        subject: s.id, mode: s.mode, underlay: "l2", path: s.path, test: .tcp4, round: r, startedAt: Date(),
                        metrics: ["throughputGbps": 20 * t * w * speed, "cpuSecondsPerGB": cpu]))
                samples.append(
                    BenchSample(
                        subject: s.id, mode: s.mode, underlay: "l2", path: s.path, test: .rr, round: r, startedAt: Date(),
                        metrics: ["p99Us": 100 * l * w / speed, "p50Us": 50 * l * w / speed]))
            }
        }
        let env = EnvironmentFingerprint(
            kernel: "6.18.44-fc-v1098", cpuModel: "AMD EPYC", cpuCount: 2, offloads: [], sysctls: [:], cnibenchVersion: "t",
            stealSeconds: 0,
            stealFraction: 0, pktgenAvailable: false)
        var r = BenchResult(
            schemaVersion: 1, kind: BenchResult.kindName, about: "t", command: "cnibench bench", startedAt: Date(timeIntervalSince1970: 0),
            complete: true, config: config, environment: env, subjects: subjects, rounds: [], samples: samples, summaries: [],
            warnings: [])
        r.recomputeSummaries()
        return r
    }

    func testRankedByCPUPerGBWithSignsThatAgreeWithTheValues() throws {
        let v = VerdictTable(Self.result())
        XCTAssertEqual(v.rows.map(\.subject.mode).first, "c", "c's median CPU per GB is the lowest")
        XCTAssertEqual(v.rows.map(\.subject.mode).suffix(2), ["a", "b"])
        let costs = v.rows.compactMap { $0.cpuPerGB?.overheadPercent }
        XCTAssertEqual(costs, costs.sorted(), "ranked cheapest first")
        XCTAssertEqual(v.throughputTest, .tcp4)
        XCTAssertEqual(v.cpuTest, .tcp4)
        XCTAssertEqual(v.latencyTest, .rr)
        let a = try XCTUnwrap(v.rows.first { $0.subject.mode == "a" })
        XCTAssertEqual(try XCTUnwrap(a.cpuPerGB).overheadPercent, 12, accuracy: 1.5)
        XCTAssertEqual(try XCTUnwrap(a.throughput).overheadPercent, 10, accuracy: 1.5, "less throughput is + (worse)")
        let b = try XCTUnwrap(v.rows.first { $0.subject.mode == "b" })
        XCTAssertEqual(try XCTUnwrap(b.p99).overheadPercent, -10, accuracy: 1.5, "lower latency is − (better)")
        // Every cell's sign is the sign of its value, and its interval holds the value.
        for row in v.rows {
            for e in [row.throughput, row.p99, row.cpuPerGB].compactMap({ $0 }) {
                let cell = MarkdownReport.verdictCell(e, v)
                XCTAssertEqual(cell.first, e.overheadPercent > 0 ? "+" : "-", cell)
                XCTAssertTrue(e.interval.contains(e.overheadPercent), cell)
            }
        }
    }

    func testReadingsSayADirectionOnlyWhenTheIntervalExcludesNone() throws {
        let v = VerdictTable(Self.result())
        let reading = Dictionary(uniqueKeysWithValues: v.rows.map { ($0.subject.mode, $0.reading) })
        XCTAssertTrue(try XCTUnwrap(reading["a"]).hasPrefix("a: costs 12% more CPU per GB ("), reading["a"]!)
        XCTAssertTrue(reading["a"]!.contains("10% less throughput"), reading["a"]!)
        XCTAssertTrue(try XCTUnwrap(reading["b"]).contains("p99 latency 10% lower"), reading["b"]!)
        XCTAssertTrue(try XCTUnwrap(reading["c"]).hasPrefix("c: CPU per GB not clearly different ("), reading["c"]!)
        XCTAssertEqual(v.summary, "a costs 12% more CPU per GB than the bare underlay; b 69%; no clear difference for c")
    }

    func testReportsOpenWithTheVerdict() throws {
        let r = Self.result()
        let md = MarkdownReport.render(r)
        let verdict = try XCTUnwrap(md.range(of: "## Verdict: cross-node against the bare underlay"))
        let firstTest = try XCTUnwrap(md.range(of: "## TCP stream"))
        XCTAssertLessThan(verdict.lowerBound, firstTest.lowerBound)
        XCTAssertTrue(md.contains("**+ = costs more / worse**"))
        XCTAssertTrue(md.contains("over **4 rounds**"), "says how many rounds were used")
        XCTAssertTrue(md.contains("covering the true median 87.5% of the time (not 95%)"))
        XCTAssertTrue(md.contains("| 3 | b | l2 | +49.9% ("), md)
        XCTAssertTrue(md.contains("- a: costs 12% more CPU per GB"))
        let html = HTMLReport.render(r)
        let hv = try XCTUnwrap(html.range(of: "<h2>Verdict"))
        XCTAssertLessThan(hv.lowerBound, try XCTUnwrap(html.range(of: "<h2>TCP stream")).lowerBound)
        XCTAssertTrue(html.contains("<b>+ = costs more / worse</b>"))
        XCTAssertTrue(html.contains("<td class=\"worse\">+49.9%"), "a clear cost is marked worse")
        XCTAssertTrue(html.contains("<td class=\"better\">-"), "b's lower latency is marked better")
    }

    func testReportsStateThePrecisionReachedAgainstTheGoal() throws {
        let r = Self.result()
        let v = VerdictTable(r)
        // a, b, c × throughput and CPU per GB.
        XCTAssertEqual(v.precision.count, 6)
        for p in v.precision {
            let m = try XCTUnwrap(
                r.summary(MetricSummary.key(subject: p.subject.id, test: p.test, metric: p.metric.rawValue)))
            XCTAssertEqual(p.halfWidthPercent, (m.ci.high - m.ci.low) / 2 / m.median * 100, accuracy: 1e-9)
        }
        // c's CPU per GB swings ×0.8…×1.3 over the rounds: far outside ±3%.
        let cCPU = try XCTUnwrap(v.precision.first { $0.subject.mode == "c" && $0.metric == .cpuSecondsPerGB })
        XCTAssertGreaterThan(cCPU.halfWidthPercent, 3)
        let within = v.precision.filter { $0.metric == .cpuSecondsPerGB && $0.halfWidthPercent <= 3 }.count
        XCTAssertTrue(v.precisionLine.contains("\(within) of 3 within ±3%"), v.precisionLine)
        XCTAssertTrue(v.precisionLine.contains("(c)"), "names the widest: \(v.precisionLine)")
        XCTAssertTrue(MarkdownReport.render(r).contains(v.precisionLine))
        XCTAssertEqual(VerdictTable(Self.result(rounds: 1)).precision, [], "one round has no interval to state")
    }

    func testChartTicksStayReadable() {
        XCTAssertEqual(HTMLReport.compactTick(2000), "2k")
        XCTAssertEqual(HTMLReport.compactTick(2500), "2.5k")
        XCTAssertEqual(HTMLReport.compactTick(1_000_000), "1M")
        XCTAssertEqual(HTMLReport.compactTick(50), "50")
        XCTAssertEqual(HTMLReport.logTicks(lo: 10, hi: 1000), [10, 20, 50, 100, 200, 500, 1000])
        XCTAssertEqual(HTMLReport.logTicks(lo: 1, hi: 1e6), [1, 10, 100, 1000, 10000, 1e5, 1e6], "decades only past 3 decades")
        XCTAssertEqual(HTMLReport.tick(40000, step: 10000), "40k")
        XCTAssertEqual(HTMLReport.tick(0.025, step: 0.025), "0.025")
        XCTAssertEqual(HTMLReport.tick(0.3, step: 0.1), "0.3", "no trailing zero a step of 0.1 does not need")
        XCTAssertEqual(HTMLReport.tick(0.25, step: 0.25), "0.25")
        XCTAssertEqual(HTMLReport.tick(0.05, step: 0.05), "0.05")
    }
}
