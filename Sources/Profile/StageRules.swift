/// The data that says which stage a stack belongs to: process-name rules, then function-name
/// patterns. Edit the table, not the matcher.
///
/// How a stack is attributed (`StageRules.stage(process:frames:)`):
/// 1. Process rules first: every sample of a matching process is that stage, whatever it was
///    doing (the flannel-udp daemon's whole cost is the userspace datapath, its syscalls too).
/// 2. Then the frames from the leaf towards the root: the first frame that matches any
///    pattern decides, and for one frame the first matching rule in table order decides (so
///    `udp_tunnel*` is encap although `udp_*` is TCP/IP: encap comes first).
/// 3. No match anywhere: `other` (user-space code of iperf3, syscall entry, page faults …).
///
/// Deliberately in no rule: spin-lock and bottom-half/irq re-enable helpers
/// (`_raw_spin_unlock_irqrestore`, `__local_bh_enable_ip`, …). cpu-clock samples are taken by a
/// timer interrupt, which lands where interrupts are re-enabled; those frames say nothing about
/// the work, so their caller decides.
public struct StageRules: Sendable {
    public struct Rule: Sendable, Codable, Equatable {
        public var pattern: String
        public var stage: Stage
        public init(_ pattern: String, _ stage: Stage) {
            self.pattern = pattern
            self.stage = stage
        }
    }

    /// Matched against the sample's process name (comm, or the agent name for cnibench agents).
    public var processRules: [Rule]
    /// Matched against function names, in this order for each frame.
    public var frameRules: [Rule]

    public init(processRules: [Rule], frameRules: [Rule]) {
        self.processRules = processRules
        self.frameRules = frameRules
    }

