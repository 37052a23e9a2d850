import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Gate
@testable import Results

/// Mutation fuzzing of the result decoder and validator: every input must end as a valid
/// result or a typed error (`ResultSchemaError`, `ResultValidationError`) — no crash, no other
/// error, and nothing the validator lets through may hold an impossible value. Deterministic
/// (fixed seed); CNIBENCH_FUZZ_ITERATIONS sets the count (`make fuzz-results` runs many more).
/// Seeds: Fixtures/fuzz-results (a valid result and one file per kind of damage).
final class ResultFuzzTests: XCTestCase {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["CNIBENCH_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 3000
    }

    /// How each committed seed must come out: valid (possibly with failed rounds) or refused.
    static let expected: [String: Bool] = [
        "valid": true, "zero": true,
        "nan": false, "inf": false, "minus-1e308": false, "negative": false, "absurd-bits": false,
        "unknown-mode-sample": false, "unknown-mode-config": false, "no-resamples": false, "schema-2": false
    ]

    private func seeds() throws -> [(name: String, data: Data)] {
        let dir = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/fuzz-results")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { (String($0.dropLast(5)), try Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    enum Outcome {
        case valid(BenchResult)
        case schema, refused
    }

    /// The decoder + validator as report/compare/gate use them; any other error fails the test.
    private func run(_ data: Data, _ label: String) -> Outcome? {
        do {
            let r = try BenchResult.decode(data)
            try r.validate()
            return .valid(r)
        } catch is ResultSchemaError {
            return .schema
        } catch is ResultValidationError {
            return .refused
        } catch {
            XCTFail("\(label): untyped error \(type(of: error)): \(error)")
            return nil
        }
    }

    func testSeedsComeOutAsExpected() throws {
        let all = try seeds()
        XCTAssertEqual(Set(all.map(\.name)), Set(Self.expected.keys), "every seed has an expected outcome")
        for (name, data) in all {
            guard let outcome = run(data, name) else { continue }
            if case .valid(let r) = outcome {
                XCTAssertEqual(Self.expected[name], true, "\(name) was accepted")
                XCTAssertEqual(r.failedValues.isEmpty, name != "zero", name)
            } else {
                XCTAssertEqual(Self.expected[name], false, "\(name) was refused")
            }
        }
    }

    func testMutatedResultsDecodeToAValidResultOrATypedError() throws {
        let corpus = try seeds()
        var rng = SplitMix64(seed: 0x5EED_F022)
        var counts = (valid: 0, schema: 0, refused: 0)
        for i in 0..<Self.iterations {
            let seed = corpus[Int(rng.next() % UInt64(corpus.count))]
            var data = seed.data
            for _ in 0...(rng.next() % 3) { data = ResultMutator.mutate(data, &rng) }
            let label = "iteration \(i) (seed \(seed.name))"
            switch run(data, label) {
            case .valid(let r)?:
                counts.valid += 1
                // The validator's promise, checked independently: nothing impossible got through.
                for s in r.samples {
                    for (m, v) in s.metrics { XCTAssertNotEqual(MetricBounds.check(m, v), .impossible, "\(label): \(m) = \(v)") }
                }
                _ = r.failedValues
                // What report and compare then do with it, cheaply (few resamples).
                var small = r
                small.config.bootstrapResamples = min(small.config.bootstrapResamples, 20)
                small.recomputeSummaries()
                _ = MarkdownReport.render(small)
                _ = Comparator.series([small])
            case .schema?: counts.schema += 1
            case .refused?: counts.refused += 1
            case nil: try? data.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-fuzz-\(i).json"))
            }
        }
        print(
            "fuzz-results: \(Self.iterations) executions: \(counts.valid) valid, \(counts.schema) schema errors, \(counts.refused) refused by validation"
        )
        // The loop must reach the validator, not stop at the JSON parser every time.
        XCTAssertGreaterThan(counts.valid, 0)
        XCTAssertGreaterThan(counts.refused, 0)
    }
}
