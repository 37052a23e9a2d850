import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import Netlink

/// `--netfilter real` with the flannel modes: flanneld's chains loaded in each node namespace
/// with their rule counts, conntrack tracking the probe's flows, and the root namespace's
/// netfilter state untouched before `up`, after `verify` and after `down`.
final class NetfilterTests: KernelTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try requireToolsAndBinary([("iptables-nft-restore", "iptables"), ("iptables-nft-save", "iptables"), ("nft", "nftables")])
    }

    /// The root namespace's rules as both tools print them; iptables-nft-save's `#` lines carry
    /// the time of the dump, so they are left out (everything else must be byte-identical).
    private func rootRules() -> String {
        let nft = runCapturing(["/usr/sbin/nft", "list", "ruleset"]) ?? "<nft failed>"
        let save = (runCapturing([Prerequisites.which("iptables-nft-save") ?? "iptables-nft-save"]) ?? "<iptables-nft-save failed>")
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        return nft + "\n--\n" + save
    }

    /// kube-proxy is left out here so the built-in chains hold flanneld's jumps alone; the Calico
    /// tests below run with kube-proxy's default chains beside Felix's.
    private func check(_ mode: Mode, underlay: Underlay = .l2, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try RunName("hnf-\(mode == .hostGW ? "hgw" : mode == .flannelVXLAN ? "vx" : "udp")")
        let before = rootRules()
        let (record, plan) = try upThroughCLI(
            run, ["--mode", mode.rawValue, "--underlay", underlay.rawValue, "--netfilter", "real", "--kube-proxy", "none"], file: file,
            line: line)
        XCTAssertEqual(record.spec.netfilter, .real, "run.json records the setting", file: file, line: line)

        let report = Verifier(plan: plan).run()
        XCTAssertTrue(report.passed, report.render(), file: file, line: line)
        let conntrack = try XCTUnwrap(report.conntrack, "conntrack check ran", file: file, line: line)
        XCTAssertEqual(conntrack.counts.map(\.namespace), plan.addressing.nodes.map(\.namespace), file: file, line: line)
        for c in conntrack.counts { XCTAssertGreaterThan(c.entries ?? 0, 0, c.namespace, file: file, line: line) }

        // The chains, read back independently of verify's own code path's expectations.
        for node in plan.addressing.nodes {
            let state = try NetfilterState.read(try NetworkNamespace.open(node.namespace))
            func count(_ t: String, _ c: String) -> Int? { state.chains[.init(family: "ip", table: t, chain: c)] }
            XCTAssertEqual(count("nat", "FLANNEL-POSTRTG"), 6, node.namespace, file: file, line: line)
            XCTAssertEqual(count("nat", "POSTROUTING"), 1, node.namespace, file: file, line: line)
            XCTAssertEqual(count("filter", "FLANNEL-FWD"), 2, node.namespace, file: file, line: line)
            XCTAssertEqual(count("filter", "FORWARD"), 1, node.namespace, file: file, line: line)
            XCTAssertEqual(
                try NetworkNamespace.open(node.namespace).sysctlRead("net.bridge.bridge-nf-call-iptables"), "1", file: file, line: line)
        }
        // A chain that does not hold what was loaded is reported by the state check.
        let first = plan.addressing.nodes[0].namespace
        XCTAssertEqual(try self.run(in: first, [Prerequisites.which("nft")!, "flush", "chain", "ip", "filter", "FLANNEL-FWD"]), 0)
        let broken = StateChecker(plan: plan).missingObjects()
        XCTAssertEqual(broken, ["\(first): chain ip filter FLANNEL-FWD (flanneld v0.26.7) has 0 rules, want 2"], file: file, line: line)

        XCTAssertEqual(rootRules(), before, "root namespace rules changed by up/verify", file: file, line: line)
        try downThroughCLI(run, file: file, line: line)
        XCTAssertEqual(rootRules(), before, "root namespace rules changed by down", file: file, line: line)
    }

    func testHostGW() throws { try check(.hostGW) }
    func testFlannelVXLAN() throws { try check(.flannelVXLAN, underlay: .l3) }
    func testFlannelUDP() throws {
        guard FileManager.default.fileExists(atPath: "/dev/net/tun") else { throw XCTSkip("no /dev/net/tun") }
        try check(.flannelUDP)
    }

    /// The Calico modes on both Felix dataplanes: verify passes (chains, counts, conntrack), the
    /// chains Felix's dispatch needs are there, read back independently, and the root namespace's
    /// rules are the same before and after.
    private func checkCalico(
        _ mode: Mode, _ dataplane: FelixDataplane, underlay: Underlay, file: StaticString = #filePath, line: UInt = #line
    )
        throws
    {
        let run = try RunName("hnf-\(mode == .calicoIPIP ? "ipip" : "cvx")-\(dataplane == .iptables ? "ipt" : "nft")")
        let before = rootRules()
        let (record, plan) = try upThroughCLI(
            run, ["--mode", mode.rawValue, "--underlay", underlay.rawValue, "--felix-dataplane", dataplane.rawValue], file: file, line: line
        )
        XCTAssertEqual(record.spec.felixDataplane, dataplane, file: file, line: line)
        let report = Verifier(plan: plan).run()
        XCTAssertTrue(report.passed, report.render(), file: file, line: line)
        for c in try XCTUnwrap(report.conntrack, file: file, line: line).counts {
            XCTAssertGreaterThan(c.entries ?? 0, 0, c.namespace, file: file, line: line)
        }
        for node in plan.addressing.nodes {
            let state = try NetfilterState.read(try NetworkNamespace.open(node.namespace))
            let chains = Set(state.chains.keys.map { "\($0.family) \($0.table) \($0.chain)" })
            let want =
                dataplane == .iptables
                ? [
                    "ip filter cali-FORWARD", "ip filter cali-from-wl-dispatch", "ip filter cali-to-wl-dispatch", "ip raw cali-PREROUTING",
                    "ip nat cali-nat-outgoing"
                ]
                : [
                    "ip calico filter-cali-FORWARD", "ip calico filter-FORWARD", "ip calico raw-PREROUTING",
                    "ip calico nat-cali-nat-outgoing"
                ]
            for w in want { XCTAssertTrue(chains.contains(w), "\(node.namespace) lacks \(w)", file: file, line: line) }
            for pod in node.pods {
                let fw = dataplane == .iptables ? "ip filter cali-fw-\(pod.hostVeth)" : "ip calico filter-cali-fw-\(pod.hostVeth)"
                XCTAssertTrue(chains.contains(fw), "\(node.namespace) lacks \(fw)", file: file, line: line)
            }
        }
        XCTAssertEqual(rootRules(), before, "root namespace rules changed by up/verify", file: file, line: line)
        try downThroughCLI(run, file: file, line: line)
        XCTAssertEqual(rootRules(), before, "root namespace rules changed by down", file: file, line: line)
    }

    func testCalicoIPIPBothFelixDataplanes() throws {
        try checkCalico(.calicoIPIP, .iptables, underlay: .l3)
        try checkCalico(.calicoIPIP, .nftables, underlay: .l3)
    }
    func testCalicoVXLANBothFelixDataplanes() throws {
        try checkCalico(.calicoVXLAN, .iptables, underlay: .l2)
        try checkCalico(.calicoVXLAN, .nftables, underlay: .l2)
    }

    /// `--netfilter none`: no tables at all in the node namespaces, and verify skips conntrack.
    func testNoneLoadsNothing() throws {
        var s = spec(try RunName("hnf-none"), mode: .flannelVXLAN)
        s.netfilter = .none
        let r = try up(s)
        for node in r.plan.addressing.nodes {
            XCTAssertEqual(try NetfilterState.read(try NetworkNamespace.open(node.namespace)).chains, [:], node.namespace)
            let out = try NetfilterLoader.query(["nft", "list", "ruleset"], in: try NetworkNamespace.open(node.namespace))
            XCTAssertEqual(out, "", node.namespace)
        }
        let report = Verifier(plan: r.plan).run()
        XCTAssertTrue(report.passed, report.render())
        XCTAssertNil(report.conntrack)
        XCTAssertEqual(report.checks.first { $0.name == .conntrack }?.passed, nil)
    }
}
