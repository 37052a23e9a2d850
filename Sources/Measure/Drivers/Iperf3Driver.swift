import Results

/// tcp1, tcp4 and udp: iperf3 (-J) between the endpoints; throughput, loss, jitter and the CPU
/// each byte and packet cost.
struct Iperf3Driver: BenchDriver {
    static let port: UInt16 = 5201

    func measure(_ c: TestContext) throws -> DriverResult {
        let o = c.options
        let listen = c.listenPort(Self.port)
        let dial = c.dialTarget(Self.port)
        let serverArgv = ["iperf3", "-s", "-1", "-J", "-B", c.destinationIP.description, "-p", String(listen)]
        var clientArgv = [
            "iperf3", "-c", dial.ip, "-B", c.sourceIP.description, "-p", dial.port, "-J",
            "-t", String(o.durationSeconds), "--connect-timeout", "3000"
        ]
        switch c.test {
        case .tcp4: clientArgv += ["-P", "4"]
        case .udp: clientArgv += ["-u", "-b", o.udpBitrate, "-l", String(o.udpPacketBytes)]
        default: break
        }
        let r = try c.clientServer(server: ("iperf3-server", serverArgv), client: ("iperf3-client", clientArgv), listen: listen)
        defer { r.client.discardOutput() }
        let out = r.client.stdout
        try c.keepRaw(out)
        let report: Iperf3Report
        do { report = try Iperf3Report.parse(out) } catch {
            throw BenchEngine.MeasureError("\(r.client.failureSummary()); output is not iperf3 JSON (\(out.prefix(120)))")
        }
        let outcome = try report.outcome()
        let usage = r.usage
        var m: [Metric: Double] = [:]
        m[.throughputGbps] = outcome.receivedBitsPerSecond / 1e9
        if let x = outcome.retransmits { m[.retransmits] = x }
        if let x = outcome.lostPercent { m[.lossPercent] = x }
        if let x = outcome.jitterMs { m[.jitterMs] = x }
        let cpu = usage.attributedSeconds
        m[.cpuSeconds] = cpu
        m[.stealSeconds] = usage.stealSeconds
        if outcome.receivedBytes > 0 {
            m[.cpuSecondsPerGB] = cpu / (outcome.receivedBytes / 1e9)
            m[.machineCpuSecondsPerGB] = usage.busySeconds / (outcome.receivedBytes / 1e9)
            if let p = usage.processSeconds { m[.processCpuSecondsPerGB] = p / (outcome.receivedBytes / 1e9) }
        }
        let packets: Double
        if c.test == .udp {
            packets = outcome.receivedPackets ?? outcome.receivedBytes / Double(o.udpPacketBytes)
        } else {
            packets = outcome.receivedBytes / Double(outcome.mss ?? max(c.subject.mtu - 52, 1))
        }
        if packets > 0 { m[.cpuSecondsPerMpkt] = cpu / (packets / 1e6) }
        return DriverResult(metrics: m, cpu: usage)
    }
}
