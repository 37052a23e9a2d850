/// `cnibench bench --sweep KEY=N,N,…`: the one setting a sweep varies, and its values.
/// `services`: N ClusterIP Services on the modes' runs; `policies`: N NetworkPolicies on the
/// calico-* modes' pods (rendered as Felix renders them, `--policies`).
public struct BenchSweepSpec: Sendable, Equatable, Codable {
    public enum Key: String, Sendable, Codable, CaseIterable {
        case services
        case policies
        /// What a build can sweep today.
        public static let implemented: [Key] = allCases
    }

    public var key: Key
    /// Ascending, distinct.
    public var values: [Int]

    public init(key: Key, values: [Int]) {
        self.key = key
        self.values = values
    }

    /// A bad spec, naming the field (`--sweep KEY=…`) and what is valid.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var field: String
        public var message: String
        public var description: String { "\(field): \(message)" }
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// "services=0,1000,5000,10000" → key and ascending values; refuses an unknown or
    /// unimplemented key, a value that is not a whole number ≥ 0, duplicates, an empty list.
    public static func parse(_ text: String) throws(Problem) -> BenchSweepSpec {
        let valid = Key.implemented.map(\.rawValue).joined(separator: ", ")
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw Problem(field: "--sweep '\(text)'", message: "want KEY=N,N,… such as services=0,1000,5000,10000; keys: \(valid)")
        }
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard let key = Key(rawValue: name) else {
            throw Problem(field: "--sweep \(name)=", message: "unknown key '\(name)'; valid: \(valid)")
        }
        guard Key.implemented.contains(key) else {
            throw Problem(
                field: "--sweep \(name)=",
                message: "sweeping network policies is not implemented in this build (their rules are not rendered yet); valid: \(valid)")
        }
        var values: [Int] = []
        for raw in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
            let v = raw.trimmingCharacters(in: .whitespaces)
            guard let n = Int(v), n >= 0 else {
                throw Problem(field: "--sweep \(name)=\(parts[1])", message: "'\(v)' is not a count; valid: whole numbers 0 or more")
            }
            guard !values.contains(n) else {
                throw Problem(field: "--sweep \(name)=\(parts[1])", message: "\(n) is given twice; give each point once")
            }
            values.append(n)
        }
        guard values.count >= 2 else {
            throw Problem(
                field: "--sweep \(name)=\(parts[1])",
                message: "a sweep needs at least two points, e.g. \(name)=0,1000 (one point: use --\(name) N)")
        }
        return BenchSweepSpec(key: key, values: values.sorted())
    }

    /// The largest value against what the setting can hold (`limit`, e.g. the ClusterIPs the
    /// service CIDR offers besides the bench's probe Service); `limitSource` says where it comes from.
    public func check(limit: Int, limitSource: String) throws(Problem) {
        if let big = values.last, big > limit {
            throw Problem(
                field: "--sweep \(key.rawValue)=\(big)", message: "beyond what \(limitSource) holds: at most \(limit)")
        }
    }
}
