import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import CalicoBGP
@testable import ProcessKit
@testable import Results

/// Runs the built binary with standard error discarded: what a script piping stdout to jq sees.
func runCNIBenchStdout(_ args: [String]) throws -> (Int32, String) {
    let child = try ChildProcess.spawn([builtCNIBench] + args, stdout: .pipe, stderr: .discard)
    let out = child.readOutput()
    return (child.wait().status.shellCode, out)
}

/// Decodes one `--format json` document: checks `kind` and `schemaVersion`, then reads `T`.
func decodeCommandJSON<T: Decodable>(_ type: T.Type, kind: String, from text: String, file: StaticString = #filePath, line: UInt = #line)
    throws -> T
{
    let data = Data(text.utf8)
    let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(text)")
    XCTAssertEqual(object["kind"] as? String, "cnibench.\(kind)", file: file, line: line)
    XCTAssertEqual(object["schemaVersion"] as? Int, 1, file: file, line: line)
    return try ResultWriter.decoder().decode(T.self, from: data)
}

/// `--format json` without root, and the renamed options: the binary as a user runs it.
final class CommandJSONTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: builtCNIBench) else {
            print("SKIP \(name): \(builtCNIBench) not built (swift build --build-tests builds it)")
            throw XCTSkip("cnibench binary not built")
        }
    }

    /// The JSON plan is the plan the library makes for the same flags, and its steps' commands
    /// are the lines the text prints after its header, in the same order.
    func testPlanJSONHasTheStepsTheTextPrints() throws {
        let flags = ["--mode", "calico-ipip", "--routing", "bird", "--nodes", "3", "--pods-per-node", "2", "--name", "qbplan"]
        let (rc, out) = try runCNIBenchStdout(["plan"] + flags + ["--format", "json"])
        XCTAssertEqual(rc, 0, out)
        let doc = try decodeCommandJSON(PlanDocument.self, kind: "plan", from: out)
        var spec = TopologySpec()
        spec.name = "qbplan"
        spec.mode = .calicoIPIP
        spec.routing = .bird
        spec.podsPerNode = [2, 2, 2]
        let plan = try Planner(spec: spec, ipip: .tcBPF).plan()
        XCTAssertEqual(doc, PlanDocument(plan))
        XCTAssertEqual(doc.steps.map(\.step), plan.steps)
        XCTAssertEqual(doc.summary.steps, plan.steps.count)
        XCTAssertEqual(doc.summary.pods, 6)
        XCTAssertEqual(doc.ipip, .tcBPF)
        XCTAssertTrue(doc.steps.contains { if case .startProcess = $0.step { true } else { false } }, "bird-exec steps expected")

        let (trc, text) = try runCNIBenchStdout(["plan"] + flags)
        XCTAssertEqual(trc, 0, text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        let commands = doc.steps.flatMap(\.commands)
        XCTAssertEqual(Array(lines.suffix(commands.count)), commands)
        XCTAssertTrue(lines.contains("# \(doc.summary.namespaces) namespaces, \(doc.summary.steps) steps"), text)
    }

    /// Old and new spellings of a renamed option are the same option: the same value error,
    /// the same usage; both at once is refused; the old one is not in --help.
    func testRenamedOptionsParseUnderBothSpellings() throws {
        let pairs: [([String], String, String)] = [
            (["bench", "matrix"], "--rounds", "--repeats"),
            (["bench"], "--rounds", "--repeats"),
            (["bench", "pktgen"], "--duration", "--seconds")
        ]
        for (command, new, old) in pairs {
            let (rcNew, outNew) = try runCNIBench(command + [new, "0"])
            let (rcOld, outOld) = try runCNIBench(command + [old, "0"])
            XCTAssertEqual(rcNew, 64, outNew)
            XCTAssertEqual(rcOld, 64, outOld)
            XCTAssertEqual(outNew, outOld, "\(command) \(new) vs \(old)")
            XCTAssertTrue(
                outNew.contains("Error: \(new) 0") && outNew.contains("Usage: cnibench \(command.joined(separator: " "))"), outNew)
            let (rcBoth, outBoth) = try runCNIBench(command + [new, "1", old, "1"])
            XCTAssertEqual(rcBoth, 64, outBoth)
            XCTAssertTrue(outBoth.contains("\(new) and \(old) (its old spelling) both given"), outBoth)
            let (_, help) = try runCNIBench(command + ["--help"])
            XCTAssertTrue(help.contains(new + " "), help)
            XCTAssertFalse(help.contains(old + " "), "\(old) should be hidden: \(help)")
        }
        // compare: --baseline/--current as gate, --base/--head still read. A missing file is the
        // same error under both spellings (exit 2: unreadable result).
        let missing = "/nonexistent/qb-missing.json"
        let (rcNew, outNew) = try runCNIBench(["compare", "--baseline", missing, "--current", missing])
        let (rcOld, outOld) = try runCNIBench(["compare", "--base", missing, "--head", missing])
        XCTAssertEqual(rcNew, rcOld)
        XCTAssertEqual(outNew, outOld)
        XCTAssertTrue(outNew.contains(missing), outNew)
        let (rcHalf, outHalf) = try runCNIBench(["compare", "--baseline", missing])
        XCTAssertEqual(rcHalf, 64, outHalf)
        XCTAssertTrue(outHalf.contains("--baseline/--current"), outHalf)
    }

    /// An input error that only run() can find is printed with the subcommand's usage.
    func testInputErrorsFromRunShowTheSubcommandUsage() throws {
        let (rc, out) = try runCNIBench(["plan", "--mode", "host-gw", "--underlay", "l3"])
        XCTAssertEqual(rc, 64, out)
        XCTAssertTrue(out.contains("host-gw needs all nodes on one L2 segment"), out)
        XCTAssertTrue(out.contains("Usage: cnibench plan ") && out.contains("See 'cnibench plan --help'"), out)
    }
}

