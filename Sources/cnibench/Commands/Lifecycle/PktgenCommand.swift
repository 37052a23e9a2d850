import ArgumentParser
import Foundation
import NetAddress
import Netlink
import ProcessKit
import TopologyModel
import Agents

/// Ctrl-C stops the sender (and then the receiver) cleanly, so a report is still printed.
let pktgenStop = PktgenStop(followsInterrupt: true)

/// `cnibench pktgen`: UDP frames from one of a run's namespaces to another through an AF_PACKET
/// TX ring, counted on arrival.
struct PktgenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pktgen",
        abstract: "Send UDP frames between two of a run's namespaces (AF_PACKET TX ring) and count what arrives.",
        discussion: """
            Both ends in one process (the usual form):
              cnibench pktgen --name RUN --from <ns> --to <ns> [--size 64] [--flows 1] [--duration 5 | --count N] [--pps R] [--json]
            <ns> is a namespace of the run, with or without the "RUN-" prefix (node1-pod1, cnb-node2), or
            one of its addresses. Frames are built once (Ethernet/IPv4/UDP, DF, TTL 64, UDP checksum) and
            patched per packet (IP ID, a 4-byte counter in the payload, the source port cycling over
            --flows ports from 10000); the destination MAC is the next hop's, from the source namespace's
            neighbour table after a priming ping. --size counts the 4-byte FCS: 64 writes 60 bytes.
            The receiver is an RX ring (TPACKET_V3) on a pod's interface, or a UDP socket drained with
            recvmmsg (nodes, or --rx socket). Destinations outside the run are refused before anything is sent.

            One end, from inside a run's namespace (what `cnibench bench --tests pktgen` starts):
              cnibench pktgen --receive --bind DST_IP --duration S --json     → {"received": N, "seconds": T}
              cnibench pktgen --to DST_IP [--from SRC_IP] --duration S --json → {"sent": N, "seconds": T}
            """
    )

    @Option(name: .long, help: "Run name (default: the run whose namespace this process is in, else cnb).", transform: parseRunName)
    var name: RunName?

    @Option(name: .long, help: "Source namespace or address.")
    var from: String?

    @Option(name: .long, help: "Destination namespace or address (must belong to the run).")
    var to: String?

    @Option(name: .long, help: "Ethernet frame size in bytes, FCS included (64…1518).")
    var size = 64

    @Option(name: .long, help: "UDP flows (distinct source ports), cycled per packet.")
    var flows = 1

    @Option(name: .long, help: "Seconds to send (default 5 unless --count is given).")
    var duration: Double?

    @Option(name: .long, help: "Packets to send.")
    var count: UInt64?

    @Option(name: .long, help: "Packets per second (default: full speed).")
    var pps: Double?

    @Option(name: .long, help: "UDP destination port.")
    var port: UInt16 = PacketGenerator.defaultPort

    @Option(name: .long, help: "Receiver: ring (AF_PACKET TPACKET_V3) or socket (recvmmsg); default ring for pods, socket for nodes.")
    var rx: PktgenReceiverMode?

    @Flag(name: .long, help: "Receive only, in this process's namespace (with --bind).")
    var receive = false

    @Option(name: .long, help: "Address to receive on (with --receive).")
    var bind: String?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        if receive {
            guard let bind, IPv4Address(bind) != nil else { throw ValidationError("--receive needs --bind IP") }
        } else {
            guard to != nil else { throw ValidationError("--to is required") }
        }
        do { try options.check() } catch let e as PktgenError { throw ValidationError(e.description) }
    }

    var options: PacketGenerator.Options {
        var o = PacketGenerator.Options()
        o.frameSize = size
        o.flows = flows
        o.count = count
        o.duration = duration ?? (count == nil ? 5 : nil)
        o.pps = pps
        o.port = port
        o.receiver = rx
        return o
    }

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("pktgen", because: "it sends and receives raw frames (AF_PACKET) inside the run's namespaces")
        Interrupt.install()
        defer { Interrupt.restore() }
        let here = PacketGenerator.currentRunNamespace()
        if receive {
            guard let here else {
                throw ValidationError("--receive runs inside one of a run's namespaces (ip netns exec RUN-node1-pod2 …)")
            }
            let ns = try NetworkNamespace.open(here.namespace)
            let r = try PacketGenerator.receive(
                in: ns, address: IPv4Address(bind!)!, seconds: duration ?? 5, options: options, stop: pktgenStop)
            emit(
                ["received": Double(r.received), "seconds": r.activeSeconds, "receiverRingDrops": Double(r.ringDrops)],
                text: "received \(r.received) packets in \(String(format: "%.3f", r.activeSeconds)) s (\(r.mode.rawValue))")
            return
        }
        if name == nil, let here {
            // Inside one of a run's namespaces: one end, sending from this namespace.
            let ns = try NetworkNamespace.open(here.namespace)
            let a = here.plan.addressing
            guard let dst = IPv4Address(to!) ?? (try? PacketGenerator.endpoint(to!, in: a).ip) else {
                throw ValidationError("--to \(to!) is not an address or namespace of run \(here.run)")
            }
            let (s, hop) = try PacketGenerator.send(
                from: ns, to: dst, allowed: PacketGenerator.ownAddresses(a), options: options, stop: pktgenStop)
            if let from, let f = IPv4Address(from), f != hop.sourceIP {
                FileHandle.standardError.write(
                    Data("pktgen: note: frames leave \(hop.device) from \(hop.sourceIP), not --from \(f)\n".utf8))
            }
            emit(
                ["sent": Double(s.sent), "seconds": s.seconds, "kickErrors": Double(s.kickErrors)],
                text: "sent \(s.sent) packets in \(String(format: "%.3f", s.seconds)) s from \(hop.sourceIP) via \(hop.device) to \(dst)")
            return
        }
        guard let from else { throw ValidationError("--from is required (a namespace or address of the run)") }
        // A run that does not exist, or --from/--to outside it: the user's input.
        let e: PacketGenerator.Endpoints
        do { e = try PacketGenerator.endpoints(run: name ?? here?.run ?? .default, from: from, to: to!) } catch let err as PktgenError {
            throw ValidationError(err.description)
        }
        let report = try PacketGenerator.run(e, options: options, stop: pktgenStop)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try enc.encode(report) + Data("\n".utf8))
        } else {
            print(report.render())
        }
        // The run was only read and sent through: nothing of it to undo, but the exit says it.
        if Interrupt.requested {
            print("interrupted: pktgen stopped, run left as it was")
            throw ExitCode(130)
        }
    }

    private func emit(_ values: [String: Double], text: String) {
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(((try? enc.encode(values)) ?? Data("{}".utf8)) + Data("\n".utf8))
        } else {
            print(text)
        }
    }
}
