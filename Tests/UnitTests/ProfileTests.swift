import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Profile
import Results

/// Stage rules on hand-written stacks, perf script folding on a committed sample, the flame
/// graph's SVG, the sample scope, and perf's refusals.
final class ProfileTests: XCTestCase {
    let rules = StageRules.standard

    func stage(_ stack: String) -> Stage { rules.stage(folded: stack) }

    func testEachStageFromItsLeafFrame() {
        let cases: [(String, Stage)] = [
            ("iperf3;entry_SYSCALL_64;__sys_sendto;tcp_sendmsg_locked", .tcpIP),
            ("iperf3;entry_SYSCALL_64;ip_output", .tcpIP),
            ("swapper;do_softirq;ip_rcv;ip_rcv_finish;inet_gro_receive", .tcpIP),
            ("iperf3;__dev_queue_xmit;dev_hard_start_xmit;veth_xmit", .veth),
            ("ksoftirqd/0;net_rx_action;__netif_receive_skb;br_handle_frame;br_forward", .bridge),
            ("iperf3;ip_queue_xmit;ip_route_output_key_hash;fib_table_lookup", .routing),
            ("iperf3;ip_finish_output2;dev_queue_xmit;vxlan_xmit;vxlan_xmit_one", .encap),
            ("iperf3;udp_tunnel_xmit_skb", .encap),
            ("iperf3;ip_tunnel_xmit", .encap),
            ("iperf3;ipip_tunnel_xmit", .encap),
            ("iperf3;sch_handle_egress;tcf_classify;bpf_prog_6deef7357e7b4530_calico_ipip", .encap),
            ("iperf3;ip_rcv;nf_hook_slow;nf_conntrack_in", .netfilter),
            ("iperf3;ip_rcv;nf_hook_slow;nft_do_chain", .netfilter),
            ("iperf3;tcp_recvmsg;skb_copy_datagram_iter;_copy_to_iter;copy_user_generic", .copyChecksum),
            ("iperf3;tcp_sendmsg;csum_partial", .copyChecksum),
            ("iperf3;tcp_sendmsg;memcpy_orig", .copyChecksum),
            ("ksoftirqd/1;run_ksoftirqd;__do_softirq", .softirqSched),
            ("iperf3;schedule;__schedule;finish_task_switch.isra.0", .softirqSched),
            ("swapper;secondary_startup_64;cpu_startup_entry;do_idle;default_idle_call;pv_native_safe_halt", .idle),
            ("flannel-udp-daemon;entry_SYSCALL_64;tun_chr_write_iter;tcp_v4_rcv", .daemon),
            ("iperf3;__netif_receive_skb_core", .netdev)
        ]
        for (stack, want) in cases { XCTAssertEqual(stage(stack), want, stack) }
        // Every stage but other has a case above.
        XCTAssertEqual(Set(cases.map(\.1)), Set(Stage.allCases).subtracting([.other]))
    }

    func testLeafDecidesOverCallers() {
        // veth_xmit is called from the TCP stack: the leaf (a copy) wins, then the nearest frame.
        XCTAssertEqual(stage("iperf3;tcp_sendmsg;ip_output;veth_xmit;skb_copy_bits"), .copyChecksum)
        XCTAssertEqual(stage("iperf3;tcp_sendmsg;ip_output;veth_xmit;_raw_spin_lock"), .veth)
        // The same frames the other way round.
        XCTAssertEqual(stage("ksoftirqd/0;veth_poll;tcp_v4_rcv"), .tcpIP)
        // Lock and bottom-half helpers match nothing: their caller decides.
        XCTAssertEqual(stage("iperf3;tcp_sendmsg;release_sock;__local_bh_enable_ip"), .tcpIP)
    }

    func testRuleOrderWithinOneFrame() {
        // udp_tunnel* (encap) is listed before udp_* (TCP/IP); nf_conntrack* before nf_*.
        XCTAssertEqual(stage("x;udp_tunnel_xmit_skb"), .encap)
        XCTAssertEqual(stage("x;udp_sendmsg"), .tcpIP)
        // A rule table in the other order gives the other answer: order is the data's.
        let flipped = StageRules(processRules: [], frameRules: [.init("udp_*", .tcpIP), .init("udp_tunnel*", .encap)])
        XCTAssertEqual(flipped.stage(folded: "x;udp_tunnel_xmit_skb"), .tcpIP)
    }

