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

    @OptionGroup var traffic: ClientTrafficOptions

    @Flag(name: .long, help: "Leave the server running (no stop request at the end).")
    var keepServer = false

    func run() throws {
        let report = try ConnectRequestResponse.run(
            to: traffic.endpoint, from: traffic.source, size: traffic.size, duration: traffic.duration,
            connectTimeout: traffic.connectTimeout, stopServer: !keepServer)
        try ClientTrafficOptions.print(report)
    }
}
