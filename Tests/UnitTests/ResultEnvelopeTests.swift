import Foundation
import XCTest
@testable import Gate
@testable import Results
@testable import SideBenchmarks

/// Every kind of file carries the same envelope, survives a write and a read unchanged, and the
/// files committed before the envelope (Fixtures/legacy-results, copies of bench-results/) are
/// read as version 0 — or refused naming kind and version.
final class ResultEnvelopeTests: XCTestCase {
    private func legacy(_ name: String) throws -> Data {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/legacy-results"), "fixture \(name)")
        return try Data(contentsOf: url)
    }

    private func object(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Reads the legacy file, checks the machine moved into the envelope, writes it, reads it
    /// back and writes it again: the two writes are byte-identical and carry the envelope.
    private func roundTrip<T: ResultDocument>(_ type: T.Type, fixture: String, file: StaticString = #filePath, line: UInt = #line) throws
        -> T
    {
        let old = try legacy(fixture)
        let oldObject = try object(old)
        XCTAssertNil(oldObject["kind"], "the fixture predates the envelope", file: file, line: line)
        let decoded = try ResultWriter.decode(T.self, from: old)
        let written = try ResultWriter.encode(decoded)
        let top = try object(written)
        XCTAssertEqual(top["kind"] as? String, T.kind, file: file, line: line)
        XCTAssertEqual(top["schemaVersion"] as? Int, T.schemaVersion, file: file, line: line)
        let env = try XCTUnwrap(top["environment"] as? [String: Any], file: file, line: line)
        XCTAssertEqual(env["kernel"] as? String, oldObject["kernel"] as? String, file: file, line: line)
        XCTAssertEqual(env["cpuCount"] as? Int, oldObject["cpus"] as? Int, "cpus is read as cpuCount", file: file, line: line)
        XCTAssertEqual(top["createdAt"] as? String, (oldObject["date"] ?? oldObject["createdAt"]) as? String, file: file, line: line)
        for old in ["cpus", "date", "benchmark", "schema"] {
            XCTAssertNil(top[old], "\(old) moved into the envelope", file: file, line: line)
        }
        let again = try ResultWriter.decode(T.self, from: written)
        XCTAssertEqual(try ResultWriter.encode(again), written, "a second write changes nothing", file: file, line: line)
        return again
    }

    func testTopologyBenchmarkFileRoundTripsAndReadsItsPreEnvelopeVersion() throws {
        let r = try roundTrip(TopologyBenchmark.Report.self, fixture: "topology")
        XCTAssertEqual(r.environment.cpuCount, 2)
        XCTAssertGreaterThan(r.phases.count, 0)
    }

    func testRouteBenchmarkFileRoundTrips() throws {
        let r = try roundTrip(RouteBenchmark.Report.self, fixture: "routes")
        XCTAssertFalse(r.rows.isEmpty)
    }

    func testPktgenBenchmarkFileRoundTrips() throws {
        let r = try roundTrip(PktgenBenchmark.Result.self, fixture: "pktgen")
        XCTAssertEqual(r.environment.kernel, "6.18.44-fc-v595")
        XCTAssertFalse(r.samples.isEmpty)
    }

    func testBGPConvergenceFileRoundTrips() throws {
        let r = try roundTrip(BGPBenchmark.Result.self, fixture: "bgp-convergence")
        XCTAssertEqual(r.cases.count, 1)
    }

    func testComparisonReportRoundTrips() throws {
        let env = HostEnvironment(kernel: "6.1.0", kernelVersion: "#1 SMP", cpuModel: "test cpu", cpuCount: 4, cnibenchVersion: "0.0.0")
        let r = ComparisonReport(
            baseFiles: ["a.json"], headFiles: ["b.json"], settings: "rule", metrics: [], notes: ["n"], environment: env)
        let text = try ComparisonRenderer.json(r)
        XCTAssertTrue(text.contains("\"kind\" : \"cnibench.comparison\""), text)
        let back = try ResultWriter.decode(ComparisonReport.self, from: Data(text.utf8))
        XCTAssertEqual(back.environment, env)
        XCTAssertEqual(back.baseFiles, ["a.json"])
        XCTAssertEqual(try ResultWriter.text(back), text)
    }

    func testBenchResultCarriesCreatedAtAndReadsFilesWithout() throws {
        var r = ResultFileFixtures.gateResult(rounds: 2, seed: 1)
        XCTAssertNil(r.createdAt)
        let withoutCreatedAt = try r.encoded()
        XCTAssertNil(try object(withoutCreatedAt)["createdAt"])
        XCTAssertNil(try BenchResult.decode(withoutCreatedAt).createdAt, "files from before createdAt still read")
        r.createdAt = Date(timeIntervalSince1970: 1_800_000_000)
        let back = try BenchResult.decode(try r.encoded())
        XCTAssertEqual(back, r)
        XCTAssertEqual(
            try ResultWriter.header(try r.encoded()).environment, r.environment.host, "the fingerprint holds the envelope's environment")
    }

    func testAnotherKindIsRefusedByName() throws {
        let pktgen = try ResultWriter.encode(try ResultWriter.decode(PktgenBenchmark.Result.self, from: try legacy("pktgen")))
        XCTAssertThrowsError(try ResultWriter.decode(TopologyBenchmark.Report.self, from: pktgen)) { e in
            XCTAssertTrue("\(e)".contains("kind is 'cnibench.pktgen-benchmark'"), "\(e)")
        }
        XCTAssertThrowsError(try BenchResult.decode(pktgen)) { e in
            XCTAssertTrue("\(e)".contains("not a cnibench bench result (kind is 'cnibench.pktgen-benchmark'"), "\(e)")
        }
    }

    func testUnknownVersionIsRefusedNamingIt() throws {
        var o = try object(try ResultWriter.encode(try ResultWriter.decode(TopologyBenchmark.Report.self, from: try legacy("topology"))))
        o["schemaVersion"] = 7
        XCTAssertThrowsError(try ResultWriter.decode(TopologyBenchmark.Report.self, from: try JSONSerialization.data(withJSONObject: o))) {
            e in
            XCTAssertTrue("\(e)".contains("cnibench.topology-benchmark schemaVersion 7 is not supported"), "\(e)")
        }
    }

    func testPreEnvelopeFileOfTheWrongShapeIsRefusedAsVersion0() throws {
        // A pre-envelope file has no kind, so it is read as version 0 of whatever was asked for;
        // when it is not that, the message says it was read as version 0.
        XCTAssertThrowsError(try ResultWriter.decode(TopologyBenchmark.Report.self, from: try legacy("pktgen"))) { e in
            XCTAssertTrue("\(e)".contains("cnibench.topology-benchmark does not match schema 1 (read as version 0)"), "\(e)")
        }
    }
}