    func testUnknownIsOther() {
        XCTAssertEqual(stage("iperf3;[unknown];iperf_run_client;__libc_write"), .other)
        XCTAssertEqual(stage("iperf3"), .other)
        XCTAssertEqual(stage(""), .other)
    }

    func testProcessRuleWinsOverFrames() {
        XCTAssertEqual(stage("flannel-udp-daemon;tcp_sendmsg"), .daemon)
        XCTAssertEqual(stage("cnibench;tcp_sendmsg"), .tcpIP)
    }

    func testGlob() {
        XCTAssertTrue(Glob.matches("tcp_*", "tcp_v4_rcv"))
        XCTAssertFalse(Glob.matches("tcp_*", "__tcp_push"))
        XCTAssertTrue(Glob.matches("ip_output", "ip_output"))
        XCTAssertFalse(Glob.matches("ip_output", "ip_output2"))
        XCTAssertTrue(Glob.matches("*idle*", "default_idle_call"))
        XCTAssertTrue(Glob.matches("a*b*c", "axxbyyc"))
        XCTAssertFalse(Glob.matches("a*b*c", "axxbyy"))
    }

    func testAttributionSharesAndIdle() {
        let f = FoldedStacks([
            "iperf3;tcp_sendmsg": 6, "swapper;do_idle": 10, "iperf3;[unknown]": 2, "ksoftirqd/0;veth_poll": 2
        ])
        let a = StageAttribution(f)
        XCTAssertEqual(a.total, 20)
        XCTAssertEqual(a.busy, 10)
        XCTAssertEqual(a[.tcpIP], 6)
        XCTAssertEqual(a[.veth], 2)
        XCTAssertEqual(a[.other], 2)
        XCTAssertEqual(a.namedShare!, 0.8, accuracy: 1e-12)
        XCTAssertNil(StageAttribution(FoldedStacks()).namedShare)
        let rows = ProfileDocument.stageRows(a, frequencyHz: 100, receivedGB: 0.5)
        let tcp = rows.first { $0.stage == .tcpIP }!
        XCTAssertEqual(tcp.cpuSeconds, 0.06, accuracy: 1e-12)
        XCTAssertEqual(tcp.cpuSecondsPerGB!, 0.12, accuracy: 1e-12)
        XCTAssertNil(rows.first { $0.stage == .idle }!.cpuSecondsPerGB)
    }

    // MARK: perf script and folding

    func fixtureText() throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "perf-script-sample", withExtension: "txt", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    func testParsesCommittedPerfScriptSample() throws {
        let samples = PerfScript.parse(try fixtureText())
        XCTAssertEqual(samples.count, 15)
        let first = samples[0]
        XCTAssertEqual(first.comm, "-qos.overcommit")
        XCTAssertEqual(first.pid, 3899)
        XCTAssertEqual(first.tid, 4096)
        XCTAssertEqual(first.frames.count, 24)
        XCTAssertEqual(first.frames.first, "list_lru_del_obj")
        XCTAssertEqual(first.frames.last, "start_thread")
        XCTAssertEqual(samples.first { $0.comm.hasPrefix("kworker") }?.comm, "kworker/u8:2-wr")
        XCTAssertEqual(samples.filter { $0.comm == "kdamond.0" }.count, 4)
        // C++ names with spaces survive whole.
        XCTAssertTrue(samples.contains { $0.frames.contains { $0.hasPrefix("(anonymous namespace)::") } })
    }

    func testFoldingIsRootFirstAndCounts() throws {
        var f = FoldedStacks()
        for s in PerfScript.parse(try fixtureText()) { f.add(process: s.comm, leafFirst: s.frames) }
        XCTAssertEqual(f.total, 15)
        let kdamond = f.counts.filter { $0.key.hasPrefix("kdamond.0;") }
        XCTAssertEqual(kdamond.values.reduce(0, +), 4)
        // Two identical kdamond stacks (leaf damon_pa_batch_lock) folded into one line of 2.
        XCTAssertEqual(kdamond.filter { $0.key.hasSuffix(";damon_pa_batch_lock") }.values.max(), 2)
        let line = try XCTUnwrap(f.counts.keys.first { $0.hasPrefix("-qos.overcommit;") })
        XCTAssertTrue(line.hasPrefix("-qos.overcommit;start_thread;"), line)
        XCTAssertTrue(line.hasSuffix(";d_lru_del;list_lru_del_obj"), line)
        // The text form reads back identically.
        XCTAssertEqual(try FoldedStacks.parse(f.text), f)
    }

