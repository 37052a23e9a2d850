import Foundation
import XCTest
@testable import Measure
@testable import Results
@testable import TopologyModel

/// bench --cni: each conflist a mode named cni:<name>, on the --mode datapath, fingerprinted;
/// result files naming such modes validate.
final class CNIBenchModeTests: XCTestCase {
    private var examples: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/cni").path
    }

    func testSHA256MatchesTheStandardVectors() {
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            SHA256.hex(
                Data(
                    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)
            ),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", "the 896-bit vector: two blocks")
        XCTAssertEqual(
            SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testEveryExampleLoadsAsAModeNamedAfterItsName() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".conflist") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 5)
        var labels: [String] = []
        for f in files {
            let m = try ConflistMode.load(path: "\(examples)/\(f)", datapath: .hostGW, pluginPath: ["/nonexistent"])
            XCTAssertTrue(m.label.hasPrefix("cni:"))
            XCTAssertEqual(m.record.sha256.count, 64)
            XCTAssertTrue(m.record.plugins.values.allSatisfy { $0 == "missing from CNI_PATH" }, "\(m.record.plugins)")
            labels.append(m.label)
        }
        XCTAssertEqual(Set(labels).count, labels.count, "the examples have distinct names: \(labels)")
    }

    func testConflistsAreUnitsAfterTheBaselineOnTheirDatapath() throws {
        var o = BenchOptions()
        o.conflists = [
            try ConflistMode.load(path: "\(examples)/bridge.conflist", datapath: .flannelVXLAN),
            try ConflistMode.load(path: "\(examples)/ptp.conflist", datapath: .flannelVXLAN)
        ]
        let units = try BenchEngine.units(o)
        XCTAssertEqual(units.map(\.id), ["none@l2", "cni:cbr0@l2", "cni:ptp0@l2"], "no --modes: the baseline and the conflists")
        XCTAssertEqual(units[1].mode, .flannelVXLAN)
        XCTAssertEqual(units[1].run.value, "cnbb-cni1-l2")
        o.modes = [.hostGW]
        XCTAssertEqual(try BenchEngine.units(o).map(\.modeName), ["none", "host-gw", "cni:cbr0", "cni:ptp0"])
    }

    func testTwoConflistsWithOneNameAreRefused() throws {
        var o = BenchOptions()
        let m = try ConflistMode.load(path: "\(examples)/bridge.conflist", datapath: .hostGW)
        o.conflists = [m, m]
        XCTAssertThrowsError(try BenchEngine.units(o)) { e in XCTAssertTrue("\(e)".contains("name 'cbr0'"), "\(e)") }
    }

    func testHostGWConflistsOnL3AreRefused() throws {
        var o = BenchOptions()
        o.underlay = .l3
        o.conflists = [try ConflistMode.load(path: "\(examples)/bridge.conflist", datapath: .hostGW)]
        XCTAssertThrowsError(try BenchEngine.units(o)) { e in XCTAssertTrue("\(e)".contains("needs L2 adjacency"), "\(e)") }
    }

    func testTheVocabularyAcceptsConflistModesOnly() {
        let v = ResultVocabulary.cnibench
        XCTAssertTrue(v.knowsMode("cni:cbr0"))
        XCTAssertTrue(v.knowsMode("host-gw"))
        XCTAssertFalse(v.knowsMode("cni:"))
        XCTAssertFalse(v.knowsMode("bridge"))
    }
}
