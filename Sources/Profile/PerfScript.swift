/// One sample of `perf script -F comm,pid,tid,ip,sym` output.
public struct PerfSample: Sendable, Equatable {
    public var comm: String
    public var pid: Int32
    public var tid: Int32
    /// Function names, leaf first (as perf prints them); `[unknown]` where perf had no symbol.
    public var frames: [String]
}

/// Parses `perf script -F comm,pid,tid,ip,sym` text: a header line per sample
/// ("comm pid/tid", the comm possibly containing spaces), then one indented line per frame
/// ("<hex address> <symbol>[+offset] [(dso)]"), then a blank line.
public enum PerfScript {
    /// The fields asked of `perf script`, matching what `parse` reads.
    public static let fields = "comm,pid,tid,ip,sym"

    public static func parse(_ text: String) -> [PerfSample] {
        var out: [PerfSample] = []
        var current: PerfSample?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingSuffix(" ")
            if line.isEmpty {
                if let c = current { out.append(c) }
                current = nil
            } else if line.first == "\t" {
                current?.frames.append(frameName(line))
            } else {
                if let c = current { out.append(c) }
                current = header(line)
            }
        }
        if let c = current { out.append(c) }
        return out
    }

    /// "iperf3 1234/1240" → comm, pid, tid. The pid/tid token is the last one.
    static func header(_ line: Substring) -> PerfSample? {
        guard let space = line.lastIndex(of: " ") else { return nil }
        let ids = line[line.index(after: space)...].split(separator: "/")
        guard ids.count == 2, let pid = Int32(ids[0]), let tid = Int32(ids[1]) else { return nil }
        let comm = line[..<space].trimmingCharacters(in: " \t")
        return PerfSample(comm: comm.isEmpty ? "[unknown]" : comm, pid: pid, tid: tid, frames: [])
    }

    /// "\t ffffffff8123 tcp_sendmsg+0x2f (kernel)" → "tcp_sendmsg". Semicolons (folded
    /// stack separators) in C++ symbols become ':'.
    static func frameName(_ line: Substring) -> String {
        var rest = line.drop { $0 == "\t" || $0 == " " }
        rest = rest.drop { $0.isHexDigit }.drop { $0 == " " }
        // A trailing " (dso)".
        if rest.last == ")", let open = rest.range(of: " (", options: .backwards) { rest = rest[..<open.lowerBound] }
        // "+0x1f" offsets.
        if let plus = rest.range(of: "+0x", options: .backwards) { rest = rest[..<plus.lowerBound] }
        let name = String(rest).replacingOccurrences(of: ";", with: ":")
        return name.isEmpty ? "[unknown]" : name
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c || s.last == "\r" { s = s.dropLast() }
        return s
    }

    fileprivate func trimmingCharacters(in set: String) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
