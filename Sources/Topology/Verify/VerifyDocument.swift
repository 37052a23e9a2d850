import ProcessKit
import TopologyModel

/// One check of `verify`: its verdict (nil: skipped), the text of its line, and every problem
/// it found (the text prints at most 50 connectivity failures; this lists them all).
public struct VerifyCheck: Codable, Sendable, Equatable {
    public enum Name: String, Codable, Sendable, CaseIterable {
        case state, connectivity, pathMTU, encapsulation, conntrack
        /// Runs with Services only: ClusterIPs reach their endpoints (`ClusterIPCheck`).
        case clusterIP
        /// Runs with NetworkPolicies only: a probe the policies must drop (`PolicyDenyCheck`).
        case policyDeny

        /// The label of its line in the text.
        public var label: String {
            switch self {
            case .state: "state"
            case .connectivity: "connectivity"
            case .pathMTU: "path MTU"
            case .encapsulation: "encapsulation"
            case .conntrack: "conntrack"
            case .clusterIP: "ClusterIP"
            case .policyDeny: "policy deny"
            }
        }
    }

    public var name: Name
    /// true: pass, false: fail, nil: skipped (`summary` says why).
    public var passed: Bool?
    public var summary: String
    public var problems: [String]
    public var seconds: Double?
}

/// `verify --format json` (docs/cli-json.md).
public struct VerifyDocument: Codable, Sendable, Equatable {
    public var run: String
    public var mode: String
    public var underlay: String
    /// `--netfilter` of the run: real (the agents' rules loaded) or none.
    public var netfilter: String
    public var nodes: Int
    public var pods: Int
    public var podMTU: Int
    /// Every check that ran passed: the exit status is 0 exactly when this is true.
    public var passed: Bool
    public var seconds: Double
    public var checks: [VerifyCheck]

    public init(_ r: VerifyReport) {
        run = r.plan.spec.name.value
        mode = r.plan.spec.mode.rawValue
        underlay = r.plan.spec.underlay.rawValue
        netfilter = r.plan.spec.netfilter.rawValue
        nodes = r.plan.addressing.nodes.count
        pods = r.plan.addressing.allPods.count
        podMTU = r.plan.podMTU
        passed = r.passed
        seconds = r.duration.inSeconds
        checks = r.checks
    }
}
