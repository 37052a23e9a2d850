import Foundation
import ProcessKit
import NetAddress

/// The hook for the small-packet rate test: `cnibench pktgen` when this build has it.
///
/// Contract the bench relies on (both ends print one JSON object on stdout and exit by
/// themselves within `--duration` plus a second or two):
///
///     receiver, in the destination namespace:
///       cnibench pktgen --receive --bind DST_IP --duration S --json      → {"received": N, "seconds": T}
///     sender, in the source namespace:
///       cnibench pktgen --to DST_IP --from SRC_IP --size 64 --duration S --json  → {"sent": N, "seconds": T}
///
/// Metrics: `sentMpps`, `receivedMpps`, `lossPercent`, plus the CPU figures. If the generator
/// lands with other flags, only `receiverArguments`/`senderArguments` and `Report` change here.
public enum PacketGeneratorHook {
    public static let frameBytes = 64

    /// True when `executable pktgen --help` prints the subcommand's own usage (for an unknown
    /// subcommand ArgumentParser prints the root help and still exits 0, so the exit status
    /// alone says nothing).
    public static func isAvailable(executable: String) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: executable),
            let help = runCapturing([executable, "pktgen", "--help"])
        else { return false }
        return help.contains("cnibench pktgen")
    }

    public static func receiverArguments(executable: String, bind: IPv4Address, duration: Int) -> [String] {
        [executable, "pktgen", "--receive", "--bind", bind.description, "--duration", String(duration + 1), "--json"]
    }

    public static func senderArguments(executable: String, to: IPv4Address, from: IPv4Address, duration: Int) -> [String] {
        [
            executable, "pktgen", "--to", to.description, "--from", from.description, "--size", String(frameBytes),
            "--duration", String(duration), "--json"
        ]
    }

    public struct Report: Decodable, Sendable {
        public var sent: Double?
        public var received: Double?
        public var seconds: Double?
    }

    public static let unavailableMessage =
        "the pktgen test needs `cnibench pktgen` (the packet generator), which this build does not have; drop pktgen from --tests"
}
