import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Results

/// Bounded, seeded mutation fuzzing of the topology loader, seeded from
/// Fixtures/fuzz-topology (valid files and every input that once hung or trapped it).
/// Each mutant must come back as a spec or a SpecError: a trap ends the test process, a hang
/// fails the per-input time limit. `make fuzz-topology` runs longer
/// (CNIBENCH_FUZZ_ITERATIONS) and keeps the input being tried in CNIBENCH_FUZZ_LAST_INPUT,
/// so a trap leaves its reproducer behind.
final class TopologyFuzzTests: XCTestCase {
    /// YAML syntax and topology words the byte mutations would rarely produce on their own.
    static let tokens: [[UInt8]] =
        [
            "&a ", "*a", "? ", ": ", "- ", "[", "]", "{", "}", ", ", "\n", "  ", "\t", "'", "\"", "#", "---\n", "...\n",
            "|\n", ">\n", "<<: ", "%YAML 1.1\n", "!!int ", "!!str ", "!!binary ", "!!map ", "!!seq ", "!<tag:x> ", "\u{FEFF}",
            "99999999999:59", "-3", "0", "9223372036854775808", "1e9", "~", "null", "yes", "nodes", "pods", "podsPerNode",
            "routing", "bird", "bgp", "rr", "routeReflectors", "bgpGateway", "force", "true", "mode", "calico-bgp", "l3"
        ].map { Array($0.utf8) } + [[0], [0xFF], [0xC3], [0xE2, 0x80]]

    func mutate(_ input: [UInt8], _ corpus: [[UInt8]], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0...rng.below(3) {
            let at = rng.below(b.count + 1)
            switch rng.below(6) {
            case 0 where !b.isEmpty: b[min(at, b.count - 1)] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.insert(contentsOf: Self.tokens[rng.below(Self.tokens.count)], at: at)
            case 2: b.removeSubrange(at..<min(b.count, at + 1 + rng.below(16)))
            case 3 where b.count < 64 * 1024: b.insert(contentsOf: b[at..<min(b.count, at + 1 + rng.below(64))], at: at)
            case 4:
                let other = corpus[rng.below(corpus.count)]
                b = Array(b[..<at]) + other[rng.below(other.count + 1)...]
            default: b.removeSubrange(at...)
            }
        }
        return b
    }

    func corpus() throws -> [[UInt8]] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "fuzz-topology", withExtension: nil, subdirectory: "Fixtures"))
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
        XCTAssertGreaterThanOrEqual(files.count, 10, "the seed corpus went missing")
        return try files.map { try Array(Data(contentsOf: $0)) }
    }

    func testLoaderNeverTrapsOrHangs() throws {
        let env = ProcessInfo.processInfo.environment
        let iterations = env["CNIBENCH_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3000
        let lastInput = env["CNIBENCH_FUZZ_LAST_INPUT"]
        let seeds = try corpus()
        var rng = SplitMix64(seed: env["CNIBENCH_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x70_9010)
        var accepted = 0, refused = 0
        var slowest = Duration.zero
        var previous: [UInt8] = []
        for i in 0..<seeds.count + iterations {
            // Seeds first, unmutated; then mutants of a seed or, a third of the time, of
            // the previous mutant (deeper chains of edits).
            let base = i < seeds.count ? seeds[i] : rng.below(3) == 0 ? previous : seeds[rng.below(seeds.count)]
            let input = i < seeds.count ? base : mutate(base, seeds, &rng)
            previous = input
            if let lastInput { FileManager.default.createFile(atPath: lastInput, contents: Data(input)) }
            let start = ContinuousClock.now
            do {
                let g = try SpecLoader.parseGiven(bytes: input, source: "fuzz")
                try g.checkContradictions()
                XCTAssertTrue((1...TopologySpec.maxNodes).contains(g.spec.nodeCount) || g.spec.nodeCount == 0, "iteration \(i)")
                // validate() too, where it stays cheap (it derives every node's addresses).
                if g.spec.nodeCount <= 64 { _ = try? g.spec.validate() }
                accepted += 1
            } catch {
                // Clipped values keep every message short, whatever the input held.
                XCTAssertLessThan(error.description.utf8.count, 1000, "iteration \(i): \(error.description.prefix(300))")
                refused += 1
            }
            let took = ContinuousClock.now - start
            slowest = max(slowest, took)
            XCTAssertLessThan(took, .seconds(2), "iteration \(i) took \(took): \(String(decoding: input.prefix(200), as: UTF8.self))")
        }
        print("fuzz-topology: \(seeds.count) seeds + \(iterations) mutants: \(accepted) accepted, \(refused) refused, slowest \(slowest)")
        // Both outcomes occur: the mutants reach past the syntax checks into the spec.
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertGreaterThan(refused, 0)
    }
}

/// Deterministic, so a failure reproduces from the seed and iteration number.
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
