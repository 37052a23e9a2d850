import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Agents

/// `cnibench pktgen` option ranges, refused with the option and the valid range.
final class PktgenOptionTests: XCTestCase {
    private func message(_ edit: (inout PacketGenerator.Options) -> Void) -> String? {
        var o = PacketGenerator.Options()
        edit(&o)
        do {
            try o.check()
            return nil
        } catch { return "\(error)" }
    }

    func testDefaultsAndEdgesAreAccepted() {
        XCTAssertNil(message { _ in })
        XCTAssertNil(
            message {
                $0.port = 1
                $0.frameSize = 1518
                $0.pps = 1
                $0.duration = 3600
            })
        XCTAssertNil(
            message {
                $0.port = 65535
                $0.flows = 65535 - Int($0.sourcePort)
                $0.count = 1
            })
    }

    func testOutOfRangeOptionsAreNamedWithTheirRange() {
        let cases: [(String, (inout PacketGenerator.Options) -> Void)] = [
            ("--port 0: valid is 1…65535", { $0.port = 0 }),
            ("--size 63: valid is 64…1518", { $0.frameSize = 63 }),
            ("--size 1519:", { $0.frameSize = 1519 }),
            ("--flows 0: valid is 1…55535", { $0.flows = 0 }),
            ("--flows 55536:", { $0.flows = 55536 }),
            ("--pps 0: valid is 1…1e+09", { $0.pps = 0 }),
            ("--pps inf:", { $0.pps = .infinity }),
            ("--pps nan:", { $0.pps = .nan }),
            ("--duration 0: valid is 0.001…3600 seconds", { $0.duration = 0 }),
            ("--duration inf:", { $0.duration = .infinity }),
            ("--count 0: valid is 1 or more", { $0.count = 0 })
        ]
        for (expected, edit) in cases {
            let m = message(edit)
            XCTAssertTrue(m?.hasPrefix(expected) ?? false, "\(expected) → \(m ?? "accepted")")
        }
    }
}
