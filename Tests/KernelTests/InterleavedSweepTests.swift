import Foundation
import XCTest
@testable import Netlink
@testable import ProcessKit
@testable import TopologyModel
@testable import Results
@testable import Topology

/// `cnibench bench --kube-proxy iptables,nftables --sweep services=0,20`, end to end through the
/// command line: every point × kube-proxy variant is its own run, all measured in the same
/// shuffled rounds, reduced to a row per point and variant, and nothing is left afterwards.
final class InterleavedSweepTests: KernelTestCase {
    /// Processes in a network namespace that no name under /run/netns holds (and not this
    /// one's): what a run whose namespaces were removed would leave running.
    func processesInUnnamedNamespaces() -> Set<String> {
        func inode(_ path: String) -> UInt64? {
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
            return UInt64(link.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" })
        }
        var named = Set<UInt64>()
        for n in NetworkNamespace.list() {
            var st = stat()
            if stat("/run/netns/\(n)", &st) == 0 { named.insert(UInt64(st.st_ino)) }
        }
        let ours = inode("/proc/self/ns/net")
        var out = Set<String>()
        for e in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(e), !Processes.isZombie(pid), let ino = inode("/proc/\(pid)/ns/net"), ino != ours,
                !named.contains(ino)
            else { continue }
            let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            out.insert("\(pid): \(String(decoding: raw, as: UTF8.self).replacingOccurrences(of: "\0", with: " "))")
        }
        return out
    }

