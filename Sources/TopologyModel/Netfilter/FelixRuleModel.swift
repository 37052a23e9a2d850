/// Felix's generic rule model (`felix/generictables`): a rule is match criteria, an action and
/// comments; each dataplane renders it its own way. The criteria and actions here are the ones
/// Felix v3.30.7's static, dispatch, endpoint, profile and NAT chains use for a plain node, with
/// the exact text of `felix/iptables/{match_builder,actions}.go` and
/// `felix/nftables/{match_builder,actions}.go`.
enum FelixMatch: Equatable, Sendable {
    case markClear(UInt32)
    /// `MarkNotClear`: any of the bits set (policy-group "Return on verdict").
    case markNotClear(UInt32)
    /// `MarkSingleBitSet` is `MarkMatchesWithMask(bit, bit)`.
    case markMatches(mark: UInt32, mask: UInt32)
    /// Interface name or prefix; a trailing `*` is the wildcard (`+` for iptables).
    case inInterface(String)
    case outInterface(String)
    case rpfCheckFailed
    case conntrackState(String)
    /// filter `cali-OUTPUT`'s not-DNAT match: `! --ctstate DNAT` (iptables) or `ct status != dnat` (nft).
    case notDNAT
    /// mangle `cali-POSTROUTING`'s DNAT match: `--ctstate DNAT` or `ct status dnat`.
    case dnat
    case `protocol`(String)
    case protocolNum(UInt8)
    /// `DestPorts` (iptables multiport, nft `{ … }` set).
    case destPorts([UInt16])
    /// `DestPort` (iptables `--dport`).
    case destPort(UInt16)
    /// `SourceNet` / `DestNet`: one CIDR (policy rules' `ipBlock` peers).
    case sourceNet(String)
    case destNet(String)
    case sourceIPSet(String)
    case destIPSet(String)
    case notDestIPSet(String)
    case destAddrTypeLocal
    case srcAddrTypeLocal(limitIfaceOut: Bool)
    case notSrcAddrTypeLocal(limitIfaceOut: Bool)
    /// nftables only: `iifname vmap @<layer>-<map>` / `oifname vmap @<layer>-<map>`.
    case inInterfaceVMAP(String)
    case outInterfaceVMAP(String)

    static func markSingleBitSet(_ bit: UInt32) -> FelixMatch { .markMatches(mark: bit, mask: bit) }
}

enum FelixAction: Equatable, Sendable {
    case accept, drop, `return`, noTrack
    case jump(String)
    case goto(String)
    case clearMark(UInt32)
    case setMark(UInt32)
    /// `MASQUERADE --random-fully`: Felix's feature detection turns on fully-random for
    /// iptables ≥ 1.6.2 on kernels ≥ 3.14 (`felix/environment/feature_detect_linux.go`).
    case masqueradeFullyRandom

    /// The chain this action refers to (Felix programs only referenced chains).
    var target: String? {
        switch self {
        case .jump(let c), .goto(let c): c
        default: nil
        }
    }
}

struct FelixRule: Equatable, Sendable {
    var match: [FelixMatch] = []
    /// nil: a rule with no action, as Felix renders an empty profile (comment only).
    var action: FelixAction?
    var comments: [String] = []
}

struct FelixChain: Equatable, Sendable {
    var name: String
    var rules: [FelixRule]
}

/// Felix's `%#x` formatting of mark values (Go: 0 → "0x0").
func felixHex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
