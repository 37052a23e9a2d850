/// The connectivity matrix: every pod pings every other pod (same node and cross node), and
/// every node namespace pings every pod. Destinations are only pod addresses from the plan, so
/// no probe ever leaves the run's namespaces.
import NetAddress
import Netlink
import TopologyModel
public struct ConnectivityProbe: Sendable, Equatable {
    /// Source namespace and short label ("n1p2" for a pod, "node1" for a node).
    public var source: String
    public var sourceLabel: String
    public var sourceIsNode: Bool
    public var destination: String
    public var destinationLabel: String
    public var address: IPv4Address
    public var crossNode: Bool
    /// False when the mode gives no path for this pair (mode none across nodes): not probed.
    public var expected: Bool
    public var reachable: Bool
    /// Pings sent: 1, or 2 when the first one failed (a first ARP can drop the request).
    public var attempts: Int
    public var error: String?

    public var failed: Bool { expected && !reachable }
}

public struct ConnectivityResult: Sendable {
    public var probes: [ConnectivityProbe]
    public var duration: Duration

    public var failures: [ConnectivityProbe] { probes.filter(\.failed) }
    public var probed: [ConnectivityProbe] { probes.filter(\.expected) }
    public var passed: Bool { failures.isEmpty && !probed.isEmpty }
}

public struct ConnectivityCheck {
    public var plan: Plan
    /// Pings in flight at once.
    public var parallelism: Int

    public init(plan: Plan, parallelism: Int = 32) {
        self.plan = plan
        self.parallelism = parallelism
    }

    static func label(_ pod: Addressing.Pod) -> String { "n\(pod.node)p\(pod.index)" }

    /// The probe list in matrix order (pod sources, then node sources), before anything runs.
    public func plannedProbes() -> [ConnectivityProbe] {
        let a = plan.addressing
        let pods = a.allPods
        // Mode none is the base topology: pods reach their own node's pods and nothing across.
        let crossNodePaths = plan.spec.mode != .none
        var probes: [ConnectivityProbe] = []
        func add(_ ns: String, _ label: String, node: Int, isNode: Bool) {
            for dst in pods where dst.namespace != ns {
                let cross = dst.node != node
                probes.append(
                    ConnectivityProbe(
                        source: ns, sourceLabel: label, sourceIsNode: isNode, destination: dst.namespace,
                        destinationLabel: Self.label(dst), address: dst.ip, crossNode: cross,
                        expected: !cross || crossNodePaths, reachable: false, attempts: 0, error: nil))
            }
        }
        for p in pods { add(p.namespace, Self.label(p), node: p.node, isNode: false) }
        for n in a.nodes { add(n.namespace, "node\(n.index)", node: n.index, isNode: true) }
        // Only the run's own pod addresses, ever.
        return probes.filter { a.podCIDR.contains($0.address) }
    }

    public func run() -> ConnectivityResult {
        let clock = ContinuousClock.now
        var probes = plannedProbes()
        let set = NamespaceSet()
        defer { set.closeAll() }
        for round in 1...2 {
            let todo = probes.indices.filter { probes[$0].expected && !probes[$0].reachable && (round == 1 || probes[$0].attempts == 1) }
            var jobs: [PingJob] = []
            var jobIndex: [Int] = []
            for i in todo {
                do throws(NetlinkError) {
                    let ns = try set.namespace(probes[i].source)
                    jobs.append(PingJob(namespace: ns, arguments: ["-c", "1", "-W", "1", "-q", probes[i].address.description]))
                    jobIndex.append(i)
                } catch {
                    probes[i].error = error.description
                    probes[i].attempts = 2  // no namespace: a retry cannot help
                }
            }
            for (k, outcome) in PingRunner.run(jobs, parallelism: parallelism).enumerated() {
                let i = jobIndex[k]
                probes[i].attempts += 1
                probes[i].reachable = outcome.succeeded
                probes[i].error =
                    outcome.succeeded
                    ? nil
                    : outcome.error ?? (outcome.exitStatus == 1 ? "no reply" : "ping exit \(outcome.exitStatus ?? -1)")
            }
        }
        return ConnectivityResult(probes: probes, duration: ContinuousClock.now - clock)
    }
}

extension ConnectivityResult {
    /// The matrix as text: one row per source, one column per destination pod. "ok" (a reply),
    /// "ok*" (a reply on the retry), "FAIL", "-" (itself), "n/a" (no path in this mode).
    public func table(indent: String = "  ") -> [String] {
        // Columns in pod order (sources come first in pod order, so their labels give it).
        var columns: [String] = []
        var rows: [(label: String, ns: String, isNode: Bool)] = []
        for p in probes where !rows.contains(where: { $0.ns == p.source }) { rows.append((p.sourceLabel, p.source, p.sourceIsNode)) }
        for r in rows where !r.isNode { columns.append(r.label) }
        for p in probes where !columns.contains(p.destinationLabel) { columns.append(p.destinationLabel) }
        // A run with a single pod has no probes; nothing to draw.
        guard !columns.isEmpty else { return [] }
        var byKey: [String: ConnectivityProbe] = [:]
        for p in probes { byKey[p.source + "\u{0}" + p.destinationLabel] = p }
        let rowWidth = max(8, rows.map(\.label.count).max() ?? 0)
        let cell = max(5, (columns.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var out = [indent + pad("from\\to", rowWidth) + columns.map { pad(" " + $0, cell) }.joined()]
        for r in rows {
            let cells = columns.map { c -> String in
                guard let p = byKey[r.ns + "\u{0}" + c] else { return "-" }
                if !p.expected { return "n/a" }
                if !p.reachable { return "FAIL" }
                return p.attempts > 1 ? "ok*" : "ok"
            }
            let text = indent + pad(r.label, rowWidth) + cells.map { pad(" " + $0, cell) }.joined()
            out.append(String(text.reversed().drop(while: { $0 == " " }).reversed()))
        }
        return out
    }
}
