import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import Netlink

/// --pod-wiring cni (Flannel's delegate on the real bridge + host-local), `cnibench conformance`,
/// portmap and firewall chained after bridge, and a plugin whose DEL fails: each builds,
/// verifies and tears down to nothing, with the root namespace's links, addresses, routes and
/// nft ruleset unchanged. Run names start with "hcn".
final class CNIPodWiringTests: KernelTestCase {
    private var fake: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        for p in ["bridge", "host-local", "portmap", "firewall"] where access("/usr/lib/cni/\(p)", X_OK) != 0 {
            print("SKIP \(name): /usr/lib/cni/\(p) is missing (apt-get install containernetworking-plugins)")
            throw XCTSkip("/usr/lib/cni/\(p) is missing (containernetworking-plugins)")
        }
        fake = NSTemporaryDirectory() + "cnibench-kt-hcn-\(getpid())"
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
    }

    override func tearDown() {
        super.tearDown()
        if let fake { try? FileManager.default.removeItem(atPath: fake) }
    }

    /// The root namespace as the tests see it, with the netfilter state the plugins could touch.
    private struct Root: Equatable {
        var snapshot = RootNamespaceSnapshot.take()
        var nft = (try? ProgramRunner.capture(["nft", "list", "ruleset"]).output) ?? "?"
        var iptables = (try? ProgramRunner.capture(["iptables-save"]).output.split(separator: "\n").filter { !$0.hasPrefix("#") }) ?? []
        var cniNetworks = (try? FileManager.default.contentsOfDirectory(atPath: "/var/lib/cni/networks")) ?? []
    }

    private func iptables(_ ns: String) throws -> String {
        try ProgramRunner.capture(["ip", "netns", "exec", ns, "iptables-save"]).output
    }

    /// Up, full verify, a cross-node ping, host-local's allocations inside the run's state
    /// directory; down leaves no namespace, state or root change.
    private func wireAndRemove(_ s: TopologySpec, afterUp: (Plan) throws -> Void = { _ in }) throws {
        let root = Root()
        let r = try up(s)
        let report = Verifier(plan: r.plan).run()
        XCTAssertTrue(report.passed, report.render())
        let pods = r.plan.addressing.allPods
        XCTAssertTrue(try ping(from: pods[0].namespace, pods.last!.ip), "pod to pod across nodes")
        let state = RunState(run: r.plan.spec.name)
        let ipam = state.directory + "/cni/ipam"
        let leases = FileManager.default.enumerator(atPath: ipam)?.allObjects as? [String] ?? []
        for p in pods { XCTAssertTrue(leases.contains { $0.hasSuffix("/\(p.ip)") }, "host-local's lease of \(p.ip) in \(ipam): \(leases)") }
        try afterUp(r.plan)
        XCTAssertEqual(Teardown(state: state).run(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.directory), "IPAM state removed with the run")
        XCTAssertEqual(leftovers(of: s.name), [])
        XCTAssertEqual(Root(), root, "root namespace (links, addresses, routes, nft, iptables, /var/lib/cni) unchanged")
    }

    private func flannelSpec(_ run: String, _ mode: Mode) throws -> TopologySpec {
        var s = spec(try RunName(run), mode: mode, nodes: 2, pods: 2)
        s.cni = try FlannelDelegate.settings(mode: mode)
        return s
    }

    func testPodWiringCNIOnHostGW() throws { try wireAndRemove(try flannelSpec("hcnpw", .hostGW)) }
    func testPodWiringCNIOnFlannelUDP() throws { try wireAndRemove(try flannelSpec("hcnpu", .flannelUDP)) }

    /// bridge, then portmap with a mapping (its DNAT chains), then firewall (its FORWARD
    /// chains): the rules are in the node namespace while up and go with it. disableCheck:
    /// Debian's 1.1.1 portmap fails its own CHECK on an IPv4-only pod, looking for ip6tables
    /// chains it never made (containernetworking/plugins issue 819).
    func testPortmapAndFirewallRulesStayInTheNodeAndGoWithIt() throws {
        let text = """
            {"cniVersion":"1.0.0","name":"pmfw","disableCheck":true,"plugins":[
             {"type":"bridge","bridge":"cni0","mtu":{{.PodMTU}},"isGateway":true,"isDefaultGateway":true,"hairpinMode":true,
              "ipam":{"type":"host-local","ranges":[[{"subnet":"{{.NodeSubnet}}"}]]}},
             {"type":"portmap","capabilities":{"portMappings":true},
              "runtimeConfig":{"portMappings":[{"hostPort":18080,"containerPort":80,"protocol":"tcp"}]}},
             {"type":"firewall","backend":"iptables"}]}
            """
        var s = spec(try RunName("hcnpf"), mode: .hostGW, nodes: 2, pods: 2)
        s.cni = CNISettings(source: "portmap+firewall", text: text, timeoutSeconds: 20)
        try wireAndRemove(s) { plan in
            let rules = try self.iptables(plan.addressing.nodes[0].namespace)
            XCTAssertTrue(rules.contains("CNI-HOSTPORT-DNAT") && rules.contains("--dport 18080"), "portmap's DNAT:\n\(rules)")
            XCTAssertTrue(rules.contains("CNI-FORWARD"), "firewall's chain:\n\(rules)")
        }
    }

    /// A plugin whose DEL fails: down names it and still removes everything.
    func testFailingDELIsReportedAndNothingIsLeft() throws {
        let root = Root()
        try
            ("#!/bin/sh\n" + """
                in=$(cat)
                if [ "$CNI_COMMAND" = DEL ]; then echo '{"cniVersion":"1.0.0","code":11,"msg":"cannot let go"}'; exit 1; fi
                printf '%s' "$in" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["prevResult"]))'
                """).write(toFile: "\(fake!)/delfail", atomically: true, encoding: .utf8)
        chmod("\(fake!)/delfail", 0o755)
        let conflist = "\(fake!)/delfail.conflist"
        try FlannelDelegate.conflist.replacingOccurrences(
            of: "      }\n    }\n  ]", with: "      }\n    },\n    {\"type\": \"delfail\"}\n  ]"
        )
        .write(toFile: conflist, atomically: true, encoding: .utf8)
        let (u, uo) = try cli(["up", "--name", "hcndf", "--mode", "host-gw", "--cni", conflist, "--cni-path", "/usr/lib/cni:\(fake!)"])
        runsToClean.append(try RunName("hcndf"))
        XCTAssertEqual(u, 0, uo)
        let (d, out) = try cli(["down", "--name", "hcndf"])
        XCTAssertEqual(d, 0, out)
        XCTAssertTrue(out.contains("delfail") && out.contains("cannot let go"), out)
        XCTAssertEqual(leftovers(of: try RunName("hcndf")), [])
        XCTAssertEqual(Root(), root)
    }

    /// The conformance command: both wirings built, compared, removed; every difference decided.
    func testConformanceCommand() throws {
        let root = Root()
        let out = fake + "/conf.md"
        let (code, text) = try cli(["conformance", "--mode", "host-gw", "--name", "hcncf", "--out", out])
        XCTAssertEqual(code, 0, text)
        XCTAssertTrue(text.contains("0 undecided"), text)
        let md = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(md.contains("| node1 pod1.1-host-veth port hairpin | `1` |"), "hairpin agrees:\n\(md.prefix(3000))")
        XCTAssertTrue(md.contains("| pod1.1 sysctl net.ipv6.conf.eth0.accept_dad | `0` |"), "adopted accept_dad agrees")
        XCTAssertTrue(md.contains("| node1 cni0 mac | `own, not a port's` |"), "adopted: cni0 keeps a MAC of its own in both")
        XCTAssertTrue(md.contains("| pod1.1 eth0 ipv4 | `10.244.0.2/24 brd 10.244.0.255 scope global` |"), "adopted broadcast agrees")
        for r in ["hcncf-b", "hcncf-c"] { XCTAssertEqual(leftovers(of: try RunName(r)), []) }
        XCTAssertEqual(Root(), root)
    }

    /// --pod-wiring on the command line: refused where it has no meaning, naming the option.
    func testPodWiringRefusals() throws {
        let (c1, o1) = try cli(["plan", "--mode", "calico-bgp", "--pod-wiring", "cni"])
        XCTAssertNotEqual(c1, 0)
        XCTAssertTrue(o1.contains("--pod-wiring cni") && o1.contains("calico-bgp"), o1)
        let (c2, o2) = try cli(["plan", "--mode", "host-gw", "--pod-wiring", "cni", "--cni", "/dev/null"])
        XCTAssertNotEqual(c2, 0)
        XCTAssertTrue(o2.contains("not both"), o2)
        let (c3, o3) = try cli(["plan", "--mode", "flannel-udp", "--pod-wiring", "cni"])
        XCTAssertEqual(c3, 0, o3)
        XCTAssertTrue(o3.contains("CNI_COMMAND=ADD") && o3.contains("\"hairpinMode\":true"), o3)
    }
}
