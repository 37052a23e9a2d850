import Foundation

/// The /proc files cnibench reads, each parsed in one place.
public enum ProcFS {
    /// The fields of /proc/PID/stat that cnibench uses.
    public struct Stat: Sendable, Equatable {
        /// R, S, D, Z, X, …
        public var state: Character
        /// Kernel flags (PF_*), field 9.
        public var flags: UInt64
        /// User and system CPU time in clock ticks, fields 14 and 15.
        public var utime: UInt64
        public var stime: UInt64
        /// Start time in clock ticks since boot, field 22: with the pid, the process's identity.
        public var startTime: UInt64

        /// PF_KTHREAD.
        public var isKernelThread: Bool { flags & 0x0020_0000 != 0 }
        public var isZombie: Bool { state == "Z" || state == "X" }
        public var cpuSeconds: Double { Double(utime + stime) / ProcFS.ticksPerSecond }
    }

    /// One read of /proc/PID/stat; nil if the pid is gone.
    public static func stat(_ pid: Int32) -> Stat? {
        guard let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parseStat(text)
    }

    /// Parses a /proc/PID/stat line. The command name (field 2) may contain spaces and ')', so
    /// the fields are counted from the last ')': field 3 (state) is the first after it.
    public static func parseStat(_ text: String) -> Stat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let f = text[text.index(after: close)...].split(separator: " ")
        guard f.count > 19, let state = f[0].first, let flags = UInt64(f[6]), let ut = UInt64(f[11]),
            let st = UInt64(f[12]), let start = UInt64(f[19])
        else { return nil }
        return Stat(state: state, flags: flags, utime: ut, stime: st, startTime: start)
    }

    /// Clock ticks per second (USER_HZ), the unit of the stat times.
    public static let ticksPerSecond: Double = {
        let t = sysconf(Int32(_SC_CLK_TCK))
        return t > 0 ? Double(t) : 100
    }()

    /// CLOCK_BOOTTIME in seconds: the clock of the stat start times.
    public static func bootTimeNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// VmRSS from /proc/PID/status in KiB; nil if gone (or a kernel thread).
    public static func residentKiB(_ pid: Int32) -> Double? {
        guard let s = readSmallFile("/proc/\(pid)/status"),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Double($0) }
    }

    /// The 1-minute load average.
    public static func loadAverage1() -> Double? {
        loadAverage()?.split(separator: " ").first.flatMap { Double($0) }
    }

    /// The three load averages as /proc/loadavg shows them ("0.52 0.40 0.31").
    public static func loadAverage() -> String? {
        readSmallFile("/proc/loadavg")?.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The kernel's shared ARP table hard limit (net.ipv4.neigh.default.gc_thresh3), read from
    /// the root namespace through pid 1, else from our own /proc/sys.
    public static func neighbourTableLimit() -> Int? {
        for path in ["/proc/1/root/proc/sys/net/ipv4/neigh/default/gc_thresh3", "/proc/sys/net/ipv4/neigh/default/gc_thresh3"] {
            if let v = readSmallFile(path).flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) { return v }
        }
        return nil
    }

    /// True if process `pid` (in whatever network namespace it lives) has a TCP socket listening
    /// on ip:port or on the wildcard address with that port. /proc/PID/net/tcp shows the
    /// namespace of that process; addresses are little-endian hex, state 0A is LISTEN.
    public static func isListening(pid: Int32, ipOctets o: [UInt8], port: UInt16) -> Bool {
        precondition(o.count == 4, "IPv4 address")
        let want = String(format: "%02X%02X%02X%02X:%04X", o[3], o[2], o[1], o[0], port)
        let wildcard = String(format: "00000000:%04X", port)
        guard let t = readSmallFile("/proc/\(pid)/net/tcp") else { return false }
        for line in t.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            if f.count > 3, f[3] == "0A", f[1] == want || f[1] == wildcard { return true }
        }
        return false
    }

    /// A whole small file as text, nil if unreadable.
    public static func readSmallFile(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }
}
