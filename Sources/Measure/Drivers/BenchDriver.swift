import Foundation
import Netlink
import NetAddress
import ProcessKit
import Results
import Topology
import TopologyModel

/// One kind of test (iperf3 streams, request/response, packet rate) as the engine runs it:
/// given the run and the two endpoints, measure once and return the metrics. Adding a test
/// means adding a driver file and naming it in `BenchTest.driver`.
protocol BenchDriver {
    func measure(_ c: TestContext) throws -> DriverResult
}

struct DriverResult {
    var metrics: [Metric: Double]
    /// The CPU the test cost, when it could be accounted.
    var cpu: CPUUsage?
}

extension BenchTest {
    /// The driver that runs this test.
    var driver: any BenchDriver {
        switch self {
        case .tcp1, .tcp4, .udp: Iperf3Driver()
        case .rr: RequestResponseDriver()
        case .crr: ConnectRequestResponseDriver()
        case .pktgen: PacketRateDriver()
        }
    }
}

/// Everything one measurement needs: the engine's settings, the built run, and the endpoints
/// (only addresses of the run's own namespaces; the engine has checked them).
struct TestContext {
    let engine: BenchEngine
    let built: BenchEngine.Built
    let subject: BenchSubject
    let test: BenchTest
    let round: Int
    let source: NetworkNamespace
    let sourceIP: IPv4Address
    let destination: NetworkNamespace
    let destinationIP: IPv4Address
    /// cluster-ip: the ClusterIP and port the client dials (kube-proxy DNATs it to the
    /// destination on the Service's target port); nil: the client dials the destination.
    var service: (ip: IPv4Address, port: UInt16)? = nil

    var options: BenchOptions { engine.options }
    var state: RunState { built.state }
    var pinned: (client: Int, server: Int)? { engine.pinned }

    /// Where the server listens: the driver's own port, or the Service's target port.
    func listenPort(_ own: UInt16) -> UInt16 { service == nil ? own : UInt16(ServiceSettings.targetPort) }
    /// What the client dials: the server itself, or the ClusterIP:port in front of it.
    func dialTarget(_ own: UInt16) -> (ip: String, port: String) {
        service.map { ("\($0.ip)", "\($0.port)") } ?? (destinationIP.description, String(own))
    }

    /// CPU counters (machine-wide and of processes outside our namespaces) around `body`;
    /// `afterwards` runs outside the window (reaping a server), before the processes' own CPU
    /// time is read.
    func cpuWindow<T>(
        processSeconds: (T) -> Double, afterwards: (T) throws -> Void = { _ in },
        body: () throws -> T
    ) throws -> (value: T, usage: CPUUsage) {
        let window = MeasurementWindow(
            subject: subject, test: test, round: round, namespaces: engine.ourNamespaces, ledger: built.state)
        try engine.windowObserver?.windowWillOpen(window)
        var closed = false
        defer { if !closed { engine.windowObserver?.windowDidClose(window, completed: false) } }
        let foreign0 = ForeignProcesses.snapshot(excludingNamespaces: engine.ourNamespaces)
        let cpu0 = CPUTimes.read()
        let t0 = ContinuousClock.now
        let value = try body()
        let wall = (ContinuousClock.now - t0).inSeconds
        let cpu1 = CPUTimes.read()
        let foreign = ForeignProcesses.seconds(from: foreign0, to: ForeignProcesses.snapshot(excludingNamespaces: engine.ourNamespaces))
        closed = true
        engine.windowObserver?.windowDidClose(window, completed: true)
        try afterwards(value)
        let procCPU = processSeconds(value)
        let usage =
            (cpu0 != nil && cpu1 != nil)
            ? CPUTimes.usage(from: cpu0!, to: cpu1!, wallSeconds: wall, processSeconds: procCPU, foreignSeconds: foreign)
            : CPUUsage(
                busySeconds: 0, userSeconds: 0, systemSeconds: 0, softirqSeconds: 0, stealSeconds: 0, idleSeconds: 0,
                wallSeconds: wall, processSeconds: procCPU, foreignSeconds: foreign)
        return (value, usage)
    }

    /// Starts the server, waits until it listens, then runs the client inside a CPU window.
    func clientServer(
        server: (label: String, argv: [String]), client: (label: String, argv: [String]),
        listen port: UInt16
    ) throws -> (client: HelperProcess, server: HelperProcess, usage: CPUUsage) {
        let srv = try HelperProcess.start(in: destination, state: state, label: server.label, argv: server.argv, cpu: pinned?.server)
        defer {
            srv.stop()
            srv.discardOutput()
        }
        guard srv.waitListening(ip: destinationIP, port: port) else {
            if Interrupt.requested { throw Interrupted() }
            srv.stop()
            throw BenchEngine.MeasureError("\(srv.failureSummary()) — never listened on \(destinationIP):\(port)")
        }
        let (cli, usage) = try cpuWindow(
            processSeconds: { (c: HelperProcess) in (c.exit?.cpuSeconds ?? 0) + (srv.exit?.cpuSeconds ?? 0) },
            // The server ends by itself once its client has gone (-1 / one connection); bounded anyway.
            afterwards: { _ in _ = try srv.wait(until: ContinuousClock.now + .seconds(3)) },
            body: {
                let cli = try HelperProcess.start(in: source, state: state, label: client.label, argv: client.argv, cpu: pinned?.client)
                _ = try cli.wait(until: ContinuousClock.now + .seconds(options.durationSeconds + 15))
                return cli
            })
        return (cli, srv, usage)
    }
}
