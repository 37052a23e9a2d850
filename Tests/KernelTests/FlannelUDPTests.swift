import CNIPacket
import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import NetAddress
@testable import Netlink
@testable import Agents

/// Mode flannel-udp: persistent TUN flannel0 + the cnibench daemon per node. `up` runs through
/// the built cnibench binary, because the daemons are "cnibench flannel-udp-daemon …" (argv[0]
/// "cnibench" resolves to the running executable, which inside XCTest is the test bundle).
final class FlannelUDPTests: KernelTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.fileExists(atPath: "/dev/net/tun") else {
            print("SKIP \(name): no /dev/net/tun (TUN driver)")
            throw XCTSkip("no /dev/net/tun")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            print("SKIP \(name): \(cnibenchBinary) not built (swift build --build-tests builds it)")
            throw XCTSkip("cnibench binary not built")
        }
    }

    private func daemons(_ run: RunName) -> [(pid: Int32, start: UInt64, command: String)] {
        RunState(run: run).entries().compactMap {
            if case .process(let pid, let st, let cmd) = $0, cmd.hasSuffix(" flannel-udp") { (pid, st, cmd) } else { nil }
        }
    }

    private func check(
        _ underlay: Underlay, implementation: FlannelUDPImplementation = .flanneld, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let run = try RunName("ktfu\(underlay.rawValue)\(implementation == .batched ? "b" : "")")
        runsToClean.append(run)
        let (rc, out) = try cli([
            "up", "--name", run.value, "--mode", "flannel-udp", "--underlay", underlay.rawValue,
            "--nodes", "2", "--pods-per-node", "2", "--flannel-udp-impl", implementation.rawValue
        ])
        XCTAssertEqual(rc, 0, out, file: file, line: line)
        // The daemons say which implementation they run (first line of their logs).
        let logs =
            (try? FileManager.default.contentsOfDirectory(atPath: RunState(run: run).directory))?.filter { $0.hasSuffix("flannel-udp.log") }
            ?? []
        XCTAssertEqual(logs.count, 2, file: file, line: line)
        for l in logs {
            // `up` returns once the daemons are spawned; give each a moment to log its start.
            var text = ""
            for _ in 0..<50 where !text.contains("flannel-udp-daemon (") {
                text = (try? String(contentsOfFile: "\(RunState(run: run).directory)/\(l)", encoding: .utf8)) ?? ""
                if !text.contains("flannel-udp-daemon (") { usleep(100_000) }
            }
            XCTAssertTrue(text.contains("flannel-udp-daemon (\(implementation.rawValue))"), text, file: file, line: line)
        }
        let record = try RunState(run: run).record()
        let plan = try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
        XCTAssertEqual(plan.podMTU, 1472, file: file, line: line)

        // One daemon per node, recorded with its start time and alive.
        let d = daemons(run)
        XCTAssertEqual(d.map(\.command).sorted(), ["\(run)-node1 flannel-udp", "\(run)-node2 flannel-udp"], file: file, line: line)
        for p in d { XCTAssertEqual(Processes.startTime(p.pid), p.start, "daemon \(p.command) alive", file: file, line: line) }

        // State (TUN flannel0 kind tun, MTU 1472, /32 address, the /16 route, daemons running),
        // connectivity, path MTU 1472, and on the wire UDP 8285 between the node IPs.
        let report = Verifier(plan: plan).run()
        XCTAssertTrue(report.passed, report.render(), file: file, line: line)
        XCTAssertEqual(report.encapsulation?.expected, .udp(port: 8285), file: file, line: line)
        XCTAssertEqual(report.pathMTU?.podMTU, 1472, file: file, line: line)

        // TTL: pod → node1 (forward, −1) → daemon (−1) → daemon (−1) → node2 (forward, −1) → pod,
        // so a reply from 64 arrives with 60, as through flanneld.
        let pods = plan.addressing.allPods
        let ns = try NetworkNamespace.open(pods[0].namespace)
        func pingRemote() -> PingOutcome {
            PingRunner.run(
                [PingJob(namespace: ns, arguments: ["-c", "1", "-W", "1", pods[2].ip.description], keepOutput: true)],
                parallelism: 1)[0]
        }
        var r = pingRemote()
        if !r.succeeded { r = pingRemote() }
        XCTAssertTrue(r.output.contains("ttl=60"), "inner TTL decremented twice by the daemons: \(r.output)", file: file, line: line)

        // No lease for 10.244.200.0/24: the daemon writes ICMP net unreachable into the TUN, as
        // flanneld does: from the TUN's address (node1's lease .0) to the sender, quoting the
        // offender. (The kernel then drops it as a martian: its source is a local address of the
        // node, which is also what happens to flanneld's; so it is checked on flannel0 itself.)
        let node1 = plan.addressing.nodes[0]
        let tun = try PacketCapture(
            namespace: try NetworkNamespace.open(node1.namespace), interface: "flannel0",
            timeout: .milliseconds(100))
        try ChildProcess.spawn(["bash", "-c", "printf x > /dev/udp/10.244.200.9/53"], in: ns).wait()
        var icmp: ParsedFrame?
        let deadline = ContinuousClock.now + .seconds(2)
        while icmp == nil, ContinuousClock.now < deadline {
            guard let f = try tun.next(), let p = Frame.parseIPv4Packet(f), p.ipv4?.protocol == .icmp else { continue }
            icmp = p
        }
        let reply = try XCTUnwrap(icmp, "ICMP net unreachable written into flannel0", file: file, line: line)
        XCTAssertEqual(reply.ipv4?.source.description, node1.tunnelIP?.description, file: file, line: line)
        XCTAssertEqual(reply.ipv4?.destination.description, pods[0].ip.description, file: file, line: line)
        XCTAssertEqual(reply.icmp?.type, 3, "destination unreachable", file: file, line: line)
        XCTAssertEqual(reply.icmp?.code, 0, "net unreachable", file: file, line: line)

        // down stops the daemons and removes everything.
        let (drc, dout) = try cli(["down", "--name", run.value])
        XCTAssertEqual(drc, 0, dout, file: file, line: line)
        for p in d {
            // Gone, or a zombie waiting for its new parent (init) to reap it.
            let gone = Processes.startTime(p.pid) != p.start || Processes.isZombie(p.pid)
            XCTAssertTrue(gone, "daemon \(p.command) (pid \(p.pid)) gone after down", file: file, line: line)
        }
        XCTAssertEqual(leftovers(of: run), [], file: file, line: line)
    }

    func testFlannelUDPL2() throws { try check(.l2) }
    func testFlannelUDPL3() throws { try check(.l3) }
    func testFlannelUDPBatchedL2() throws { try check(.l2, implementation: .batched) }

    func testPlanCreatesTheTunBeforeItsAddressAndRoute() throws {
        var s = spec("ktfup", mode: .flannelUDP, nodes: 2, pods: 1)
        s.underlay = .l2
        let plan = try Planner(spec: s).plan()
        let node1 = plan.steps.filter { $0.namespace == "ktfup-node1" }
        let tun = node1.firstIndex(of: .tunAdd(ns: "ktfup-node1", name: "flannel0", mtu: 1472))
        let addr = node1.firstIndex(of: .addrAdd(ns: "ktfup-node1", dev: "flannel0", prefix: IPv4Prefix("10.244.0.0/32")!))
        let route = node1.firstIndex(
            of: .routeAdd(ns: "ktfup-node1", route: PlannedRoute(destination: IPv4Prefix("10.244.0.0/16")!, device: "flannel0")))
        let daemon = node1.firstIndex {
            if case .startProcess(_, "flannel-udp", let argv) = $0 { argv.contains("10.244.1.0/24=192.168.1.12") } else { false }
        }
        XCTAssertNotNil(tun)
        XCTAssertNotNil(daemon)
        XCTAssertLessThan(tun!, addr!)
        XCTAssertLessThan(addr!, route!)
        XCTAssertLessThan(route!, daemon!)
        XCTAssertTrue(PlanRenderer.commands(plan).contains("ip -n ktfup-node1 tuntap add flannel0 mode tun"))
    }

    /// The daemon's TTL decrement keeps the header checksum valid (RFC 1624 update vs a full
    /// recomputation), for every TTL and a spread of header checksums, and refuses TTL 1 and 0.
    func testTTLDecrementKeepsTheChecksumValid() throws {
        var buf = [UInt8](repeating: 0, count: 28)
        for ttl in 0...255 {
            for id in stride(from: 0, through: 0xffff, by: 4099) {
                let h = CNIPacket.IPv4Header(
                    source: IPv4Address("10.244.0.2")!, destination: IPv4Address("10.244.1.2")!,
                    protocol: .udp, ttl: UInt8(ttl), identification: UInt16(id), totalLength: 28
                )
                .withComputedChecksum()
                try buf.withUnsafeMutableBytes { raw in
                    var span = raw.mutableBytes
                    _ = try h.write(to: &span)
                    let ok = FlannelUDPDaemon.decrementTTL(raw)
                    XCTAssertEqual(ok, ttl > 1, "ttl \(ttl)")
                    if ok {
                        XCTAssertEqual(raw[8], UInt8(ttl - 1))
                        XCTAssertTrue(InternetChecksum.verifies(UnsafeRawBufferPointer(rebasing: raw[0..<20]).bytes), "ttl \(ttl) id \(id)")
                    }
                }
            }
        }
    }
}
