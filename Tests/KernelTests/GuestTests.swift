import Foundation
import XCTest
import ProcessKit
import Results

/// `cnibench vm`: a Debian 6.1 guest under qemu (TCG where KVM guests do not boot), where the
/// kernel has what this host's may lack (the ipip driver, tunl0). One boot runs every mode on
/// every underlay it supports, calico-ipip with both implementations; each step's result is read
/// back from the guest's output so a failure names its step. Skipped, with the reason, only
/// where qemu/virtme-ng or a Debian 6.1 kernel package cannot be had.
final class GuestTests: XCTestCase {
    /// Every mode once, calico-ipip with both implementations (this host has no ipip driver, so
    /// only a guest covers tunl0). The other underlays, and each mode's rules, are covered on the
    /// host (ModeTests, NetfilterTests); here calico-ipip with the kernel driver loads its real
    /// rules (iptables-nft-restore and ipset on the 6.1 kernel's nf_tables) and the rest use
    /// --netfilter none. Ordered so the two lanes (even, odd entries) take about as long.
    static let combos: [(mode: String, underlay: String, impl: String?, rules: Bool)] = [
        ("calico-ipip", "l3", "kernel", true), ("calico-vxlan", "l3", nil, false), ("flannel-udp", "l3", nil, false),
        ("calico-bgp", "l2", nil, false), ("none", "l2", nil, false), ("calico-ipip", "l3", "tc-bpf", false),
        ("host-gw", "l2", nil, false), ("flannel-vxlan", "l3", nil, false)
    ]

    override func setUpWithError() throws {
        guard geteuid() == 0 else { throw skip("guests need root (the kernel cache, the guest runs as root)") }
        for tool in ["/opt/cnibench/venv/bin/vng", "/usr/bin/qemu-system-x86_64", "/usr/bin/busybox", "/usr/sbin/depmod"]
        where access(tool, X_OK) != 0 {
            throw skip("\(tool) missing (scripts/install-deps.sh run installs qemu-system-x86, busybox-static, kmod and virtme-ng)")
        }
        guard access(builtCNIBench, X_OK) == 0 else { throw skip("no cnibench executable at \(builtCNIBench)") }
    }

    private func skip(_ why: String) -> XCTSkip {
        print("SKIP \(name): \(why)")
        return XCTSkip(why)
    }

    /// The newest linux-image-6.1.0-N-amd64-unsigned apt lists (CNIBENCH_GUEST_KERNEL overrides).
    private func debianKernel() throws -> String {
        if let v = ProcessInfo.processInfo.environment["CNIBENCH_GUEST_KERNEL"] { return v }
        let out = (try? ProgramRunner.capture(["apt-cache", "pkgnames", "linux-image-6.1.0-"]))?.output ?? ""
        let versions = out.split(separator: "\n").compactMap { $0.wholeMatch(of: /linux-image-(6\.1\.0-[0-9]+)-amd64-unsigned/)?.1 }
            .map(String.init).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        guard let v = versions.last else { throw skip("apt lists no linux-image-6.1.0-*-amd64-unsigned (apt-get update?)") }
        return v
    }

    static func id(_ c: (mode: String, underlay: String, impl: String?, rules: Bool)) -> String {
        "\(c.mode)@\(c.underlay)\(c.impl.map { "/\($0)" } ?? "")"
    }

