import Foundation
import Netlink
import TopologyModel

/// `--policies N`: the traffic the NetworkPolicies do not allow must be dropped, and by them.
/// The policies allow pod egress only to pods (FelixPolicies), so one ping from the first pod
/// to another node's address (its own node's on a single node) must get no reply, and the drop
/// counter of the end-of-tier rule in that pod's `cali-fw-` chain must rise: the probe was
/// dropped by the policy tier, not lost on the way. The connectivity matrix, run before, is
/// the allowed half: every pod and node still reaches every pod through all N policies.
public struct PolicyDenyCheck {
    public var plan: Plan

    public init(plan: Plan) { self.plan = plan }

    public struct Result: Sendable {
        public var source: String
        public var destination: String
        public var address: String
        /// The rule that must drop the probe: "ip filter cali-fw-… rule 9".
        public var rule: String
        public var replied: Bool
        public var dropsBefore: Int?
        public var dropsAfter: Int?
        public var error: String?
        public var duration: Duration

        public var problems: [String] {
            var out: [String] = []
            if let error { out.append(error) }
            if replied { out.append("\(source) → \(destination) \(address) got a reply: the policies did not drop it") }
            if let b = dropsBefore, let a = dropsAfter, a <= b {
                out.append("\(rule): drop counter stayed at \(a): the probe was not dropped by the policy tier")
            }
            return out
        }
        public var passed: Bool { problems.isEmpty }
        public var summary: String {
            let drops = dropsAfter.map { a in dropsBefore.map { " (\(a - $0) drop)" } ?? "" } ?? ""
            return "\(source) → \(destination) \(address): \(replied ? "reply" : "no reply"), dropped by \(rule)\(drops)"
        }
    }

    /// nil when the run has no policies (or no pod to probe from).
    public func run() -> Result? {
        let a = plan.addressing
        guard let policies = FelixNetworkPolicies(spec: plan.spec, addressing: a), plan.spec.netfilter == .real,
            let node = a.nodes.first, let pod = node.pods.first, let target = a.nodes.last,
            var felix = FelixNodeContext(addressing: a, node: node, mode: plan.spec.mode)
        else { return nil }
        felix.policies = policies
        let t0 = ContinuousClock.now
        guard let drop = FelixRules.endOfTierDrop(felix, dataplane: plan.spec.felixDataplane, interface: pod.hostVeth) else {
            return nil
        }
        var result = Result(
            source: pod.namespace, destination: target.namespace, address: target.ip.description,
            rule: "\(drop.family) \(drop.table) \(drop.chain) rule \(drop.index + 1)", replied: false, dropsBefore: nil,
            dropsAfter: nil, error: nil, duration: .zero)
        do {
            let nodeNS = try NetworkNamespace.open(node.namespace)
            let podNS = try NetworkNamespace.open(pod.namespace)
            let argv = ["nft", "-j", "list", "chain", drop.family, drop.table, drop.chain]
            result.dropsBefore = try Self.packets(NetfilterLoader.query(argv, in: nodeNS), rule: drop.index)
            let ping = PingRunner.run(
                [PingJob(namespace: podNS, arguments: ["-c", "1", "-W", "1", "-q", target.ip.description])], parallelism: 1)
            result.replied = ping.first?.succeeded ?? false
            result.dropsAfter = try Self.packets(NetfilterLoader.query(argv, in: nodeNS), rule: drop.index)
        } catch {
            result.error = "\(error)"
        }
        result.duration = ContinuousClock.now - t0
        return result
    }

    /// The packet counter of rule `rule` (0-based, chain order) in `nft -j list chain` output.
    /// iptables-nft and Felix's nftables dataplane both give every rule a counter.
    static func packets(_ json: String, rule: Int) throws -> Int {
        guard let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let items = root["nftables"] as? [[String: Any]]
        else { throw StateError("nft -j list chain: not the JSON nft writes") }
        let rules = items.compactMap { $0["rule"] as? [String: Any] }
        guard rule < rules.count else { throw StateError("nft -j list chain: \(rules.count) rules, want rule \(rule + 1)") }
        let exprs = rules[rule]["expr"] as? [[String: Any]] ?? []
        for e in exprs {
            if let c = e["counter"] as? [String: Any], let p = c["packets"] as? Int { return p }
        }
        throw StateError("nft -j list chain: rule \(rule + 1) has no counter")
    }
}
