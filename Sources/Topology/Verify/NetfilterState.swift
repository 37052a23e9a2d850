import Foundation
import Netlink
import TopologyModel

/// The netfilter state of one namespace as `nft -j list ruleset` reports it: every chain with
/// its rule count. nft sees iptables-nft's tables too (family ip, table filter/nat/…), so one
/// read-back serves every tool a ruleset may be loaded with.
public struct NetfilterState: Sendable, Equatable {
    public struct ChainKey: Hashable, Sendable, CustomStringConvertible {
        public var family: String
        public var table: String
        public var chain: String
        public var description: String { "\(family) \(table) \(chain)" }
    }

    /// Rules per chain; a chain without rules is present with 0.
    public var chains: [ChainKey: Int]

    /// Reads the ruleset of `ns` with `nft -j list ruleset`.
    public static func read(_ ns: NetworkNamespace) throws -> NetfilterState {
        try parse(NetfilterLoader.query(["nft", "-j", "list", "ruleset"], in: ns))
    }

    /// Parses nft's JSON (`{"nftables": [{"metainfo": …}, {"table": …}, {"chain": …}, {"rule": …}]}`).
    public static func parse(_ json: String) throws -> NetfilterState {
        guard let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let items = root["nftables"] as? [[String: Any]]
        else { throw StateError("nft -j list ruleset: not the JSON nft writes (no \"nftables\" array)") }
        var chains: [ChainKey: Int] = [:]
        func key(_ o: [String: Any], _ nameKey: String) -> ChainKey? {
            guard let f = o["family"] as? String, let t = o["table"] as? String, let c = o[nameKey] as? String else { return nil }
            return ChainKey(family: f, table: t, chain: c)
        }
        for item in items {
            if let c = item["chain"] as? [String: Any], let k = key(c, "name") { chains[k, default: 0] += 0 }
            if let r = item["rule"] as? [String: Any], let k = key(r, "chain") { chains[k, default: 0] += 1 }
        }
        return NetfilterState(chains: chains)
    }

    /// One line per expected chain that is missing or holds another number of rules.
    public func problems(_ expected: [NetfilterExpectation]) -> [String] {
        expected.compactMap { x in
            let e = x.chain, owner = x.owners.joined(separator: " + ")
            let k = ChainKey(family: e.family, table: e.table, chain: e.chain)
            guard let n = chains[k] else { return "chain \(k) (\(owner)) missing" }
            if x.atLeast { return n >= e.ruleCount ? nil : "chain \(k) (\(owner)) has \(n) rules, want at least \(e.ruleCount)" }
            return n == e.ruleCount ? nil : "chain \(k) (\(owner)) has \(n) rules, want \(e.ruleCount)"
        }
    }
}