    func testFrameNameForms() {
        XCTAssertEqual(PerfScript.frameName("\t ffffffff81aa tcp_sendmsg+0x2f (/lib/modules/vmlinux)"), "tcp_sendmsg")
        XCTAssertEqual(PerfScript.frameName("\t     7f00 [unknown]"), "[unknown]")
        XCTAssertEqual(PerfScript.frameName("\t 12 a;b"), "a:b")
    }

    func testFoldedParseRefusesBadLines() {
        XCTAssertThrowsError(try FoldedStacks.parse("a;b;c\n")) { XCTAssertTrue("\($0)".contains("line 1"), "\($0)") }
        XCTAssertEqual(try FoldedStacks.parse("a;b 3\n\na;b 2\n").counts, ["a;b": 5])
    }

    // MARK: scope

    func testScopeKeepsOursAndExcludesForeign() {
        let ours: UInt64 = 4_026_532_100
        let scope = SampleScope(
            namespaces: [ours],
            processes: [
                10: .init(netns: ours, kernelThread: false, name: "flannel-udp-daemon"),
                11: .init(netns: 4_026_531_840, kernelThread: false),
                12: .init(netns: 4_026_531_840, kernelThread: true),
                13: .init(netns: ours, kernelThread: false)
            ])
        func s(_ comm: String, _ pid: Int32) -> PerfSample { PerfSample(comm: comm, pid: pid, tid: pid, frames: ["tcp_sendmsg"]) }
        XCTAssertEqual(scope.classify(s("cnibench", 10)), .ours(name: "flannel-udp-daemon"))
        XCTAssertEqual(scope.classify(s("swift-frontend", 11)), .foreign)
        XCTAssertEqual(scope.classify(s("ksoftirqd/0", 12)), .ours(name: "ksoftirqd/0"))
        XCTAssertEqual(scope.classify(s("iperf3", 13)), .ours(name: "iperf3"))
        XCTAssertEqual(scope.classify(s("swapper/1", 0)), .ours(name: "swapper/1"))
        // Gone before either snapshot: only our own programs are kept.
        XCTAssertEqual(scope.classify(s("iperf3", 99)), .ours(name: "iperf3"))
        XCTAssertEqual(scope.classify(s("make", 98)), .foreign)
        let split = ScopedSamples([s("iperf3", 13), s("swift-frontend", 11), s("swift-frontend", 11)], scope: scope)
        XCTAssertEqual(split.folded.total, 1)
        XCTAssertEqual(split.excluded, ["swift-frontend": 2])
    }

    // MARK: flame graph

    final class SVGCheck: NSObject, XMLParserDelegate {
        var rects = 0, titles = 0, scripts = 0
        var titleText: [String] = []
        var inTitle = false
        func parser(
            _ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            if e == "rect" { rects += 1 }
            if e == "title" {
                titles += 1
                inTitle = true
                titleText.append("")
            }
            if e == "script" { scripts += 1 }
        }
        func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
            if e == "title" { inTitle = false }
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { if inTitle { titleText[titleText.count - 1] += s } }
    }

