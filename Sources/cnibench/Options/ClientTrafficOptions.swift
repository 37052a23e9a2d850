import ArgumentParser
import Foundation
import NetAddress
import Agents

/// What the request/response test clients (`rr-client`, `crr-client`) share: where to connect,
/// the message size, how long, and how to print the report.
struct ClientTrafficOptions: ParsableArguments {
    @Option(name: .long, help: "Server IP:PORT (a Service's ClusterIP:port works for crr: the answers say which pod served).")
    var to: String

    @Option(name: .long, help: "Source address to bind.")
    var bind: String?

    @Option(name: .long, help: "Message size in bytes (request and response).")
    var size = 64

    @Option(name: .long, help: "Seconds of traffic.")
    var duration = 3.0

    @Option(name: .long, help: "Seconds to keep retrying a refused first connection.")
    var connectTimeout = 5.0

    func validate() throws {
        guard RequestResponse.Endpoint(to) != nil else { throw ValidationError("--to '\(to)' is not IP:PORT") }
        if let bind { guard IPv4Address(bind) != nil else { throw ValidationError("--bind '\(bind)' is not an IPv4 address") } }
        guard size >= 1, size <= 1 << 20 else { throw ValidationError("--size \(size): 1…1048576 bytes") }
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration \(duration): more than 0, at most 3600 seconds") }
    }

    /// Valid after `validate()`.
    var endpoint: RequestResponse.Endpoint { RequestResponse.Endpoint(to)! }
    var source: IPv4Address? { bind.flatMap { IPv4Address($0) } }

    /// The report as one line of sorted-key JSON on standard output (the drivers parse it).
    static func print(_ report: some Encodable) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try e.encode(report) + Data("\n".utf8))
    }
}
