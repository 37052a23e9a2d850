import Foundation
import ProcessKit
import Netlink
import Results

/// The machine's aggregate CPU time (the `cpu` line of /proc/stat), in clock ticks.
///
/// /proc/stat is global (not per network namespace): a delta over a test is everything the
/// machine did meanwhile — the datapath's softirq work included, wherever the kernel ran it
/// (process context, ksoftirqd, another core) — and also whatever else ran then. That is why a
/// sample also carries the test's own processes' CPU time (`processSeconds`, from wait4).
public struct CPUTimes: Sendable, Equatable {
    public var user: UInt64 = 0
    public var nice: UInt64 = 0
    public var system: UInt64 = 0
    public var idle: UInt64 = 0
    public var iowait: UInt64 = 0
    public var irq: UInt64 = 0
    public var softirq: UInt64 = 0
    public var steal: UInt64 = 0

    public init() {}

    /// Clock ticks per second (USER_HZ).
    public static var ticksPerSecond: Double { ProcFS.ticksPerSecond }

    /// Parses the first line ("cpu  user nice system idle iowait irq softirq steal …").
    public init?(procStat text: String) {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let f = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard f.count >= 8 else { return nil }
        user = f[0]
        nice = f[1]
        system = f[2]
        idle = f[3]
        iowait = f[4]
        irq = f[5]
        softirq = f[6]
        steal = f[7]
    }

    public static func read() -> CPUTimes? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return CPUTimes(procStat: text)
    }

    /// Busy ticks: user + nice + system + irq + softirq (guest time is inside user; steal apart).
    public var busy: UInt64 { user + nice + system + irq + softirq }

    /// The usage between two snapshots; `foreignSeconds` is the CPU time other tenants' processes
    /// took meanwhile (see `ForeignProcesses`).
    public static func usage(
        from a: CPUTimes, to b: CPUTimes, wallSeconds: Double, processSeconds: Double?,
        foreignSeconds: Double? = nil
    ) -> CPUUsage {
        func d(_ x: UInt64, _ y: UInt64) -> Double { y >= x ? Double(y - x) / ticksPerSecond : 0 }
        return CPUUsage(
            busySeconds: d(a.busy, b.busy), userSeconds: d(a.user + a.nice, b.user + b.nice),
            systemSeconds: d(a.system, b.system), softirqSeconds: d(a.softirq + a.irq, b.softirq + b.irq),
            stealSeconds: d(a.steal, b.steal), idleSeconds: d(a.idle + a.iowait, b.idle + b.iowait),
            wallSeconds: wallSeconds, processSeconds: processSeconds, foreignSeconds: foreignSeconds)
    }
}

/// CPU time of the processes that are *not* part of a measurement: every user-space process
/// whose network namespace is not one of the bench's (other tenants of a shared runner, a
/// compiler, cnibench's own driver loop). Kernel threads count as the measurement's (ksoftirqd
/// and kworkers do the datapath's deferred work). Subtracted from the machine's busy time, it
/// leaves the CPU the datapath and its endpoints used; what it cannot see is a foreign process
/// that exits inside the window.
public struct ForeignProcesses: Sendable {
    /// pid → (start time, utime + stime) in clock ticks.
    var ticks: [Int32: (start: UInt64, cpu: UInt64)] = [:]

    public static func snapshot(excludingNamespaces ours: Set<UInt64>) -> ForeignProcesses {
        var s = ForeignProcesses()
        for entry in (try? FileSystem.listDirectory("/proc")) ?? [] {
            guard let pid = Int32(entry), pid > 2, let stat = ProcFS.stat(pid), !stat.isKernelThread else { continue }
            guard let ns = FileSystem.inode(of: "/proc/\(pid)/ns/net"), !ours.contains(ns) else { continue }
            s.ticks[pid] = (stat.startTime, stat.utime + stat.stime)
        }
        return s
    }

    /// Seconds of CPU the foreign processes used between two snapshots (processes born in
    /// between count whole).
    public static func seconds(from a: ForeignProcesses, to b: ForeignProcesses) -> Double {
        var total: UInt64 = 0
        for (pid, now) in b.ticks {
            if let before = a.ticks[pid], before.start == now.start {
                total += now.cpu >= before.cpu ? now.cpu - before.cpu : 0
            } else {
                total += now.cpu
            }
        }
        return Double(total) / CPUTimes.ticksPerSecond
    }
}
