import Agents
import Foundation
import Results

/// crr: our own connect/request/response agents (crr-server, crr-client), a new TCP connection
/// per transaction; connections per second, latency of the whole exchange, CPU per connection.
struct ConnectRequestResponseDriver: BenchDriver {
    static let port: UInt16 = 5302

    func measure(_ c: TestContext) throws -> DriverResult {
        let o = c.options
        let listen = c.listenPort(Self.port)
        let ep = "\(c.destinationIP):\(listen)"
        let dial = c.dialTarget(Self.port)
        let size = String(o.rrMessageBytes)
        let exe = c.engine.executable
        let serverArgv = [exe, "crr-server", "--bind", ep, "--size", size, "--timeout", String(o.durationSeconds + 20)]
        let clientArgv = [
            exe, "crr-client", "--to", "\(dial.ip):\(dial.port)", "--bind", c.sourceIP.description, "--size", size, "--duration",
            String(o.durationSeconds)
        ]
        let r = try c.clientServer(server: ("crr-server", serverArgv), client: ("crr-client", clientArgv), listen: listen)
        defer { r.client.discardOutput() }
        guard r.client.exit?.status.succeeded == true,
            let rep = try? JSONDecoder().decode(ConnectRequestResponse.Report.self, from: Data(r.client.stdout.utf8))
        else { throw BenchEngine.MeasureError(r.client.failureSummary()) }
        var m: [Metric: Double] = [:]
        m[.connectionsPerSecond] = rep.connectionsPerSecond
        for (k, name) in [("p50", Metric.p50Us), ("p90", .p90Us), ("p99", .p99Us), ("p99.9", .p999Us), ("mean", .meanUs)] {
            if let v = rep.latencyUs[k] { m[name] = v }
        }
        m[.cpuSeconds] = r.usage.attributedSeconds
        m[.stealSeconds] = r.usage.stealSeconds
        if rep.connections > 0 { m[.cpuUsPerConnection] = r.usage.attributedSeconds / Double(rep.connections) * 1e6 }
        return DriverResult(metrics: m, cpu: r.usage)
    }
}
