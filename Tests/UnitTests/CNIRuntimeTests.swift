import CNIRuntime
import Foundation
import XCTest
@testable import TopologyModel

/// The CNI runtime against fake plugins in our own namespace (no root): the environment and
/// stdin a plugin gets, result chaining, DEL order, and every way a plugin can fail.
final class CNIRuntimeTests: XCTestCase {
    private var dir: FakePluginDirectory!

    override func setUpWithError() throws { dir = try FakePluginDirectory() }
    override func tearDown() { dir = nil }

    private func attachment(_ types: [String], version: String = "1.0.0", timeout: Double = 10) -> CNIAttachment {
        let plugins = types.map { #"{"type":"\#($0)","flavour":"\#($0)-conf"}"# }.joined(separator: ",")
        return CNIAttachment(
            nodeNamespace: "t-node1", podNamespace: "t-node1-pod1", containerID: "t-node1-pod1", ifname: "eth0",
            conflist: #"{"cniVersion":"\#(version)","name":"testnet","plugins":[\#(plugins)]}"#,
            pluginPath: ["/nonexistent-cni-dir", dir.path], timeoutSeconds: timeout, ipamDataDir: nil)
    }

    private var runtime: CNIRuntime { CNIRuntime(host: .current, scratchDirectory: dir.path) }

    func testAddGivesTheSpecEnvironmentAndNetconfAndChainsResults() throws {
        try dir.addRecorder("first", address: "10.244.0.2/24")
        try dir.addRecorder("second", address: nil)
        let result = try runtime.add(attachment(["first", "second"]))
        XCTAssertEqual(result.addresses, ["10.244.0.2/24"], "the last plugin's result is the list's result")
        let env = Set(dir.read("first.ADD.env").split(separator: "\n").map(String.init))
        for want in [
            "CNI_COMMAND=ADD", "CNI_CONTAINERID=t-node1-pod1", "CNI_NETNS=/run/netns/t-node1-pod1", "CNI_IFNAME=eth0",
            "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=t-node1-pod1", "CNI_PATH=/nonexistent-cni-dir:\(dir.path)"
        ] {
            XCTAssertTrue(env.contains(want), "\(want) missing from \(env.sorted())")
        }
        XCTAssertFalse(env.contains { $0.hasPrefix("HOME=") }, "the plugin gets the CNI environment only")
        let first = dir.json("first.ADD.stdin")
        XCTAssertEqual(first["name"] as? String, "testnet")
        XCTAssertEqual(first["cniVersion"] as? String, "1.0.0")
        XCTAssertEqual(first["flavour"] as? String, "first-conf", "the plugin's own keys reach it")
        XCTAssertNil(first["prevResult"], "the first plugin has no previous result")
        let second = dir.json("second.ADD.stdin")
        let prev = second["prevResult"] as? [String: Any]
        XCTAssertEqual((prev?["ips"] as? [[String: Any]])?.first?["address"] as? String, "10.244.0.2/24")
    }

    func testDeleteRunsInReverseWithTheCachedResult() throws {
        try dir.addRecorder("first", address: "10.244.0.2/24")
        try dir.addRecorder("second", address: nil)
        var a = attachment(["first", "second"])
        a.result = String(decoding: try runtime.add(a).raw, as: UTF8.self)
        XCTAssertTrue(runtime.delete(a).isEmpty)
        try runtime.check(a)
        let order = dir.read("order").split(separator: "\n").map(String.init)
        XCTAssertEqual(order, ["first ADD", "second ADD", "second DEL", "first DEL", "first CHECK", "second CHECK"])
        let del = dir.json("first.DEL.stdin")["prevResult"] as? [String: Any]
        XCTAssertEqual((del?["ips"] as? [[String: Any]])?.first?["address"] as? String, "10.244.0.2/24", "DEL gets the cached result")
    }

    func testErrorObjectNamesThePluginCodeAndMessage() throws {
        try dir.add(
            "broken", #"cat >/dev/null; echo '{"cniVersion":"1.0.0","code":7,"msg":"no subnet","details":"ranges empty"}'; exit 1"#)
        XCTAssertThrowsError(try runtime.add(attachment(["broken"]))) { e in
            XCTAssertEqual((e as? CNIError)?.kind, .pluginError(code: 7, msg: "no subnet", details: "ranges empty"))
            XCTAssertEqual((e as? CNIError)?.plugin, "broken")
            XCTAssertTrue("\(e)".contains("'broken' (ADD) returned error 7 (invalid network config): no subnet"), "\(e)")
        }
    }

    func testFailureWithoutErrorObjectKeepsStderr() throws {
        try dir.add("crash", "cat >/dev/null; echo 'panic: nil map' >&2; exit 2")
        XCTAssertThrowsError(try runtime.add(attachment(["crash"]))) { e in
            guard case .failed = (e as? CNIError)?.kind else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("panic: nil map"), "\(e)")
        }
    }

    func testInvalidJSONIsRefused() throws {
        try dir.add("junk", "cat >/dev/null; echo 'this is not json'")
        XCTAssertThrowsError(try runtime.add(attachment(["junk"]))) { e in
            guard case .invalidOutput(let out, _) = (e as? CNIError)?.kind else { return XCTFail("\(e)") }
            XCTAssertTrue(out.contains("this is not json"))
        }
        try dir.add("silent", "cat >/dev/null")
        XCTAssertThrowsError(try runtime.add(attachment(["silent"])), "ADD must print a result") { e in
            guard case .invalidOutput = (e as? CNIError)?.kind else { return XCTFail("\(e)") }
        }
    }

    func testHangingPluginIsKilledAtTheTimeout() throws {
        try dir.add("hang", "exec sleep 30")
        let start = ContinuousClock.now
        XCTAssertThrowsError(try runtime.add(attachment(["hang"], timeout: 0.3))) { e in
            XCTAssertEqual((e as? CNIError)?.kind, .timedOut(seconds: 0.3))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20), "killed, not waited for")
    }

    func testMissingPluginNamesTheSearchPath() throws {
        XCTAssertThrowsError(try runtime.add(attachment(["nosuchplugin"]))) { e in
            XCTAssertEqual((e as? CNIError)?.kind, .pluginNotFound(searched: ["/nonexistent-cni-dir", dir.path]))
        }
    }

    func testDeleteKeepsGoingPastAFailingPlugin() throws {
        try dir.addRecorder("first", address: "10.244.0.2/24")
        try dir.add("broken", #"cat >/dev/null; echo '{"code":11,"msg":"busy"}'; exit 1"#)
        let failures = runtime.delete(attachment(["first", "broken"]))
        XCTAssertEqual(failures.count, 1)
        XCTAssertEqual(dir.read("order"), "first DEL\n", "the plugin before the failing one is still deleted")
    }

    func testStatusAsksOnlyPluginsThatSpeak11() throws {
        try dir.add(
            "modern",
            #"cat >/dev/null; [ "$CNI_COMMAND" = VERSION ] && echo '{"cniVersion":"1.1.0","supportedVersions":["1.0.0","1.1.0"]}'; echo "$CNI_COMMAND" >> \#(dir.path)/status; exit 0"#
        )
        XCTAssertEqual(try runtime.status(attachment(["modern"], version: "1.1.0")), ["modern"])
        XCTAssertEqual(dir.read("status"), "VERSION\nSTATUS\n")
        XCTAssertEqual(try runtime.status(attachment(["modern"], version: "1.0.0")), [], "1.0.0 has no STATUS")
    }
}
