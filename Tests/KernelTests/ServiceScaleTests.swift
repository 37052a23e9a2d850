import Foundation
import XCTest
@testable import NetAddress
@testable import Netlink
@testable import ProcessKit
@testable import Topology
@testable import TopologyModel

/// Services on real runs built by `up`: verify's ClusterIP check passes and fails when an
/// endpoint's rules are gone, the kernel holds one chain per Service, verify leaves no server
/// behind, and `up` killed while loading thousands of Services leaves nothing after
/// `clean --name`.
final class ServiceScaleTests: KernelTestCase {
    static func tool(_ name: String) -> String? { KubeProxyTests.tool(name) }

    func requireTools() throws {
        guard Self.tool("iptables-nft-restore") != nil, Self.tool("iptables-nft-save") != nil, Self.tool("nft") != nil else {
            print("SKIP \(name): needs iptables-nft-restore, iptables-nft-save and nft (Debian packages iptables, nftables)")
            throw XCTSkip("iptables-nft-restore / nft missing")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): \(cnibenchBinary) not built")
            throw XCTSkip("cnibench binary not built")
        }
    }

    func capture(in ns: String, _ argv: [String]) throws -> String {
        let child = try ChildProcess.spawn(argv, in: try NetworkNamespace.open(ns), stdout: .pipe, stderr: .discard)
        let out = child.readOutput()
        _ = child.wait()
        return out
    }

    /// Processes (pid: command line) whose network namespace is one of `inodes`.
    func processes(inNamespaces inodes: Set<UInt64>) -> [String] {
        var out: [String] = []
        for e in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(e), !Processes.isZombie(pid),
                let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net"),
                let ino = UInt64(link.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }), inodes.contains(ino)
            else { continue }
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            out.append("\(pid): \(String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\0", with: " "))")
        }
        return out
    }

    func servicesSpec(_ run: String, mode: KubeProxyMode, services: Int) throws -> TopologySpec {
        var s = spec(try RunName(run), mode: .hostGW)
        var sv = ServiceSettings()
        sv.kubeProxy = mode
        sv.services = services
        sv.endpointsPerService = 2
        s.services = sv
        return s
    }

    /// iptables: 3 Services, all probed; every endpoint answers. Then the jump from svc-1's
    /// KUBE-SVC chain to one endpoint's KUBE-SEP chain is deleted on every node (what
    /// kube-proxy does when the endpoint goes): verify fails naming that endpoint.
    func testClusterIPVerifyPassesThenNamesTheEndpointWhoseRulesWereRemoved() throws {
        try requireTools()
        let s = try servicesSpec("hsvver", mode: .iptables, services: 3)
        let r = try up(s)
        let plan = r.plan
        let nsInodes = Set(plan.namespaces.compactMap { try? NetworkNamespace.open($0).inode })
        // The kernel holds one KUBE-SVC chain per Service on every node.
        for n in plan.addressing.nodes {
            let save = try capture(in: n.namespace, [Self.tool("iptables-nft-save")!, "-t", "nat"])
            let chains = save.split(separator: "\n").filter { $0.hasPrefix(":KUBE-SVC-") }
            XCTAssertEqual(chains.count, 3, "\(n.namespace): \(chains)")
        }
        let before = processes(inNamespaces: nsInodes)
        let report = Verifier(plan: plan, options: .init(skipCapture: true)).run()
        let c = try XCTUnwrap(report.clusterIP)
        print(report.render())
        XCTAssertTrue(c.passed, "\(c.problems)")
        XCTAssertEqual(c.outcomes.map(\.service), ["svc-1", "svc-2", "svc-3"], "few Services: all probed")
        for o in c.outcomes { XCTAssertEqual(Set(o.reached.keys), Set(o.expected), o.service) }
        XCTAssertTrue(report.passed, report.render())
        XCTAssertEqual(processes(inNamespaces: nsInodes), before, "verify left its servers running")

        // Remove svc-1's first endpoint from its Service chain on every node.
        let svc1 = s.serviceSettings.allocate(plan.addressing)[0]
        var removed: String?
        for n in plan.addressing.nodes {
            let save = try capture(in: n.namespace, [Self.tool("iptables-nft-save")!, "-t", "nat"])
            let rules = save.split(separator: "\n").filter { $0.hasPrefix("-A KUBE-SVC-") }
            guard let rule = rules.first(where: { $0.contains("\"default/svc-1 -> ") && $0.contains("-j KUBE-SEP-") }) else {
                return XCTFail("no svc-1 endpoint jump in \(n.namespace):\n\(rules.joined(separator: "\n"))")
            }
            let chain = String(rule.split(separator: " ")[1])
            let position = rules.filter { $0.split(separator: " ")[1] == chain }.firstIndex(of: rule)! + 1
            removed = svc1.endpoints.map(\.ip.description).first { rule.contains($0) }
            XCTAssertEqual(
                try run(in: n.namespace, [Self.tool("iptables-nft")!, "-t", "nat", "-D", chain, String(position)]), 0, String(rule))
        }
        let gone = try XCTUnwrap(removed, "the rule names its endpoint in its comment")
        let failed = Verifier(plan: plan, options: .init(skipCapture: true)).run()
        let f = try XCTUnwrap(failed.clusterIP)
        print(failed.render())
        XCTAssertFalse(f.passed)
        XCTAssertFalse(failed.passed)
        XCTAssertEqual(f.problems.count, 1, "\(f.problems)")
        XCTAssertTrue(f.problems.first?.hasPrefix("svc-1 \(svc1.clusterIP):80") == true, "\(f.problems)")
        XCTAssertTrue(f.problems.first?.contains("endpoints never answered: \(gone):8080") == true, "\(f.problems)")
        XCTAssertEqual(processes(inNamespaces: nsInodes), before, "the failing verify left its servers running")
        XCTAssertEqual(Teardown(state: RunState(run: s.name)).run(), [])
        XCTAssertEqual(leftovers(of: s.name), [])
    }

    /// nftables with more Services than verify probes: one service chain per Service in the
    /// kernel, a spread of them (plus none skipped for lack of endpoints) reaches its endpoints.
    func testNFTablesRuleCountsMatchNAndASampleIsProbed() throws {
        try requireTools()
        let s = try servicesSpec("hsvnft", mode: .nftables, services: 40)
        let plan = try up(s).plan
        for n in plan.addressing.nodes {
            let table = try capture(in: n.namespace, [Self.tool("nft")!, "list", "table", "ip", "kube-proxy"])
            let chains = table.split(separator: "\n").filter {
                let l = $0.trimmingCharacters(in: .whitespaces)
                return l.hasPrefix("chain service-") && l.contains("/tcp/")
            }
            XCTAssertEqual(chains.count, 40, n.namespace)
        }
        let report = Verifier(plan: plan, options: .init(skipCapture: true)).run()
        let c = try XCTUnwrap(report.clusterIP)
        XCTAssertEqual(c.total, 40)
        XCTAssertEqual(c.outcomes.map(\.service), ["svc-1", "svc-14", "svc-27", "svc-40"])
        XCTAssertTrue(c.passed, "\(c.problems)")
        XCTAssertEqual(Teardown(state: RunState(run: s.name)).run(), [])
        XCTAssertEqual(leftovers(of: s.name), [])
    }

    // MARK: interruption

    /// A netfilter tool running inside one of `inodes` for at least `age`: the load in progress.
    func loaderRunning(in inodes: Set<UInt64>, since firstSeen: inout [Int32: ContinuousClock.Instant], age: Duration) -> Bool {
        let now = ContinuousClock.now
        for p in processes(inNamespaces: inodes) {
            guard p.contains("iptables") || p.contains("nft"), let pid = Int32(p.prefix { $0 != ":" }) else { continue }
            let t = firstSeen[pid] ?? now
            firstSeen[pid] = t
            if now - t >= age { return true }
        }
        return false
    }

    /// `cnibench up` with 10,000 Services killed (SIGKILL, then SIGINT in a second trial) while
    /// a ruleset load is in progress (a loader seen running for 100 ms: the small loads of
    /// the agents' rules take milliseconds): `clean --name` removes everything, and no process
    /// stays in the run's namespaces.
    func testUpKilledWhileLoadingTenThousandServicesLeavesNothingAfterClean() throws {
        try requireTools()
        for (i, sig) in [SIGKILL, SIGINT].enumerated() {
            let run = try RunName("hsvkill\(i)")
            runsToClean.append(run)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: cnibenchBinary)
            p.arguments = ["up", "--name", run.value, "--mode", "host-gw", "--services", "10000", "--kube-proxy", "iptables"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            let t0 = ContinuousClock.now
            try p.run()
            var inodes = Set<UInt64>()
            var firstSeen: [Int32: ContinuousClock.Instant] = [:]
            var landed = false
            let end = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < end && p.isRunning {
                // The node namespaces as they appear (the ledger names them before creation).
                for e in RunState(run: run).entries() {
                    if case .namespace(let n) = e, let ns = try? NetworkNamespace.open(n) { inodes.insert(ns.inode) }
                }
                if loaderRunning(in: inodes, since: &firstSeen, age: .milliseconds(100)) {
                    landed = true
                    break
                }
                usleep(5_000)
            }
            XCTAssertTrue(
                landed, "signal \(sig): no ruleset load seen in progress (up exited \(p.isRunning ? "no" : "\(p.terminationStatus)"))")
            let at = (ContinuousClock.now - t0).inSeconds
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            print(
                String(
                    format: "MEASURED signal %d landed %.2f s into up, during a ruleset load; up exited %d", sig, at, p.terminationStatus))
            if sig == SIGINT {
                XCTAssertEqual(p.terminationStatus, 130, "Ctrl-C during a load is an interruption, rolled back")
            } else {
                XCTAssertEqual(p.terminationReason, .uncaughtSignal)
                XCTAssertEqual(p.terminationStatus, SIGKILL)
            }
            let (status, out) = try cli(["clean", "--name", run.value])
            XCTAssertEqual(status, 0, out)
            XCTAssertEqual(leftovers(of: run), [], "signal \(sig): \(out)")
            XCTAssertEqual(processes(inNamespaces: inodes), [], "signal \(sig): processes left in the run's namespaces")
        }
    }
}
