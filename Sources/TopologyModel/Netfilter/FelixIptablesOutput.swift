/// The iptables dataplane's writes, as Felix produces them for a fresh node.
enum FelixIptablesOutput {
    /// `felix/ipsets/ipsets.go` (`writeUpdates`): `create <name> <type> family inet maxelem
    /// <MaxIpsetSize, default 1048576>`, one `add` per member, then `COMMIT`.
    static func ipsetRestore(_ sets: [FelixIPSet]) -> String {
        var lines: [String] = []
        for set in sets {
            lines.append("create \(set.name) \(set.type) family inet maxelem 1048576")
            lines += set.members.map { "add \(set.name) \($0)" }
        }
        lines.append("COMMIT")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `felix/iptables/table.go` (`applyUpdates`) with `restore_buffer.go`: per table
    /// `*<table>`, a forward reference `:<chain> - -` per chain, the chains' rules as `-A`, the
    /// hooks (`-I` in reverse order for inserts, `-A` for appends), `COMMIT`.
    static func restore(_ tables: FelixTables) -> String {
        var out: [String] = []
        for table in tables.all {
            let chains = table.programmed()
            out.append("*\(table.name)")
            out += chains.map { ":\($0.name) - -" }
            for chain in chains {
                let hashes = FelixRender.iptablesHashes(chain: chain.name, rules: chain.rules)
                for (rule, hash) in zip(chain.rules, hashes) {
                    out.append(FelixRender.iptablesLine("-A", chain: chain.name, rule: rule, hash: hash))
                }
            }
            for hook in table.hooks {
                // Inserted rules hash under the kernel chain's name; appended ones under
                // `<chain>*appends*` (table.go `expectedHashesForInsertAppendChain`).
                let insertHashes = FelixRender.iptablesHashes(chain: hook.chain, rules: hook.inserts)
                for (rule, hash) in zip(hook.inserts, insertHashes).reversed() {
                    out.append(FelixRender.iptablesLine("-I", chain: hook.chain, rule: rule, hash: hash))
                }
                let appendHashes = FelixRender.iptablesHashes(chain: hook.chain + "*appends*", rules: hook.appends)
                for (rule, hash) in zip(hook.appends, appendHashes) {
                    out.append(FelixRender.iptablesLine("-A", chain: hook.chain, rule: rule, hash: hash))
                }
            }
            out.append("COMMIT")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Every Calico chain with its rule count, then Felix's own rules in each kernel chain
    /// (FORWARD, …), where other components (kube-proxy, flannel) insert too; verify adds those
    /// up across agents (NetfilterExpectation). iptables-nft keeps each iptables table in
    /// nftables family `ip` under the table's own name.
    static func expected(_ tables: FelixTables) -> [ExpectedChain] {
        tables.all.flatMap { table in
            table.programmed().map { ExpectedChain(family: "ip", table: table.name, chain: $0.name, ruleCount: $0.rules.count) }
                + table.hooks.map {
                    ExpectedChain(family: "ip", table: table.name, chain: $0.chain, ruleCount: $0.inserts.count + $0.appends.count)
                }
        }
    }
}
