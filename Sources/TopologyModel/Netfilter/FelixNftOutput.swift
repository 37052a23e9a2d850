/// The nftables dataplane's writes (`felix/nftables/table.go` `applyUpdates`, `ipsets.go`,
/// `maps.go`), as the nft commands knftables v0.0.18 writes for them (`objects.go`
/// `writeOperation`). Everything lives in table `ip calico`; each iptables-style table is a
/// layer whose chain names get its prefix (`filter-cali-FORWARD`, `table_layer.go`).
enum FelixNftOutput {
    static let table = "calico"

    /// `baseChains` (table.go) with their hook, type and priority; knftables prints the
    /// priority as a number (filter 0, raw -300, mangle -150, dstnat -100, srcnat+10 110).
    static let baseChains: [(name: String, type: String, hook: String, priority: Int)] = [
        ("filter-FORWARD", "filter", "forward", 0),
        ("filter-INPUT", "filter", "input", 0),
        ("filter-OUTPUT", "filter", "output", 0),
        ("mangle-FORWARD", "filter", "forward", -150),
        ("mangle-INPUT", "filter", "input", -150),
        ("mangle-OUTPUT", "route", "output", -150),
        ("mangle-POSTROUTING", "filter", "postrouting", -150),
        ("mangle-PREROUTING", "filter", "prerouting", -150),
        ("nat-INPUT", "nat", "input", -100),
        ("nat-OUTPUT", "nat", "output", 110),
        ("nat-POSTROUTING", "nat", "postrouting", 110),
        ("nat-PREROUTING", "nat", "prerouting", -100),
        ("raw-OUTPUT", "filter", "output", -300),
        ("raw-PREROUTING", "filter", "prerouting", -300)
    ]

    struct Chain {
        var name: String
        var rules: [(body: String, comment: String)]
    }

    /// Layer-prefixed chains, each rule rendered and hashed under the prefixed chain name.
    static func chains(_ tables: FelixTables) -> [Chain] {
        let mappings = tables.dispatchMappings
        var result: [Chain] = []
        for table in tables.all {
            let layer = table.name
            let mapTargets = table.name == "filter" ? (mappings.from + mappings.to).map(\.1) : []
            for chain in table.programmed(mapTargets: mapTargets) {
                result.append(render(FelixRender.nftChainName(chain.name, layer: layer), chain.rules, layer: layer, hashChain: nil))
            }
        }
        for base in baseChains {
            let layer = String(base.name.prefix { $0 != "-" })
            let kernelChain = String(base.name.dropFirst(layer.count + 1))
            let hook = tables.all.first { $0.name == layer }?.hooks.first { $0.chain == kernelChain }
            let inserts = render(base.name, hook?.inserts ?? [], layer: layer, hashChain: base.name)
            let appends = render(base.name, hook?.appends ?? [], layer: layer, hashChain: base.name + "*appends*")
            result.append(Chain(name: base.name, rules: inserts.rules + appends.rules))
        }
        return result.sorted { $0.name < $1.name }
    }

    private static func render(_ name: String, _ rules: [FelixRule], layer: String, hashChain: String?) -> Chain {
        let bodies = rules.map { FelixRender.nftRule($0, layer: layer) }
        let hashes = FelixRuleHash.hashes(chain: hashChain ?? name, renderedRules: bodies)
        return Chain(name: name, rules: zip(rules, zip(bodies, hashes)).map { ($1.0, FelixRender.nftComment(hash: $1.1, rule: $0)) })
    }

    static func script(_ tables: FelixTables) -> String {
        let t = "ip \(table)"
        var out = ["add table \(t)"]
        // Sets first (the IP-set dataplane of the same table), with their members.
        for set in tables.ipsets {
            // Only net sets carry the interval flag (`ipsets.go` `setType`/flags).
            let name = FelixIPSet.nftName(set.name)
            let flags = set.type == "hash:net" ? " flags interval ;" : ""
            out.append("add set \(t) \(name) { type ipv4_addr ;\(flags) }")
            out += set.members.map { "add element \(t) \(name) { \($0) }" }
        }
        // Verdict maps for the workload dispatch (endpoint_mgr.go, `MapTypeInterfaceMatch`).
        let maps = ["filter-cali-from-wl-dispatch", "filter-cali-to-wl-dispatch"]
        out += maps.map { "add map \(t) \($0) { type ifname : verdict ; }" }
        let chains = chains(tables)
        let baseNames = Set(baseChains.map(\.name))
        for base in baseChains {
            out.append("add chain \(t) \(base.name) { type \(base.type) hook \(base.hook) priority \(base.priority) ; }")
        }
        out += chains.filter { !baseNames.contains($0.name) }.map { "add chain \(t) \($0.name)" }
        for chain in chains where !baseNames.contains(chain.name) {
            out += chain.rules.map { "add rule \(t) \(chain.name) \($0.body) comment \"\($0.comment)\"" }
        }
        for chain in chains where baseNames.contains(chain.name) {
            out += chain.rules.map { "add rule \(t) \(chain.name) \($0.body) comment \"\($0.comment)\"" }
        }
        let mappings = tables.dispatchMappings
        for (map, members) in zip(maps, [mappings.from, mappings.to]) {
            out += members.map { "add element \(t) \(map) { \($0.0) : goto filter-\($0.1) }" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func expected(_ tables: FelixTables) -> [ExpectedChain] {
        chains(tables).map { ExpectedChain(family: "ip", table: table, chain: $0.name, ruleCount: $0.rules.count) }
    }
}
