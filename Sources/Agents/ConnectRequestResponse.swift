import Foundation
import Histogram
import NetAddress

/// cnibench's connect/request/response test (netperf TCP_CRR's shape): every transaction opens a
/// new TCP connection, sends `size` bytes, reads `size` bytes back and waits for the server's
/// close, so each one pays the handshake, the connection tracking and NAT of a new flow, and
/// teardown. The server closes first (TIME_WAIT stays on its side, so the client never runs out
/// of ports). Its answer starts with the server's own address as the connection arrived
/// (after any DNAT), which lets the client tally which endpoint behind a Service answered.
/// Both ends run inside the run's namespaces as `cnibench crr-server` / `crr-client`.
public enum ConnectRequestResponse {
    public typealias Endpoint = RequestResponse.Endpoint
    public typealias Failure = RequestResponse.Failure

    /// What the client prints (one JSON object on stdout).
    public struct Report: Codable, Sendable, Equatable {
        /// Connections that completed a transaction.
        public var connections: Int
        public var seconds: Double
        public var connectionsPerSecond: Double
        public var requestBytes: Int
        /// connect + request + response + close, in microseconds: "min", "mean", "max", "p50", "p90", "p99", "p99.9".
        public var latencyUs: [String: Double]
        /// Connections per answering server address (from the first 4 bytes of its answer).
        public var servers: [String: Int]
        public var error: String?
    }

    /// The first byte of the request that tells the server to answer and then exit, so the
    /// bench need not wait for its timeout.
    static let stopMarker: UInt8 = 0xEE
    static let requestFill: UInt8 = 0x5A

    /// Serves one connection at a time until a stop request arrives or `timeout` passes
    /// (SIGALRM ends the process).
    public static func serve(bind endpoint: Endpoint, size: Int, timeout: Int) throws(Failure) {
        if timeout > 0 { alarm(UInt32(timeout)) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        defer { close(fd) }
        RequestResponse.setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        guard RequestResponse.bind(fd, endpoint) == 0 else { throw Failure("bind \(endpoint)") }
        guard listen(fd, 128) == 0 else { throw Failure("listen \(endpoint)") }
        let buf = UnsafeMutableRawPointer.allocate(byteCount: max(size, 4), alignment: 16)
        defer { buf.deallocate() }
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                throw Failure("accept")
            }
            RequestResponse.setInt(c, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            var stop = false
            if RequestResponse.readFully(c, buf, size) {
                stop = buf.load(as: UInt8.self) == stopMarker
                memset(buf, Int32(requestFill), size)
                if size >= 4 { stampLocalAddress(c, buf) }
                _ = RequestResponse.writeFully(c, buf, size)
            }
            close(c)
            if stop { return }
        }
    }

    /// The connection's local IPv4 address (the pod's, after DNAT) in the answer's first bytes.
    static func stampLocalAddress(_ fd: Int32, _ buf: UnsafeMutableRawPointer) {
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { return }
        withUnsafeBytes(of: a.sin_addr.s_addr) { raw in buf.copyMemory(from: raw.baseAddress!, byteCount: 4) }
    }

    enum Outcome {
        /// The answering address (nil when size < 4).
        case answered(IPv4Address?)
        /// What failed, and errno right then (close would overwrite it).
        case failed(String, Int32)
    }

    /// One connection: connect, request, response, wait for the server's close.
    static func transaction(
        to endpoint: Endpoint, from source: IPv4Address?, buf: UnsafeMutableRawPointer, size: Int, first: UInt8
    ) -> Outcome {
        func failed(_ what: String) -> Outcome {
            let e = errno
            return .failed("\(what): \(String(cString: strerror(e)))", e)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return failed("socket") }
        defer { close(fd) }
        if let source, RequestResponse.bind(fd, Endpoint(ip: source, port: 0)) != 0 { return failed("bind \(source)") }
        guard RequestResponse.connect(fd, endpoint) == 0 else { return failed("connect \(endpoint)") }
        RequestResponse.setInt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        memset(buf, Int32(requestFill), size)
        buf.storeBytes(of: first, as: UInt8.self)
        guard RequestResponse.writeFully(fd, buf, size) else { return failed("write") }
        guard RequestResponse.readFully(fd, buf, size) else { return .failed("read: connection closed before the answer", 0) }
        // The server closes after answering: read its FIN so the whole exchange is timed.
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) < 0 && errno == EINTR {}
        guard size >= 4 else { return .answered(nil) }
        let o = (0..<4).map { buf.load(fromByteOffset: $0, as: UInt8.self) }
        return .answered(IPv4Address(o[0], o[1], o[2], o[3]))
    }

    /// Waits until the server accepts (retrying refused connections up to `connectTimeout`),
    /// then makes connections for `duration` seconds, one at a time; with `stopServer`, a last
    /// connection tells the server to exit.
    public static func run(
        to endpoint: Endpoint, from source: IPv4Address?, size: Int, duration: Double, connectTimeout: Double = 5,
        stopServer: Bool = true
    ) throws(Failure) -> Report {
        let buf = UnsafeMutableRawPointer.allocate(byteCount: max(size, 4), alignment: 16)
        defer { buf.deallocate() }
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var servers: [String: Int] = [:]
        var count = 0
        var failure: String?
        let giveUp = RequestResponse.nowNs() + UInt64(connectTimeout * 1e9)
        var start = RequestResponse.nowNs()
        var last = start
        var end = start + UInt64(duration * 1e9)
        while last < end {
            let t0 = RequestResponse.nowNs()
            switch transaction(to: endpoint, from: source, buf: buf, size: size, first: requestFill) {
            case .answered(let server):
                last = RequestResponse.nowNs()
                _ = h.record(max(last - t0, 1))
                count += 1
                if let server { servers[server.description, default: 0] += 1 }
            case .failed(let what, let e):
                // Before the first success, a refused connect means the server is not up yet.
                if count == 0, e == ECONNREFUSED || e == EINTR, RequestResponse.nowNs() < giveUp {
                    usleep(20_000)
                    start = RequestResponse.nowNs()
                    last = start
                    end = start + UInt64(duration * 1e9)
                    continue
                }
                failure = what
                last = RequestResponse.nowNs()
            }
            if failure != nil { break }
        }
        if stopServer { _ = transaction(to: endpoint, from: source, buf: buf, size: size, first: stopMarker) }
        if count == 0 { throw Failure(message: failure ?? "no connection completed") }
        let secs = Double(last - start) / 1e9
        var lat: [String: Double] = ["min": Double(h.min) / 1000, "max": Double(h.max) / 1000, "mean": h.mean / 1000]
        for (k, p) in RequestResponse.percentiles { lat[k] = Double(h.valueAtPercentile(p)) / 1000 }
        return Report(
            connections: count, seconds: secs, connectionsPerSecond: secs > 0 ? Double(count) / secs : 0, requestBytes: size,
            latencyUs: lat, servers: servers, error: failure)
    }
}
