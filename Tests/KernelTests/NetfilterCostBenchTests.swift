import Foundation
import XCTest
@testable import ProcessKit
@testable import TopologyModel
@testable import Results

/// `cnibench bench --netfilter real,none`, end to end through the command line: each mode is
/// built and measured with and without its agents' rules in one run, and the reports carry the
/// section on what those rules cost.
final class NetfilterCostBenchTests: KernelTestCase {
    func testRealNoneWritesBothUnitsAndTheCostSection() throws {
        guard Prerequisites.which("iperf3") != nil else { throw XCTSkip("iperf3 is not installed (apt-get install iperf3)") }
        guard Prerequisites.which("iptables-nft-restore") != nil, Prerequisites.which("nft") != nil else {
            throw XCTSkip("iptables-nft-restore and nft are needed for --netfilter real (apt-get install iptables nftables)")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hnc-cost-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let prefix: RunName = "hncnfc"
        runsToClean += ["hncnfc-none-l2", "hncnfc-host-gw-l2", "hncnfc-host-gw-l2-nfnone"]
        let (status, output) = try cli([
            "bench", "--modes", "host-gw", "--netfilter", "real,none", "--tests", "tcp1", "--rounds", "1", "--duration", "1",
            "--name", prefix.value, "--out", dir, "--basename", "cost", "--seed", "5"
        ])
        XCTAssertEqual(status, 0, output)
        let r = try BenchResult.load(path: dir + "/cost.json")
        XCTAssertEqual(r.config.netfilter, "real,none")
        XCTAssertEqual(
            r.subjects.map(\.id),
            [
                "none@l2/node-node", "none@l2/same-node", "host-gw@l2/same-node", "host-gw@l2/cross-node",
                "host-gw@netfilter-none@l2/same-node", "host-gw@netfilter-none@l2/cross-node"
            ])
        XCTAssertEqual(r.subjects.map(\.netfilter), ["real", "real", "real", "real", "none", "none"])
        XCTAssertEqual(
            Set(r.rounds[0].order), ["none@l2", "host-gw@l2", "host-gw@netfilter-none@l2"], "one shuffled round holds both units")
        let failed = r.samples.filter { $0.error != nil }
        XCTAssertTrue(failed.isEmpty, "\(failed.map { "\($0.subject): \($0.error!)" })")
        // Both units carried traffic and the cost pairs them.
        for id in ["host-gw@l2/cross-node", "host-gw@netfilter-none@l2/cross-node"] {
            XCTAssertGreaterThan(r.summary(MetricSummary.key(subject: id, test: .tcp1, metric: .throughputGbps))?.median ?? 0, 0, id)
        }
        let cost = NetfilterCost(r)
        XCTAssertEqual(cost.rows.map(\.mode), ["host-gw"])
        let t = try XCTUnwrap(cost.rows.first?.throughput)
        XCTAssertGreaterThan(t.comparison.ratio, 0)
        XCTAssertEqual(t.n, 1)
        let md = try String(contentsOfFile: dir + "/cost.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## What the CNI's own rules cost"), md)
        XCTAssertTrue(md.contains("| host-gw | l2 | "), md)
        let html = try String(contentsOfFile: dir + "/cost.html", encoding: .utf8)
        XCTAssertTrue(html.contains("own rules cost</h2>"))
        // Everything the bench built is gone.
        for run in runsToClean { XCTAssertEqual(leftovers(of: run), [], "\(run)") }
    }
}
