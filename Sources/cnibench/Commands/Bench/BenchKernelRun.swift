import ArgumentParser
import Foundation
import Gate
import Measure
import Netlink
import ProcessKit
import Results
import Topology

/// `bench --kernel`: the bench in guests. One kernel: the whole bench in one guest, as
/// `vm --kernel K -- bench … --out DIR`. Two: kernel A against kernel B, each round its own
/// guest boot and `bench --rounds 1 --seed ROUND` (so both kernels measure round r with the same
/// mode order), the kernels interleaved A B, B A, …; each kernel's rounds merged into one result
/// (DIR/BASE.LABEL.json …) and the gate's comparison of B against A written beside them
/// (DIR/BASE.md, .json). Ctrl-C/SIGTERM stops the guest and keeps the rounds that finished.
extension BenchMatrixCommand {
    func runInGuests() throws {
        diagnostics.apply()
        let say = { (s: String) in FileHandle.standardError.write(Data("cnibench bench: \(s)\n".utf8)) }
        let session = try GuestSession(command: "bench --kernel", say: say)
        let kernelsResolved = try guest.kernels.map { try GuestKernel.resolve($0, modules: nil, say: say) }
        Interrupt.install()
        defer { Interrupt.restore() }
        let accel = try session.accelerator(guest.accelerator ?? .auto, kernel: kernelsResolved[0])
        if accel == .tcg && !allowEmulated {
            throw ValidationError(
                "KVM guests do not boot here, so the guest would be emulated (TCG): its rates and latencies are qemu's instruction emulation, not the datapath. Add --allow-emulated to measure anyway (the results say \"emulated\")"
            )
        }
        let base = basename ?? ResultFiles.defaultBasename(Date())
        // The guest is handed this process's own bench arguments, so it must have been started
        // as `cnibench bench …` (not as one line of `cnibench batch FILE`).
        let own = Array(CommandLine.arguments.dropFirst())
        guard own.first == "bench" else {
            throw ValidationError(
                "--kernel: give it to `cnibench bench` itself, not inside \(own.first.map { "`\($0)`" } ?? "another command")")
        }
        func runner(_ k: GuestKernel) -> GuestRunner {
            GuestRunner(
                kernel: k, accelerator: accel, cpus: guest.cpus, memory: guest.memory, bootTimeout: .seconds(600),
                timeout: .seconds(86_400))
        }
        let binary = GuestSession.binary
        if kernelsResolved.count == 1 {
            let k = kernelsResolved[0]
            say("booting \(k.image.release) (\(accel.rawValue), \(guest.cpus) CPUs, \(guest.memory)) for the whole bench")
            let common = KernelAB.strip(own, dropping: BenchGuestOptions.hostOnly + ["--out", "--basename"])
            let argv = { (share: GuestShare?) in [binary] + common + ["--out", share?.destination ?? out, "--basename", base] }
            let outcome: GuestRunner.Outcome
            do {
                (outcome, _) = try session.run(
                    runner(k), argv: argv, out: out, outOption: "--out", log: "\(session.logs)/guest-\(getpid()).log"
                ) { FileHandle.standardOutput.write(Data("\($0)\n".utf8)) }
            } catch is Interrupted {
                print("interrupted: the guest was stopped; what it wrote is in \(out)")
                throw ExitCode(130)
            }
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
            return
        }
        try runKernelAB(kernelsResolved, accel: accel, base: base, own: own, session: session, runner: runner)
    }

