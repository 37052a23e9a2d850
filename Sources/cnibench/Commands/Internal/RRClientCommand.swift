import ArgumentParser
import Foundation
import NetAddress
import Agents

/// `cnibench rr-client`: one request in flight for --duration seconds; prints a JSON report
/// (transactions, rate, latency percentiles from HdrHistogram) on stdout.
struct RRClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rr-client",
        abstract: "Request/response test client: round trips for a duration, latency percentiles as JSON.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "Server IP:PORT.")
    var to: String

    @Option(name: .long, help: "Source address to bind.")
    var bind: String?

    @Option(name: .long, help: "Message size in bytes (request and response).")
    var size = 64

    @Option(name: .long, help: "Seconds of round trips.")
    var duration = 3.0

    @Option(name: .long, help: "Seconds to keep retrying a refused connection.")
    var connectTimeout = 5.0

    @Flag(name: .long, help: "Busy-poll the socket instead of sleeping between messages.")
    var spin = false

    func validate() throws {
        guard RequestResponse.Endpoint(to) != nil else { throw ValidationError("--to '\(to)' is not IP:PORT") }
        if let bind { guard IPv4Address(bind) != nil else { throw ValidationError("--bind '\(bind)' is not an IPv4 address") } }
        guard size >= 1, size <= 1 << 20 else { throw ValidationError("--size \(size): 1…1048576 bytes") }
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration \(duration): more than 0, at most 3600 seconds") }
    }

    func run() throws {
        let report = try RequestResponse.run(
            to: RequestResponse.Endpoint(to)!, from: bind.flatMap { IPv4Address($0) }, size: size,
            duration: duration, connectTimeout: connectTimeout, spin: spin)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try e.encode(report) + Data("\n".utf8))
    }
}
