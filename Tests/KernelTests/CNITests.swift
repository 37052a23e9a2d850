import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import NetAddress
@testable import Netlink

/// Pods wired by real CNI plugins (Debian's containernetworking-plugins) on a host-gw
/// datapath, and conflists that fail in every way a plugin can: each leaves nothing behind
/// (KernelTestCase.tearDown) and the root namespace untouched.
final class CNITests: KernelTestCase {
    private var fake: String!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard access("/usr/lib/cni/bridge", X_OK) == 0 else {
            print("SKIP \(name): /usr/lib/cni/bridge is missing (apt-get install containernetworking-plugins)")
            throw XCTSkip("/usr/lib/cni/bridge is missing (containernetworking-plugins)")
        }
        fake = NSTemporaryDirectory() + "cnibench-kt-cni-\(getpid())"
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
    }

    override func tearDown() {
        super.tearDown()
        if let fake { try? FileManager.default.removeItem(atPath: fake) }
    }

    /// The repository's examples/cni/ directory.
    private var examples: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/cni").path
    }

    private func cniSpec(_ run: String, conflist text: String, source: String = "test", mode: Mode = .hostGW, nodes: Int = 2) throws
        -> TopologySpec
    {
        var s = spec(try RunName(run), mode: mode, nodes: nodes, pods: 2)
        s.cni = CNISettings(source: source, text: text, pluginPath: ["/usr/lib/cni", fake], timeoutSeconds: 3)
        return s
    }

    private func example(_ name: String) throws -> String {
        try String(contentsOfFile: "\(examples)/\(name)", encoding: .utf8)
    }

    private func plugin(_ name: String, _ script: String) throws {
        try ("#!/bin/sh\n" + script).write(toFile: "\(fake!)/\(name)", atomically: true, encoding: .utf8)
        chmod("\(fake!)/\(name)", 0o755)
    }

    /// Up with the conflist, full verify (state incl. CNI CHECK, connectivity, MTU, wire),
    /// cross-node ping, cached results in the run's cni/ directory; down removes all of it.
    private func wire(
        _ run: String, _ file: String, mode: Mode = .hostGW, nodes: Int = 2, afterUp: (Plan) throws -> Void = { _ in }
    ) throws {
        let root = RootNamespaceSnapshot.take()
        // A recording plugin chained after the real ones proves the DEL on down, in reverse.
        try plugin(
            "recorder",
            """
            in=$(cat)
            echo "$CNI_COMMAND $CNI_CONTAINERID" >> \(fake!)/order
            [ "$CNI_COMMAND" = ADD ] && printf '%s' "$in" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["prevResult"]))'
            exit 0
            """)
        var text = try example(file)
        text = text.replacingOccurrences(of: "  ]\n}", with: "  ,{\"type\": \"recorder\"}]\n}")
        let r = try up(try cniSpec(run, conflist: text, source: file, mode: mode, nodes: nodes))
        try afterUp(r.plan)
        let report = Verifier(plan: r.plan).run()
        XCTAssertTrue(report.passed, "\(file):\n\(report.render())")
        let pods = r.plan.addressing.allPods
        XCTAssertTrue(try ping(from: pods[0].namespace, pods.last!.ip), "\(file): pod to pod (across nodes with two)")
        let state = RunState(run: r.plan.spec.name)
        let cached = state.entries().compactMap { if case .cniAttachment(let p) = $0 { p } else { nil } }
        XCTAssertEqual(cached.count, pods.count, "one cached ADD per pod")
        XCTAssertTrue(cached.allSatisfy { $0.hasPrefix(state.directory + "/cni/") && FileManager.default.fileExists(atPath: $0) })
        XCTAssertEqual(Teardown(state: state).run(), [])
        let order = (try? String(contentsOfFile: "\(fake!)/order", encoding: .utf8)) ?? ""
        XCTAssertEqual(
            order.split(separator: "\n").filter { $0.hasPrefix("DEL") }.map(String.init),
            pods.reversed().map { "DEL \($0.namespace)" }, "down DELs every ADD, newest first")
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.directory), "no cached results left")
        XCTAssertEqual(RootNamespaceSnapshot.take(), root, "plugins left the root namespace alone")
    }

    func testBridgeHostLocalOnHostGW() throws { try wire("qnbr", "bridge.conflist") }
    func testPTPHostLocalOnHostGW() throws { try wire("qnptp", "ptp.conflist") }
    func testBridgeBandwidthChain() throws {
        try wire("qnbw", "bridge-bandwidth.conflist") { plan in
            // bandwidth, working from bridge's prevResult, shaped each pod's host veth (and an ifb device for egress).
            let tc = try ProgramRunner.capture(["ip", "netns", "exec", plan.addressing.nodes[0].namespace, "tc", "qdisc", "show"])
            XCTAssertEqual(
                tc.output.split(separator: "\n").filter { $0.contains("tbf") && $0.contains("dev veth") && $0.contains("rate 100Mbit") }
                    .count, 2, tc.output)
        }
    }

    func testSingleNodeNone() throws { try wire("qnone", "bridge.conflist", mode: .none, nodes: 1) }
    func testBridgeOnFlannelVXLAN() throws { try wire("qnvx", "bridge.conflist", mode: .flannelVXLAN) }

    /// A conflist that fails at ADD: a clear error naming the plugin, the run rolled back.
    private func refused(_ run: String, plugin type: String, says: String) throws {
        let root = RootNamespaceSnapshot.take()
        var text = try example("bridge.conflist")
        text = text.replacingOccurrences(of: "  ]\n}", with: "  ,{\"type\": \"\(type)\"}]\n}")
        XCTAssertThrowsError(try up(try cniSpec(run, conflist: text))) { e in
            XCTAssertTrue("\(e)".contains("CNI plugin '\(type)' (ADD)") && "\(e)".contains(says), "\(e)")
        }
        XCTAssertEqual(leftovers(of: try RunName(run)), [], "rolled back")
        XCTAssertEqual(RootNamespaceSnapshot.take(), root)
    }

    func testMissingPlugin() throws { try refused("qnmiss", plugin: "nosuchplugin", says: "no executable 'nosuchplugin' in CNI_PATH") }

    func testPluginErrorObject() throws {
        try plugin("refuser", #"cat >/dev/null; echo '{"cniVersion":"1.0.0","code":7,"msg":"no subnet configured"}'; exit 1"#)
        try refused("qnerr", plugin: "refuser", says: "returned error 7 (invalid network config): no subnet configured")
    }

    func testHangingPluginTimesOut() throws {
        try plugin("sleeper", "exec sleep 60")
        try refused("qnhang", plugin: "sleeper", says: "did not finish within 3.0 s and was killed")
    }

    func testInvalidJSON() throws {
        try plugin("garbler", "cat >/dev/null; echo 'not json at all'")
        try refused("qnjunk", plugin: "garbler", says: "not a JSON object: 'not json at all")
    }

    func testUnsupportedVersionIsRefusedBeforeAnythingExists() throws {
        let text = try example("bridge.conflist").replacingOccurrences(of: "1.0.0", with: "0.4.0")
        XCTAssertThrowsError(try up(try cniSpec("qnver", conflist: text))) { e in
            XCTAssertEqual((e as? SpecError)?.field, "cni")
            XCTAssertTrue("\(e)".contains("cniVersion \"0.4.0\""), "\(e)")
        }
        XCTAssertEqual(leftovers(of: try RunName("qnver")), [])
    }

    /// The CLI path: --cni and --cni-path on up, down with the DEL.
    func testCommandLine() throws {
        let (upCode, upOut) = try cli(["up", "--name", "qncli", "--mode", "host-gw", "--cni", "\(examples)/bridge.conflist"])
        runsToClean.append(try RunName("qncli"))
        XCTAssertEqual(upCode, 0, upOut)
        let (vCode, vOut) = try cli(["verify", "--name", "qncli"])
        XCTAssertEqual(vCode, 0, vOut)
        let (dCode, dOut) = try cli(["down", "--name", "qncli"])
        XCTAssertEqual(dCode, 0, dOut)
    }
}
