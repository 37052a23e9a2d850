import Foundation
import XCTest
import Agents
import ProcessKit
@testable import NetAddress
@testable import Netlink
@testable import Topology
@testable import TopologyModel

/// kube-proxy's rendered rules loaded into a real node namespace with the real tools: every
/// ClusterIP reaches every one of its endpoints, and the chains hold the rules the renderer
/// promised. The loading here is the test's own (spawned inside the namespace through
/// ProcessKit), independent of `up`.
final class KubeProxyTests: KernelTestCase {
    static func tool(_ name: String) -> String? {
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Loads one ruleset inside `ns` from a file (10,000 services are megabytes, more than a pipe
    /// holds); returns the seconds the tool took.
    @discardableResult
    func load(_ r: NetfilterRuleset, in ns: String) throws -> Double {
        let path = NSTemporaryDirectory() + "hkp-\(getpid())-\(UUID().uuidString).rules"
        try r.input.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let argv: [String] =
            switch r.tool {
            case .iptablesRestore: [Self.tool("iptables-nft-restore")!, "--noflush", path]
            case .nft: [Self.tool("nft")!, "-f", path]
            case .ipsetRestore: [Self.tool("ipset")!, "restore", "-file", path]
            }
        let t0 = ContinuousClock.now
        let child = try ChildProcess.spawn(argv, in: try NetworkNamespace.open(ns), stdout: .pipe, stderr: .pipe)
        let out = child.readOutput()
        let status = child.wait().status
        XCTAssertTrue(status.succeeded, "\(argv[0]) in \(ns) failed: \(out.prefix(2000))")
        return (ContinuousClock.now - t0).inSeconds
    }

    func capture(in ns: String, _ argv: [String]) throws -> String {
        let child = try ChildProcess.spawn(argv, in: try NetworkNamespace.open(ns), stdout: .pipe, stderr: .discard)
        let out = child.readOutput()
        _ = child.wait()
        return out
    }

    /// Rules per chain as the kernel holds them: "table/chain" → count. iptables-nft-save for
    /// the iptables tables, `nft list table ip kube-proxy` for kube-proxy's own.
    func ruleCounts(in ns: String, family tool: NetfilterTool) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        if tool == .iptablesRestore {
            var table = ""
            for line in try capture(in: ns, [Self.tool("iptables-nft-save")!]).split(separator: "\n") {
                if line.hasPrefix("*") { table = String(line.dropFirst()) }
                if line.hasPrefix(":") { counts["\(table)/\(line.dropFirst().split(separator: " ")[0])", default: 0] += 0 }
                if line.hasPrefix("-A ") { counts["\(table)/\(line.split(separator: " ")[1])", default: 0] += 1 }
            }
        } else {
            var chain: String?
            for raw in try capture(in: ns, [Self.tool("nft")!, "list", "table", "ip", "kube-proxy"]).split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("chain ") {
                    chain = String(line.dropFirst(6).dropLast(2))
                    counts["kube-proxy/\(chain!)"] = 0
                } else if line == "}" {
                    chain = nil
                } else if let c = chain, !line.isEmpty, !line.hasPrefix("type "), !line.hasPrefix("comment \"") {
                    counts["kube-proxy/\(c)", default: 0] += 1
                }
            }
        }
        return counts
    }

    func assertExpected(_ r: NetfilterRuleset, in ns: String, line: UInt = #line) throws {
        let counts = try ruleCounts(in: ns, family: r.tool)
        for e in r.expected {
            XCTAssertEqual(counts["\(e.table)/\(e.chain)"], e.ruleCount, "\(e.table)/\(e.chain) in \(ns)", line: line)
        }
    }

    /// crr from `client` to the ClusterIP; the servers that answered.
    func probe(_ s: KubeProxyService, from client: Addressing.Pod) throws -> [String: Int] {
        let child = try ChildProcess.spawn(
            [cnibenchBinary, "crr-client", "--to", "\(s.clusterIP):\(s.port)", "--duration", "0.5", "--keep-server"],
            in: try NetworkNamespace.open(client.namespace), stdout: .pipe, stderr: .pipe)
        let out = child.readOutput()
        XCTAssertTrue(child.wait().status.succeeded, "crr-client to \(s.name): \(out)")
        guard let json = out.split(separator: "\n").first(where: { $0.hasPrefix("{") }),
            let rep = try? JSONDecoder().decode(ConnectRequestResponse.Report.self, from: Data(json.utf8))
        else { return [:] }
        return rep.servers
    }

