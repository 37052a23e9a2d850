import ArgumentParser
import Agents

/// `cnibench crr-server`: the server side of the connect/request/response test; answers one
/// connection at a time until the client's stop request or --timeout. Hidden from help.
struct CRRServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crr-server",
        abstract: "Connect/request/response test server: one answer per connection, then close.",
        shouldDisplay: false
    )

    @Option(name: .long, help: "IP:PORT to listen on.")
    var bind: String

    @Option(name: .long, help: "Message size in bytes (request and response; the answer starts with the server's address).")
    var size = 64

    @Option(name: .long, help: "Exit after this many seconds whatever happens (0 = never).")
    var timeout = 60

    func validate() throws {
        guard RequestResponse.Endpoint(bind) != nil else { throw ValidationError("--bind '\(bind)' is not IP:PORT") }
        guard size >= 1, size <= 1 << 20 else { throw ValidationError("--size \(size): 1…1048576 bytes") }
        guard timeout >= 0 else { throw ValidationError("--timeout must be 0 or more") }
    }

    func run() throws {
        try ConnectRequestResponse.serve(bind: RequestResponse.Endpoint(bind)!, size: size, timeout: timeout)
    }
}
