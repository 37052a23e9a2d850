/// Felix's rule-hash comments (`cali:<hash>`), computed as Felix v3.30.7 computes them
/// (`felix/generictables/rules.go`, `RuleHashes`): SHA-224 of the chain name, then for each rule
/// SHA-224(previous hash ‖ the rule rendered for hashing), URL-safe base64 without padding, first
/// 16 characters. The rule text hashed is the renderer's: `-A <chain> HASH <comments> <match>
/// <action>` for iptables (`felix/iptables/renderer.go`, `RuleHashes`), the nft rule body for
/// nftables (`felix/nftables/renderer.go`, `renderRule`).
enum FelixRuleHash {
    static let length = 16

    static func hashes(chain: String, renderedRules: [String]) -> [String] {
        var previous = SHA256.sha224(Array(chain.utf8))
        return renderedRules.map { rule in
            previous = SHA256.sha224(previous + Array(rule.utf8))
            return String(base64URL(previous).prefix(length))
        }
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 base64url without padding. Built as bytes: one hash per rendered rule, so this
    /// runs tens of thousands of times for a large policy set.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let table = base64Alphabet
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(table[Int(n >> 18 & 63)])
            out.append(table[Int(n >> 12 & 63)])
            out.append(table[Int(n >> 6 & 63)])
            out.append(table[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(table[Int(n >> 18 & 63)])
            out.append(table[Int(n >> 12 & 63)])
            if rest == 2 { out.append(table[Int(n >> 6 & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