/// `list`, `caps`, `verify` and `status` in JSON on a small run built with `cnibench up`: each
/// decodes, and says what the text says.
final class CommandJSONRunTests: KernelTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        guard BirdLayout.binary != nil else {
            print("SKIP \(name): bird is not installed (apt-get install -y bird2)")
            throw XCTSkip("bird is not installed")
        }
        guard FileManager.default.isExecutableFile(atPath: builtCNIBench) else {
            print("SKIP \(name): \(builtCNIBench) not built (swift build --build-tests builds it)")
            throw XCTSkip("cnibench binary not built")
        }
    }

    private func words(_ line: Substring) -> [String] { line.split(separator: " ").map(String.init) }

    func testCapsJSONAgreesWithText() throws {
        let (rc, out) = try runCNIBenchStdout(["caps", "--format", "json"])
        XCTAssertEqual(rc, 0, out)
        let caps = try decodeCommandJSON(CapsReport.self, kind: "caps", from: out)
        XCTAssertEqual(caps.modes.map(\.mode), Mode.available.map(\.rawValue))
        XCTAssertTrue(caps.features.veth && caps.features.bridge, "\(caps)")
        let (trc, text) = try runCNIBenchStdout(["caps"])
        XCTAssertEqual(trc, 0, text)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(
            String(lines[0]),
            "kernel \(caps.kernelRelease): veth yes, bridge yes, vxlan \(caps.features.vxlan ? "yes" : "no"), ipip \(caps.features.ipip ? "yes" : "no"), tun \(caps.features.tun ? "yes" : "no"), br_netfilter \(caps.features.brNetfilter ? "yes" : "no")"
        )
        for m in caps.modes {
            let line = try XCTUnwrap(lines.first { words($0).first == m.mode }, text)
            XCTAssertEqual(words(line)[1].hasPrefix("ok"), m.available, "\(line) vs \(m)")
            if let reason = m.reason { XCTAssertTrue(line.hasSuffix(reason), "\(line) vs \(reason)") }
        }
    }

    func testListVerifyStatusJSONAgreeWithTextOnARun() throws {
        let run: RunName = "qbj1"
        runsToClean.append(run)
        let (urc, up) = try runCNIBench([
            "up", "--name", run.value, "--mode", "calico-bgp", "--routing", "bird", "--bgp-timers", "fast", "--nodes", "2",
            "--pods-per-node", "1"
        ])
        XCTAssertEqual(urc, 0, up)
        XCTAssertTrue(up.contains("BGP converged"), up)

        // list
        let (lrc, listJSON) = try runCNIBenchStdout(["list", "--format", "json"])
        XCTAssertEqual(lrc, 0, listJSON)
        let listing = try decodeCommandJSON(RunInspector.Listing.self, kind: "list", from: listJSON)
        let mine = try XCTUnwrap(listing.runs.first { $0.run == run.value }, listJSON)
        XCTAssertEqual(mine.condition, .ok, "\(mine)")
        XCTAssertEqual([mine.mode, mine.underlay], ["calico-bgp", "l2"])
        XCTAssertEqual([mine.nodes, mine.pods], [2, 2])
        XCTAssertEqual(mine.missing, [])
        let (_, listText) = try runCNIBenchStdout(["list"])
        let row = try XCTUnwrap(listText.split(separator: "\n").first { words($0).first == run.value }, listText)
        XCTAssertEqual(Array(words(row).prefix(6)), [run.value, "calico-bgp", "l2", "real", "2", "2"])
        XCTAssertTrue(row.hasSuffix(mine.status), "\(row) vs \(mine.status)")

        // status
        let (src, statusJSON) = try runCNIBenchStdout(["status", "--name", run.value, "--format", "json"])
        XCTAssertEqual(src, 0, statusJSON)
        let status = try decodeCommandJSON(BGPStatus.self, kind: "status", from: statusJSON)
        XCTAssertTrue(status.usesBird)
        XCTAssertEqual(status.converged, true, "\(status.problems ?? [])")
        let instances = try XCTUnwrap(status.instances)
        XCTAssertEqual(instances.map(\.label), ["node1", "node2"])
        let (_, statusText) = try runCNIBenchStdout(["status", "--name", run.value, "-v"])
        for i in instances {
            XCTAssertTrue(i.reachable, "\(i)")
            XCTAssertEqual(i.sessionsEstablished, i.sessionsConfigured, "\(i)")
            XCTAssertEqual(i.sessions.count, 1)
            let row = try XCTUnwrap(statusText.split(separator: "\n").first { words($0).first == i.label }, statusText)
            XCTAssertEqual(
                words(row),
                [
                    i.label, i.namespace, i.routerID, i.role, "\(i.sessionsEstablished ?? -1)/\(i.sessionsConfigured)",
                    "\(i.birdRoutes ?? -1)", "\(i.kernelRoutes ?? -1)"
                ])
            for s in i.sessions { XCTAssertTrue(statusText.contains(s.name), "-v lists \(s.name): \(statusText)") }
        }
        XCTAssertTrue(statusText.contains("converged: every kernel holds every block"), statusText)

        // verify, passing
        let (vrc, verifyJSON) = try runCNIBenchStdout(["verify", "--name", run.value, "--format", "json"])
        XCTAssertEqual(vrc, 0, verifyJSON)
        let passing = try decodeCommandJSON(VerifyDocument.self, kind: "verify", from: verifyJSON)
        XCTAssertTrue(passing.passed)
        XCTAssertEqual(passing.checks.map(\.name), VerifyCheck.Name.allCases)
        // Every check that applies ran and passed (netfilter real: conntrack too); ClusterIP and policy
        // deny are listed as skipped (nil) in a run without Services or NetworkPolicies.
        XCTAssertEqual(
            passing.checks.map(\.passed), passing.checks.map { [.clusterIP, .policyDeny].contains($0.name) ? nil : true })
        let (tvrc, verifyText) = try runCNIBenchStdout(["verify", "--name", run.value])
        XCTAssertEqual(tvrc, 0, verifyText)
        for c in passing.checks where c.passed != nil {
            XCTAssertTrue(verifyText.contains(c.name.label.padding(toLength: 14, withPad: " ", startingAt: 0) + "ok  "), verifyText)
        }

        // verify, failing: a pod loses its address. Exit 1 in JSON as in text, and the
        // problems name what is missing.
        let pod = "\(run)-node2-pod1"
        XCTAssertEqual(try self.run(in: pod, ["ip", "addr", "flush", "dev", "eth0"]), 0)
        let (frc, failJSON) = try runCNIBenchStdout(["verify", "--name", run.value, "--format", "json"])
        XCTAssertEqual(frc, 1, failJSON)
        let failing = try decodeCommandJSON(VerifyDocument.self, kind: "verify", from: failJSON)
        XCTAssertFalse(failing.passed)
        let state = try XCTUnwrap(failing.checks.first { $0.name == .state })
        XCTAssertEqual(state.passed, false)
        XCTAssertTrue(state.problems.contains { $0.contains(pod) }, "\(state.problems)")
        let connectivity = try XCTUnwrap(failing.checks.first { $0.name == .connectivity })
        XCTAssertEqual(connectivity.passed, false)
        XCTAssertFalse(connectivity.problems.isEmpty)
        let (ftrc, failText) = try runCNIBenchStdout(["verify", "--name", run.value])
        XCTAssertEqual(ftrc, 1, failText)
        for p in state.problems { XCTAssertTrue(failText.contains("    \(p)"), "text lacks \(p)") }
        for p in connectivity.problems.prefix(50) { XCTAssertTrue(failText.contains("    FAIL \(p)"), "text lacks \(p)") }
        XCTAssertTrue(failText.hasSuffix("result: FAIL\n"), failText)

        let (lrc2, listJSON2) = try runCNIBenchStdout(["list", "--format", "json"])
        XCTAssertEqual(lrc2, 0)
        let broken = try XCTUnwrap(
            try decodeCommandJSON(RunInspector.Listing.self, kind: "list", from: listJSON2).runs.first { $0.run == run.value })
        XCTAssertEqual(broken.condition, .missing)
        XCTAssertEqual(broken.missing, state.problems)
    }
}
