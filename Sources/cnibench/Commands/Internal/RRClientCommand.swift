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

    @OptionGroup var traffic: ClientTrafficOptions

    @Flag(name: .long, help: "Busy-poll the socket instead of sleeping between messages.")
    var spin = false

    func run() throws {
        let report = try RequestResponse.run(
            to: traffic.endpoint, from: traffic.source, size: traffic.size,
            duration: traffic.duration, connectTimeout: traffic.connectTimeout, spin: spin)
        try ClientTrafficOptions.print(report)
    }
}
