/// Text of one Felix rule in each dataplane's syntax: `felix/iptables/renderer.go` (`renderInner`:
/// hash comment, comments, match, action) and `felix/nftables/renderer.go` (`renderRule`: match,
/// `counter`, action; comments go into the nft rule comment).
enum FelixRender {
    // MARK: iptables

    static func iptablesMatch(_ m: FelixMatch) -> String {
        switch m {
        case .markClear(let bit): "-m mark --mark 0/\(felixHex(bit))"
        case .markNotClear(let bits): "-m mark ! --mark 0/\(felixHex(bits))"
        case .markMatches(let mark, let mask): "-m mark --mark \(felixHex(mark))/\(felixHex(mask))"
        case .inInterface(let i): "--in-interface \(iptablesWildcard(i))"
        case .outInterface(let i): "--out-interface \(iptablesWildcard(i))"
        case .rpfCheckFailed: "-m rpfilter --invert --validmark"
        case .conntrackState(let s): "-m conntrack --ctstate \(s)"
        case .notDNAT: "-m conntrack ! --ctstate DNAT"
        case .dnat: "-m conntrack --ctstate DNAT"
        case .protocol(let p): "-p \(p)"
        case .protocolNum(let n): "-p \(n)"
        case .destPorts(let ports): "-m multiport --destination-ports \(ports.map(String.init).joined(separator: ","))"
        case .destPort(let p): "--dport \(p)"
        case .sourceNet(let n): "--source \(n)"
        case .destNet(let n): "--destination \(n)"
        case .sourceIPSet(let s): "-m set --match-set \(s) src"
        case .destIPSet(let s): "-m set --match-set \(s) dst"
        case .notDestIPSet(let s): "-m set ! --match-set \(s) dst"
        case .destAddrTypeLocal: "-m addrtype --dst-type LOCAL"
        case .srcAddrTypeLocal(let limit): "-m addrtype --src-type LOCAL" + (limit ? " --limit-iface-out" : "")
        case .notSrcAddrTypeLocal(let limit): "-m addrtype ! --src-type LOCAL" + (limit ? " --limit-iface-out" : "")
        case .inInterfaceVMAP, .outInterfaceVMAP: preconditionFailure("verdict maps are nftables-only")
        }
    }

    static func iptablesAction(_ a: FelixAction) -> String {
        switch a {
        case .accept: "--jump ACCEPT"
        case .drop: "--jump DROP"
        case .return: "--jump RETURN"
        case .noTrack: "--jump NOTRACK"
        case .jump(let c): "--jump \(c)"
        case .goto(let c): "--goto \(c)"
        case .clearMark(let m): "--jump MARK --set-mark 0/\(felixHex(m))"
        case .setMark(let m): "--jump MARK --set-mark \(felixHex(m))/\(felixHex(m))"
        case .masqueradeFullyRandom: "--jump MASQUERADE --random-fully"
        }
    }

    /// `-A|-I <chain> [hash comment] [comments] [match] [action]`; `hash` nil renders the
    /// hashing form (the literal word HASH in place of the comment).
    static func iptablesLine(_ verb: String, chain: String, rule: FelixRule, hash: String?) -> String {
        var parts = [verb, chain]
        parts.append(hash.map { "-m comment --comment \"cali:\($0)\"" } ?? "HASH")
        for c in rule.comments { parts.append("-m comment --comment \"\(escapeComment(c).prefix(256))\"") }
        let match = rule.match.map(iptablesMatch).joined(separator: " ")
        if !match.isEmpty { parts.append(match) }
        if let a = rule.action { parts.append(iptablesAction(a)) }
        return parts.joined(separator: " ")
    }

    static func iptablesHashes(chain: String, rules: [FelixRule]) -> [String] {
        FelixRuleHash.hashes(chain: chain, renderedRules: rules.map { iptablesLine("-A", chain: chain, rule: $0, hash: nil) })
    }

    private static func iptablesWildcard(_ iface: String) -> String {
        iface.hasSuffix("*") ? String(iface.dropLast()) + "+" : iface
    }

    // MARK: nftables

