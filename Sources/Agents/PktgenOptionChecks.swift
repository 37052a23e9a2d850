import Results
import Foundation

extension PacketGenerator.Options {
    /// Ranges of the `cnibench pktgen` options, checked before anything is opened or sent.
    /// Each message names the option and what is valid. Port 0 is refused: UDP to port 0 is
    /// not deliverable (the receiver cannot bind it), so every frame would count as lost.
    public static let ports: ClosedRange<Int> = 1...65535
    public static let durations: ClosedRange<Double> = 0.001...3600
    /// Far above what one sender can do; a larger value is a typo, and `inf`/`nan` must not
    /// reach the pacing arithmetic.
    public static let rates: ClosedRange<Double> = 1...1e9

    public func check() throws {
        func bad(_ option: String, _ value: String, _ valid: String) -> PktgenError { PktgenError("\(option) \(value): valid is \(valid)") }
        let sizes = PacketGenerator.frameSizes
        guard sizes.contains(frameSize) else {
            throw bad("--size", "\(frameSize)", "\(sizes.lowerBound)…\(sizes.upperBound) bytes (Ethernet frame with FCS)")
        }
        guard Self.ports.contains(Int(port)) else { throw bad("--port", "\(port)", "\(Self.ports.lowerBound)…\(Self.ports.upperBound)") }
        let maxFlows = 65535 - Int(sourcePort)
        guard (1...maxFlows).contains(flows) else { throw bad("--flows", "\(flows)", "1…\(maxFlows) (source ports from \(sourcePort))") }
        if let duration, !(duration.isFinite && Self.durations.contains(duration)) {
            throw bad(
                "--duration", Fmt.compact(duration),
                "\(Fmt.compact(Self.durations.lowerBound))…\(Fmt.compact(Self.durations.upperBound)) seconds")
        }
        if let count, count == 0 { throw bad("--count", "0", "1 or more packets") }
        if let pps, !(pps.isFinite && Self.rates.contains(pps)) {
            throw bad(
                "--pps", Fmt.compact(pps), "\(Fmt.compact(Self.rates.lowerBound))…\(Fmt.compact(Self.rates.upperBound)) packets per second")
        }
    }
}