    /// Under TCG each start of the cnibench binary costs ~10 s, so the steps run through
    /// `cnibench batch` (one process per lane); two lanes on the guest's 2 CPUs, since much of a
    /// step is waiting (pings, BIRD).
    func testEveryModeInOneDebianGuest() throws {
        let version = try debianKernel()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hvm-guest-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lanes = ["caps | caps\n\n", ""]
        for (i, c) in Self.combos.enumerated() {
            let id = Self.id(c)
            let run = "hvmg\(i + 1)"
            var block = "up \(id) | up --name \(run) --mode \(c.mode) --underlay \(c.underlay) --pods-per-node 1"
            block += (c.impl.map { " --ipip-impl \($0)" } ?? "") + (c.rules ? "" : " --netfilter none") + "\n"
            if c.mode == "calico-ipip" { block += "routes \(id) | !ip -n \(run)-node1 route\n" }
            if c.rules {
                block += "iptables \(id) | !ip netns exec \(run)-node1 iptables-nft-save\n"
                block += "ipset \(id) | !ip netns exec \(run)-node1 ipset list -n\n"
            }
            block += "verify \(id) | verify --name \(run)\ndown \(id) | down --name \(run)\n\n"
            lanes[i % 2] += block
        }
        try lanes[0].write(toFile: "\(dir)/lane1", atomically: true, encoding: .utf8)
        try lanes[1].write(toFile: "\(dir)/lane2", atomically: true, encoding: .utf8)
        let script = """
            echo "guest-clock start $(cut -d' ' -f1 /proc/uptime)"
            mkdir "$CNIBENCH_OUT/from-guest"
            "$CNIBENCH" batch \(dir)/lane1 > "$CNIBENCH_OUT/lane1.log" 2>&1 &
            "$CNIBENCH" batch \(dir)/lane2 > "$CNIBENCH_OUT/lane2.log" 2>&1 &
            wait
            # Printed one after the other: two lanes writing to the one console at once can split
            # each other's lines, and a split step marker reads as a step that never ran.
            cat "$CNIBENCH_OUT/lane1.log" "$CNIBENCH_OUT/lane2.log"
            uname -r > "$CNIBENCH_OUT/from-guest/release"
            echo "guest-clock end $(cut -d' ' -f1 /proc/uptime)"

            """
        try script.write(toFile: "\(dir)/steps.sh", atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let (code, out) = try runCNIBench([
            "vm", "--kernel", version, "--boot-timeout", "600", "--timeout", "900", "--script", "\(dir)/steps.sh", "--out", "\(dir)/out"
        ])
        let wall = ContinuousClock.now - started
        var results: [String: Int] = [:]
        var seconds: [(String, String)] = []
        for line in out.split(separator: "\n") {
            if let m = line.wholeMatch(of: /cnibench-step (.+) rc=([0-9]+) seconds=([0-9.]+)/) {
                results[String(m.1)] = Int(m.2)
                seconds.append((String(m.1), String(m.3)))
            }
        }
        let clock = out.split(separator: "\n").filter { $0.hasPrefix("guest-clock") }.joined(separator: ", ")
        print("guest lane (\(version)) took \(wall) wall (\(clock), guest uptime seconds)")
        print("steps (s): " + seconds.map { "\($0.0) \($0.1)" }.joined(separator: "; "))
        if code != 0 && results["caps"] == nil {
            return XCTFail("the guest did not run the steps (exit \(code)):\n\(out.suffix(3000))")
        }
        func output(of step: String) -> String {
            out.split(separator: "\n").filter { $0.hasPrefix("[\(step)] ") }.joined(separator: "\n")
        }
        var expected = ["caps"]
        for c in Self.combos {
            let id = Self.id(c)
            expected += ["up \(id)", "verify \(id)", "down \(id)"]
            if c.mode == "calico-ipip" { expected.append("routes \(id)") }
            if c.rules { expected += ["iptables \(id)", "ipset \(id)"] }
        }
        for step in expected {
            guard let rc = results[step] else {
                XCTFail("step '\(step)' did not run in the guest")
                continue
            }
            XCTAssertEqual(rc, 0, "step '\(step)' failed in the guest:\n\(output(of: step))")
        }
        XCTAssertTrue(
            output(of: "caps").contains("calico-ipip    ok (kernel-ipip)"),
            "the Debian 6.1 guest offers kernel ipip:\n\(output(of: "caps"))")
        // The kernel implementation routes the other node's pod block over tunl0; tc-bpf never does.
        for c in Self.combos where c.mode == "calico-ipip" {
            let id = Self.id(c)
            let routes = output(of: "routes \(id)")
            let viaTunl0 = routes.contains("dev tunl0")
            XCTAssertEqual(viaTunl0, c.impl == "kernel", "\(id) routes:\n\(routes)")
            XCTAssertTrue(output(of: "up \(id)").contains("calico-ipip implementation: \(c.impl == "kernel" ? "kernel-ipip" : "tc-bpf")"))
        }
        // The one directory the guest writes back: copied to vm --out on the host.
        let release = try? String(contentsOfFile: "\(dir)/out/from-guest/release", encoding: .utf8)
        XCTAssertEqual(release?.hasPrefix("6.1.0-"), true, "the guest's file did not reach \(dir)/out: \(String(describing: release))")
        // Felix's rules reached the 6.1 kernel through iptables-nft and ipset.
        for c in Self.combos where c.rules {
            let id = Self.id(c)
            XCTAssertTrue(output(of: "iptables \(id)").contains(":cali-"), "\(id) has no cali- chains:\n\(output(of: "iptables \(id)"))")
            XCTAssertTrue(output(of: "ipset \(id)").contains("cali"), "\(id) has no cali ipsets:\n\(output(of: "ipset \(id)"))")
        }
    }

    /// `bench --kernel K --kernel K`: an A/A of one kernel, the smallest bench that still boots
    /// each kernel once per round (2 rounds, interleaved A B, B A): each kernel's rounds merged
    /// into one result of 2 rounds, the side-by-side report written, and nothing left behind.
    func testBenchAgainstTwoKernelsInterleavesAndMergesTheRounds() throws {
        let version = try debianKernel()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kab-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = qemuProcesses()
        let started = ContinuousClock.now
        let (code, out) = try runCNIBench([
            "bench", "--kernel", version, "--kernel", version, "--accelerator", "tcg", "--allow-emulated", "--modes", "none",
            "--tests", "rr", "--rounds", "1", "--duration", "1", "--name", "kabg", "--out", dir, "--basename", "ab"
        ])
        print("bench --kernel \(version) --kernel \(version) (1 round each, TCG) took \(ContinuousClock.now - started)")
        XCTAssertEqual(code, 0, String(out.suffix(3000)))
        let order = out.split(separator: "\n").compactMap { $0.firstMatch(of: /round ([0-9]) on kernel ([AB])/) }.map { "r\($0.1)\($0.2)" }
        // One round each keeps the lane within its budget (a TCG boot and bench is ~1 min); that
        // the kernels alternate who goes first from round 2 on is KernelABTests' (no boot needed).
        XCTAssertEqual(order, ["r1A", "r1B"], "each round boots kernel A, then kernel B")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        let perKernel = files.filter { $0.hasPrefix("ab.") && $0.hasSuffix(".json") && $0 != "ab.json" }.sorted()
        XCTAssertEqual(perKernel.count, 2, "\(files)")
        XCTAssertTrue(perKernel.allSatisfy { $0.hasSuffix("-a.json") || $0.hasSuffix("-b.json") }, "one release twice: -a/-b \(perKernel)")
        for f in perKernel {
            let r = try BenchResult.load(path: "\(dir)/\(f)")
            XCTAssertEqual(r.rounds.map(\.index), [1], f)
            XCTAssertEqual(Set(r.samples.map(\.round)), [1], f)
            XCTAssertEqual(r.environment.guest?.accelerator, "tcg", f)
            XCTAssertTrue(r.environment.kernel.hasPrefix(version), f)
        }
        let report = (try? String(contentsOfFile: "\(dir)/ab.md", encoding: .utf8)) ?? ""
        XCTAssertTrue(report.hasPrefix("# cnibench bench: kernel A against kernel B"), report)
        XCTAssertTrue(report.split(separator: "\n").dropFirst().first { !$0.isEmpty }?.contains("Verdict") == true, report)
        XCTAssertTrue(report.contains("| none@l2 | node-node | rr | p50Us |"), report)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir)/ab.json"))
        XCTAssertEqual(qemuProcesses().subtracting(before), [], "a guest outlived bench --kernel")
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix("kabg") }
        XCTAssertEqual(left, [], "namespaces of the run on the host")
    }

    /// The guest writes back only into a directory cnibench creates under its state root; a
    /// symlink planted there (to a canary outside) is refused before any guest boots.
    func testSharedDirectoryOutsideTheStateRootIsRefused() throws {
        let version = try debianKernel()
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hvm-share-\(getpid())").path
        let state = "\(tmp)/state", canary = "\(tmp)/canary"
        for d in [state, canary] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try FileManager.default.createSymbolicLink(atPath: "\(state)/_vm", withDestinationPath: canary)
        let before = qemuProcesses()
        let (code, out) = try runCNIBench(
            ["vm", "--kernel", version, "--accelerator", "tcg", "--", "bench", "--allow-emulated", "--out", "\(tmp)/results"],
            environment: ["CNIBENCH_STATE_DIR": state])
        XCTAssertNotEqual(code, 0, out)
        XCTAssertTrue(out.contains("refusing to touch") && out.contains("outside"), out)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: canary), [], "something was written through the planted symlink")
        XCTAssertEqual(qemuProcesses().subtracting(before), [], "a guest was started")
    }

    func testBadKernelArgumentsAreRefusedWithoutABoot() throws {
        let notKernel = FileManager.default.temporaryDirectory.appendingPathComponent("hvm-not-a-kernel-\(getpid())").path
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: notKernel))
        defer { try? FileManager.default.removeItem(atPath: notKernel) }
        let cases: [([String], String)] = [
            (["vm", "--kernel", "/nonexistent/vmlinuz", "--", "caps"], "no such file"),
            (["vm", "--kernel", notKernel, "--", "caps"], "not a Linux kernel image"),
            (["vm", "--kernel", "6.1.0-1", "--", "caps"], "Debian has no package linux-image-6.1.0-1-amd64-unsigned"),
            (["vm", "--kernel", "6.1.0-57"], "give the cnibench command to run after --")
        ]
        for (args, message) in cases {
            let before = qemuProcesses()
            let (code, out) = try runCNIBench(args)
            XCTAssertNotEqual(code, 0, "\(args) should fail")
            XCTAssertTrue(out.contains(message), "\(args): expected '\(message)' in:\n\(out)")
            XCTAssertEqual(qemuProcesses().subtracting(before), [], "\(args) started a guest")
        }
    }

    /// SIGKILL cannot be caught: the guest must still go (the watchdog kills its process group).
    func testSIGKILLOfCNIBenchMidBootLeavesNoQemu() throws {
        let version = try debianKernel()
        // Fetch first (cached by the lane test when it ran), so the kill lands during the boot.
        _ = try runCNIBench(["vm", "--list-kernels"])
        let child = try ChildProcess.spawn([builtCNIBench, "vm", "--kernel", version, "--accelerator", "tcg", "--", "caps"])
        defer { child.kill() }
        var ours: Set<pid_t> = []
        let deadline = ContinuousClock.now + .seconds(240)
        while ours.isEmpty && ContinuousClock.now < deadline && child.poll() == nil {
            ours = qemuProcesses().filter { descends($0, from: child.pid) }
            usleep(100_000)
        }
        guard !ours.isEmpty else { return XCTFail("no qemu under cnibench vm within 240 s (exit \(String(describing: child.poll())))") }
        child.kill()
        let gone = ContinuousClock.now + .seconds(10)
        var left = ours
        while !left.isEmpty && ContinuousClock.now < gone {
            left = left.filter { kill($0, 0) == 0 && !isZombie($0) }
            usleep(100_000)
        }
        XCTAssertEqual(left, [], "qemu \(left) outlived SIGKILL of cnibench vm")
    }

    private func qemuProcesses() -> Set<pid_t> {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { pid_t($0) } ?? []
        return Set(pids.filter { (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("qemu-system") == true })
    }

    private func parent(_ pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    private func descends(_ pid: pid_t, from ancestor: pid_t) -> Bool {
        var p = pid
        for _ in 0..<16 {
            guard let pp = parent(p), pp > 1 else { return false }
            if pp == ancestor { return true }
            p = pp
        }
        return false
    }

    private func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true
        }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
