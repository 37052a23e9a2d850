import ArgumentParser
import Foundation
import ProcessKit

/// `cnibench batch FILE`: many cnibench commands in one process. In a TCG guest every start of
/// the binary costs ~8–12 s (the Swift runtime and Foundation's libraries relocated under
/// instruction emulation), which made a lane of ~40 up/verify/down commands mostly start-up;
/// here each command is parsed and run in this process instead.
///
/// FILE: blocks separated by blank lines; each line `NAME | ARGS…` (ARGS split on spaces, no
/// quoting) runs `cnibench ARGS`, or the program ARGS names after a leading `!`. Once a step of
/// a block fails, the block's later steps are skipped. Each step's output is printed with a
/// `[NAME] ` prefix, then `cnibench-step NAME rc=N seconds=S`.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch", abstract: "Run cnibench commands from a file in one process (for emulated guests).",
        shouldDisplay: false)

    @Argument(help: "The step file.") var file: String

    struct Step {
        var name: String
        var args: [String]
    }

    static func parse(_ text: String) throws -> [[Step]] {
        var blocks: [[Step]] = [[]]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                if !blocks.last!.isEmpty { blocks.append([]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("batch file line \(n + 1): '\(line)': give NAME | ARGS")
            }
            blocks[blocks.count - 1].append(Step(name: parts[0], args: parts[1].split(separator: " ").map(String.init)))
        }
        return blocks.filter { !$0.isEmpty }
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("batch file \(file): not readable")
        }
        var failed = 0
        for block in try Self.parse(text) {
            for step in block {
                let (rc, seconds) = Self.runCaptured(step)
                print("cnibench-step \(step.name) rc=\(rc) seconds=\(String(format: "%.1f", seconds))")
                fflush(nil)
                if rc != 0 {
                    failed += 1
                    break
                }
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// Runs one step with fd 1 and 2 sent to a scratch file, then prints that file prefixed.
    static func runCaptured(_ step: Step) -> (Int32, Double) {
        let scratch = NSTemporaryDirectory() + "cnibench-batch-\(getpid())"
        let fd = open(scratch, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            print("[\(step.name)] cannot create \(scratch): errno \(errno)")
            return (1, 0)
        }
        defer {
            close(fd)
            unlink(scratch)
        }
        fflush(nil)

        let savedOut = dup(1), savedErr = dup(2)
        dup2(fd, 1)
        dup2(fd, 2)
        let started = ContinuousClock.now
        let rc = execute(step.args)
        fflush(nil)

        dup2(savedOut, 1)
        dup2(savedErr, 2)
        close(savedOut)
        close(savedErr)
        let d = ContinuousClock.now - started
        let out = (try? String(contentsOfFile: scratch, encoding: .utf8)) ?? ""
        for line in out.split(separator: "\n") { print("[\(step.name)] \(line)") }
        return (rc, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    static func execute(_ args: [String]) -> Int32 {
        if let first = args.first, first.hasPrefix("!") {
            let argv = [String(first.dropFirst())] + args.dropFirst()
            do {
                let r = try ProgramRunner.capture(argv, includeStderr: true)
                print(r.output, terminator: r.output.hasSuffix("\n") ? "" : "\n")
                return r.status.shellCode
            } catch {
                print("\(argv.joined(separator: " ")): \(error)")
                return 127
            }
        }
        do {
            var command = try CNIBench.parseAsRoot(args)
            guard !(command is BatchCommand), !(command is VMCommand) else {
                print("batch steps cannot be batch or vm")
                return 2
            }
            try command.run()
            return 0
        } catch {
            FileHandle.standardError.write(Data("Error: \(CNIBench.fullMessage(for: error))\n".utf8))
            return CNIBench.exitCode(for: error).rawValue
        }
    }
}
