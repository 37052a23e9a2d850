import Foundation
import ProcessKit

/// The parts of iperf3's `-J` output cnibench uses (iperf 3.9–3.16 share this layout). Every
/// field is optional: an error report has empty `start`/`end` and an `error` string.
public struct Iperf3Report: Decodable, Sendable {
    public struct Start: Decodable, Sendable {
        public var version: String?
        public var tcp_mss_default: Int?
        public var test_start: TestStart?
    }

    public struct TestStart: Decodable, Sendable {
        public var `protocol`: String?
        public var num_streams: Int?
        public var duration: Double?
        public var blksize: Int?
    }

    public struct Sum: Decodable, Sendable {
        public var seconds: Double?
        public var bytes: Double?
        public var bits_per_second: Double?
        public var retransmits: Double?
        public var jitter_ms: Double?
        public var lost_packets: Double?
        public var packets: Double?
        public var lost_percent: Double?
    }

    public struct CPUUtilization: Decodable, Sendable {
        public var host_total: Double?
        public var remote_total: Double?
    }

    public struct End: Decodable, Sendable {
        public var sum_sent: Sum?
        public var sum_received: Sum?
        /// UDP: the totals with the receiver's loss and jitter.
        public var sum: Sum?
        public var cpu_utilization_percent: CPUUtilization?
    }

    public var start: Start?
    public var end: End?
    public var error: String?

    public static func parse(_ data: Data) throws -> Iperf3Report {
        try JSONDecoder().decode(Iperf3Report.self, from: data)
    }

    public static func parse(_ text: String) throws -> Iperf3Report { try parse(Data(text.utf8)) }

    public var isUDP: Bool { start?.test_start?.protocol == "UDP" }

    /// What one test delivered, from the receiver's side.
    public struct Outcome: Sendable, Equatable {
        public var seconds: Double
        public var receivedBytes: Double
        public var receivedBitsPerSecond: Double
        public var sentBitsPerSecond: Double?
        public var retransmits: Double?
        /// UDP only.
        public var lostPercent: Double?
        public var jitterMs: Double?
        public var sentPackets: Double?
        public var receivedPackets: Double?
        public var mss: Int?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The receiver's totals, or why there are none.
    public func outcome() throws(Failure) -> Outcome {
        if let error { throw Failure(description: "iperf3: \(error)") }
        guard let recv = end?.sum_received, let bytes = recv.bytes, let bps = recv.bits_per_second, let secs = recv.seconds, secs > 0 else {
            throw Failure(description: "iperf3 report has no receiver totals (end.sum_received)")
        }
        var o = Outcome(
            seconds: secs, receivedBytes: bytes, receivedBitsPerSecond: bps,
            sentBitsPerSecond: end?.sum_sent?.bits_per_second, retransmits: end?.sum_sent?.retransmits,
            mss: start?.tcp_mss_default.flatMap { $0 > 0 ? $0 : nil })
        if isUDP {
            let s = end?.sum ?? recv
            // iperf3 counts reordered or duplicated datagrams against the lost ones and can then
            // report a negative loss; none was lost, and result files refuse negative values.
            o.lostPercent = s.lost_percent.map { max(0, $0) }
            o.jitterMs = s.jitter_ms
            o.sentPackets = s.packets ?? end?.sum_sent?.packets
            if let p = o.sentPackets, let lost = s.lost_packets { o.receivedPackets = max(0, p - lost) }
            o.retransmits = nil
        }
        return o
    }
}

/// `iperf3 --version` first line, e.g. "iperf 3.12 (cJSON 1.7.15)".
public func iperf3Version() -> String? {
    guard let path = Prerequisites.which("iperf3") else { return nil }
    return runCapturing([path, "--version"])?.split(separator: "\n").first.map(String.init)
}
