import XCTest
@testable import Topology
@testable import TopologyModel

/// Hostile or malformed YAML in a topology file: each is refused with a SpecError that says
/// why, quickly, and without trapping.
final class TopologyYAMLTests: XCTestCase {
    private func refusal(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> SpecError? {
        do {
            let s = try SpecLoader.parse(yaml)
            XCTFail("accepted: \(s)", file: file, line: line)
            return nil
        } catch { return error }
    }

    /// Nine levels of nine aliases: 9^9 (387 million) scalars if expanded.
    static let billionLaughs: String = {
        var y = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { y += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n" }
        return y
    }()

    func testBillionLaughsIsRefusedQuickly() {
        for yaml in [Self.billionLaughs, Self.billionLaughs + "? *a9\n: 1\n", "nodes: *a9\n" + Self.billionLaughs] {
            let start = ContinuousClock.now
            let e = refusal(yaml)
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))
            XCTAssertTrue(e?.message.contains("anchors and aliases") ?? false, "\(String(describing: e))")
        }
    }

    func testASingleAnchorIsRefusedToo() {
        XCTAssertTrue(refusal("mode: &m calico-bgp\n")?.message.contains("anchors and aliases") ?? false)
        // An alias to nothing is a YAML error, refused before Yams sees it.
        XCTAssertNotNil(refusal("mode: *m\n"))
    }

    func testNonScalarKeysAreRefusedNamingTheKeyProblem() {
        for yaml in ["? complex: lab\n: 1\n", "? [a, b]\n: 1\n", "{[a]: 1}\n", "nodes: [{? [pods]: 2}]\n"] {
            let e = refusal(yaml)
            XCTAssertTrue(e?.message.contains("a mapping key must be a plain word") ?? false, "\(yaml): \(String(describing: e))")
        }
    }

    func testDuplicateKeysAreRefused() {
        let e = refusal("mode: none\nmode: host-gw\n")
        XCTAssertTrue(e?.message.contains("'mode' more than once") ?? false, "\(String(describing: e))")
    }

    func testDeepNestingAndSecondDocumentsAreRefused() {
        // Past the pre-scan's bound, however deep: refused before Yams' recursive composer
        // would follow them down the stack.
        for depth in [70, 5000] {
            let deep = "nodes: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
            XCTAssertTrue(refusal(deep)?.message.contains("nested more than 64 levels") ?? false, "\(depth)")
        }
        // Within it, the spec check refuses the shape instead.
        let shallow = "nodes: " + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "\n"
        XCTAssertEqual(refusal(shallow)?.field, "nodes[0]")
        XCTAssertTrue(refusal("mode: none\n---\nmode: host-gw\n")?.message.contains("second YAML document") ?? false)
        XCTAssertTrue(refusal("mode: none\n...\nmode: host-gw\n")?.message.contains("line 2: a second YAML document") ?? false)
    }

    func testPrescanReadsQuotesAndCommentsAndRefusesWhatItCannotRead() throws {
        // '&' and '*' in comments and quoted strings are text.
        XCTAssertEqual(try SpecLoader.parse("# flannel & calico *\nmode: host-gw  # & *\n").mode, .hostGW)
        XCTAssertEqual(refusal("name: 'it''s&*'  # a run name is refused, not the text\n")?.field, "name")
        XCTAssertEqual(try SpecLoader.parse("mode: \"host-gw\" # \\\" & \nnodes: [{pods: 1}, {pods: 2}]\n").podsPerNode, [1, 2])
        // Outside them they are refused even where YAML would read them as plain text,
        // and the message names the line.
        XCTAssertTrue(refusal("mode: none\nname: a&b\n")?.message.contains("line 2: '&' or '*' outside quotes") ?? false)
        // A quote inside a plain value opens nothing: the alias after it is seen.
        XCTAssertTrue(refusal("name: it's\nnodes: [x, *a]  # '\n")?.message.contains("anchors and aliases") ?? false)
        for (yaml, text) in [
            ("name: 'lab\n  two'\n", "runs past the end of its line"), ("name: !!str lab\n", "tags"),
            ("name: |\n  lab\n", "block scalars"), ("%YAML 1.1\n---\nmode: none\n", "directives"),
            ("mode:\n  host-gw\n  'x'\n", "continues the value on the line above")
        ] {
            XCTAssertTrue(refusal(yaml)?.message.contains(text) ?? false, "\(yaml): \(String(describing: refusal(yaml)))")
        }
        // Block lists and values on the next line are read as usual.
        XCTAssertEqual(try SpecLoader.parse("mode:\n  host-gw\nnodes:\n- pods: 1\n-   pods: 3\n    # end\n").podsPerNode, [1, 3])
    }

    func testIntegersThatYamsWouldOverflowAreRefused() {
        // Sexagesimal (base 60) is an int to YAML 1.1; Yams' constructor multiplies without
        // overflow checks. Ours parses decimal only.
        for yaml in ["nodes: 99999999999999999:59\n", "mtu: 99999999999999999999999\n", "nodes: 0x10\n"] {
            XCTAssertEqual(refusal(yaml)?.message.hasPrefix("must be an integer"), true, yaml)
        }
    }

    func testNodeCountsAreBoundedBeforeAllocating() {
        XCTAssertEqual(refusal("nodes: -3\n")?.message, "-3: need at least 1")
        XCTAssertEqual(refusal("nodes: 1000000000000\n")?.message, "1000000000000: at most \(TopologySpec.maxNodes)")
    }

    func testLongValuesAreClippedInMessages() {
        let long = String(repeating: "x", count: 1_000_000)
        // Keys longer than 1024 characters need the explicit `? key` form in YAML.
        for yaml in ["mode: \(long)\n", "? \(long)\n: 1\n", "nodes: \(long)\n", "podCIDR: \(long)\n", "nodes: [{? \(long)\n : 1}]\n"] {
            guard let e = refusal(yaml) else { continue }
            XCTAssertFalse(e.message.contains("not valid YAML"), "a syntax error does not test clipping")
            // The message also lists the valid keys (about 400 bytes); the 1 MB value must not be there.
            XCTAssertLessThan("\(e)".utf8.count, 800, String(e.description.prefix(200)))
            XCTAssertTrue("\(e)".contains("…(1000000 bytes)"), String(e.description.prefix(200)))
        }
        // A long name is refused as a run name, clipped too.
        XCTAssertThrowsError(try SpecLoader.parse("name: \(long)\n")) { e in XCTAssertLessThan("\(e)".utf8.count, 400) }
    }

    func testClipKeepsShortValuesWhole() {
        XCTAssertEqual(SpecError.clip("calico-bgp"), "calico-bgp")
        XCTAssertEqual(SpecError.clip(String(repeating: "é", count: 81)), String(repeating: "é", count: 80) + "…(162 bytes)")
    }

    func testFlagSpellings() {
        XCTAssertEqual(SpecSetting.podsPerNode.flag, "--pods-per-node")
        XCTAssertEqual(SpecSetting.underlayCIDR.flag, "--underlay-cidr")
        XCTAssertEqual(SpecSetting.flannelUDPImpl.flag, "--flannel-udp-impl")
        XCTAssertEqual(SpecSetting.routeReflectors.field, "route-reflectors")
    }
}
