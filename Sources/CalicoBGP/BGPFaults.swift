import Foundation
import ProcessKit
import NetAddress
import Netlink
import TopologyModel
import Topology

/// Fault injection on a BIRD run, as library calls (tests, the bench, `cnibench fault`).
/// Everything acts on the run's own namespaces and processes, and every process started here
/// is recorded in the run's ledger, so `down`/`clean` stop it.
public struct BGPFaults {
    public let run: RunName
    public let plan: Plan
    let peering: BGPPeering
    let layout: BirdLayout

    public init(run: RunName) throws {
        self.run = run
        // A missing run is a user's typo, not an I/O failure: say so, and which runs exist
        // (instead of the decoder's "couldn't be opened … run.json").
        guard RunState(run: run).exists else { throw BirdError(RunState.noSuchRun(run)) }
        do { plan = try BirdExec.plan(run: run) } catch {
            throw BirdError("run '\(run)' has no readable record (\(RunState(run: run).directory)/run.json): \(error.localizedDescription)")
        }
        guard plan.spec.usesBird else { throw BirdError("run \(run) does not use --routing bird") }
        peering = BGPPeering(plan: plan)
        layout = BirdLayout(run: run)
    }

    func instance(_ label: String) throws -> BirdInstance {
        guard let i = peering.instance(label) else {
            throw BirdError("run \(run) has no BIRD '\(label)'; instances: \(peering.instances.map(\.label).joined(separator: ", "))")
        }
        return i
    }

    /// The live BIRD pid of an instance, from the ledger (pid + start time), nil if none runs.
    public func birdPID(_ label: String) -> Int32? {
        guard let inst = peering.instance(label) else { return nil }
        for e in RunState(run: run).entries().reversed() {
            if case .process(let pid, let st, let cmd) = e, cmd == "\(inst.namespace) bird", st != 0,
                Processes.startTime(pid) == st, !Processes.isZombie(pid)
            {
                return pid
            }
        }
        return nil
    }

    /// A crash: SIGKILL, no BGP NOTIFICATION. Peers see the TCP connection close and, with
    /// graceful restart negotiated, keep its routes (stale) for the restart time; the node's own
    /// kernel keeps BIRD's routes (`persist`).
    public func killBird(_ label: String) throws {
        try signal(label, SIGKILL)
    }

    /// An orderly stop (SIGTERM): BIRD sends Cease/Administrative shutdown, the peers withdraw
    /// its routes at once — how the bench makes a node leave.
    public func stopBird(_ label: String) throws {
        try signal(label, SIGTERM)
    }

    private func signal(_ label: String, _ sig: Int32) throws {
        _ = try instance(label)
        guard let pid = birdPID(label) else { throw BirdError("BIRD \(label) of run \(run) is not running") }
        // Wait until it is gone (reaping it if this process started it, e.g. the bench).
        Processes.signal(pid, sig, waitingUpTo: .seconds(5))
    }

    /// Starts the instance's BIRD again with the configuration it had (`bird -R`: graceful
    /// restart recovery), recorded in the ledger like the first one.
    @discardableResult
    public func startBird(_ label: String) throws -> Int32 {
        let inst = try instance(label)
        if birdPID(label) != nil { throw BirdError("BIRD \(label) of run \(run) is already running") }
        guard let bin = BirdLayout.binary else { throw PrerequisiteError("bird is not installed (apt-get install -y bird2)") }
        try? FileManager.default.removeItem(atPath: layout.socket(label))
        let ns = try NetworkNamespace.open(inst.namespace)
        return try ProcessLauncher(state: RunState(run: run)).start(in: ns, name: "bird", argv: layout.argv(label, binary: bin))
    }

    /// Cable pull: the node's port in the switch/router goes down, so the node's eth0 loses
    /// carrier (its addresses and routes stay, as on a real host); `up` plugs it back.
    public func setUplink(node index: Int, up: Bool) throws {
        guard let n = plan.addressing.nodes.first(where: { $0.index == index }) else { throw BirdError("run \(run) has no node\(index)") }
        let ns = try NetworkNamespace.open(plan.addressing.fabricNamespace)
        try NetlinkHandle(ns).linkSet(n.uplinkPeer, up: up)
    }

    /// Re-renders an instance's configuration with extra blocks and has BIRD re-read it, as
    /// confd does when a node claims a new block (`birdc configure`).
    public func reconfigure(_ label: String, extraBlocks: [Int: [IPv4Prefix]]) throws {
        _ = try BirdExec.prepare(run: run, label: label, extraBlocks: extraBlocks)
        try BirdClient(socket: layout.socket(label)).reconfigure()
    }

    /// Polls until `body` holds, up to `timeout`; returns the seconds it took, nil on timeout.
    public static func until(timeout: Double, interval: Double = 0.1, _ body: () -> Bool) -> Double? {
        let start = ContinuousClock.now
        while true {
            if body() { return MonotonicClock.seconds(since: start) }
            if MonotonicClock.seconds(since: start) > timeout { return nil }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// Does `namespace`'s kernel route `block` (any route with that destination)?
    public func routes(_ block: IPv4Prefix, in namespace: String) -> Bool {
        guard let ns = try? NetworkNamespace.open(namespace), let h = try? NetlinkHandle(ns), let r = try? h.routes() else { return false }
        return r.contains { $0.destination == block && $0.type == .unicast }
    }
}
