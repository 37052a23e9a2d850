/// The spellings from before `bench` became a group: `cnibench bench-topology …` is
/// `cnibench bench topology …`. Kept so older scripts and CI jobs still run; not in help or
/// completion. The first argument is rewritten before parsing, so an old spelling parses,
/// validates and fails exactly like the new one.
enum LegacyBenchSpellings {
    static let renamed: [String: [String]] = [
        "bench-topology": ["bench", "topology"],
        "bench-routes": ["bench", "routes"],
        "bench-pktgen": ["bench", "pktgen"],
        "bench-bgp": ["bench", "bgp"]
    ]

    /// `arguments` without the executable's name.
    static func rewrite(_ arguments: [String]) -> [String] {
        guard let first = arguments.first, let new = renamed[first] else { return arguments }
        return new + arguments.dropFirst()
    }
}
