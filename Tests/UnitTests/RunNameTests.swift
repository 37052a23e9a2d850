import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Netlink

/// Run names are the only way a user's text reaches a path cnibench removes: every refusal here
/// stands between `clean --name ../../etc` and the machine's /etc.
final class RunNameTests: XCTestCase {
    func testValidNames() throws {
        for n in ["a", "cnb", "lab-2", "0x", "a1-b2-c3", String(repeating: "z", count: RunName.maxLength)] {
            XCTAssertEqual(try RunName(n).value, n)
        }
    }

    func testInvalidNamesSayWhy() {
        let cases: [(String, String)] = [
            ("", "empty"), ("../../etc", "'.'"), ("..", "'.'"), (".", "'.'"), ("a/b", "'/'"), ("/etc", "'/'"),
            ("a b", "space"), ("a\tb", "control"), ("a\u{1}", "control"), ("Lab", "upper-case"), ("-a", "starts or ends"),
            ("a-", "starts or ends"), ("a_b", "'_'"), ("é", "contains"), (String(repeating: "a", count: RunName.maxLength + 1), "at most")
        ]
        for (text, why) in cases {
            XCTAssertThrowsError(try RunName(text), text) { e in
                let d = "\(e)"
                XCTAssertTrue(d.contains(why), "\(text.debugDescription): \(d)")
                XCTAssertTrue(d.contains(RunName.rule), "the message says what is valid: \(d)")
            }
        }
    }

    func testLongValuesAreTruncatedInMessages() {
        let huge = String(repeating: "x/", count: 5_000_000)
        XCTAssertThrowsError(try RunName(huge)) { e in
            XCTAssertLessThan("\(e)".utf8.count, 400)
            XCTAssertTrue("\(e)".contains("10000000 bytes"), "\(e)")
        }
    }

    func testStoredNamesAreValidatedWhenDecoded() throws {
        let dec = JSONDecoder()
        XCTAssertEqual(try dec.decode([RunName].self, from: Data(#"["lab"]"#.utf8)), ["lab"])
        XCTAssertThrowsError(try dec.decode([RunName].self, from: Data(#"["../../etc"]"#.utf8)))
        // A run.json edited by hand cannot carry a path into down/clean.
        XCTAssertThrowsError(
            try dec.decode(
                TopologySpec.self,
                from: Data(
                    #"{"name":"../x","mode":"none","underlay":"l2","podsPerNode":[1],"mtu":1500,"force":false,"routing":"static","bgp":"mesh","routeReflectors":2,"bgpGateway":false,"bgpTimers":"calico"}"#
                        .utf8)))
    }

    func testDerivedNamesAreValidatedToo() throws {
        XCTAssertEqual(try RunName("cnbb").appending("-host-gw-l2").value, "cnbb-host-gw-l2")
        XCTAssertThrowsError(try RunName(String(repeating: "a", count: 30)).appending("-none-l2"))
        XCTAssertThrowsError(try RunName("a").appending("/../x"))
    }

    /// No two runs can derive the same namespace name (ownership would be ambiguous).
    func testNoRunDerivesAnotherRunsNamespace() throws {
        let names: [RunName] = ["pa", "pa-node1", "pa-node1-pod1", "pa-switch", "pa-node12", "pa-node1-pod", "pa-probe"]
        var owner: [String: RunName] = [:]
        for run in names {
            var derived = [Names.underlaySwitch(run), Names.underlayRouter(run), Names.probe(run)]
            for i in 1...12 {
                derived.append(Names.node(run, i))
                for j in 1...3 { derived.append(Names.pod(run, node: i, j)) }
            }
            for n in derived {
                if let other = owner[n], other != run { XCTFail("\(n) derived by both \(other) and \(run)") }
                owner[n] = run
            }
        }
    }
}

/// Containment: the check every removal goes through, exercised on canary directories under a
/// temporary directory (never a real system path).
final class ContainmentTests: XCTestCase {
    var top = ""
    var root: String { "\(top)/state" }
    var canary: String { "\(top)/canary" }

    override func setUpWithError() throws {
        top = FileManager.default.temporaryDirectory.appendingPathComponent("cnb-contain-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: "\(root)/run1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: canary, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(canary)/keep", contents: Data("keep".utf8))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: top)
    }

    private func canaryIntact(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(canary)/keep"), "canary removed", file: file, line: line)
    }

    func testPathsThatLeaveTheRootAreRefused() throws {
        try FileManager.default.createSymbolicLink(atPath: "\(root)/evil", withDestinationPath: canary)
        for p in ["\(root)/../canary", "\(root)/evil/keep", "\(root)/run1/../../canary", root, "\(root)/.", "\(root)/..", "/etc"] {
            XCTAssertThrowsError(try Containment.check(p, inside: root), p) { e in
                XCTAssertTrue("\(e)".contains("refusing"), "\(e)")
            }
            XCTAssertThrowsError(try Containment.remove(p, inside: root), p)
        }
        canaryIntact()
    }

    func testRemovingASymlinkRemovesTheLinkOnly() throws {
        try FileManager.default.createSymbolicLink(atPath: "\(root)/evil", withDestinationPath: canary)
        try Containment.remove("\(root)/evil", inside: root)
        XCTAssertNil(FileSystem.kind(of: "\(root)/evil"))
        canaryIntact()
    }

    func testInsideIsRemoved() throws {
        FileManager.default.createFile(atPath: "\(root)/run1/ledger", contents: Data())
        try Containment.remove("\(root)/run1", inside: root)
        XCTAssertNil(FileSystem.kind(of: "\(root)/run1"))
        XCTAssertNoThrow(try Containment.remove("\(root)/gone", inside: root), "already gone is not an error")
    }

    /// RunState through the same gate: a state directory replaced by a symlink to the canary is
    /// not a run, and removing it never reaches the canary.
    func testRunStateIgnoresPlantedSymlinksAndStrayEntries() throws {
        setenv("CNIBENCH_STATE_DIR", root, 1)
        defer { unsetenv("CNIBENCH_STATE_DIR") }
        try FileManager.default.createSymbolicLink(atPath: "\(root)/planted", withDestinationPath: canary)
        try FileManager.default.createDirectory(atPath: "\(root)/Not A Run", withIntermediateDirectories: true)
        XCTAssertEqual(RunState.allRuns(), ["run1"])
        XCTAssertEqual(RunState.strayEntries(), ["Not A Run", "planted"])
        let planted = RunState(run: "planted")
        XCTAssertFalse(planted.exists)
        try planted.remove()
        canaryIntact()
        XCTAssertTrue(RunState.noSuchRun("ghost").contains("runs present: run1"))
    }
}
