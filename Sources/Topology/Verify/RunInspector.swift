/// Compares what a run's plan says should exist with what the kernel has (for `list`).
import TopologyModel
public enum RunInspector {
    /// `list` as data (`list --format json`, docs/cli-json.md); `status` is the text column.
    public struct Report: Sendable, Codable, Equatable {
        /// What `status` says, as one word for scripts.
        public enum Condition: String, Sendable, Codable {
            /// Every planned object is in the kernel.
            case ok
            /// Objects are missing or different (`missing` lists them).
            case missing
            /// No readable run.json: only `clean` can remove it.
            case broken
            /// `up` has not finished (crashed, or still running).
            case incomplete
            /// The recorded spec is refused by this build's planner.
            case invalidSpec
        }

        public var run = ""
        public var mode = "?"
        public var underlay = "?"
        /// `--netfilter` of the run: real or none.
        public var netfilter = "?"
        public var nodes = 0
        public var pods = 0
        public var ipip: String?
        public var condition = Condition.ok
        public var status = "ok"
        public var missing: [String] = []
    }

    /// `controlPlane` gives, for a run's plan, the check of its control plane (nil: none).
    public static func inspect(run: RunName, controlPlane: (Plan) -> (any ControlPlaneCheck)? = { _ in nil }) -> Report {
        var r = Report()
        r.run = run.value
        let state = RunState(run: run)
        guard let record = try? state.record() else {
            r.condition = .broken
            r.status = "broken state (no run.json): cnibench clean removes it"
            return r
        }
        r.mode = record.spec.mode.rawValue
        r.underlay = record.spec.underlay.rawValue
        r.netfilter = record.spec.netfilter.rawValue
        r.nodes = record.spec.nodeCount
        r.pods = record.spec.podsPerNode.reduce(0, +)
        r.ipip = record.ipip?.rawValue
        guard state.isComplete else {
            r.condition = .incomplete
            r.status = "incomplete (up crashed or is running): cnibench down --name \(run)"
            return r
        }
        guard let plan = try? Planner(spec: record.spec, ipip: record.ipip ?? .tcBPF).plan() else {
            r.condition = .invalidSpec
            r.status = "spec no longer valid"
            return r
        }
        r.missing = StateChecker(plan: plan, controlPlane: controlPlane(plan)).missingObjects()
        r.condition = r.missing.isEmpty ? .ok : .missing
        r.status = r.missing.isEmpty ? "ok (\(plan.namespaces.count) namespaces)" : "\(r.missing.count) objects missing"
        return r
    }
}

extension RunInspector {
    /// `list --format json`: every run, and the entries of /run/cnibench that are not runs
    /// (left alone, as the text's notes say).
    public struct Listing: Sendable, Codable, Equatable {
        public var runs: [Report]
        public var notRuns: [String]

        public init(runs: [Report], notRuns: [String]) {
            self.runs = runs
            self.notRuns = notRuns
        }
    }
}