    public static let standard = StageRules(
        processRules: [Rule("flannel-udp-daemon", .daemon)],
        frameRules: [
            // Encapsulation before TCP/IP and routing: udp_tunnel*, ip_tunnel_* would otherwise
            // read as plain UDP/IP. Our tc-BPF programs (Calico IPIP) show as bpf_prog_<tag>_<name>.
            Rule("vxlan_*", .encap), Rule("udp_tunnel*", .encap), Rule("ipip*", .encap), Rule("ip_tunnel_*", .encap),
            Rule("iptunnel_*", .encap), Rule("__iptunnel_*", .encap), Rule("bpf_prog_*", .encap), Rule("tun_*", .encap),
            Rule("gro_cells_*", .encap),
            // Netfilter before TCP/IP (nf_hook_slow sits under ip_rcv).
            Rule("nf_conntrack*", .netfilter), Rule("nf_*", .netfilter), Rule("nft_*", .netfilter),
            Rule("ipt_*", .netfilter), Rule("__nf_*", .netfilter), Rule("ipv4_conntrack*", .netfilter),
            // Copies and checksums, wherever they are called from.
            Rule("copy_*", .copyChecksum), Rule("_copy_*", .copyChecksum), Rule("__copy_*", .copyChecksum),
            Rule("rep_movs_alternative", .copyChecksum), Rule("csum_*", .copyChecksum), Rule("__csum_*", .copyChecksum),
            Rule("memcpy*", .copyChecksum), Rule("__memcpy*", .copyChecksum), Rule("skb_copy*", .copyChecksum),
            Rule("skb_checksum*", .copyChecksum), Rule("__skb_checksum*", .copyChecksum),
            // Devices of the datapath.
            Rule("veth_*", .veth), Rule("br_*", .bridge), Rule("__br_*", .bridge),
            // Routing before TCP/IP: ip_route_* would not match a TCP/IP pattern, but fib_* helpers
            // are called from ip_* functions.
            Rule("fib_*", .routing), Rule("__fib_*", .routing), Rule("ip_route_*", .routing), Rule("ip_rt_*", .routing),
            Rule("rt_*", .routing), Rule("__ip_route_*", .routing), Rule("ip_mkroute_*", .routing),
            // The TCP/IP stack.
            Rule("tcp_*", .tcpIP), Rule("__tcp_*", .tcpIP), Rule("udp_*", .tcpIP), Rule("__udp*", .tcpIP),
            Rule("ip_output", .tcpIP), Rule("ip_rcv*", .tcpIP), Rule("__ip_*", .tcpIP), Rule("ip_local_*", .tcpIP),
            Rule("ip_finish_output*", .tcpIP), Rule("ip_queue_xmit", .tcpIP), Rule("ip_forward*", .tcpIP),
            Rule("ip_sublist_rcv*", .tcpIP), Rule("ip_list_rcv", .tcpIP), Rule("ip_protocol_deliver*", .tcpIP),
            Rule("ip_send_*", .tcpIP), Rule("ip_make_skb", .tcpIP), Rule("ip_append_data", .tcpIP),
            Rule("sock_*", .tcpIP), Rule("__sock_*", .tcpIP), Rule("sk_*", .tcpIP), Rule("__sk_*", .tcpIP),
            Rule("inet_*", .tcpIP), Rule("__inet_*", .tcpIP), Rule("release_sock", .tcpIP), Rule("lock_sock*", .tcpIP),
            Rule("neigh_*", .tcpIP), Rule("__neigh_*", .tcpIP),
            // The device layer and skb life cycle (between the stack and the devices).
            Rule("__dev_queue_xmit", .netdev), Rule("dev_*", .netdev), Rule("__dev_*", .netdev),
            Rule("netif_*", .netdev), Rule("__netif_*", .netdev), Rule("process_backlog", .netdev),
            Rule("sch_direct_xmit", .netdev), Rule("__qdisc_*", .netdev), Rule("qdisc_*", .netdev),
            Rule("skb_*", .netdev), Rule("__skb_*", .netdev), Rule("kfree_skb*", .netdev), Rule("__kfree_skb*", .netdev),
            Rule("consume_skb", .netdev), Rule("__alloc_skb", .netdev), Rule("alloc_skb*", .netdev),
            Rule("napi_gro_*", .netdev), Rule("gro_*", .netdev), Rule("__napi_alloc*", .netdev),
            // Softirq processing and scheduling.
            Rule("__do_softirq", .softirqSched), Rule("handle_softirqs", .softirqSched), Rule("do_softirq*", .softirqSched),
            Rule("net_rx_action", .softirqSched), Rule("__napi*", .softirqSched), Rule("napi_*", .softirqSched),
            Rule("run_ksoftirqd", .softirqSched), Rule("schedule*", .softirqSched), Rule("__schedule", .softirqSched),
            Rule("finish_task_switch*", .softirqSched), Rule("try_to_wake_up", .softirqSched),
            Rule("__wake_up*", .softirqSched), Rule("pick_next_task*", .softirqSched),
            // Idle.
            Rule("do_idle", .idle), Rule("cpu_idle*", .idle), Rule("default_idle*", .idle), Rule("arch_cpu_idle*", .idle),
            Rule("cpuidle_*", .idle), Rule("intel_idle*", .idle), Rule("acpi_idle*", .idle), Rule("poll_idle", .idle),
            Rule("native_safe_halt", .idle), Rule("pv_native_safe_halt", .idle), Rule("mwait_idle*", .idle)
        ])

    /// The stage of one stack; `frames` are ordered root first, leaf last (as in folded stacks).
    public func stage(process: String, frames: some BidirectionalCollection<Substring>) -> Stage {
        if let r = processRules.first(where: { Glob.matches($0.pattern, process) }) { return r.stage }
        for frame in frames.reversed() {
            if let r = frameRules.first(where: { Glob.matches($0.pattern, frame) }) { return r.stage }
        }
        return .other
    }

    /// The stage of a folded stack line's stack part ("comm;root;…;leaf").
    public func stage(folded stack: String) -> Stage {
        let parts = stack.split(separator: ";", omittingEmptySubsequences: false)
        guard let process = parts.first else { return .other }
        return stage(process: String(process), frames: parts.dropFirst())
    }
}

/// Shell-style patterns with `*` only (any run of characters); everything else is literal.
enum Glob {
    static func matches(_ pattern: String, _ text: some StringProtocol) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && p[pi] != UInt8(ascii: "*") && p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
