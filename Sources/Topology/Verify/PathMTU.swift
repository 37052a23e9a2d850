import Foundation
import NetAddress
import Netlink
import TopologyModel

/// Path MTU across nodes: from a pod on one node to a pod on another, a don't-fragment echo of
/// exactly the pod MTU must come back, and one byte more must be refused (locally, "message too
/// long", or by getting no reply). This proves that the pod MTU leaves room for the mode's
/// encapsulation on the underlay (ipip 20, vxlan 50) and is not larger than the path allows.
public struct PathMTUResult: Sendable {
    public var source: String
    public var destination: String
    public var address: IPv4Address
    public var podMTU: Int
    /// The DF probe of podMTU bytes (ICMP payload podMTU − 28) got a reply.
    public var fittingPassed: Bool
    public var fittingDetail: String
    /// The DF probe of podMTU + 1 bytes got no reply.
    public var oversizeRefused: Bool
    public var oversizeDetail: String
    public var duration: Duration

    public var passed: Bool { fittingPassed && oversizeRefused }
}

public struct PathMTUCheck {
    public var plan: Plan
    public init(plan: Plan) { self.plan = plan }

    /// Runs the two probes; nil when there is no cross-node pair (single node, or mode none).
    public func run() -> PathMTUResult? {
        guard let pair = CrossNodePair(plan: plan) else { return nil }
        let clock = ContinuousClock.now
        let mtu = plan.podMTU
        var result = PathMTUResult(
            source: pair.source.namespace, destination: pair.destination.namespace,
            address: pair.destination.ip, podMTU: mtu, fittingPassed: false,
            fittingDetail: "", oversizeRefused: false, oversizeDetail: "", duration: .zero)
        let ns: NetworkNamespace
        do throws(NetlinkError) { ns = try NetworkNamespace.open(pair.source.namespace) } catch {
            result.fittingDetail = error.description
            result.oversizeDetail = error.description
            result.duration = ContinuousClock.now - clock
            return result
        }
        func probe(_ payload: Int) -> PingJob {
            PingJob(
                namespace: ns,
                arguments: [
                    "-M", "do", "-s", String(payload), "-c", "1", "-W", "1",
                    pair.destination.ip.description
                ], keepOutput: true)
        }
        // IPv4 20 + ICMP 8 = 28 bytes of headers around the payload. Both probes run at once:
        // the refused one makes ping wait out its -W second, the fitting one is back in a
        // millisecond, and neither affects the other.
        let both = PingRunner.run([probe(mtu - 28), probe(mtu - 27)], parallelism: 2)
        var fit = both[0]
        let over = both[1]
        if !fit.succeeded { fit = PingRunner.run([probe(mtu - 28)], parallelism: 1)[0] }  // a first ARP can drop it
        result.fittingPassed = fit.succeeded
        result.fittingDetail = "\(mtu) bytes DF: " + Self.summary(fit)
        result.oversizeRefused = over.exitStatus != nil && !over.succeeded
        result.oversizeDetail = "\(mtu + 1) bytes DF: " + Self.summary(over)
        result.duration = ContinuousClock.now - clock
        return result
    }

    /// "reply", "no reply", or ping's own error line (e.g. "local error: message too long, mtu=1450").
    static func summary(_ o: PingOutcome) -> String {
        if o.succeeded { return "reply" }
        if let e = o.error { return e }
        let errorLine = o.output.split(separator: "\n").first {
            $0.hasPrefix("ping: ") || $0.contains("error") || $0.contains("Frag needed")
        }
        if let line = errorLine {
            return String(line.hasPrefix("ping: ") ? line.dropFirst(6) : line[...]).trimmingCharacters(in: .whitespaces)
        }
        return "no reply"
    }
}

/// The pod pair cross-node checks use: the first pod of the first node, and the first pod of
/// the next node. nil when the run has one node or the mode has no cross-node path.
struct CrossNodePair {
    var source: Addressing.Pod
    var destination: Addressing.Pod
    var sourceNode: Addressing.Node
    var destinationNode: Addressing.Node

    init?(plan: Plan) {
        let nodes = plan.addressing.nodes
        guard plan.spec.mode != .none, nodes.count >= 2, let s = nodes[0].pods.first, let d = nodes[1].pods.first,
            plan.addressing.podCIDR.contains(d.ip)
        else { return nil }
        source = s
        destination = d
        sourceNode = nodes[0]
        destinationNode = nodes[1]
    }
}
