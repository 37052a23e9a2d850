import Foundation
import ProcessKit

/// Which samples belong to the measurement, the same way Measure's CPU accounting tells its
/// processes from foreign ones (other tenants of a shared machine, a compiler, cnibench's own
/// driver loop, perf itself):
///
/// - pid 0 (the idle task and interrupts taken in it) and kernel threads (ksoftirqd, kworkers
///   do the datapath's deferred work): ours;
/// - a process whose network namespace (read from /proc at the start or at the end of the
///   window, whichever saw it) is one of the run's: ours;
/// - a process seen in neither snapshot (born and gone inside the window, such as the iperf3
///   client reaped before the window closes): ours only if its comm is one of the programs the
///   bench starts in the namespaces (`knownPrograms`);
/// - everything else: foreign, excluded and counted by comm.
public struct SampleScope: Sendable {
    /// What one /proc look-up said about a pid.
    public struct ProcessInfo: Sendable, Equatable {
        public var netns: UInt64?
        public var kernelThread: Bool
        /// The name the profile shows: comm, or the cnibench agent's name ("flannel-udp-daemon").
        public var name: String?
        public init(netns: UInt64?, kernelThread: Bool, name: String? = nil) {
            self.netns = netns
            self.kernelThread = kernelThread
            self.name = name
        }
    }

    /// Programs the bench runs inside the run's namespaces (their comm, at most 15 characters).
    public static let knownPrograms: Set<String> = ["iperf3", "cnibench", "ping", "bird", "trafgen"]
    /// cnibench subcommands that run as agents inside the namespaces: shown under their own name.
    static let agentNames = ["flannel-udp-daemon", "rr-server", "rr-client", "ipip-mirror", "bird-exec", "pktgen"]

    public var namespaces: Set<UInt64>
    public var processes: [Int32: ProcessInfo]

    public init(namespaces: Set<UInt64>, processes: [Int32: ProcessInfo] = [:]) {
        self.namespaces = namespaces
        self.processes = processes
    }

    /// Adds what /proc shows now; a pid already known keeps its first answer.
    public mutating func snapshot() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), processes[pid] == nil, let stat = ProcFS.stat(pid) else { continue }
            processes[pid] = ProcessInfo(netns: Self.netnsInode(pid), kernelThread: stat.isKernelThread, name: Self.agentName(pid))
        }
    }

    public enum Verdict: Equatable {
        case ours(name: String)
        case foreign
    }

    public func classify(_ s: PerfSample) -> Verdict {
        if s.pid == 0 { return .ours(name: s.comm) }
        if let p = processes[s.pid] {
            if p.kernelThread { return .ours(name: s.comm) }
            if let ns = p.netns, namespaces.contains(ns) { return .ours(name: p.name ?? s.comm) }
            return .foreign
        }
        return Self.knownPrograms.contains(s.comm) ? .ours(name: s.comm) : .foreign
    }

    static func netnsInode(_ pid: Int32) -> UInt64? {
        var st = stat()
        guard stat("/proc/\(pid)/ns/net", &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }

    /// "flannel-udp-daemon" for `cnibench flannel-udp-daemon …`; nil for anything else.
    static func agentName(_ pid: Int32) -> String? {
        guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        let args = raw.split(separator: 0).prefix(2).map { String(decoding: $0, as: UTF8.self) }
        guard args.count == 2, args[0].hasSuffix("cnibench") else { return nil }
        return agentNames.contains(args[1]) ? args[1] : nil
    }
}

/// The samples of a window split by `SampleScope`: folded stacks of ours, counts of the rest.
public struct ScopedSamples: Sendable, Equatable {
    public var folded = FoldedStacks()
    /// comm → samples excluded as foreign.
    public var excluded: [String: Int] = [:]

    public init(_ samples: [PerfSample], scope: SampleScope) {
        for s in samples {
            switch scope.classify(s) {
            case .ours(let name): folded.add(process: name, leafFirst: s.frames)
            case .foreign: excluded[s.comm, default: 0] += 1
            }
        }
    }
}
