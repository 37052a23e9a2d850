import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel

/// Files that are not a small UTF-8 regular file: each refused with its reason, without
/// opening FIFOs or devices (a read of either would block or never end).
final class TopologyFileTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cnibench-topofile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func write(_ name: String, _ data: Data) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    private func assertRefused(_ path: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SpecLoader.load(path: path), file: file, line: line) { e in
            XCTAssertTrue("\(e)".contains(reason), "\(e)", file: file, line: line)
        }
    }

    func testReadsARegularFile() throws {
        let p = try write("ok.yaml", Data("mode: host-gw\nnodes: 3\n".utf8))
        XCTAssertEqual(try SpecLoader.load(path: p).podsPerNode, [2, 2, 2])
    }

    func testDirectoryDeviceAndMissingFile() {
        assertRefused(dir.path, "is a directory")
        assertRefused("/dev/zero", "is a device, not a regular file")
        assertRefused(dir.appendingPathComponent("absent.yaml").path, "no such file")
        assertRefused("", "the file name is empty")
    }

    func testFIFOIsRefusedWithoutBlocking() throws {
        let p = dir.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(p, 0o600), 0)
        let start = ContinuousClock.now
        assertRefused(p, "is a FIFO, not a regular file")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
    }

    func testOversizeFileIsRefusedBeforeReading() throws {
        let p = try write("big.yaml", Data(repeating: UInt8(ascii: "#"), count: TopologyFile.maxBytes + 1))
        assertRefused(p, "larger than 1024 KiB (\(TopologyFile.maxBytes + 1) bytes)")
        let limit = try write("limit.yaml", Data(repeating: UInt8(ascii: "#"), count: TopologyFile.maxBytes))
        assertRefused(limit, "must be a YAML mapping")  // read, then refused as empty YAML
    }

    func testNonUTF8TextIsNamed() throws {
        var bom = Data([0xFF, 0xFE])
        bom.append("mode: none\n".data(using: .utf16LittleEndian)!)
        assertRefused(try write("bom16.yaml", bom), "is UTF-16 text; save it as UTF-8")
        assertRefused(try write("nobom16.yaml", "mode: none\n".data(using: .utf16LittleEndian)!), "not UTF-8 text: it contains NUL bytes")
        assertRefused(try write("latin1.yaml", Data("name: caf\u{E9}\n".data(using: .isoLatin1)!)), "is not UTF-8 text")
    }

    func testLongPathIsClipped() {
        let path = "/" + String(repeating: "p", count: 200_000)
        XCTAssertThrowsError(try SpecLoader.load(path: path)) { e in
            XCTAssertLessThan("\(e)".utf8.count, 300, String("\(e)".prefix(300)))
            XCTAssertTrue("\(e)".contains("the file name is too long"), String("\(e)".prefix(300)))
        }
    }
}
