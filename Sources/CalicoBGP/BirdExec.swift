import Foundation
import ProcessKit
import NetAddress
import TopologyModel
import Topology

/// `cnibench bird-exec`: what the `.startProcess` step runs (argv: `DaemonCommand.bird`). The
/// plan is plain data and cannot carry a file, so the process writes its own configuration
/// (rendered from the run record, the same way every time) and then execs BIRD in place: the
/// pid the ledger recorded is BIRD's.
public enum BirdExec {
    /// The plan of a run, from its record.
    public static func plan(run: RunName) throws -> Plan {
        let record = try RunState(run: run).record()
        return try Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan()
    }

    /// Writes `<label>.conf` and returns BIRD's argv.
    public static func prepare(run: RunName, label: String, extraBlocks: [Int: [IPv4Prefix]] = [:]) throws -> [String] {
        let plan = try plan(run: run)
        var r = BirdConfigRenderer(plan: plan)
        r.extraBlocks = extraBlocks
        guard let text = r.render(label) else { throw BirdError("run \(run) has no BIRD instance '\(label)'") }
        let layout = BirdLayout(run: run)
        try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        try text.write(toFile: layout.config(label), atomically: true, encoding: .utf8)
        guard let bin = BirdLayout.binary else {
            throw PrerequisiteError("--routing bird needs 'bird' (BIRD 2); install it with: apt-get install -y bird2")
        }
        return layout.argv(label, binary: bin)
    }

    /// Renders, writes, then replaces this process with BIRD. Returns only on failure.
    public static func exec(run: RunName, label: String) throws -> Never {
        let argv = try prepare(run: run, label: label)
        FileHandle.standardError.write("cnibench bird-exec: \(argv.joined(separator: " "))\n".data(using: .utf8)!)
        throw BirdError(execReplacingCurrentProcess(argv).description)
    }
}