    func runKernelAB(
        _ kernels: [GuestKernel], accel: Accelerator, base: String, own: [String], session: GuestSession,
        runner: (GuestKernel) -> GuestRunner
    ) throws {
        let labels = KernelAB.labels(kernels.map(\.image.release))
        let rounds = try renamedOption(self.rounds, repeats, name: "--rounds", oldName: "--repeats") ?? 3
        let roundsDir = "\(out)/\(base).rounds"
        // Every file written after the last boot, checked before the first: hours of boots must
        // not end at a directory standing where a merged result or the report goes.
        let written = ReportFormat.written.map(\.rawValue)
        try outputPathChecked {
            try OutputPath.checkDirectory(
                out, option: "--out",
                files: labels.flatMap { l in written.map { "\(base).\(l).\($0)" } } + written.map { "\(base).\($0)" })
        }
        if let kind = FileSystem.kind(of: roundsDir), kind != .directory {
            throw ValidationError("--out \(out): \(roundsDir) exists and is not a directory; the rounds' files go there")
        }
        let common = KernelAB.strip(own, dropping: BenchGuestOptions.hostOnly + BenchGuestOptions.perRound)
        var files: [[String]] = [[], []]
        var interrupted = false
        let steps = KernelAB.order(rounds: rounds, kernels: 2)
        for (i, step) in steps.enumerated() {
            // A signal between two guests: no further boot.
            if Interrupt.requested {
                interrupted = true
                break
            }
            let k = kernels[step.kernel], label = labels[step.kernel]
            let name = "\(label).r\(step.round)"
            session.say(
                "[\(i + 1)/\(steps.count)] round \(step.round) on kernel \(step.kernel == 0 ? "A" : "B") \(k.image.release) (\(accel.rawValue), \(guest.cpus) CPUs, \(guest.memory))"
            )
            // The round counts if its file exists after the boot: one an earlier run with this
            // --basename left must not stand in for a round whose guest fails.
            let file = "\(roundsDir)/\(name).json"
            if FileSystem.kind(of: file) == .regular {
                do { try Containment.removeFile(file, inside: roundsDir) } catch {
                    session.say("round \(step.round) on \(label) skipped: an earlier run's \(file) cannot be removed: \(error)")
                    continue
                }
            }
            let argv = { (share: GuestShare?) -> [String] in
                [GuestSession.binary] + common
                    + ["--rounds", "1", "--seed", String(step.round), "--out", share?.destination ?? roundsDir, "--basename", name]
            }
            do {
                let (outcome, _) = try session.run(
                    // One console log per boot: the runner truncates its log, and a failed round's must outlive the next boot.
                    runner(k), argv: argv, out: roundsDir, outOption: "--out", log: "\(session.logs)/guest-\(getpid())-\(i + 1).log"
                ) { FileHandle.standardOutput.write(Data("  \($0)\n".utf8)) }
                if outcome.exitCode != 0 { session.say("round \(step.round) on \(label): the guest's bench exited \(outcome.exitCode)") }
            } catch is Interrupted {
                interrupted = true
            } catch {
                // One round's guest failing does not lose the others: said, and the run goes on.
                session.say("round \(step.round) on \(label) failed: \(error)")
            }
            if FileManager.default.fileExists(atPath: file) { files[step.kernel].append(file) }
            if interrupted { break }
        }
        try writeKernelAB(files: files, labels: labels, base: base, interrupted: interrupted, say: session.say)
        if interrupted { throw ExitCode(130) }
    }

    /// Each kernel's rounds merged, and the side-by-side report; what finished, when interrupted.
    func writeKernelAB(files: [[String]], labels: [String], base: String, interrupted: Bool, say: (String) -> Void) throws {
        var merged: [BenchResult] = []
        var paths: [String] = []
        for (side, list) in files.enumerated() {
            guard !list.isEmpty else {
                say("kernel \(labels[side]): no round finished; nothing to merge")
                continue
            }
            let parts = try list.map { try BenchResult.loadValidated(path: $0, vocabulary: .cnibench) }
            var r: BenchResult
            do { r = try ResultMerge.merge(parts, files: list) } catch { throw ValidationError("kernel \(labels[side]): \(error)") }
            r.command = (["cnibench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            if interrupted {
                r.complete = false
                r.interruption = r.interruption ?? "interrupted; the rounds that finished are kept"
            }
            paths += try ResultFiles.write(r, directory: out, basename: "\(base).\(labels[side])")
            merged.append(r)
        }
        if merged.count == 2 {
            let a = "\(out)/\(base).\(labels[0]).json", b = "\(out)/\(base).\(labels[1]).json"
            var settings = ComparisonSettings()
            settings.acrossKernels = true
            var report: ComparisonReport?
            var refusal: String?
            do { report = try Comparator.compare(baseFiles: [a], headFiles: [b], settings: settings) } catch {
                refusal = "\(error)"
            }
            let md = KernelABReport.markdown(a: merged[0], b: merged[1], labels: labels, report: report, refusal: refusal)
            try Data(md.utf8).write(to: URL(fileURLWithPath: "\(out)/\(base).md"), options: .atomic)
            paths.append("\(out)/\(base).md")
            if let report {
                try Data(try ComparisonRenderer.json(report).utf8).write(to: URL(fileURLWithPath: "\(out)/\(base).json"), options: .atomic)
                paths.append("\(out)/\(base).json")
                print("kernel B (\(labels[1])) against kernel A (\(labels[0])): \(report.verdict.title) — \(report.reason)")
            } else {
                print("kernel B (\(labels[1])) against kernel A (\(labels[0])): CANNOT JUDGE — \(refusal ?? "")")
            }
        }
        for p in paths { print("wrote \(p)") }
    }
}
