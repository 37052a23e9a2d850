import Foundation

/// The root namespace's links, routes and addresses, read (never written) through
/// /proc/1/net, which shows init's namespace whatever namespace we are in. Third-party code
/// (CNI plugins) runs with a namespace switch of its own; a plugin that got it wrong would
/// change the machine, so `up` compares before and after and fails loudly.
struct RootNamespaceGuard: Equatable {
    var interfaces: [String]
    var routes: String
    var addresses: String

    static func take() -> RootNamespaceGuard {
        func read(_ p: String) -> String { (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
        let dev = read("/proc/1/net/dev").split(separator: "\n").dropFirst(2).compactMap {
            $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces)
        }
        return RootNamespaceGuard(interfaces: dev.sorted(), routes: read("/proc/1/net/route"), addresses: read("/proc/1/net/fib_trie"))
    }

    /// What changed since `before`, one phrase per kind; empty when nothing did.
    func changes(since before: RootNamespaceGuard) -> [String] {
        var out: [String] = []
        let added = Set(interfaces).subtracting(before.interfaces).sorted()
        let removed = Set(before.interfaces).subtracting(interfaces).sorted()
        if !added.isEmpty { out.append("links added: \(added.joined(separator: ", "))") }
        if !removed.isEmpty { out.append("links removed: \(removed.joined(separator: ", "))") }
        if routes != before.routes { out.append("the IPv4 routing table changed (/proc/1/net/route)") }
        if addresses != before.addresses { out.append("the local addresses changed (/proc/1/net/fib_trie)") }
        return out
    }
}

public struct RootNamespaceChanged: Error, CustomStringConvertible {
    public var changes: [String]
    public var description: String {
        "the root network namespace changed while CNI plugins ran (\(changes.joined(separator: "; "))); a plugin acted outside the run's namespaces — check the conflist and the plugins, and the host's network state"
    }
}
