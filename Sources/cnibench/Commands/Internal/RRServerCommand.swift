import ArgumentParser
import Foundation
import Agents

/// `cnibench rr-server`: the server side of the request/response latency test. Started by
/// `cnibench bench` inside a destination namespace; hidden from help.
struct RRServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rr-server",
        abstract: "Request/response test server: echo fixed-size messages on one TCP connection, then exit.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "IP:PORT to listen on.")
    var bind: String

    @Option(name: .long, help: "Message size in bytes (request and response).")
    var size = 64

    @Option(name: .long, help: "Connections to serve before exiting.")
    var connections = 1

    @Option(name: .long, help: "Exit after this many seconds whatever happens (0 = never).")
    var timeout = 60

    @Flag(name: .long, help: "Busy-poll the socket instead of sleeping between messages.")
    var spin = false

    func validate() throws {
        guard RequestResponse.Endpoint(bind) != nil else { throw ValidationError("--bind '\(bind)' is not IP:PORT") }
        guard size >= 1, size <= 1 << 20 else { throw ValidationError("--size \(size): 1…1048576 bytes") }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard timeout >= 0 else { throw ValidationError("--timeout must be 0 or more") }
    }

    func run() throws {
        try RequestResponse.serve(bind: RequestResponse.Endpoint(bind)!, size: size, connections: connections, timeout: timeout, spin: spin)
    }
}
