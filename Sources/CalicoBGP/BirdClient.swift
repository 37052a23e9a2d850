import Foundation
import NetAddress
import Netlink

public struct BirdError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// BIRD's control socket, spoken directly (what `birdc -s SOCKET` does, without a process per
/// query: the bench polls 100 daemons). The protocol: a greeting `0001 BIRD 2.0.12 ready.`, then
/// per command lines `DDDD-text` (more follows), ` text` (continuation of the last code) and a
/// final `DDDD text` whose code is 0xxx (done) or 8xxx/9xxx (runtime/syntax error).
public final class BirdClient {
    public struct Line: Sendable, Equatable {
        public var code: Int
        public var text: String
    }

    public let path: String
    private let socket: UnixStreamSocket
    private var buffer: [UInt8] = []

    /// Connects and reads the greeting; fails fast when no BIRD listens (ECONNREFUSED/ENOENT).
    public init(socket path: String, timeout: Double = 3) throws(BirdError) {
        self.path = path
        do { socket = try UnixStreamSocket(connectingTo: path, timeout: timeout) } catch {
            throw BirdError(
                error == .fileNameTooLong
                    ? "socket path too long (\(path.utf8.count) bytes): \(path)" : "BIRD not answering on \(path): \(error)")
        }
        _ = try readReply()
    }

    /// Sends one command (as typed in birdc) and returns every line of the reply; throws on an
    /// 8xxx/9xxx reply with BIRD's message.
    @discardableResult
    public func command(_ cmd: String) throws(BirdError) -> [Line] {
        do { try socket.send(Array((cmd + "\n").utf8)) } catch { throw BirdError("write to \(path): \(error)") }
        let lines = try readReply()
        if let last = lines.last, last.code >= 8000 {
            throw BirdError("birdc -s \(path) '\(cmd)': \(last.text)")
        }
        return lines
    }

    private func readLine() throws(BirdError) -> String {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            let chunk: [UInt8]
            do { chunk = try socket.receive() } catch { throw BirdError("read from \(path): \(error)") }
            guard !chunk.isEmpty else { throw BirdError("BIRD closed \(path)") }
            buffer += chunk
        }
    }

    private func readReply() throws(BirdError) -> [Line] {
        var out: [Line] = []
        var code = 0
        while true {
            let raw = try readLine()
            if raw.first == " " {
                out.append(Line(code: code, text: String(raw.dropFirst())))
                continue
            }
            let chars = Array(raw.utf8)
            guard chars.count >= 4, let c = Int(String(decoding: chars[0..<4], as: UTF8.self)) else {
                out.append(Line(code: code, text: raw))
                continue
            }
            code = c
            let final = chars.count == 4 || chars[4] == UInt8(ascii: " ")
            out.append(Line(code: c, text: chars.count > 5 ? String(decoding: chars[5...], as: UTF8.self) : ""))
            if final && (c < 1000 || c >= 8000) { return out }
        }
    }

    // MARK: parsed queries

    /// One row of `show protocols`.
    public struct ProtocolStatus: Sendable, Equatable {
        public var name: String
        public var proto: String
        public var state: String
        /// Time of the last state change, as BIRD prints it (local time of day, "02:24:36.754").
        public var since: String
        /// "Established", "Active", "Passive", "Connect", with the last error if any.
        public var info: String
        public var isBGP: Bool { proto == "BGP" }
        public var established: Bool { state == "up" && info.hasPrefix("Established") }
    }

    public func protocols() throws(BirdError) -> [ProtocolStatus] {
        try command("show protocols").filter { $0.code == 1002 }.compactMap { l in
            let f = l.text.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true).map(String.init)
            guard f.count >= 4 else { return nil }
            // Name Proto Table State Since [Info]: Since is one token in BIRD 2's default format.
            return ProtocolStatus(
                name: f[0], proto: f[1], state: f[3], since: f.count > 4 ? f[4] : "",
                info: f.count > 5 ? f[5].split(separator: " ").joined(separator: " ") : "")
        }
    }

    /// Routes in master4 (`show route count`: "N of M routes for K networks in table master4").
    public func routeCount() throws(BirdError) -> Int {
        for l in try command("show route count") where l.text.contains("table master4") {
            if let n = Int(l.text.split(separator: " ").first ?? "") { return n }
        }
        return 0
    }

    /// The best BGP route's next hop for every prefix in `pool` (`show route primary all where
    /// net ~ POOL && source = RTS_BGP`): the node that owns each block.
    public func bgpNextHops(in pool: IPv4Prefix) throws(BirdError) -> [IPv4Prefix: IPv4Address] {
        var out: [IPv4Prefix: IPv4Address] = [:]
        var current: IPv4Prefix?
        for l in try command("show route primary all where net ~ \(pool) && source = RTS_BGP") {
            if let first = l.text.split(separator: " ").first, l.text.first != "\t", first.contains("/"),
                let p = IPv4Prefix(first)
            {
                current = p
            } else if let p = current, let r = l.text.range(of: "BGP.next_hop: ") {
                if let ip = IPv4Address(l.text[r.upperBound...].split(separator: " ").first ?? "") { out[p] = ip }
            }
        }
        return out
    }

    /// `configure` (re-read the file BIRD was started with), as confd does after re-rendering.
    public func reconfigure() throws(BirdError) {
        let lines = try command("configure")
        guard
            lines.contains(where: {
                $0.text.contains("Reconfigured") || $0.text.contains("Reconfiguration in progress") || $0.text.contains("unchanged")
            })
        else {
            throw BirdError("configure via \(path): \(lines.map(\.text).joined(separator: "; "))")
        }
    }
}
