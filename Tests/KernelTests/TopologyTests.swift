import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import NetAddress
@testable import Netlink
@testable import ProcessKit

final class TopologyTests: KernelTestCase {
    func testL2TopologyMatchesPlanInNetlinkDumps() throws {
        let root = RootNamespaceSnapshot.take()
        let r = try up(spec("ktl2"))
        XCTAssertEqual(StateChecker(plan: r.plan).missingObjects(), [])

        let sw = try NetlinkHandle(NetworkNamespace.open("ktl2-switch"))
        let links = try sw.links()
        let br0 = try XCTUnwrap(links.first { $0.name == "br0" })
        XCTAssertEqual(br0.kind, "bridge")
        XCTAssertEqual(Set(links.filter { $0.master == br0.index }.map(\.name)), ["node1", "node2"])

        let node = try NetlinkHandle(NetworkNamespace.open("ktl2-node1"))
        XCTAssertTrue(try node.addresses().contains(AddressInfo(device: "eth0", prefix: IPv4Prefix("192.168.1.11/24")!)))
        XCTAssertTrue(try node.routes().contains { $0.destination.length == 0 && $0.gateway == IPv4Address("192.168.1.1") })
        XCTAssertEqual(try NetworkNamespace.open("ktl2-node1").sysctlRead("net.ipv4.ip_forward"), "1")

        // Same-node pod to pod through cni0, and node to node over the switch.
        XCTAssertTrue(try ping(from: "ktl2-node1-pod1", IPv4Address("10.244.0.3")!))
        XCTAssertTrue(try ping(from: "ktl2-node1", IPv4Address("192.168.1.12")!))
        XCTAssertEqual(RootNamespaceSnapshot.take(), root, "the root namespace must not change")
    }

    func testL3NodesPingAcrossTheRouter() throws {
        let r = try up(spec("ktl3", underlay: .l3, nodes: 3, pods: 1))
        XCTAssertEqual(StateChecker(plan: r.plan).missingObjects(), [])
        let router = try NetlinkHandle(NetworkNamespace.open("ktl3-router"))
        XCTAssertEqual(
            Set(try router.addresses().filter { $0.device != "lo" }.map(\.prefix.description)),
            ["192.168.1.1/24", "192.168.2.1/24", "192.168.3.1/24"])
        XCTAssertTrue(try ping(from: "ktl3-node1", IPv4Address("192.168.3.2")!))
        XCTAssertTrue(try ping(from: "ktl3-node3", IPv4Address("192.168.2.2")!))
    }

    func testDumpsSpanningSeveralNetlinkMessagesAreRead() throws {
        // 12 bridge ports per node: the AF_BRIDGE dump no longer fits one small datagram.
        let r = try up(spec("ktbig", nodes: 2, pods: 12))
        XCTAssertEqual(StateChecker(plan: r.plan).missingObjects(), [])
        let node = try NetlinkHandle(NetworkNamespace.open("ktbig-node1"))
        for pod in r.plan.addressing.nodes[0].pods { XCTAssertTrue(try node.bridgePortHairpin(pod.hostVeth), pod.hostVeth) }
    }

    func testDownRemovesEverythingIncludingProcesses() throws {
        try up(spec("ktdown"))
        // A process started inside a pod by someone else must not keep the namespace alive.
        let pid = try NetworkNamespace.open("ktdown-node1-pod1").spawn(["sleep", "300"])
        XCTAssertTrue(Processes.isAlive(pid))
        XCTAssertEqual(Teardown(state: RunState(run: "ktdown")).run(), [])
        XCTAssertEqual(leftovers(of: "ktdown"), [])
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        XCTAssertFalse(Processes.isAlive(pid) && !Processes.isZombie(pid), "sleep inside the pod survived down")
    }

    func testTwoRunsCoexistAndDownOneKeepsTheOther() throws {
        let a = try up(spec("kta", mode: .hostGW))
        let b = try up(spec("ktb", mode: .hostGW))
        XCTAssertEqual(StateChecker(plan: a.plan).missingObjects(), [])
        XCTAssertEqual(StateChecker(plan: b.plan).missingObjects(), [])
        XCTAssertEqual(Teardown(state: RunState(run: "kta")).run(), [])
        XCTAssertEqual(StateChecker(plan: b.plan).missingObjects(), [], "removing kta touched ktb")
        XCTAssertTrue(try ping(from: "ktb-node1-pod1", IPv4Address("10.244.1.2")!))
    }

