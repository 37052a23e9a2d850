import ProcessKit
import Logging
import Netlink
import TopologyModel

/// A step that failed, with its position and its ip(8) form.
public struct ApplyError: Error, CustomStringConvertible {
    public var stepIndex: Int
    public var stepCount: Int
    public var command: String
    public var underlying: any Error
    public var description: String {
        "step \(stepIndex + 1)/\(stepCount) failed: \(underlying)\n  (as a command: \(command))"
    }
}

/// plan → kernel. Executes every step through netlink, recording each namespace in the ledger
/// before it exists; on the first failure (or SIGINT/SIGTERM) it rolls back everything and rethrows.
public final class Applier {
    public let plan: Plan
    public let state: RunState
    let set = NamespaceSet()
    let logger: Logger
    /// Called after each step (index, total), for progress output.
    public var progress: ((Int, Int) -> Void)?
    /// Steps the kernel refused but that were tolerated (see `tolerates`).
    public private(set) var refused: [String] = []
    /// Seconds spent in the netfilter tools (every `netfilterLoad` step): what a sweep over
    /// Services reports as the cost of loading the rules.
    public private(set) var netfilterSeconds = 0.0

    public init(plan: Plan, state: RunState, logger: Logger = Logger(label: "cnibench.apply")) {
        self.plan = plan
        self.state = state
        self.logger = logger
    }

    public func apply() throws {
        let steps = plan.steps
        let cniPath = plan.spec.cni?.pluginPath ?? CNISettings.defaultPluginPath
        var i = 0
        // CNI plugins are third-party code: the root namespace is compared before the first
        // and after the last plugin ran.
        let lastCNI = steps.lastIndex { if case .cniAdd = $0 { true } else { false } }
        let rootBefore = lastCNI == nil ? nil : RootNamespaceGuard.take()
        do {
            while i < steps.count {
                // Ctrl-C/SIGTERM stops here, between steps, and rolls back like a failed step.
                try Interrupt.check()
                // Consecutive sysctls in one namespace go in one thread hop.
                if case .sysctl(let ns, _, _) = steps[i] {
                    var batch: [(key: String, value: String)] = []
                    var j = i
                    while j < steps.count, case .sysctl(let ns2, let k, let v) = steps[j], ns2 == ns {
                        batch.append((k, v))
                        j += 1
                    }
                    do { try set.namespace(ns).sysctlWrite(batch) } catch {
                        throw ApplyError(
                            stepIndex: i, stepCount: steps.count,
                            command: PlanRenderer.commands(steps[i], cniPath: cniPath).joined(separator: "; "),
                            underlying: error)
                    }
                    i = j
                } else {
                    do { try execute(steps[i]) } catch let e as NetlinkError where tolerates(steps[i], e) {
                        logger.warning("kernel refused (kept going, --force): \(e)")
                        refused.append("\(e)")
                    } catch let e as Interrupted {
                        // Ctrl-C inside a step (a long netfilter load stops its tool and throws
                        // this): an interruption, not a failed step, so `up` exits 130.
                        throw e
                    } catch {
                        throw ApplyError(
                            stepIndex: i, stepCount: steps.count,
                            command: PlanRenderer.commands(steps[i], cniPath: cniPath).joined(separator: "; "),
                            underlying: error)
                    }
                    i += 1
                }
                if let lastCNI, let rootBefore, i == lastCNI + 1 {
                    let changes = RootNamespaceGuard.take().changes(since: rootBefore)
                    if !changes.isEmpty { throw RootNamespaceChanged(changes: changes) }
                }
                progress?(i, steps.count)
            }
            try state.append(.complete)
            set.closeAll()
        } catch {
            if !(error is Interrupted) {
                logger.error("\(error)")
                logger.notice("rolling back run \(plan.spec.name)")
            }
            set.closeAll()
            Interrupt.rollBack(run: plan.spec.name, after: error) { Teardown(state: state, logger: logger).run() }
            // Plugins ran (ADD, then DEL in the rollback): the root namespace must be as it was.
            if let rootBefore {
                let changes = RootNamespaceGuard.take().changes(since: rootBefore)
                if !changes.isEmpty { logger.critical("\(RootNamespaceChanged(changes: changes))") }
            }
            throw error
        }
    }