    func testFlameGraphIsWellFormedAndSelfContained() throws {
        let f = FoldedStacks([
            "iperf3;entry_SYSCALL_64;tcp_sendmsg;ip_output;veth_xmit": 5, "iperf3;entry_SYSCALL_64;tcp_sendmsg": 3,
            "ksoftirqd/0;net_rx_action;br_handle_frame": 2, "a<b>&\"c';x": 1
        ])
        let svg = FlameGraph.render(f, title: "host-gw <test> & more")
        let check = SVGCheck()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = check
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "") in:\n\(svg.prefix(800))")
        // One rect per distinct frame path (all, iperf3, entry, tcp_sendmsg, ip_output, veth_xmit,
        // ksoftirqd, net_rx_action, br_handle_frame, a<b>&"c', x) plus the background and legend.
        XCTAssertEqual(check.titles, 11)
        XCTAssertGreaterThan(check.rects, check.titles)
        XCTAssertTrue(check.titleText.contains { $0.hasPrefix("veth_xmit — 5 samples") && $0.contains("veth") })
        XCTAssertTrue(check.titleText.contains { $0.hasPrefix("a<b>&\"c'") })
        XCTAssertEqual(check.scripts, 1)
        // Self-contained: the only URL is the SVG namespace name, which is never fetched.
        let rest = svg.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(rest.contains("http"))
        XCTAssertFalse(rest.contains("href"))
        XCTAssertFalse(rest.contains("url("))
        XCTAssertFalse(rest.contains("@import"))
    }

    // MARK: perf access

    func testPerfRefusalsNameThePackageOrTheSysctl() {
        let missing = PerfAccess.problem(perfPath: nil, paranoid: 2, privileged: true)
        XCTAssertTrue(missing?.contains("linux-perf") ?? false, missing ?? "")
        let paranoid = PerfAccess.problem(perfPath: "/usr/bin/perf", paranoid: 2, privileged: false)
        XCTAssertTrue(paranoid?.contains("kernel.perf_event_paranoid is 2") ?? false, paranoid ?? "")
        XCTAssertTrue(paranoid?.contains("never changes it") ?? false)
        XCTAssertNil(PerfAccess.problem(perfPath: "/usr/bin/perf", paranoid: 2, privileged: true))
        XCTAssertNil(PerfAccess.problem(perfPath: "/usr/bin/perf", paranoid: -1, privileged: false))
        let failed = PerfAccess.explainFailure(
            "Error:\nAccess to performance monitoring and observability operations is limited.\nperf_event_paranoid setting is 4",
            paranoid: 4)
        XCTAssertTrue(failed.contains("kernel.perf_event_paranoid is 4"), failed)
        XCTAssertTrue(PerfAccess.explainFailure("WARNING: perf not found for kernel 6.1.0-99", paranoid: 2).contains("linux-perf"))
    }

    func testKernelSymbolReadability() {
        XCTAssertTrue(PerfAccess.symbolsReadable(kallsymsHead: "ffffffff81000000 T _stext\n"))
        XCTAssertFalse(PerfAccess.symbolsReadable(kallsymsHead: "0000000000000000 T _stext\n0000000000000000 T x\n"))
        XCTAssertFalse(PerfAccess.symbolsReadable(kallsymsHead: ""))
    }

    func testProfileDocumentRoundTrips() throws {
        let f = FoldedStacks(["iperf3;tcp_sendmsg": 3, "ksoftirqd/0;veth_poll": 1])
        let a = StageAttribution(f)
        let doc = ProfileDocument(
            environment: HostEnvironment(kernel: "6.1", cpuModel: "x", cpuCount: 2, cnibenchVersion: "t"),
            command: "cnibench profile --mode host-gw",
            subject: "host-gw@l2/cross-node", mode: "host-gw", underlay: "l2", path: "cross-node", test: "tcp1", durationSeconds: 2,
            frequencyHz: 499,
            perf: .init(
                perf: "/usr/bin/perf", version: "perf version 6.1", kernelSymbols: true, kptrRestrict: 0, perfEventParanoid: 2, notes: []),
            scopeRule: ProfileReport.scopeRule, excludedSamples: 7, excludedByProcess: ["make": 7],
            bench: .init(throughputGbps: 10, cpuSecondsPerGB: 1, receivedGB: 2.5),
            stages: ProfileDocument.stageRows(a, frequencyHz: 499, receivedGB: 2.5),
            namedShare: a.namedShare, rules: StageRules.standard.frameRules, processRules: StageRules.standard.processRules,
            folded: f.lines.map { .init(stack: $0.stack, count: $0.count) }, warnings: [])
        let data = try ResultWriter.encode(doc)
        XCTAssertEqual(try ResultWriter.header(data).kind, "cnibench.profile")
        let back = try ResultWriter.decode(ProfileDocument.self, from: data)
        XCTAssertEqual(back.foldedStacks, f)
        XCTAssertEqual(back.stages, doc.stages)
        let md = ProfileMarkdown.render(back)
        XCTAssertTrue(md.contains("| TCP/IP stack | 3 | 75.0% |"), md)
        XCTAssertTrue(md.contains("| veth | 1 | 25.0% |"), md)
        XCTAssertFalse(md.contains("| idle |"), md)
    }
}