    func testClusterIPsReachEveryEndpointWithBothModes() throws {
        guard Self.tool("iptables-nft-restore") != nil, Self.tool("iptables-nft-save") != nil, Self.tool("nft") != nil else {
            print("SKIP \(name): needs iptables-nft-restore, iptables-nft-save and nft (Debian packages iptables, nftables)")
            throw XCTSkip("iptables-nft-restore / nft missing")
        }
        var s = spec(try RunName("hkpsvc"), mode: .hostGW)
        var settings = ServiceSettings()
        settings.services = 3
        settings.endpointsPerService = 2
        s.services = settings
        let addressing = try s.validate()
        // Built bare (no agents' rules, no kube-proxy of its own): the test loads each mode's
        // rules itself and removes them between modes.
        var bare = s
        bare.services = ServiceSettings()
        bare.services?.kubeProxy = .none
        bare.netfilter = .none
        try up(bare)
        let services = settings.allocate(addressing)
        let node = addressing.nodes[0]
        let client = node.pods[1]
        // One crr-server per pod on the targetPort, answering with its own address.
        var servers: [ChildProcess] = []
        defer { for p in servers { _ = p.stop() } }
        for pod in addressing.allPods {
            servers.append(
                try ChildProcess.spawn(
                    [cnibenchBinary, "crr-server", "--bind", "\(pod.ip):\(ServiceSettings.targetPort)", "--timeout", "120"],
                    in: try NetworkNamespace.open(pod.namespace)))
        }
        for mode in [KubeProxyMode.nftables, .iptables] {
            settings.kubeProxy = mode
            let rulesets = KubeProxyRules.render(node: settings.kubeProxyNode(node, addressing: addressing), services: services, mode: mode)
            for r in rulesets {
                try load(r, in: node.namespace)
                try assertExpected(r, in: node.namespace)
            }
            let counts = try ruleCounts(in: node.namespace, family: rulesets[0].tool)
            let perService = counts.keys.filter {
                mode == .iptables ? $0.hasPrefix("nat/KUBE-SVC-") : $0.hasPrefix("kube-proxy/service-") && $0.contains("/tcp/")
            }
            XCTAssertEqual(perService.count, services.count, "\(mode): one chain per Service")
            for svc in services {
                let reached = try probe(svc, from: client)
                print("\(mode) \(svc.name) \(svc.clusterIP):\(svc.port) answered by \(reached.sorted { $0.key < $1.key })")
                XCTAssertEqual(
                    Set(reached.keys), Set(svc.endpoints.map(\.ip.description)), "\(mode) \(svc.name) at \(svc.clusterIP): \(reached)")
            }
            // Nothing else answers: the ClusterIP is only reachable through the rules.
            let removal: [String] =
                mode == .nftables ? [Self.tool("nft")!, "delete", "table", "ip", "kube-proxy"] : [Self.tool("nft")!, "flush", "ruleset"]
            XCTAssertEqual(try run(in: node.namespace, removal), 0)
            let gone = try probeFails(services[0], from: client)
            XCTAssertTrue(gone, "\(mode): \(services[0].clusterIP) still answers after the rules were removed")
        }
    }

    /// Without rules, no connection to a ClusterIP completes.
    func probeFails(_ s: KubeProxyService, from client: Addressing.Pod) throws -> Bool {
        let child = try ChildProcess.spawn(
            [
                cnibenchBinary, "crr-client", "--to", "\(s.clusterIP):\(s.port)", "--duration", "0.2", "--connect-timeout", "0",
                "--keep-server"
            ],
            in: try NetworkNamespace.open(client.namespace), stdout: .discard, stderr: .discard)
        guard let t = child.wait(until: ContinuousClock.now + .seconds(10)) else {
            _ = child.kill()
            return true
        }
        return !t.status.succeeded
    }

    /// Render and load 10,000 Services with each tool once: the times are printed for the
    /// record (not asserted); the kernel must hold every chain.
    func testTenThousandServicesLoad() throws {
        // Minutes under the shared kernel lock: only when asked for.
        guard ProcessInfo.processInfo.environment["CNIBENCH_KUBE_PROXY_SCALE"] == "1" else {
            print("SKIP \(name): set CNIBENCH_KUBE_PROXY_SCALE=1 to load 10,000 Services (about 5 minutes)")
            throw XCTSkip("CNIBENCH_KUBE_PROXY_SCALE not set")
        }
        guard Self.tool("iptables-nft-restore") != nil, Self.tool("iptables-nft-save") != nil, Self.tool("nft") != nil else {
            print("SKIP \(name): needs iptables-nft-restore, iptables-nft-save and nft")
            throw XCTSkip("iptables-nft-restore / nft missing")
        }
        var s = spec(try RunName("hkpbig"), mode: .none, nodes: 1, pods: 2)
        var settings = ServiceSettings()
        settings.services = 10_000
        settings.endpointsPerService = 2
        s.services = settings
        let addressing = try s.validate()
        try up(s)
        let node = addressing.nodes[0]
        let services = settings.allocate(addressing)
        for mode in [KubeProxyMode.iptables, .nftables] {
            let t0 = ContinuousClock.now
            let rulesets = KubeProxyRules.render(node: settings.kubeProxyNode(node, addressing: addressing), services: services, mode: mode)
            let render = (ContinuousClock.now - t0).inSeconds
            var loadSeconds = 0.0
            for r in rulesets { loadSeconds += try load(r, in: node.namespace) }
            let counts = try ruleCounts(in: node.namespace, family: rulesets[0].tool)
            let expected = rulesets.flatMap(\.expected)
            let missing = expected.filter { counts["\($0.table)/\($0.chain)"] != $0.ruleCount }
            XCTAssertEqual(missing.count, 0, "\(mode): \(missing.prefix(3))")
            let bytes = rulesets.reduce(0) { $0 + $1.input.utf8.count }
            print(
                "MEASURED kube-proxy \(mode) 10000 services × 2 endpoints: render \(String(format: "%.3f", render)) s, load \(String(format: "%.3f", loadSeconds)) s, \(bytes) bytes, \(expected.count) chains, \(expected.reduce(0) { $0 + $1.ruleCount }) rules"
            )
            XCTAssertEqual(try run(in: node.namespace, [Self.tool("nft")!, "flush", "ruleset"]), 0)
        }
    }
}
