import Results

/// `bench --cni` results fingerprint each conflist and the plugin binaries it names
/// (`config.conflists`). When the two sides of a comparison carry them, the report says which of
/// those files changed between base and head — what a CNI developer's change actually touched.
public struct ConflistChange: Sendable, Codable, Equatable {
    /// The mode the conflist was measured as (`cni:<name>`).
    public var mode: String
    /// "conflist" or "plugin <type>".
    public var item: String
    /// Each side's SHA-256 (several, comma-separated, when a side's files disagree), or
    /// "absent" when that side did not measure it.
    public var base: String
    public var head: String

    public init(mode: String, item: String, base: String, head: String) {
        self.mode = mode
        self.item = item
        self.base = base
        self.head = head
    }

    /// The conflist and plugin hashes that differ between the sides' records, mode by mode;
    /// nil when neither side carries conflists (not a `bench --cni` result).
    public static func find(base: [[BenchConflistRecord]?], head: [[BenchConflistRecord]?]) -> [ConflistChange]? {
        let b = base.compactMap { $0 }.flatMap { $0 }, h = head.compactMap { $0 }.flatMap { $0 }
        guard !b.isEmpty || !h.isEmpty else { return nil }
        /// mode → item → hashes seen on that side.
        func table(_ records: [BenchConflistRecord]) -> [String: [String: Set<String>]] {
            var t: [String: [String: Set<String>]] = [:]
            for r in records {
                t[r.mode, default: [:]]["conflist", default: []].insert(r.sha256)
                for (type, sha) in r.plugins { t[r.mode, default: [:]]["plugin \(type)", default: []].insert(sha) }
            }
            return t
        }
        let tb = table(b), th = table(h)
        var out: [ConflistChange] = []
        for mode in Set(tb.keys).union(th.keys).sorted() {
            let ib = tb[mode] ?? [:], ih = th[mode] ?? [:]
            // The conflist first, then the plugins by type.
            let items = Set(ib.keys).union(ih.keys).sorted { ($0 == "conflist" ? 0 : 1, $0) < ($1 == "conflist" ? 0 : 1, $1) }
            for item in items where ib[item] != ih[item] {
                func said(_ s: Set<String>?) -> String { s.map { $0.sorted().joined(separator: ", ") } ?? "absent" }
                out.append(ConflistChange(mode: mode, item: item, base: said(ib[item]), head: said(ih[item])))
            }
        }
        return out
    }

    /// The Markdown section: a table of the changed hashes (shortened to 12 hex digits), or a
    /// line saying none changed.
    public static func markdown(_ changes: [ConflistChange]) -> [String] {
        guard !changes.isEmpty else {
            return ["**CNI conflists:** unchanged — the same conflist and plugin binaries (SHA-256) on both sides."]
        }
        func short(_ s: String) -> String {
            s == "absent"
                ? "absent"
                : s.split(separator: ",").map { "`\($0.trimmingCharacters(in: .whitespaces).prefix(12))`" }.joined(separator: ", ")
        }
        var out = [
            "**CNI conflists changed between base and head** (SHA-256, first 12 hex digits):", "",
            "| mode | file | base | head |", "|---|---|---|---|"
        ]
        for c in changes { out.append("| \(c.mode) | \(c.item) | \(short(c.base)) | \(short(c.head)) |") }
        return out
    }
}
