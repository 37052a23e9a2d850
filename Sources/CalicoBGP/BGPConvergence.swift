import Foundation
import ProcessKit
import NetAddress
import TopologyModel
import Topology

/// Waiting for BIRD, and what `up` prints about it.
public enum BGPConvergence {
    public struct Outcome: Sendable {
        public var converged: Bool
        public var seconds: Double
        /// Per namespace still missing something (empty when converged).
        public var missing: [String: [String]]
    }

    /// Polls the kernels until each holds every expected route, or `timeout` passes, or
    /// SIGINT/SIGTERM arrives (then: not converged; the caller checks `Interrupt.requested`).
    public static func wait(_ expectation: BGPExpectation, timeout: Double, interval: Double = 0.1) -> Outcome {
        let probe = BGPRouteProbe(expectation)
        let start = ContinuousClock.now
        while true {
            let m = probe.missing()
            let t = (ContinuousClock.now - start).inSeconds
            if m.isEmpty { return Outcome(converged: true, seconds: t, missing: [:]) }
            if t >= timeout || Interrupt.requested { return Outcome(converged: false, seconds: t, missing: m) }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// `up`'s lines for a BIRD run: what runs, how IPIP is done, and the convergence wait.
    public static func upReport(_ plan: Plan, timeout: Double? = nil) -> [String] {
        guard plan.spec.usesBird else { return [] }
        let peering = BGPPeering(plan: plan)
        let n = plan.addressing.nodes.count
        var lines = [
            "BGP: \(peering.instances.count) BIRD daemons (\(peering.usesReflectors ? "route reflectors node1…node\(plan.spec.routeReflectors), cluster id \(BGPPeering.clusterID)" : "node-to-node mesh")\(peering.hasGateway ? ", gateway peering in \(plan.addressing.fabricNamespace)" : ""), AS \(BGPPeering.asNumber)), \(peering.sessions.count) sessions; configs and sockets in \(BirdLayout(run: plan.spec.name).directory)"
        ]
        if plan.spec.mode == .calicoIPIP {
            lines.append(
                plan.ipip == .kernel
                    ? "IPIP: stock BIRD 2 has no krt_tunnel; cnibench ipip-mirror programs BIRD's routes as `via <node> dev tunl0 onlink proto 80` (Felix's way since Calico v3.33)"
                    : "IPIP: no ipip driver, no krt_tunnel in stock BIRD 2: BIRD installs `<block> via <on-link hop> dev eth0 onlink mtu \(plan.podMTU) proto bird`; cnibench ipip-mirror copies block -> BGP next hop into the tc-BPF map that encapsulates"
            )
        }
        let o = wait(BGPExpectation(plan: plan), timeout: timeout ?? Double(20 + n / 2))
        if o.converged {
            lines.append("BGP converged: every node holds every block after \(String(format: "%.1f", o.seconds)) s")
        } else {
            lines.append(
                "warning: BGP not converged after \(String(format: "%.0f", o.seconds)) s (\(o.missing.count) namespaces incomplete); see cnibench status --name \(plan.spec.name)"
            )
            for (ns, m) in o.missing.sorted(by: { $0.key < $1.key }).prefix(3) {
                lines.append("  \(ns): \(m.first ?? "")\(m.count > 1 ? " (+\(m.count - 1))" : "")")
            }
        }
        return lines
    }
}
