import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Netlink

/// A run owns exactly what its ledger records: never another run's namespaces that share its
/// name as a prefix, never a namespace somebody made with `ip netns add`.
final class OwnershipTests: KernelTestCase {
    var foreign: [String] = []

    override func tearDown() {
        for n in foreign { try? NetworkNamespace.delete(n) }
        super.tearDown()
    }

    /// A namespace created outside cnibench (as `ip netns add` would).
    private func makeForeign(_ name: String) throws {
        foreign.append(name)
        _ = try NetworkNamespace.create(name)
    }

    func testDownOfAPrefixRunLeavesTheLongerRunAndForeignNamespaces() throws {
        try up(spec("ktpa", nodes: 1, pods: 1))
        let other = try up(spec("ktpa-node1", nodes: 1, pods: 1))
        try makeForeign("ktpa-extra")
        XCTAssertEqual(Teardown(state: RunState(run: "ktpa")).run(), [])
        let present = Set(NetworkNamespace.list())
        XCTAssertTrue(present.contains("ktpa-extra"), "a foreign namespace with the run's prefix is not the run's")
        XCTAssertTrue(present.isSuperset(of: other.plan.namespaces), "run ktpa-node1 lost namespaces to down of ktpa")
        XCTAssertEqual(StateChecker(plan: other.plan).missingObjects(), [])
        XCTAssertFalse(present.contains("ktpa-node1-pod1"))
    }

    func testUpRefusesAForeignNamespaceItWouldCreate() throws {
        try makeForeign("ktfx-node1")
        XCTAssertThrowsError(try RunBuilder(spec: spec("ktfx", nodes: 1, pods: 1)).up()) { e in
            XCTAssertTrue("\(e)".contains("ktfx-node1") && "\(e)".contains("not part of any cnibench run"), "\(e)")
        }
        XCTAssertFalse(RunState(run: "ktfx").exists, "a refused up leaves no state")
        // And down does not take the foreign namespace for a run.
        let (rc, out) = try cli(["down", "--name", "ktfx"])
        XCTAssertNotEqual(rc, 0)
        XCTAssertTrue(out.contains("no run named 'ktfx'"), out)
        XCTAssertTrue(NetworkNamespace.list().contains("ktfx-node1"))
    }

    /// A ledger edited by hand (or damaged) naming a namespace the run could not have made:
    /// teardown reports it and leaves it, and keeps the state directory as evidence.
    func testTamperedLedgerCannotReachOtherNamespaces() throws {
        let r = try up(spec("ktld", nodes: 1, pods: 1))
        try makeForeign("ktzz-victim")
        let state = RunState(run: "ktld")
        try state.append(.namespace("ktzz-victim"))
        try state.append(.namespace("../../tmp"))
        try state.append(.file("/tmp/cnb-not-ours-\(getpid())"))
        FileManager.default.createFile(atPath: "/tmp/cnb-not-ours-\(getpid())", contents: Data())
        defer { try? FileManager.default.removeItem(atPath: "/tmp/cnb-not-ours-\(getpid())") }
        let problems = Teardown(state: state).run()
        XCTAssertTrue(problems.contains { $0.contains("ktzz-victim") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("../../tmp") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("cnb-not-ours") }, "\(problems)")
        XCTAssertTrue(NetworkNamespace.list().contains("ktzz-victim"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/tmp/cnb-not-ours-\(getpid())"))
        XCTAssertTrue(Set(NetworkNamespace.list()).isDisjoint(with: r.plan.namespaces), "the run's own namespaces are gone")
        XCTAssertTrue(state.exists, "state kept while problems remain")
        try Containment.remove(state.directory, inside: RunState.root)
    }

    /// A run whose ledger was lost: only what its stored spec derives, and exists, is removed.
    func testLostLedgerFallsBackToTheSpecsNamesOnly() throws {
        let r = try up(spec("ktll", nodes: 1, pods: 1))
        try makeForeign("ktll-extra")
        try FileManager.default.removeItem(atPath: "\(RunState(run: "ktll").directory)/ledger")
        XCTAssertEqual(Teardown(state: RunState(run: "ktll")).run(), [])
        XCTAssertTrue(Set(NetworkNamespace.list()).isDisjoint(with: r.plan.namespaces))
        XCTAssertTrue(NetworkNamespace.list().contains("ktll-extra"))
    }
}
