import Foundation
import Results

/// pktgen: small UDP frames from our own generator (AF_PACKET TX ring) to a receiver; packet
/// rates, loss, and CPU per packet.
struct PacketRateDriver: BenchDriver {
    func measure(_ c: TestContext) throws -> DriverResult {
        guard c.engine.pktgenAvailable else { throw BenchEngine.MeasureError(PacketGeneratorHook.unavailableMessage) }
        let o = c.options
        let exe = c.engine.executable
        let rx = try HelperProcess.start(
            in: c.destination, state: c.state, label: "pktgen-rx",
            argv: PacketGeneratorHook.receiverArguments(executable: exe, bind: c.destinationIP, duration: o.durationSeconds),
            cpu: c.pinned?.server)
        defer {
            rx.stop()
            rx.discardOutput()
        }
        usleep(300_000)  // the receiver opens its socket; it has no listening TCP port to wait for
        let (tx, usage) = try c.cpuWindow(
            processSeconds: { (t: HelperProcess) in (t.exit?.cpuSeconds ?? 0) + (rx.exit?.cpuSeconds ?? 0) },
            afterwards: { _ in _ = try rx.wait(until: ContinuousClock.now + .seconds(5)) },
            body: {
                let tx = try HelperProcess.start(
                    in: c.source, state: c.state, label: "pktgen-tx",
                    argv: PacketGeneratorHook.senderArguments(
                        executable: exe, to: c.destinationIP, from: c.sourceIP,
                        duration: o.durationSeconds),
                    cpu: c.pinned?.client)
                _ = try tx.wait(until: ContinuousClock.now + .seconds(o.durationSeconds + 10))
                return tx
            })
        defer { tx.discardOutput() }
        let dec = JSONDecoder()
        guard tx.exit?.status.succeeded == true, let s = try? dec.decode(PacketGeneratorHook.Report.self, from: Data(tx.stdout.utf8)) else {
            throw BenchEngine.MeasureError(tx.failureSummary())
        }
        guard let r = try? dec.decode(PacketGeneratorHook.Report.self, from: Data(rx.stdout.utf8)) else {
            throw BenchEngine.MeasureError(rx.failureSummary())
        }
        var m: [Metric: Double] = [:]
        let secs = (s.seconds ?? 0) > 0 ? s.seconds! : Double(o.durationSeconds)
        let rxSecs = (r.seconds ?? 0) > 0 ? r.seconds! : secs
        if let sent = s.sent { m[.sentMpps] = sent / secs / 1e6 }
        if let recv = r.received {
            m[.receivedMpps] = recv / rxSecs / 1e6
            if let sent = s.sent, sent > 0 { m[.lossPercent] = max(0, (sent - recv) / sent * 100) }
        }
        m[.cpuSeconds] = usage.attributedSeconds
        m[.stealSeconds] = usage.stealSeconds
        if let recv = r.received, recv > 0 { m[.cpuSecondsPerMpkt] = usage.attributedSeconds / (recv / 1e6) }
        return DriverResult(metrics: m, cpu: usage)
    }
}
