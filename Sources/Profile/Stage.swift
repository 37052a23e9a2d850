/// Where a CPU sample's time went, by the kernel (or user-space) stage its stack was in.
/// `StageRules` maps function names and process names to these.
public enum Stage: String, Codable, Sendable, CaseIterable, Comparable {
    case tcpIP = "tcp-ip"
    case veth
    case bridge
    case routing
    case encap
    case netfilter
    case daemon = "userspace-daemon"
    case copyChecksum = "copy-checksum"
    case netdev
    case softirqSched = "softirq-sched"
    case idle
    case other

    /// For tables and the flame graph legend.
    public var label: String {
        switch self {
        case .tcpIP: "TCP/IP stack"
        case .veth: "veth"
        case .bridge: "bridge"
        case .routing: "routing/FIB"
        case .encap: "encap/decap (VXLAN, IPIP, tc-BPF)"
        case .netfilter: "netfilter/conntrack"
        case .daemon: "userspace datapath daemon"
        case .copyChecksum: "copy/checksum"
        case .netdev: "device layer and skb management"
        case .softirqSched: "softirq/scheduling"
        case .idle: "idle"
        case .other: "other (application, syscalls, unmatched)"
        }
    }

    /// Not a datapath stage: idle time and what no rule named.
    public var isNamed: Bool { self != .idle && self != .other }

    /// Flame graph fill, one hue per stage so the stages read at a glance.
    public var color: String {
        switch self {
        case .tcpIP: "#e6a23c"
        case .veth: "#5cb85c"
        case .bridge: "#3c9d9b"
        case .routing: "#8e6bbf"
        case .encap: "#d9534f"
        case .netfilter: "#c0569e"
        case .daemon: "#f0ad4e"
        case .copyChecksum: "#5b8fd6"
        case .netdev: "#9fbf3b"
        case .softirqSched: "#b08a5a"
        case .idle: "#d8d8d8"
        case .other: "#b0b0b0"
        }
    }

    public static func < (a: Stage, b: Stage) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
