import ArgumentParser
import Foundation
import NetAddress
import Agents

/// `cnibench crr-client`: a new connection per transaction for --duration seconds; prints a JSON
/// report (connections, rate, latency percentiles, connections per answering server).
struct CRRClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crr-client",
        abstract: "Connect/request/response test client: connections for a duration, rate and latency as JSON.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "Server IP:PORT (a Service's ClusterIP:port works: the answers say which pod served).")
    var to: String

    @Option(name: .long, help: "Source address to bind.")
    var bind: String?

    @Option(name: .long, help: "Message size in bytes (request and response).")
    var size = 64

    @Option(name: .long, help: "Seconds of connections.")
    var duration = 3.0

    @Option(name: .long, help: "Seconds to keep retrying a refused first connection.")
    var connectTimeout = 5.0

    @Flag(name: .long, help: "Leave the server running (no stop request at the end).")
    var keepServer = false

    func validate() throws {
        guard RequestResponse.Endpoint(to) != nil else { throw ValidationError("--to '\(to)' is not IP:PORT") }
        if let bind { guard IPv4Address(bind) != nil else { throw ValidationError("--bind '\(bind)' is not an IPv4 address") } }
        guard size >= 1, size <= 1 << 20 else { throw ValidationError("--size \(size): 1…1048576 bytes") }
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration \(duration): more than 0, at most 3600 seconds") }
    }

    func run() throws {
        let report = try ConnectRequestResponse.run(
            to: RequestResponse.Endpoint(to)!, from: bind.flatMap { IPv4Address($0) }, size: size, duration: duration,
            connectTimeout: connectTimeout, stopServer: !keepServer)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try e.encode(report) + Data("\n".utf8))
    }
}
