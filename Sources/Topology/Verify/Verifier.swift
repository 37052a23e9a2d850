import Foundation
import ProcessKit
import TopologyModel

/// `cnibench verify` as a library: the kernel state check, then traffic checks (connectivity
/// matrix, path MTU, encapsulation on the wire). Every check runs even when an earlier one
/// failed, so one report shows everything that is wrong.
public struct Verifier {
    public struct Options: Sendable {
        /// Skip the wire capture (it needs AF_PACKET; everything else needs only ping).
        public var skipCapture = false
        /// Pings in flight at once.
        public var parallelism = 32
        /// The run's control-plane check, if it runs one (see `ControlPlaneCheck`).
        public var controlPlane: (any ControlPlaneCheck)?
        public init(skipCapture: Bool = false, parallelism: Int = 32, controlPlane: (any ControlPlaneCheck)? = nil) {
            self.skipCapture = skipCapture
            self.parallelism = parallelism
            self.controlPlane = controlPlane
        }
    }

    public var plan: Plan
    public var options: Options

    public init(plan: Plan, options: Options = Options()) {
        self.plan = plan
        self.options = options
    }

    public func run() -> VerifyReport {
        let t0 = ContinuousClock.now
        let missing = StateChecker(plan: plan, controlPlane: options.controlPlane).missingObjects()
        let stateTime = ContinuousClock.now - t0
        let connectivity = ConnectivityCheck(plan: plan, parallelism: options.parallelism).run()
        // Right after the probe, while its flows' entries are fresh (ICMP's 30 s timeout).
        let conntrack = ConntrackCheck(plan: plan).run()
        let pmtu = PathMTUCheck(plan: plan).run()
        let encap = options.skipCapture ? nil : EncapsulationCheck(plan: plan).run()
        let clusterIP = ClusterIPCheck(plan: plan).run()
        let deny = PolicyDenyCheck(plan: plan).run()
        return VerifyReport(
            plan: plan, stateProblems: missing, stateDuration: stateTime, connectivity: connectivity,
            pathMTU: pmtu, encapsulation: encap, conntrack: conntrack, clusterIP: clusterIP, policyDeny: deny,
            captureSkipped: options.skipCapture,
            duration: ContinuousClock.now - t0)
    }
}

public struct VerifyReport: Sendable {
    public var plan: Plan
    /// StateChecker's lines: objects missing or different. Empty = state ok.
    public var stateProblems: [String]
    public var stateDuration: Duration
    public var connectivity: ConnectivityResult
    /// nil: skipped (single node, or mode none).
    public var pathMTU: PathMTUResult?
    /// nil: skipped (single node, mode none, or --skip-capture).
    public var encapsulation: EncapsulationResult?
    /// nil: no netfilter rules loaded (--netfilter none, or a mode without agent rules).
    public var conntrack: ConntrackCheck.Result?
    /// nil: the run has no Services (or no rules for them).
    public var clusterIP: ClusterIPCheck.Result? = nil
    /// nil: the run has no NetworkPolicies (--policies 0).
    public var policyDeny: PolicyDenyCheck.Result? = nil
    public var captureSkipped: Bool
    public var duration: Duration

    public var statePassed: Bool { stateProblems.isEmpty }
    public var passed: Bool {
        statePassed && connectivity.passed && (pathMTU?.passed ?? true) && (encapsulation?.passed ?? true)
            && (conntrack?.passed ?? true) && (clusterIP?.passed ?? true) && (policyDeny?.passed ?? true)
    }

    /// Why a cross-node check did not run, nil if it did.
    var crossNodeSkipReason: String? {
        if plan.addressing.nodes.count < 2 { return "single node" }
        if plan.spec.mode == .none { return "mode none has no cross-node path" }
        return nil
    }

