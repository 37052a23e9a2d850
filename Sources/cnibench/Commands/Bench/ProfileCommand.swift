import ArgumentParser
import Foundation
import Logging
import Measure
import ProcessKit
import Profile
import Results
import TopologyModel

extension BenchPath: ExpressibleByArgument {}

/// `cnibench profile`: one bench test with perf sampling every CPU during its window, the
/// samples attributed to kernel stages (veth, bridge, TCP/IP, encap, …).
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Where the CPU goes: profile one mode's test with perf and attribute the samples to kernel stages.",
        discussion: """
            Builds the mode (and the baseline) like `cnibench bench`, runs the test once, and samples
            every CPU with `perf record -e cpu-clock -a -g` during that test's window only. Samples of
            processes outside the run's namespaces are excluded (kernel threads and idle are kept).
            Each stack goes to a stage by Sources/Profile/StageRules.swift: the first frame from the
            leaf that matches a rule decides. Writes DIR/BASE.json (kind cnibench.profile, folded
            stacks kept), BASE.md (stage table) and BASE.svg (flame graph, works offline).
            Needs root and perf (Debian package linux-perf).

            Examples:
              cnibench profile --mode host-gw
              cnibench profile --mode flannel-vxlan --path cross-node --test tcp1 --duration 3
            """)

    @Option(name: .long, help: "The mode to profile: \(Mode.spellings).", completion: .list(Mode.allValueStrings))
    var mode: Mode

    @Option(name: .long, help: "Path: cross-node (default), same-node, or node-node (mode none only).")
    var path: BenchPath = .crossNode

    @Option(name: .long, help: "The test: \(BenchTest.spellings).", completion: .list(BenchTest.allValueStrings))
    var test: BenchTest = .tcp1

    @Option(name: .long, help: "Seconds of the test (and of sampling).")
    var duration = 2

    @Option(name: .long, help: "Underlay (default l2).")
    var underlay: Underlay?

    @Option(name: .long, help: "Samples per second per CPU (perf -F).")
    var frequency = 499

    @Option(name: .long, help: "Directory for the profile files.", completion: .directory)
    var out = "bench-results"

    @Option(name: .long, help: "File name without extension (default profile-<mode>-<path>-<test>).")
    var basename: String?

    @Option(name: .long, help: "Run-name prefix of the topologies built (default cnbp).", transform: parseRunName)
    var name: RunName = "cnbp"

    var base: String { basename ?? "profile-\(mode.rawValue)-\(path.rawValue)-\(test.rawValue)" }

    func validate() throws {
        guard Mode.available.contains(mode) else {
            throw ValidationError("--mode: '\(mode.rawValue)' is not implemented in this build; valid: \(Mode.spellings)")
        }
        if mode == .none && path == .crossNode {
            throw ValidationError("--path cross-node: the baseline 'none' has no pods across nodes; use --path node-node or same-node")
        }
        if path == .nodeToNode && mode != .none {
            throw ValidationError("--path node-node: only the baseline has it; use --mode none, or --path cross-node|same-node")
        }
        guard (1...600).contains(duration) else { throw ValidationError("--duration \(duration): between 1 and 600 seconds") }
        guard (1...10_000).contains(frequency) else { throw ValidationError("--frequency \(frequency): between 1 and 10000 Hz") }
        if let basename, basename.isEmpty || basename.contains("/") {
            throw ValidationError("--basename '\(basename)': a file name without '/', e.g. profile-host-gw")
        }
        try outputPathChecked { try OutputPath.checkDirectory(out, option: "--out", files: ["json", "md", "svg"].map { "\(base).\($0)" }) }
    }

    func run() throws {
        try Prerequisites.requireRoot("profile")
        let scratch = NSTemporaryDirectory() + "cnibench-profile-\(getpid())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let access: PerfAccess.Report
        do { access = try PerfAccess.check(scratch: scratch) } catch let e as ProfileError {
            print("error: \(e.description)")
            throw ExitCode.failure
        }
        var o = BenchOptions()
        o.modes = mode == .none ? [] : [mode]
        o.tests = [test]
        o.underlay = underlay
        o.repeats = 1
        o.durationSeconds = duration
        o.runPrefix = name
        o.command = (["cnibench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        var logger = Logger(label: "cnibench.profile")
        logger.logLevel = .warning
        let engine: BenchEngine
        do { engine = try BenchEngine(options: o, logger: logger) } catch let e as BenchInputError {
            throw ValidationError(e.description)
        }
        let recorder = PerfRecorder(perf: access.perf, frequency: frequency, dataPath: "\(scratch)/perf.data")
        let observer = ProfileWindow(mode: mode.rawValue, path: path, test: test, recorder: recorder)
        engine.windowObserver = observer
        Interrupt.install()
        defer {
            Interrupt.restore()
            recorder.abandon()
        }
        print("profiling \(mode.rawValue) \(path.rawValue) \(test.rawValue) for \(duration) s (perf cpu-clock \(frequency) Hz, all CPUs) …")
        let result: BenchResult
        do { result = try engine.run() } catch is Interrupted {
            print("interrupted before the test ran; everything built has been removed")
            throw ExitCode(130)
        } catch let e as BenchInputError {
            throw ValidationError(e.description)
        }
        if !result.complete {
            print("interrupted: profile stopped, perf stopped, everything built removed")
            throw ExitCode(130)
        }
        guard let window = observer.closed, let sample = result.samples.first(where: { $0.subject == window.subject.id && $0.test == test })
        else {
            print("error: \(observer.failure ?? "the test \(test.rawValue) on \(mode.rawValue) \(path.rawValue) was not measured")")
            throw ExitCode.failure
        }
        let samples = try recorder.samples()
        recorder.discard()
        let scoped = ScopedSamples(samples, scope: window.scope)
        let doc = ProfileReport.document(
            access: access, command: o.command, subject: window.subject, test: test, duration: duration, frequency: frequency,
            scoped: scoped, sample: sample, environment: result.environment.host)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let paths = ["json", "md", "svg"].map { "\(out)/\(base).\($0)" }
        try ResultWriter.write(doc, to: paths[0])
        try Data(ProfileMarkdown.render(doc).utf8).write(to: URL(fileURLWithPath: paths[1]), options: .atomic)
        let svg = FlameGraph.render(scoped.folded, title: "\(window.subject.id) \(test.rawValue): \(doc.command)")
        try Data(svg.utf8).write(to: URL(fileURLWithPath: paths[2]), options: .atomic)
        print(ProfileMarkdown.render(doc))
        for p in paths { print("wrote \(p)") }
    }
}

/// Starts perf when the profiled test's window opens and stops it when it closes, with the
/// process snapshots the sample scope needs taken at both ends.
final class ProfileWindow: MeasurementWindowObserver {
    struct Closed {
        var subject: BenchSubject
        var scope: SampleScope
    }

    let mode: String
    let path: BenchPath
    let test: BenchTest
    let recorder: PerfRecorder
    private var scope: SampleScope?
    private(set) var closed: Closed?
    private(set) var failure: String?

    init(mode: String, path: BenchPath, test: BenchTest, recorder: PerfRecorder) {
        self.mode = mode
        self.path = path
        self.test = test
        self.recorder = recorder
    }

    func isTarget(_ w: MeasurementWindow) -> Bool { w.subject.mode == mode && w.subject.path == path && w.test == test }

    func windowWillOpen(_ w: MeasurementWindow) throws {
        guard isTarget(w) else { return }
        var s = SampleScope(namespaces: w.namespaces)
        s.snapshot()
        scope = s
        do { try recorder.start(ledger: w.ledger) } catch {
            failure = "\(error)"
            throw error
        }
    }

    func windowDidClose(_ w: MeasurementWindow, completed: Bool) {
        guard isTarget(w), var s = scope else { return }
        scope = nil
        guard completed else {
            recorder.abandon()
            return
        }
        s.snapshot()
        do {
            try recorder.stop()
            closed = Closed(subject: w.subject, scope: s)
        } catch {
            failure = "\(error)"
        }
    }
}
