import Foundation
import XCTest
import ProcessKit

/// `cnibench vm`: a Debian 6.1 guest under qemu (TCG where KVM guests do not boot), where the
/// kernel has what this host's may lack (the ipip driver, tunl0). One boot runs every mode on
/// every underlay it supports, calico-ipip with both implementations; each step's result is read
/// back from the guest's output so a failure names its step. Skipped, with the reason, only
/// where qemu/virtme-ng or a Debian 6.1 kernel package cannot be had.
final class GuestTests: XCTestCase {
    /// Every mode on the underlays it supports (host-gw and calico-bgp need L2 adjacency).
    static let combos: [(mode: String, underlay: String, impl: String?)] = [
        ("none", "l2", nil), ("none", "l3", nil), ("host-gw", "l2", nil), ("flannel-vxlan", "l2", nil),
        ("flannel-vxlan", "l3", nil), ("flannel-udp", "l2", nil), ("flannel-udp", "l3", nil), ("calico-bgp", "l2", nil),
        ("calico-vxlan", "l2", nil), ("calico-vxlan", "l3", nil), ("calico-ipip", "l2", "kernel"),
        ("calico-ipip", "l3", "kernel"), ("calico-ipip", "l3", "tc-bpf")
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

    func testEveryModeInOneDebianGuest() throws {
        let version = try debianKernel()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hvm-guest-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two lanes at once: much of a step is waiting (pings, BIRD), and the guest has 2 CPUs.
        var lanes = ["", ""]
        for (i, c) in Self.combos.enumerated() {
            let id = "\(c.mode)@\(c.underlay)\(c.impl.map { "/\($0)" } ?? "")"
            let run = "hvmg\(i + 1)"
            lanes[i % 2] += """
                if step 'up \(id)' "$CNIBENCH" up --name \(run) --mode \(c.mode) --underlay \(c.underlay) --pods-per-node 1 \(c.impl.map { "--ipip-impl \($0)" } ?? ""); then
                  \(c.mode == "calico-ipip" ? "step 'routes \(id)' ip -n \(run)-node1 route" : ":")
                  step 'verify \(id)' "$CNIBENCH" verify --name \(run)
                  step 'down \(id)' "$CNIBENCH" down --name \(run)
                fi

                """
        }
        let script = """
            step() { name=$1; shift; out=$("$@" 2>&1); rc=$?; printf '%s\\n' "$out" | sed "s|^|[$name] |"; echo "cnibench-step $name rc=$rc"; return $rc; }
            step caps "$CNIBENCH" caps
            ( \(lanes[0]) ) &
            ( \(lanes[1]) ) &
            wait

            """
        try script.write(toFile: "\(dir)/steps.sh", atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let (code, out) = try runCNIBench([
            "vm", "--kernel", version, "--boot-timeout", "600", "--timeout", "900", "--script", "\(dir)/steps.sh"
        ])
        print("guest lane (\(version)) took \(ContinuousClock.now - started)")
        if code != 0 && !out.contains("cnibench-step caps") {
            return XCTFail("the guest did not run the steps (exit \(code)):\n\(out.suffix(3000))")
        }
        var results: [String: Int] = [:]
        for line in out.split(separator: "\n") {
            if let m = line.wholeMatch(of: /cnibench-step (.+) rc=([0-9]+)/) { results[String(m.1)] = Int(m.2) }
        }
        func output(of step: String) -> String {
            out.split(separator: "\n").filter { $0.hasPrefix("[\(step)] ") }.joined(separator: "\n")
        }
        var expected = ["caps"]
        for c in Self.combos {
            let id = "\(c.mode)@\(c.underlay)\(c.impl.map { "/\($0)" } ?? "")"
            expected += ["up \(id)", "verify \(id)", "down \(id)"]
            if c.mode == "calico-ipip" { expected.append("routes \(id)") }
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
            let id = "calico-ipip@\(c.underlay)/\(c.impl!)"
            let routes = output(of: "routes \(id)")
            let viaTunl0 = routes.contains("dev tunl0")
            XCTAssertEqual(viaTunl0, c.impl == "kernel", "\(id) routes:\n\(routes)")
            XCTAssertTrue(output(of: "up \(id)").contains("calico-ipip implementation: \(c.impl == "kernel" ? "kernel-ipip" : "tc-bpf")"))
        }
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