    func testExistingRunNameIsRefusedAndTouchesNothing() throws {
        let r = try up(spec("ktdup"))
        XCTAssertThrowsError(try RunBuilder(spec: spec("ktdup")).up()) { e in
            XCTAssertTrue("\(e)".contains("already exists"), "\(e)")
        }
        XCTAssertEqual(StateChecker(plan: r.plan).missingObjects(), [], "the refused up damaged the existing run")
    }

    func testInvalidSpecCreatesNothing() throws {
        var s = spec("ktbad", mode: .hostGW, underlay: .l3)
        XCTAssertThrowsError(try RunBuilder(spec: s).up()) { e in
            XCTAssertEqual((e as? SpecError)?.field, "mode")
        }
        s = spec("ktbad", pods: 300)
        XCTAssertThrowsError(try RunBuilder(spec: s).up())
        XCTAssertEqual(leftovers(of: "ktbad"), [])
    }

    func testFailurePartWayRollsBackAndNamesTheStep() throws {
        // A plan whose last step the kernel refuses: a gateway that is not on-link.
        var plan = try Planner(spec: spec("ktfail")).plan()
        plan.steps.append(
            .routeAdd(
                ns: "ktfail-node1",
                route: PlannedRoute(
                    destination: IPv4Prefix("10.244.9.0/24")!,
                    gateway: IPv4Address("172.31.0.1")!, device: "eth0")))
        let state = RunState(run: "ktfail")
        runsToClean.append("ktfail")
        try state.create(RunRecord(spec: plan.spec, ipip: nil, createdAt: Date(), cnibenchVersion: "test"))
        XCTAssertThrowsError(try Applier(plan: plan, state: state).apply()) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("step \(plan.steps.count)/\(plan.steps.count)"), text)
            XCTAssertTrue(
                text.contains("route add 10.244.9.0/24 via 172.31.0.1 dev eth0 in ktfail-node1: Network is unreachable (ENETUNREACH)"), text
            )
        }
        XCTAssertEqual(leftovers(of: "ktfail"), [], "rollback left objects")
    }

    func testPlannedNamespaceTakenIsRefused() throws {
        // Occupy a namespace name the plan will need: up must refuse before creating anything,
        // and must not remove the namespace it did not create.
        let foreign = try NetworkNamespace.create("ktroll-node2-pod1")
        defer { try? NetworkNamespace.delete(foreign.name) }
        XCTAssertThrowsError(try RunBuilder(spec: spec("ktroll")).up()) { e in
            XCTAssertTrue("\(e)".contains("already exists") || "\(e)".contains("File exists"), "\(e)")
        }
        XCTAssertEqual(leftovers(of: "ktroll").filter { $0 != "netns ktroll-node2-pod1" }, [])
        XCTAssertTrue(NetworkNamespace.list().contains("ktroll-node2-pod1"))
    }

    func testSigkillDuringUpThenCleanLeavesNothing() throws {
        let binary = cnibenchBinary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("cnibench binary not built at \(binary)")
        }
        runsToClean.append("ktkill")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["up", "--name", "ktkill", "--nodes", "30", "--pods-per-node", "8", "--underlay", "l3", "--mode", "calico-vxlan"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Kill it once it has created some namespaces, before it can finish.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && NetworkNamespace.list().filter({ $0.hasPrefix("ktkill-") }).count < 20 { usleep(1000) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(RunState(run: "ktkill").isComplete, "up finished before the kill; the test proves nothing")
        XCTAssertGreaterThan(NetworkNamespace.list().filter { $0.hasPrefix("ktkill-") }.count, 0)

        let clean = Process()
        clean.executableURL = URL(fileURLWithPath: binary)
        // Only this run: a bare `clean` would also remove runs of anyone else on the machine.
        clean.arguments = ["clean", "--name", "ktkill"]
        clean.standardOutput = FileHandle.nullDevice
        try clean.run()
        clean.waitUntilExit()
        XCTAssertEqual(clean.terminationStatus, 0)
        XCTAssertEqual(leftovers(of: "ktkill"), [])
    }
}
