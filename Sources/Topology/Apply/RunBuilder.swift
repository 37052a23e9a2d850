import Foundation
import ProcessKit
import Logging
import Netlink
import TopologyModel

/// `up` as a library call: validate, claim the run name, probe the kernel, plan, apply.
public struct RunBuilder {
    public var spec: TopologySpec
    public var logger: Logger
    public var progress: ((Int, Int) -> Void)?
    /// `--ipip-impl` for calico-ipip; nil: kernel when the kernel has ipip, else tc-bpf.
    public var ipip: IPIPImplementation?

    public init(spec: TopologySpec, logger: Logger = Logger(label: "cnibench.up")) {
        self.spec = spec
        self.logger = logger
    }

    public struct Result: Sendable {
        public var plan: Plan
        public var features: KernelFeatures
        public var seconds: Double
        /// Of `seconds`, the netfilter tools' share (loading the agents' and kube-proxy's rules).
        public var netfilterSeconds = 0.0
        /// Steps the kernel refused and --force tolerated.
        public var refused: [String]
        /// Things the user should know (e.g. the shared ARP table limit).
        public var warnings: [String] = []
    }

    public func up() throws -> Result {
        let clock = ContinuousClock.now
        // 1. Validate completely before touching anything.
        let preliminary = try Planner(spec: spec).plan()
        try Prerequisites.requireRoot("up")
        try NetfilterLoader.requirePrograms(preliminary)
        Prerequisites.raiseFileLimit()
        let state = RunState(run: spec.name)
        if state.exists {
            throw PrerequisiteError(
                "run '\(spec.name)' already exists (see cnibench list); remove it with cnibench down --name \(spec.name), or pick another --name"
            )
        }
        // A namespace this run would create that exists already belongs to somebody else
        // (no state directory claims it): refuse rather than adopt it, so `down` can never
        // remove what `up` did not make.
        let existing = Set(NetworkNamespace.list())
        if let taken = ([Names.probe(spec.name)] + preliminary.namespaces).first(where: existing.contains) {
            throw PrerequisiteError(
                "namespace '\(taken)' (which run '\(spec.name)' would create) already exists and is not part of any cnibench run; remove it yourself (ip netns delete \(taken)) if it is a leftover, or pick another --name"
            )
        }
        // 2. Claim the name; from here on every object is in the ledger.
        var record = RunRecord(spec: spec, ipip: nil, createdAt: Date(), cnibenchVersion: CNIBenchVersion.string)
        try state.create(record)
        let features: KernelFeatures
        var ipipImplementation = IPIPImplementation.tcBPF
        do {
            try Interrupt.check()
            features = try KernelFeatures.probe(run: spec.name, state: state)
            if let why = features.refusal(for: spec) {
                throw PrerequisiteError("mode \(spec.mode.rawValue) cannot run on this kernel (\(features.kernelRelease)): \(why)")
            }
            if spec.mode == .calicoIPIP { ipipImplementation = try features.ipipImplementation(requested: ipip) }
            try Interrupt.check()
        } catch {
            Interrupt.rollBack(run: spec.name, after: error) { Teardown(state: state, logger: logger).run() }
            throw error
        }
        // 3. Plan with what the kernel offers, 4. apply.
        let plan: Plan
        do {
            plan = try Planner(spec: spec, ipip: ipipImplementation).plan()
            record.ipip = plan.ipip
            try state.update(record)
        } catch {
            // The probe left its namespaces in the ledger: remove them and the claimed name.
            Interrupt.rollBack(run: spec.name, after: error) { Teardown(state: state, logger: logger).run() }
            throw error
        }
        let applier = Applier(plan: plan, state: state, logger: logger)
        applier.progress = progress
        try applier.apply()
        let d = ContinuousClock.now - clock
        var result = Result(
            plan: plan, features: features,
            seconds: d.inSeconds, refused: applier.refused)
        result.netfilterSeconds = applier.netfilterSeconds
        if let w = NeighbourBudget.warning(for: plan) {
            logger.warning("\(w)")
            result.warnings.append(w)
        }
        return result
    }
}