    /// The four checks in order, as `render()` prints their lines and `--format json` lists them.
    public var checks: [VerifyCheck] {
        func seconds(_ d: Duration?) -> Double? { d.map(\.inSeconds) }
        var list = [
            VerifyCheck(
                name: .state, passed: statePassed,
                summary: statePassed
                    ? "\(plan.steps.count) planned objects present" : "\(stateProblems.count) objects missing or different",
                problems: stateProblems, seconds: seconds(stateDuration))
        ]
        let probed = connectivity.probed
        let podPod = probed.filter { !$0.sourceIsNode }.count
        let nodePod = probed.count - podPod
        let notProbed = connectivity.probes.count - probed.count
        var text = "\(probed.count - connectivity.failures.count)/\(probed.count) replies (\(podPod) pod→pod, \(nodePod) node→pod)"
        if notProbed > 0 { text += ", \(notProbed) cross-node pairs n/a (mode none)" }
        list.append(
            VerifyCheck(
                name: .connectivity, passed: connectivity.passed, summary: text,
                problems: connectivity.failures.map {
                    "\($0.source) → \($0.destination) \($0.address)\($0.crossNode ? " (cross-node)" : ""): \($0.error ?? "no reply")"
                }, seconds: seconds(connectivity.duration)))
        if let p = pathMTU {
            list.append(
                VerifyCheck(
                    name: .pathMTU, passed: p.passed, summary: "\(p.source) → \(p.address): \(p.fittingDetail); \(p.oversizeDetail)",
                    problems: (p.fittingPassed ? [] : [p.fittingDetail]) + (p.oversizeRefused ? [] : [p.oversizeDetail]),
                    seconds: seconds(p.duration)))
        } else {
            list.append(VerifyCheck(name: .pathMTU, passed: nil, summary: crossNodeSkipReason ?? "not run", problems: [], seconds: nil))
        }
        if let e = encapsulation {
            let seen = Set(e.observations.map { "\($0.encapsulation) \($0.outerSource) → \($0.outerDestination)" }).sorted()
            let text =
                e.passed
                ? "\(e.expected) on \(e.capturePoint): " + seen.joined(separator: ", ")
                : "want \(e.expected) on \(e.capturePoint) (\(e.framesSeen) frames read)"
            list.append(
                VerifyCheck(name: .encapsulation, passed: e.passed, summary: text, problems: e.problems, seconds: seconds(e.duration)))
        } else {
            list.append(
                VerifyCheck(
                    name: .encapsulation, passed: nil, summary: captureSkipped ? "--skip-capture" : crossNodeSkipReason ?? "not run",
                    problems: [], seconds: nil))
        }
        if let c = conntrack {
            list.append(
                VerifyCheck(
                    name: .conntrack, passed: c.passed,
                    summary: c.counts.map { "\($0.namespace) \($0.entries.map(String.init) ?? "?")" }.joined(separator: ", ") + " entries",
                    problems: c.problems, seconds: nil))
        } else {
            let why = plan.spec.netfilter == .none ? "--netfilter none" : "mode \(plan.spec.mode.rawValue) loads no netfilter rules"
            list.append(VerifyCheck(name: .conntrack, passed: nil, summary: why, problems: [], seconds: nil))
        }
        if let c = clusterIP {
            let probed = c.outcomes.map { "\($0.service) \($0.reached.count)/\($0.expected.count)" }.joined(separator: ", ")
            list.append(
                VerifyCheck(
                    name: .clusterIP, passed: c.passed,
                    summary: "\(c.outcomes.count) of \(c.total) Services probed, endpoints answering: \(probed)",
                    problems: c.problems, seconds: c.duration.inSeconds))
        } else {
            let sv = plan.spec.serviceSettings
            let why =
                sv.renderedCount == 0 ? "no Services" : sv.kubeProxy == .none ? "kube-proxy none" : "--netfilter none (no Service rules)"
            list.append(VerifyCheck(name: .clusterIP, passed: nil, summary: why, problems: [], seconds: nil))
        }
        if let d = policyDeny {
            list.append(
                VerifyCheck(name: .policyDeny, passed: d.passed, summary: d.summary, problems: d.problems, seconds: seconds(d.duration)))
        } else {
            list.append(VerifyCheck(name: .policyDeny, passed: nil, summary: "no NetworkPolicies", problems: [], seconds: nil))
        }
        return list
    }

    public func render() -> String {
        let spec = plan.spec
        let pods = plan.addressing.allPods
        var out = [
            "verify \(spec.name): \(spec.mode.rawValue) on \(spec.underlay.rawValue), netfilter \(spec.netfilter.rawValue), \(plan.addressing.nodes.count) nodes, \(pods.count) pods, pod MTU \(plan.podMTU)"
        ]
        for c in checks {
            let verdict = c.passed.map { $0 ? "ok  " : "FAIL" } ?? "skip"
            let time = c.seconds.map { String(format: "  (%.2f s)", $0) } ?? ""
            out.append("\(c.name.label.padding(toLength: 14, withPad: " ", startingAt: 0))\(verdict)  \(c.summary)\(time)")
            switch c.name {
            case .state, .encapsulation, .conntrack, .clusterIP, .policyDeny:
                for p in c.problems { out.append("    \(p)") }
            case .connectivity:
                // The full matrix while it is readable, otherwise only the failures.
                if pods.count <= 16 { out += connectivity.table(indent: "    ") }
                for f in c.problems.prefix(50) { out.append("    FAIL \(f)") }
                if c.problems.count > 50 { out.append("    … \(c.problems.count - 50) more failures") }
                if connectivity.probes.contains(where: { $0.reachable && $0.attempts > 1 }) { out.append("    ok* = replied on the retry") }
            case .pathMTU:
                break
            }
        }
        out.append("result: \(passed ? "PASS" : "FAIL")")
        return out.joined(separator: "\n")
    }
}