    func testKubeProxyVariantsOverAnInterleavedServicesSweep() throws {
        guard Prerequisites.which("iptables-nft-restore") != nil, Prerequisites.which("nft") != nil else {
            throw XCTSkip("iptables-nft-restore and nft are needed for kube-proxy's rules (apt-get install iptables nftables)")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kvr-sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runs = ["kvr1-none-l2", "kvr1-host-gw-l2", "kvr1-host-gw-l2-kn", "kvr1-host-gw-l2-s1", "kvr1-host-gw-l2-kn-s1"]
        runsToClean += try runs.map { try RunName($0) }
        let before = processesInUnnamedNamespaces()
        let (status, output) = try cli([
            "bench", "--modes", "host-gw", "--tests", "crr", "--rounds", "1", "--duration", "1", "--kube-proxy", "iptables,nftables",
            "--sweep", "services=0,20", "--name", "kvr1", "--out", dir, "--basename", "sweep", "--seed", "3"
        ])
        XCTAssertEqual(status, 0, output)
        let r = try ResultWriter.decode(
            BenchSweepResult.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/sweep.json")))
        XCTAssertTrue(r.complete)
        XCTAssertEqual(r.order, "interleaved")
        XCTAssertEqual(r.kubeProxy, "iptables,nftables")
        // One row per point and variant, each with its cluster-ip crr measured and its own build.
        XCTAssertEqual(r.points.map(\.value), [0, 20])
        for p in r.points {
            XCTAssertEqual(p.modes.map(\.mode), ["host-gw", "host-gw@kube-proxy-nftables"], "point \(p.value)")
            for m in p.modes {
                XCTAssertGreaterThan(m.figure(.clusterIPCRR)?.median ?? 0, 0, "\(m.mode) at \(p.value)")
                XCTAssertNotNil(m.upSeconds, "\(m.mode) at \(p.value)")
            }
        }
        // Interleaved: the round ran every point's and variant's unit.
        let units = Set([
            "none@l2", "host-gw@l2", "host-gw@kube-proxy-nftables@l2", "host-gw@services-20@l2",
            "host-gw@kube-proxy-nftables@services-20@l2"
        ])
        XCTAssertEqual(r.roundOrders?.count, 1)
        for order in r.roundOrders ?? [] { XCTAssertEqual(Set(order), units) }
        let md = try String(contentsOfFile: dir + "/sweep.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## host-gw (kube-proxy nftables)"), md)
        XCTAssertEqual(md.components(separatedBy: "At services=20 against 0: ").count - 1, 2, md)
        // Nothing left: the runs' namespaces and state, and no process in a namespace whose name is gone.
        for run in runsToClean { XCTAssertEqual(leftovers(of: run), [], "\(run)") }
        XCTAssertEqual(processesInUnnamedNamespaces().subtracting(before), [])
    }

    /// `--felix-dataplane iptables,nftables --sweep policies=0,5`: both dataplanes at each N,
    /// one row per point and dataplane, every unit in the round.
    func testFelixVariantsOverAnInterleavedPoliciesSweep() throws {
        for tool in ["iptables-nft-restore", "ipset", "nft"] where Prerequisites.which(tool) == nil {
            throw XCTSkip("\(tool) is needed for Felix's rules (apt-get install iptables ipset nftables)")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kvr-psweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runs = [
            "kvr2-none-l2", "kvr2-calico-vxlan-l2", "kvr2-calico-vxlan-l2-fn", "kvr2-calico-vxlan-l2-p1", "kvr2-calico-vxlan-l2-fn-p1"
        ]
        runsToClean += try runs.map { try RunName($0) }
        let (status, output) = try cli([
            "bench", "--modes", "calico-vxlan", "--tests", "rr", "--rounds", "1", "--duration", "1", "--felix-dataplane",
            "iptables,nftables", "--sweep", "policies=0,5", "--name", "kvr2", "--out", dir, "--basename", "sweep", "--seed", "4"
        ])
        XCTAssertEqual(status, 0, output)
        let r = try ResultWriter.decode(BenchSweepResult.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/sweep.json")))
        XCTAssertEqual(r.sweep.key, .policies)
        XCTAssertEqual(r.felixDataplane, "iptables,nftables")
        XCTAssertEqual(r.points.map(\.value), [0, 5])
        for p in r.points {
            XCTAssertEqual(p.modes.map(\.mode), ["calico-vxlan", "calico-vxlan@felix-nftables"], "point \(p.value)")
            for m in p.modes { XCTAssertGreaterThan(m.figure(.crossNodeRRp99)?.median ?? 0, 0, "\(m.mode) at \(p.value)") }
        }
        XCTAssertEqual(
            r.roundOrders.map { $0.map(Set.init) },
            [
                [
                    "none@l2", "calico-vxlan@l2", "calico-vxlan@felix-nftables@l2", "calico-vxlan@policies-5@l2",
                    "calico-vxlan@felix-nftables@policies-5@l2"
                ]
            ])
        for run in runsToClean { XCTAssertEqual(leftovers(of: run), [], "\(run)") }
    }

    /// Ctrl-C once every point's runs are built (the first round's first test running):
    /// exit 130, and every run of every point is gone.
    func testInterruptedInterleavedSweepRemovesEveryRun() throws {
        guard Prerequisites.which("iperf3") != nil else { throw XCTSkip("iperf3 is not installed (apt-get install iperf3)") }
        guard Prerequisites.which("iptables-nft-restore") != nil else {
            throw XCTSkip("iptables-nft-restore is needed for kube-proxy's rules (apt-get install iptables)")
        }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        let out = NSTemporaryDirectory() + "kvr-sweep-int-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let log = out + ".log"
        defer { unlink(log) }
        let runs = try ["kvr3-none-l2", "kvr3-host-gw-l2", "kvr3-host-gw-l2-s1"].map { try RunName($0) }
        runsToClean += runs
        let child = try ChildProcess.spawn(
            [
                cnibenchBinary, "bench", "--modes", "host-gw", "--tests", "tcp1", "--rounds", "1", "--duration", "20",
                "--sweep", "services=0,5", "--name", "kvr3", "--out", out, "--basename", "s"
            ], stdout: .file(log), stderr: .file(log))
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let end = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < end && child.poll() == nil && !runs.allSatisfy({ RunState(run: $0).exists }) { usleep(50_000) }
        XCTAssertTrue(runs.allSatisfy { RunState(run: $0).exists }, "the sweep never built every point:\n\(text())")
        sleep(2)
        child.signal(SIGINT)
        let t = child.wait(until: ContinuousClock.now + .seconds(60))
        if t == nil { child.kill() }
        XCTAssertEqual(t?.status.shellCode, 130, text())
        for r in runs { XCTAssertEqual(leftovers(of: r), [], "\(r) left:\n\(text())") }
    }
}
