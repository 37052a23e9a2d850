import Foundation

/// Runs short programs to completion in our own namespaces: version queries, git, the ip scripts
/// a benchmark times.
public enum ProgramRunner {
    public struct Captured: Sendable {
        public var status: ExitStatus
        public var output: String
    }

    /// Runs `argv` and returns its status and stdout (plus stderr, interleaved, if
    /// `includeStderr`). Throws only when it cannot be started.
    public static func capture(_ argv: [String], includeStderr: Bool = false, workingDirectory: String? = nil) throws -> Captured {
        let child = try ChildProcess.spawn(
            argv, stdout: .pipe, stderr: includeStderr ? .pipe : .discard,
            newSession: false, workingDirectory: workingDirectory)
        // Read before waiting: a child with more output than the pipe holds would block forever.
        let output = child.readOutput()
        return Captured(status: child.wait().status, output: output)
    }

    /// PATH with the usual system directories appended (a sudo PATH may lack the sbin ones) and
    /// LC_ALL=C, so a timed script behaves the same whoever starts it.
    public static var scriptEnvironment: [String] {
        var path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        where !path.split(separator: ":").contains(Substring(dir)) {
            path += path.isEmpty ? dir : ":" + dir
        }
        return ["PATH=\(path)", "LC_ALL=C"]
    }

    /// Runs a program with stdout to /dev/null and stderr to a file, in `scriptEnvironment`, and
    /// blocks in wait4 (no polling, so the measured time is the program's).
    public static func run(_ argv: [String], stderrPath: String) throws -> ExitStatus {
        let child = try ChildProcess.spawn(
            argv, stderr: .file(stderrPath), newSession: false,
            environment: scriptEnvironment)
        return child.wait().status
    }

    /// GNU time(1), when installed: the honest way to get the peak RSS of a script's processes.
    /// RUSAGE_CHILDREN of this process cannot give it: exec(2) records the replaced address
    /// space's high-water mark in the new program's ru_maxrss, and posix_spawn's child shares
    /// ours until it execs, so every direct child would report at least our own RSS.
    public static let timeProgram: String? = access("/usr/bin/time", X_OK) == 0 ? "/usr/bin/time" : nil

    /// Runs argv under time(1) (if installed) and returns its status and the peak RSS in MiB of
    /// the largest process among it and its descendants (nil without time(1)).
    public static func runMeasuringRSS(_ argv: [String], stderrPath: String, scratch: String) throws -> (
        status: ExitStatus, maxRSSMB: Double?
    ) {
        guard let time = timeProgram else { return (try run(argv, stderrPath: stderrPath), nil) }
        unlink(scratch)
        let status = try run([time, "-f", "%M", "-o", scratch] + argv, stderrPath: stderrPath)
        let text = (try? String(contentsOfFile: scratch, encoding: .utf8)) ?? ""
        // On failure time(1) writes "Command exited with non-zero status N" before the figure.
        let kb = text.split(separator: "\n").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return (status, kb.map { $0 / 1024 })
    }

    /// The last lines of a file (a failing script's stderr).
    public static func tail(_ path: String, lines: Int = 5) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// Runs a short local program in the current namespace and returns its stdout, nil if it could
/// not start or exited non-zero. For read-only queries: versions, git commit.
public func runCapturing(_ argv: [String], cwd: String? = nil) -> String? {
    guard let r = try? ProgramRunner.capture(argv, workingDirectory: cwd), r.status.succeeded else { return nil }
    return r.output
}

/// getrusage(2): CPU time and peak RSS of this process (`current`) or of every child it has
/// waited for (`children`, which includes their own waited-for children: the `ip` processes a
/// shell script runs).
public struct ResourceUsage: Sendable {
    public var cpuSeconds: Double
    /// ru_maxrss: the peak of the largest single process, in MiB (Linux reports KiB).
    public var maxRSSMB: Double

    static func of(_ who: Int32) -> ResourceUsage {
        var r = rusage()
        getrusage(__rusage_who_t(who), &r)
        let cpu =
            Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) / 1e6 + Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) / 1e6
        return ResourceUsage(cpuSeconds: cpu, maxRSSMB: Double(r.ru_maxrss) / 1024)
    }

    public static var current: ResourceUsage { of(RUSAGE_SELF.rawValue) }
    public static var children: ResourceUsage { of(RUSAGE_CHILDREN.rawValue) }
}
