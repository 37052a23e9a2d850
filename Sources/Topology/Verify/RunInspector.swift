/// Compares what a run's plan says should exist with what the kernel has (for `list`).
import TopologyModel
public enum RunInspector {
    public struct Report: Sendable {
        public var mode = "?"
        public var underlay = "?"
        public var nodes = 0
        public var pods = 0
        public var ipip: String?
        public var status = "ok"
        public var missing: [String] = []
    }

    /// `controlPlane` gives, for a run's plan, the check of its control plane (nil: none).
    public static func inspect(run: RunName, controlPlane: (Plan) -> (any ControlPlaneCheck)? = { _ in nil }) -> Report {
        var r = Report()
        let state = RunState(run: run)
        guard let record = try? state.record() else {
            r.status = "broken state (no run.json): cnibench clean removes it"
            return r
        }
        r.mode = record.spec.mode.rawValue
        r.underlay = record.spec.underlay.rawValue
        r.nodes = record.spec.nodeCount
        r.pods = record.spec.podsPerNode.reduce(0, +)
        r.ipip = record.ipip?.rawValue
        guard state.isComplete else {
            r.status = "incomplete (up crashed or is running): cnibench down --name \(run)"
            return r
        }
        guard let plan = try? Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan() else {
            r.status = "spec no longer valid"
            return r
        }
        r.missing = StateChecker(plan: plan, controlPlane: controlPlane(plan)).missingObjects()
        r.status = r.missing.isEmpty ? "ok (\(plan.namespaces.count) namespaces)" : "\(r.missing.count) objects missing"
        return r
    }
}
