import Foundation
import XCTest
import ProcessKit
@testable import NetAddress
@testable import Netlink
@testable import TopologyModel

/// Felix's rendered rules load into a real (throwaway) network namespace with the tools Felix
/// uses, and leave the chains and rule counts the renderer promises (`nft -j list ruleset`).
final class FelixRulesKernelTests: KernelTestCase {
    private func context() throws -> FelixNodeContext {
        var s = TopologySpec()
        s.mode = .calicoIPIP
        s.podsPerNode = [2, 2]
        let plan = try Planner(spec: s).plan()
        return try XCTUnwrap(FelixNodeContext(addressing: plan.addressing, node: plan.addressing.nodes[0], mode: .calicoIPIP))
    }

    private func binary(_ name: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func argv(_ tool: NetfilterTool) -> [String]? {
        switch tool {
        case .ipsetRestore: binary("ipset").map { [$0, "restore"] }
        case .iptablesRestore: binary("iptables-nft-restore").map { [$0, "--noflush"] }
        case .nft: binary("nft").map { [$0, "-f", "-"] }
        }
    }

    /// Runs `argv` inside `ns` with `stdin`; returns (exit code, stdout+stderr).
    private func run(_ argv: [String], in ns: NetworkNamespace, stdin: String? = nil) throws -> (Int32, String) {
        let child = try ChildProcess.spawn(argv, in: ns, stdin: stdin.map { Array($0.utf8) }, stdout: .pipe, stderr: .pipe)
        let output = child.readOutput()
        return (child.wait().status.shellCode, output)
    }

    private func load(_ dataplane: FelixDataplane) throws {
        let rulesets = FelixRules.render(try context(), dataplane: dataplane)
        for r in rulesets where argv(r.tool) == nil {
            print("SKIP \(name): \(r.tool.rawValue) not installed (apt-get install ipset iptables nftables)")
            throw XCTSkip("\(r.tool.rawValue) not installed")
        }
        guard let nft = binary("nft") else { throw XCTSkip("nft not installed") }
        let nsName = "hfx-felix-\(dataplane.rawValue)"
        if NetworkNamespace.list().contains(nsName) { try NetworkNamespace.delete(nsName) }
        let ns = try NetworkNamespace.create(nsName)
        defer { try? NetworkNamespace.delete(nsName) }
        XCTAssertFalse(ns.isRoot, "never load into the root namespace")
        for r in rulesets {
            let (code, out) = try run(argv(r.tool)!, in: ns, stdin: r.input)
            XCTAssertEqual(code, 0, "\(r.tool.rawValue) failed: \(out)")
        }
        let (code, json) = try run([nft, "-j", "list", "ruleset"], in: ns)
        XCTAssertEqual(code, 0)
        let items = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["nftables"] as? [[String: Any]])
        var chains = Set<String>()
        var counts: [String: Int] = [:]
        for item in items {
            if let c = item["chain"] as? [String: Any] {
                chains.insert("\(c["family"]!)/\(c["table"]!)/\(c["name"]!)")
            } else if let r = item["rule"] as? [String: Any] {
                counts["\(r["family"]!)/\(r["table"]!)/\(r["chain"]!)", default: 0] += 1
            }
        }
        let expected = rulesets.flatMap(\.expected)
        XCTAssertFalse(expected.isEmpty)
        for e in expected {
            let key = "\(e.family)/\(e.table)/\(e.chain)"
            XCTAssertTrue(chains.contains(key), "missing chain \(key)")
            XCTAssertEqual(counts[key] ?? 0, e.ruleCount, "rules in \(key)")
        }
        if dataplane == .iptables {
            let (listCode, sets) = try run([binary("ipset")!, "list", "-n"], in: ns)
            XCTAssertEqual(listCode, 0)
            XCTAssertEqual(
                Set(sets.split(separator: "\n").map(String.init)), ["cali40all-ipam-pools", "cali40masq-ipam-pools", "cali40all-hosts-net"])
        }
    }

    func testIptablesDataplaneLoads() throws { try load(.iptables) }
    func testNftablesDataplaneLoads() throws { try load(.nftables) }
}
