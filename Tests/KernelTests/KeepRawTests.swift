import Foundation
import XCTest
@testable import ProcessKit
@testable import Measure
@testable import Results

/// `bench --keep-raw DIR`: every iperf3 test leaves the client's own JSON, one file per subject,
/// test and round, and it is the record the sample's numbers came from.
final class KeepRawTests: KernelTestCase {
    func testEveryIperf3TestKeepsItsJSON() throws {
        guard Prerequisites.which("iperf3") != nil else { throw XCTSkip("iperf3 is not installed (apt-get install iperf3)") }
        guard FileManager.default.isExecutableFile(atPath: cnibenchBinary) else {
            throw XCTSkip("cnibench binary not built at \(cnibenchBinary)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qa-keep-raw-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = BenchOptions()
        o.modes = [.hostGW]
        o.tests = [.tcp1, .rr]
        o.repeats = 2
        o.durationSeconds = 1
        o.runPrefix = "qaraw"
        o.seed = 3
        o.executable = cnibenchBinary
        o.keepRawDirectory = dir + "/raw"
        let engine = try BenchEngine(options: o)
        runsToClean += engine.units.map(\.run)
        let r = try engine.run()
        let iperf = r.samples.filter { $0.test == .tcp1 }
        XCTAssertEqual(iperf.count, 4 * 2)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/raw").sorted()
        // rr is cnibench's own client: nothing raw to keep.
        XCTAssertEqual(files.count, iperf.count, "\(files)")
        for s in iperf where s.error == nil {
            let name = "\(s.subject.replacingOccurrences(of: "/", with: "_"))-tcp1-r\(s.round).json"
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/raw/" + name))
            let report = try Iperf3Report.parse(String(decoding: data, as: UTF8.self))
            // The kept file is the one the sample was computed from.
            let gbps = try report.outcome().receivedBitsPerSecond / 1e9
            XCTAssertEqual(gbps, try XCTUnwrap(s.metrics["throughputGbps"]), accuracy: 1e-9, name)
        }
    }
}
