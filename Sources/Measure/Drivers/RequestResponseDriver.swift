import Agents
import Foundation
import Results

/// rr: our own request/response agents (rr-server, rr-client) on one TCP connection; the
/// rate of transactions, latency percentiles, and CPU per packet.
struct RequestResponseDriver: BenchDriver {
    static let port: UInt16 = 5301

    func measure(_ c: TestContext) throws -> DriverResult {
        let o = c.options
        let listen = c.listenPort(Self.port)
        let ep = "\(c.destinationIP):\(listen)"
        let dial = c.dialTarget(Self.port)
        let size = String(o.rrMessageBytes)
        let exe = c.engine.executable
        let serverArgv = [exe, "rr-server", "--bind", ep, "--size", size, "--timeout", String(o.durationSeconds + 20)]
        let clientArgv = [
            exe, "rr-client", "--to", "\(dial.ip):\(dial.port)", "--bind", c.sourceIP.description, "--size", size,
            "--duration", String(o.durationSeconds)
        ]
        let r = try c.clientServer(server: ("rr-server", serverArgv), client: ("rr-client", clientArgv), listen: listen)
        defer { r.client.discardOutput() }
        guard r.client.exit?.status.succeeded == true,
            let rep = try? JSONDecoder().decode(RequestResponse.Report.self, from: Data(r.client.stdout.utf8))
        else { throw BenchEngine.MeasureError(r.client.failureSummary()) }
        var m: [Metric: Double] = [:]
        m[.transactionsPerSecond] = rep.transactionsPerSecond
        for (k, name) in [("p50", Metric.p50Us), ("p90", .p90Us), ("p99", .p99Us), ("p99.9", .p999Us), ("mean", .meanUs)] {
            if let v = rep.latencyUs[k] { m[name] = v }
        }
        m[.cpuSeconds] = r.usage.attributedSeconds
        m[.stealSeconds] = r.usage.stealSeconds
        if rep.transactions > 0 { m[.cpuSecondsPerMpkt] = r.usage.attributedSeconds / (Double(2 * rep.transactions) / 1e6) }
        return DriverResult(metrics: m, cpu: r.usage)
    }
}