    /// With --force, a route whose next hop is not on-link (host-gw or calico-bgp across a
    /// router) is refused by the kernel exactly as flanneld or BIRD would see it: they log
    /// and carry on, and so do we, so that `verify` shows the failure.
    private func tolerates(_ step: Step, _ error: NetlinkError) -> Bool {
        guard plan.spec.force, case .routeAdd = step else { return false }
        return error.errno == .networkUnreachable
    }

    private func execute(_ step: Step) throws {
        switch step {
        case .netnsAdd(let name):
            try state.append(.namespace(name))
            set.adopt(try NetworkNamespace.create(name))
        case .linkUp(let ns, let dev):
            try set.handle(ns).linkSet(dev, up: true)
        case .vethAdd(let ns, let name, let peerNS, let peer, let mtu, let mac, let peerMAC, let master):
            try set.handle(ns).linkAddVeth(
                name, peer: peer, peerNamespace: try set.namespace(peerNS), mtu: UInt32(mtu),
                mac: mac, peerMAC: peerMAC, master: master, up: true)
            try set.handle(peerNS).linkSet(peer, up: true)
        case .bridgeAdd(let ns, let name, let mtu, let mac):
            try set.handle(ns).linkAddBridge(name, mtu: UInt32(mtu), mac: mac)
        case .bridgePortHairpin(let ns, let dev):
            try set.handle(ns).bridgePortSetHairpin(dev, on: true)
        case .vxlanAdd(let ns, let name, let params):
            try set.handle(ns).linkAddVXLAN(name, VXLANParameters(params))
        case .ipipTunnel(let ns, let name, let mtu):
            let h = try set.handle(ns)
            do { _ = try h.linkIndex(name) } catch { try h.linkAddIPIP(name, local: nil, remote: nil) }
            try h.linkSet(name, up: true, mtu: UInt32(mtu))
        case .tunAdd(let ns, let name, let mtu):
            try TunDevice.createPersistent(in: try set.namespace(ns), name: name)
            try set.handle(ns).linkSet(name, up: true, mtu: UInt32(mtu))
        case .addrAdd(let ns, let dev, let prefix, let broadcast):
            try set.handle(ns).addrAdd(prefix, dev: dev, broadcast: broadcast)
        case .routeAdd(let ns, let route):
            try set.handle(ns).routeAdd(Route(route))
        case .neighReplace(let ns, let entry):
            let h = try set.handle(ns)
            switch entry {
            case .arp: try h.neighReplace(Neighbour(entry))
            case .fdbSelf: try h.fdbAppend(Neighbour(entry))
            }
        case .sysctl(let ns, let key, let value):
            try set.namespace(ns).sysctlWrite([(key, value)])
        case .startProcess(let ns, let name, let argv):
            try ProcessLauncher(state: state).start(in: try set.namespace(ns), name: name, argv: argv)
        case .cniAdd(let nodeNS, let podNS, let ifname, let conflist):
            guard let settings = plan.spec.cni else { throw StateError("a CNI step in a plan without --cni") }
            let expected = plan.addressing.allPods.first { $0.namespace == podNS }.map { "\($0.ip)" }
            try CNIAttachments(state: state, logger: logger).add(
                node: try set.namespace(nodeNS), podNS: podNS, ifname: ifname, conflist: conflist, settings: settings, expected: expected)
        case .netfilterLoad(let ns, let ruleset):
            let t0 = ContinuousClock.now
            try NetfilterLoader.load(ruleset, in: try set.namespace(ns))
            netfilterSeconds += (ContinuousClock.now - t0).inSeconds
        case .bpfIPIP(let ns, let dev, let nodeIP, let routes):
            let handle = try set.handle(ns)
            try BPFIPIP.attach(
                namespace: try set.namespace(ns), ifindex: try handle.linkIndex(dev), device: dev,
                nodeIP: nodeIP, routes: routes)
        }
    }
}
