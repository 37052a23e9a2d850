import Foundation
@testable import Topology
@testable import TopologyModel
@testable import Results

/// Mutations of a result JSON for the fuzz test: byte-level (flip, cut, duplicate, insert a
/// token) to exercise the parser, and JSON-level (replace a leaf with an edge value, drop a
/// key, drop or repeat an array element) to get past it into decoding and validation.
enum ResultMutator {
    static let tokens = [
        "nan", "\"nan\"", "\"-inf\"", "\"inf\"", "-1e308", "1e308", "1e999", "-0", "0", "-1", "null", "[]", "{}",
        "\"ghost\"", "9223372036854775808", "1e-320", ",", "\"", "}"
    ]
    static var values: [Any] {
        [
            "nan", "inf", "-inf", -1e308, 1e308, 0, -0.0, -1, 1e-320, 0.5, 1e12, Int.max, "ghost", "", NSNull(),
            [Any](), [String: Any](), true, "l3", "calico-vxlan", "2026-01-01T00:00:00Z"
        ]
    }

    static func mutate(_ data: Data, _ rng: inout SplitMix64) -> Data {
        func pick(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }
        if rng.next() % 4 != 0, let obj = try? JSONSerialization.jsonObject(with: data),
            let out = try? JSONSerialization.data(withJSONObject: mutateJSON(obj, &rng))
        {
            return out
        }
        var b = [UInt8](data)
        guard !b.isEmpty else { return Data(tokens[pick(tokens.count)].utf8) }
        let at = pick(b.count)
        switch rng.next() % 4 {
        case 0: b[at] = UInt8(truncatingIfNeeded: rng.next())
        case 1: b.removeSubrange(at..<min(b.count, at + 1 + pick(16)))
        case 2: b.insert(contentsOf: b[at..<min(b.count, at + 1 + pick(32))], at: pick(b.count))
        default: b.insert(contentsOf: Array(tokens[pick(tokens.count)].utf8), at: at)
        }
        return Data(b)
    }

    /// Walks to a random place in the tree and changes it.
    static func mutateJSON(_ node: Any, _ rng: inout SplitMix64, depth: Int = 0) -> Any {
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
        let stop = rng.next() % 12 == 0  // dropping a key is mostly a schema error: rarely
        if var d = node as? [String: Any], !d.isEmpty {
            let keys = d.keys.sorted()
            let k = keys[pick(keys.count)]
            if stop && depth > 0 {
                d[k] = nil
                return d
            }
            d[k] = mutateJSON(d[k]!, &rng, depth: depth + 1)
            return d
        }
        if var a = node as? [Any], !a.isEmpty {
            let i = pick(a.count)
            switch rng.next() % 6 {
            case 0: a.remove(at: i)
            case 1: a.append(a[i])
            default: a[i] = mutateJSON(a[i], &rng, depth: depth + 1)
            }
            return a
        }
        // Mostly a value of the same JSON type, so that decoding succeeds and validation is
        // reached; sometimes any value, for the decoder's type errors.
        if rng.next() % 5 != 0 {
            if node is String { return strings[pick(strings.count)] }
            if node is NSNumber { return numbers[pick(numbers.count)] }
        }
        return values[pick(values.count)]
    }

    static var numbers: [Any] { [-1e308, 1e308, 0, -0.0, -1, 1e-320, 0.5, 1e12, 1e4, 100, 101, Int.max, 1, 2] }
    static var strings: [Any] {
        [
            "nan", "inf", "-inf", "ghost", "", "l3", "l2", "none", "calico-vxlan", "none@l2/node-node", "host-gw@l2/cross-node",
            "cross-node", "rr", "tcp1", "2026-01-01T00:00:00Z"
        ]
    }
}
