import Foundation
import ProcessKit
import NetAddress
import Netlink
import TopologyModel

/// Encapsulation on the wire: while a pod on node1 pings a pod on node2, frames are captured on
/// node1's port in the fabric namespace (the switch port on l2 — a capture on br0 would only see
/// frames addressed to the bridge itself — or the router port on l3), and the echo request and
/// reply must both be seen, each carried exactly as the mode's reference datapath carries it.
public struct WireObservation: Sendable, Equatable {
    public var isRequest: Bool
    public var encapsulation: Encapsulation
    public var outerSource: IPv4Address
    public var outerDestination: IPv4Address
}

public struct EncapsulationResult: Sendable {
    public var expected: Encapsulation
    /// "namespace/interface" captured on.
    public var capturePoint: String
    public var source: String
    public var destination: String
    public var observations: [WireObservation]
    /// Empty when the check passed.
    public var problems: [String]
    public var framesSeen: Int
    public var duration: Duration

    public var passed: Bool { problems.isEmpty }
}

public struct EncapsulationCheck {
    public var plan: Plan
    public init(plan: Plan) { self.plan = plan }

    /// What the mode's datapath puts on the underlay (its `wire`, written from the Wire format
    /// sections of docs/datapaths.md rather than derived from the plan, so a wrong plan cannot
    /// pass its own check).
    public static func expectation(for mode: Mode) -> (encapsulation: Encapsulation, outerIsNode: Bool)? {
        mode.datapath.wire.map { ($0.encapsulation, $0.outerIsNode) }
    }

    /// nil when there is nothing to check (single node, or a mode without a cross-node path).
    public func run() -> EncapsulationResult? {
        guard let pair = CrossNodePair(plan: plan), let want = Self.expectation(for: plan.spec.mode) else { return nil }
        let clock = ContinuousClock.now
        let fabric = plan.addressing.fabricNamespace
        var result = EncapsulationResult(
            expected: want.encapsulation, capturePoint: "\(fabric)/\(pair.sourceNode.uplinkPeer)",
            source: pair.source.namespace, destination: pair.destination.namespace,
            observations: [], problems: [], framesSeen: 0, duration: .zero)
        func done(_ r: EncapsulationResult) -> EncapsulationResult {
            var r = r
            r.duration = ContinuousClock.now - clock
            return r
        }
        let capture: PacketCapture
        let pinger: NetworkNamespace
        do throws(NetlinkError) {
            capture = try PacketCapture(
                namespace: try NetworkNamespace.open(fabric), interface: pair.sourceNode.uplinkPeer,
                timeout: .milliseconds(100))
            pinger = try NetworkNamespace.open(pair.source.namespace)
        } catch {
            result.problems = [error.description]
            return done(result)
        }
        let a = pair.source.ip, b = pair.destination.ip
        // One ping, and one more if the first round did not show both directions.
        for _ in 1...2 {
            let running: ChildProcess
            do { running = try ChildProcess.spawn(["ping", "-c", "1", "-W", "1", "-q", b.description], in: pinger) } catch {
                result.problems = ["\(error)"]
                return done(result)
            }
            var exited: ContinuousClock.Instant? = nil
            let deadline = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < deadline {
                let seen = Set(result.observations.map(\.isRequest))
                if seen.count == 2 { break }
                // After ping exits, frames still in the socket queue are read for a short while.
                if exited == nil, running.poll() != nil { exited = .now }
                if let t = exited, ContinuousClock.now - t > .milliseconds(200) { break }
                let frame: [UInt8]?
                do throws(NetlinkError) { frame = try capture.next() } catch {
                    result.problems.append(error.description)
                    break
                }
                guard let frame else { continue }
                result.framesSeen += 1
                guard let d = WireFrame.decode(frame) else { continue }
                if d.inner.source == a, d.inner.destination == b, d.icmpType == 8 {
                    result.observations.append(
                        WireObservation(
                            isRequest: true, encapsulation: d.encapsulation,
                            outerSource: d.outer.source, outerDestination: d.outer.destination))
                } else if d.inner.source == b, d.inner.destination == a, d.icmpType == 0 {
                    result.observations.append(
                        WireObservation(
                            isRequest: false, encapsulation: d.encapsulation,
                            outerSource: d.outer.source, outerDestination: d.outer.destination))
                }
            }
            // ping -W 1 exits on its own; the hard timeout only bounds a stuck one.
            while exited == nil, ProcessPool.outcome(running, hardTimeout: PingRunner.hardTimeout) == nil { usleep(1_000) }
            if Set(result.observations.map(\.isRequest)).count == 2 { break }
        }
        result.problems += Self.problems(result.observations, want: want, pair: pair, capturePoint: result.capturePoint)
        return done(result)
    }

    static func problems(
        _ seen: [WireObservation], want: (encapsulation: Encapsulation, outerIsNode: Bool),
        pair: CrossNodePair, capturePoint: String
    ) -> [String] {
        var out: [String] = []
        let a = pair.source.ip, b = pair.destination.ip
        for (isRequest, what, from, to) in [(true, "echo request", a, b), (false, "echo reply", b, a)] {
            let obs = seen.filter { $0.isRequest == isRequest }
            if obs.isEmpty { out.append("no \(what) \(from) → \(to) seen on \(capturePoint)") }
            let outer =
                want.outerIsNode
                ? (isRequest ? (pair.sourceNode.ip, pair.destinationNode.ip) : (pair.destinationNode.ip, pair.sourceNode.ip))
                : (from, to)
            for o in obs where o.encapsulation != want.encapsulation || o.outerSource != outer.0 || o.outerDestination != outer.1 {
                out.append(
                    "\(what) \(from) → \(to) carried as \(o.encapsulation) \(o.outerSource) → \(o.outerDestination); want \(want.encapsulation) \(outer.0) → \(outer.1)"
                )
            }
        }
        return out
    }
}
