import Foundation
import ProcessKit
import Netlink

/// Starts the run's long-running processes inside its namespaces and records them.
public struct ProcessLauncher {
    public var state: RunState

    public init(state: RunState) { self.state = state }

    /// argv[0] == "cnibench" resolves to this very executable, so daemons are the same build;
    /// when the caller is not the cnibench executable (a test bundle linking the library), to
    /// the `cnibench` built next to it.
    public static func resolve(_ argv: [String]) -> [String] {
        guard argv.first == "cnibench" else { return argv }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        if (me as NSString).lastPathComponent == "cnibench" { return [me] + argv.dropFirst() }
        var dir = URL(fileURLWithPath: me).deletingLastPathComponent()
        // An XCTest bundle on Linux is an executable inside the build directory itself.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        let sibling = dir.appendingPathComponent("cnibench").path
        return [FileManager.default.isExecutableFile(atPath: sibling) ? sibling : "cnibench"] + argv.dropFirst()
    }

    public func logPath(_ ns: String, _ name: String) -> String { "\(state.directory)/\(ns)-\(name).log" }

    /// Spawns `argv` in `ns` (new session, output to the log), records pid + start time.
    @discardableResult
    public func start(in ns: NetworkNamespace, name: String, argv: [String]) throws -> Int32 {
        let path = logPath(ns.name, name)
        // A daemon outlives this call: it is never waited for here (Teardown stops it).
        return try ChildProcess.spawn(
            Self.resolve(argv), in: ns, stdout: .file(path, append: true), stderr: .file(path, append: true),
            ledger: state, label: "\(ns.name) \(name)"
        ).pid
    }

    /// True if the recorded process for this namespace and name is alive.
    public func running(in ns: String, name: String) -> Bool {
        state.entries().contains { e in
            if case .process(let pid, let st, let cmd) = e, cmd == "\(ns) \(name)", st != 0 {
                // A zombie (killed, not yet reaped) is not running.
                return Processes.startTime(pid) == st && !Processes.isZombie(pid)
            }
            return false
        }
    }
}
