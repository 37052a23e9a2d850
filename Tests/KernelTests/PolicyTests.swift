import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import Netlink

/// `--policies 50` on calico-vxlan, both Felix dataplanes: verify passes — every pod and node
/// still reaches every pod through all 50 policies (only the last allows, and only through the
/// selector's IP set for pod sources), and the deny probe gets no reply while the end-of-tier
/// drop counter rises —, the policy and group chains hold the rendered rule counts (read back
/// independently), and nothing is left after down.
final class PolicyTests: KernelTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireToolsAndBinary([("iptables-nft-restore", "iptables"), ("nft", "nftables"), ("ipset", "ipset")])
    }

    private func check(_ dataplane: FelixDataplane, file: StaticString = #filePath, line: UInt = #line) throws {
        let n = 50
        let run = try RunName("hpo-\(dataplane == .iptables ? "ipt" : "nft")")
        let (record, plan) = try upThroughCLI(
            run, ["--mode", "calico-vxlan", "--underlay", "l3", "--felix-dataplane", dataplane.rawValue, "--policies", String(n)],
            file: file, line: line)
        XCTAssertEqual(record.spec.policies, n, "run.json records the setting", file: file, line: line)

        let report = Verifier(plan: plan).run()
        XCTAssertTrue(report.passed, report.render(), file: file, line: line)
        XCTAssertTrue(report.connectivity.passed, file: file, line: line)
        let deny = try XCTUnwrap(report.policyDeny, "the deny check ran", file: file, line: line)
        XCTAssertFalse(deny.replied, deny.summary, file: file, line: line)
        let before = try XCTUnwrap(deny.dropsBefore, file: file, line: line)
        XCTAssertGreaterThan(try XCTUnwrap(deny.dropsAfter, file: file, line: line), before, deny.summary, file: file, line: line)
        XCTAssertTrue(report.checks.contains { $0.name == .policyDeny && $0.passed == true }, file: file, line: line)

        // Chains and counts read back with nft, independently of verify's expectations.
        let (table, pre) = dataplane == .iptables ? ("filter", "") : ("calico", "filter-")
        for node in plan.addressing.nodes {
            let state = try NetfilterState.read(try NetworkNamespace.open(node.namespace))
            let mine = state.chains.filter { $0.key.family == "ip" && $0.key.table == table }
            let policy = mine.filter { $0.key.chain.hasPrefix(pre + "cali-pi-") || $0.key.chain.hasPrefix(pre + "cali-po-") }
            let groups = mine.filter { $0.key.chain.hasPrefix(pre + "cali-gi-") || $0.key.chain.hasPrefix(pre + "cali-go-") }
            XCTAssertEqual(policy.count, 2 * n, node.namespace, file: file, line: line)
            XCTAssertEqual(groups.values.sorted(), [n + (n - 1) / 5, n + (n - 1) / 5], node.namespace, file: file, line: line)
            // Fillers and the allow policy's egress: one rule; its ingress: pods, node net, 2 tunnels.
            XCTAssertEqual(policy.values.filter { $0 == 1 }.count, 2 * n - 1, node.namespace, file: file, line: line)
            XCTAssertEqual(policy.values.filter { $0 == 7 }.count, 1, node.namespace, file: file, line: line)
            for pod in node.pods {
                XCTAssertEqual(mine[.init(family: "ip", table: table, chain: "\(pre)cali-tw-\(pod.hostVeth)")], 12, file: file, line: line)
                XCTAssertEqual(mine[.init(family: "ip", table: table, chain: "\(pre)cali-fw-\(pod.hostVeth)")], 14, file: file, line: line)
            }
        }
        // The selector set holds every pod, on each node.
        let pods = plan.addressing.allPods.map(\.ip.description).sorted()
        for node in plan.addressing.nodes {
            let ns = try NetworkNamespace.open(node.namespace)
            let listing =
                dataplane == .iptables
                ? try NetfilterLoader.query(["ipset", "list", FelixNetworkPolicies.selectorIPSetName], in: ns)
                : try NetfilterLoader.query(
                    ["nft", "list", "set", "ip", "calico", FelixIPSet.nftName(FelixNetworkPolicies.selectorIPSetName)], in: ns)
            for ip in pods { XCTAssertTrue(listing.contains(ip), "\(node.namespace) set lacks \(ip):\n\(listing)", file: file, line: line) }
        }

        try downThroughCLI(run, file: file, line: line)
    }

    func testCalicoVXLANPolicies50Iptables() throws { try check(.iptables) }
    func testCalicoVXLANPolicies50Nftables() throws { try check(.nftables) }
}
