import Foundation
import Histogram
import NetAddress

/// cnibench's TCP request/response latency test (netperf TCP_RR's shape): one connection, one
/// request in flight; the client sends `size` bytes, the server answers `size` bytes, and the
/// client records each round trip (ns) in an HdrHistogram. Both ends run inside the run's
/// namespaces as `cnibench rr-server` / `cnibench rr-client` (hidden subcommands).
public enum RequestResponse {
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var ip: IPv4Address
        public var port: UInt16
        public init(ip: IPv4Address, port: UInt16) {
            self.ip = ip
            self.port = port
        }
        /// "IP:PORT".
        public init?(_ s: String) {
            let parts = s.split(separator: ":")
            guard parts.count == 2, let ip = IPv4Address(String(parts[0])), let port = UInt16(parts[1]), port > 0 else { return nil }
            self.init(ip: ip, port: port)
        }
        public var description: String { "\(ip):\(port)" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ what: String, errno e: Int32 = errno) { description = "\(what): \(String(cString: strerror(e)))" }
        init(message: String) { description = message }
    }

    /// What the client prints (one JSON object on stdout).
    public struct Report: Codable, Sendable, Equatable {
        public var transactions: Int
        public var seconds: Double
        public var transactionsPerSecond: Double
        public var requestBytes: Int
        /// Round-trip latency in microseconds: "min", "mean", "max", "p50", "p90", "p99", "p99.9".
        public var latencyUs: [String: Double]
        public var error: String?
    }

    public static let percentiles: [(key: String, value: Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]

    static func socketAddress(_ e: Endpoint) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = e.port.bigEndian
        let o = e.ip.octets
        a.sin_addr.s_addr = (UInt32(o[0]) | UInt32(o[1]) << 8 | UInt32(o[2]) << 16 | UInt32(o[3]) << 24)
        return a
    }

    static func bind(_ fd: Int32, _ e: Endpoint) -> Int32 {
        var a = socketAddress(e)
        return withUnsafePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    static func connect(_ fd: Int32, _ e: Endpoint) -> Int32 {
        var a = socketAddress(e)
        return withUnsafePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    static func setInt(_ fd: Int32, _ level: Int32, _ opt: Int32, _ v: Int32) {
        var v = v
        _ = setsockopt(fd, level, opt, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads exactly `count` bytes; false on EOF or error.
    /// Reads exactly `count` bytes; false on EOF or error. With `spin`, polls with
    /// MSG_DONTWAIT instead of sleeping in the kernel, so the CPU never idles between messages.
    static func readFully(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int, spin: Bool = false) -> Bool {
        var got = 0
        let flags = spin ? Int32(MSG_DONTWAIT) : 0
        while got < count {
            let n = recv(fd, buf + got, count - got, flags)
            if n > 0 {
                got += n
            } else if n < 0 && (errno == EINTR || (spin && (errno == EAGAIN || errno == EWOULDBLOCK))) {
                continue
            } else {
                return false
            }
        }
        return true
    }

    static func writeFully(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Bool {
        var sent = 0
        while sent < count {
            let n = write(fd, buf + sent, count - sent)
            if n > 0 { sent += n } else if n < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }

    /// Serves connections until `connections` have ended (default one, like `iperf3 -1`) or
    /// `timeout` passes (SIGALRM ends the process: the bound the bench relies on).
    public static func serve(bind endpoint: Endpoint, size: Int, connections: Int = 1, timeout: Int, spin: Bool = false) throws(Failure) {
        if timeout > 0 { alarm(UInt32(timeout)) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        defer { close(fd) }
        setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        guard bind(fd, endpoint) == 0 else { throw Failure("bind \(endpoint)") }
        guard listen(fd, 8) == 0 else { throw Failure("listen \(endpoint)") }
        let buf = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        defer { buf.deallocate() }
        var served = 0
        while served < connections {
            let c = accept(fd, nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                throw Failure("accept")
            }
            setInt(c, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            while readFully(c, buf, size, spin: spin) {
                if !writeFully(c, buf, size) { break }
            }
            close(c)
            served += 1
        }
    }

    @inline(__always) static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Connects (retrying while refused, up to `connectTimeout`), then does transactions for
    /// `duration` seconds, one in flight.
    public static func run(
        to endpoint: Endpoint, from source: IPv4Address?, size: Int, duration: Double,
        connectTimeout: Double = 5, spin: Bool = false
    ) throws(Failure) -> Report {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        defer { close(fd) }
        if let source, bind(fd, Endpoint(ip: source, port: 0)) != 0 { throw Failure("bind \(source)") }
        let giveUp = nowNs() + UInt64(connectTimeout * 1e9)
        var fdInUse = fd
        var extra: Int32 = -1
        defer { if extra >= 0 { close(extra) } }
        while connect(fdInUse, endpoint) != 0 {
            let e = errno
            guard e == ECONNREFUSED || e == EINTR || e == ETIMEDOUT, nowNs() < giveUp else {
                throw Failure("connect \(endpoint)", errno: e)
            }
            usleep(20_000)
            // A refused socket cannot be connected again: a fresh one, bound as before.
            if extra >= 0 { close(extra) }
            extra = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard extra >= 0 else { throw Failure("socket") }
            if let source, bind(extra, Endpoint(ip: source, port: 0)) != 0 { throw Failure("bind \(source)") }
            fdInUse = extra
        }
        setInt(fdInUse, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        // Up to 60 s per round trip, 3 significant digits.
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        let buf = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        defer { buf.deallocate() }
        memset(buf, 0x5a, max(size, 1))
        let start = nowNs()
        let end = start + UInt64(duration * 1e9)
        var count = 0
        var failure: String?
        var last = start
        while last < end {
            // The clock is read right around the round trip: recording is outside the interval.
            let t0 = nowNs()
            guard writeFully(fdInUse, buf, size) else {
                failure = "write: \(String(cString: strerror(errno)))"
                break
            }
            guard readFully(fdInUse, buf, size, spin: spin) else {
                failure = "read: connection closed or \(String(cString: strerror(errno)))"
                break
            }
            last = nowNs()
            _ = h.record(max(last - t0, 1))
            count += 1
        }
        let secs = Double(last - start) / 1e9
        shutdown(fdInUse, Int32(SHUT_RDWR))
        var lat: [String: Double] = [:]
        if count > 0 {
            lat["min"] = Double(h.min) / 1000
            lat["max"] = Double(h.max) / 1000
            lat["mean"] = h.mean / 1000
            for (k, p) in percentiles { lat[k] = Double(h.valueAtPercentile(p)) / 1000 }
        }
        if count == 0 { throw Failure(message: failure ?? "no transaction completed") }
        return Report(
            transactions: count, seconds: secs, transactionsPerSecond: secs > 0 ? Double(count) / secs : 0,
            requestBytes: size, latencyUs: lat, error: failure)
    }
}