    static func nftMatch(_ m: FelixMatch, layer: String, proto: FelixMatch?) -> String {
        switch m {
        case .markClear(let bit): "meta mark & \(felixHex(bit)) == 0"
        case .markNotClear(let bits): "meta mark & \(felixHex(bits)) != 0"
        case .markMatches(let mark, let mask): "meta mark & \(felixHex(mask)) == \(felixHex(mark))"
        case .inInterface(let i): "iifname \(i)"
        case .outInterface(let i): "oifname \(i)"
        case .rpfCheckFailed: "fib saddr . mark . iif oif 0"
        case .conntrackState(let s): "ct state \(s.lowercased())"
        case .notDNAT: "ct status != dnat"
        case .dnat: "ct status dnat"
        case .protocol(let p): "meta l4proto \(p)"
        case .protocolNum(let n): "meta l4proto \(n)"
        case .destPorts(let ports): "\(transport(proto)) dport { \(ports.map(String.init).joined(separator: ", ")) }"
        case .destPort(let p): "\(transport(proto)) dport \(p)"
        case .sourceNet(let n): "ip saddr \(n)"
        case .destNet(let n): "ip daddr \(n)"
        // `LegalizeSetName` (nftables/ipsets.go): nft set names have `-` for ipset's `:`.
        case .sourceIPSet(let s): "ip saddr @\(FelixIPSet.nftName(s))"
        case .destIPSet(let s): "ip daddr @\(FelixIPSet.nftName(s))"
        case .notDestIPSet(let s): "ip daddr != @\(s)"
        case .destAddrTypeLocal: "fib daddr type local"
        case .srcAddrTypeLocal(let limit): limit ? "fib saddr . oif type local" : "fib saddr type local"
        case .notSrcAddrTypeLocal(let limit): limit ? "fib saddr . oif type != local" : "fib saddr type != local"
        case .inInterfaceVMAP(let map): "iifname vmap @\(layer)-\(map)"
        case .outInterfaceVMAP(let map): "oifname vmap @\(layer)-\(map)"
        }
    }

    /// `transportProto` (nftables match_builder.go): the port match's header is the protocol's name.
    private static func transport(_ proto: FelixMatch?) -> String {
        switch proto {
        case .protocolNum(6), .protocol("tcp"): "tcp"
        case .protocolNum(17), .protocol("udp"): "udp"
        default: preconditionFailure("port match without TCP/UDP protocol")
        }
    }

    /// The table layer's namespacing of chain targets (`felix/nftables/table_layer.go`).
    static func nftChainName(_ name: String, layer: String) -> String {
        name.hasPrefix(layer) ? name : "\(layer)-\(name)"
    }

    static func nftAction(_ a: FelixAction, layer: String) -> String {
        switch a {
        case .accept: "accept"
        case .drop: "drop"
        case .return: "return"
        case .noTrack: "notrack"
        case .jump(let c): "jump \(nftChainName(c, layer: layer))"
        case .goto(let c): "goto \(nftChainName(c, layer: layer))"
        case .clearMark(let m): "meta mark set mark & \(felixHex(m ^ 0xffff_ffff))"
        case .setMark(let m): "meta mark set mark or \(felixHex(m))"
        case .masqueradeFullyRandom: "masquerade fully-random"
        }
    }

    /// `renderRule`: match, then `counter` and the action; an empty rule is `continue`.
    static func nftRule(_ rule: FelixRule, layer: String) -> String {
        var parts: [String] = []
        let proto = rule.match.first { if case .protocol = $0 { true } else if case .protocolNum = $0 { true } else { false } }
        let match = rule.match.map { nftMatch($0, layer: layer, proto: proto) }.joined(separator: " ")
        if !match.isEmpty { parts.append(match) }
        if let a = rule.action {
            parts.append("counter")
            parts.append(nftAction(a, layer: layer))
        }
        return parts.isEmpty ? "continue" : parts.joined(separator: " ")
    }

    /// `comment`: `cali:<hash>;` then the rule's comments, each cut to its share of 128 characters.
    static func nftComment(hash: String, rule: FelixRule) -> String {
        var fragments = ["cali:\(hash);"]
        if !rule.comments.isEmpty {
            let share = (128 - fragments[0].count) / rule.comments.count
            fragments += rule.comments.map { String(escapeComment($0).prefix(share)) }
        }
        return String(fragments.joined(separator: " ").prefix(128))
    }

    /// `escapeComment`: anything but `[\w @%+=:,./-]` becomes `_`.
    static func escapeComment(_ s: String) -> String {
        // Nearly every comment is already clean: checking its bytes is much cheaper than walking
        // it by Character (the slow path below, which decides for anything else).
        if s.utf8.allSatisfy(isCommentByte) { return s }
        return String(
            s.map { c in
                c.isASCII && (c.isLetter || c.isNumber || "_ @%+=:,./-".contains(c)) ? c : "_"
            })
    }

    /// An ASCII letter, digit or one of `_ @%+=:,./-`: the bytes escapeComment keeps.
    private static func isCommentByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "_"), UInt8(ascii: " "), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
