import Foundation
import XCTest
@testable import TopologyModel
@testable import Results

/// `plan --format json`: every step of every mode's plan survives encoding and decoding, each
/// `op` is one of the documented ones, and a document with an unknown op is refused by name.
final class PlanJSONTests: XCTestCase {
    private func plans() throws -> [Plan] {
        var out: [Plan] = []
        for mode in Mode.allCases {
            for underlay in Underlay.allCases {
                var s = TopologySpec()
                s.mode = mode
                s.underlay = underlay
                s.force = true
                if mode == .calicoBGP || mode == .calicoIPIP { s.routing = .bird }
                for ipip in [IPIPImplementation.kernel, .tcBPF] { out.append(try Planner(spec: s, ipip: ipip).plan()) }
            }
        }
        // Pods wired by a CNI conflist (the one step kind no built-in wiring has).
        var cni = TopologySpec()
        cni.mode = .hostGW
        cni.cni = CNISettings(source: "test.conflist", text: CNIPlanTests.bridge)
        out.append(try Planner(spec: cni).plan())
        return out
    }

    func testEveryStepRoundTrips() throws {
        var ops = Set<String>()
        for plan in try plans() {
            let doc = PlanDocument(plan)
            let data = try ResultWriter.encode(doc)
            let back = try ResultWriter.decoder().decode(PlanDocument.self, from: data)
            XCTAssertEqual(back, doc, "\(plan.spec.mode) on \(plan.spec.underlay)")
            XCTAssertEqual(back.steps.map(\.step), plan.steps)
            let raw = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            for step in try XCTUnwrap(raw["steps"] as? [[String: Any]]) {
                let op = try XCTUnwrap(step["op"] as? String)
                XCTAssertTrue(Step.operations.contains(op), op)
                XCTAssertNotNil(step["commands"] as? [String], "\(step)")
                ops.insert(op)
            }
        }
        // Every kind of step occurs in some plan, so every case above was exercised.
        XCTAssertEqual(ops, Set(Step.operations))
    }

    func testUnknownOpIsRefusedByName() throws {
        let json = #"{"op": "linkDel", "ns": "cnb-node1", "dev": "eth0", "commands": []}"#
        XCTAssertThrowsError(try JSONDecoder().decode(PlanDocument.PlannedStep.self, from: Data(json.utf8))) { e in
            XCTAssertTrue("\(e)".contains("'linkDel' is not a step") && "\(e)".contains("vethAdd"), "\(e)")
        }
    }
}
