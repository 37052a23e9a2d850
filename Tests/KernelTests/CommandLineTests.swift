import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import NetAddress
@testable import Measure
@testable import Results

/// The command line as the built binary parses it (no root needed): shell completion offers the
/// fixed option values, and every argv that plans and benchmarks start inside namespaces is
/// still a command the binary knows, with every option it passes.
final class CommandLineTests: XCTestCase {
    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: builtCNIBench) else {
            print("SKIP \(name): \(builtCNIBench) not built (swift build --build-tests builds it)")
            throw XCTSkip("cnibench binary not built")
        }
    }

    /// The completions bash offers after `option`, in every command that has it.
    private func bashCompletions(after option: String, in script: String) -> [[String]] {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.indices.compactMap { i -> [String]? in
            guard lines[i].trimmingCharacters(in: .whitespaces) == "'\(option)')", i + 1 < lines.count,
                let w = lines[i + 1].range(of: "-W ")
            else { return nil }
            // -W 'a'$'\n''b'…: the words between single quotes, newline separators dropped.
            return lines[i + 1][w.upperBound...].split(separator: "'").map(String.init).filter { $0 != "$" && $0 != "\\n" }
        }
    }

    func testBashCompletionOffersModesAndOtherValues() throws {
        let (rc, script) = try runCNIBench(["--generate-completion-script", "bash"])
        XCTAssertEqual(rc, 0, script)
        let modes = bashCompletions(after: "--mode", in: script)
        // plan, up, bird-config and bench topology take --mode.
        XCTAssertGreaterThanOrEqual(modes.count, 4, "--mode completions: \(modes)")
        for words in modes { XCTAssertEqual(Set(words), Set(Mode.allCases.map(\.rawValue)), "--mode completes to \(words)") }
        XCTAssertTrue(modes.allSatisfy { $0.contains("calico-vxlan") })
        let lists: [(String, [String])] = [
            ("--modes", Mode.allCases.map(\.rawValue)), ("--tests", BenchTest.allCases.map(\.rawValue)),
            ("--underlay", ["l2", "l3"]), ("--routing", ["static", "bird"]), ("--bgp", ["mesh", "rr"]),
            ("--bgp-timers", BGPTimers.allCases.map(\.rawValue)), ("--method", ["better-half", "rank"]),
            ("--ipip", ["kernel", "tc-bpf"]), ("--ipip-impl", ["kernel", "tc-bpf"]), ("--rx", ["ring", "socket"]),
            ("--pin", ["auto", "none"])
        ]
        for (option, values) in lists {
            let found = bashCompletions(after: option, in: script)
            XCTAssertFalse(found.isEmpty, "no completion for \(option)")
            for words in found { XCTAssertEqual(Set(words), Set(values), "\(option) completes to \(words)") }
        }
    }

    /// `cnibench <argv> --help` prints that subcommand's usage (`usage`: the command it stands
    /// for), and every --option in argv is in it.
    private func assertKnown(_ argv: [String], usage: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let command = argv.prefix { !$0.hasPrefix("-") }
        let (rc, help) = try runCNIBench(Array(command) + ["--help"])
        XCTAssertEqual(rc, 0, help, file: file, line: line)
        // For an unknown subcommand the parser prints the root's help, so the usage line decides.
        XCTAssertTrue(
            help.contains("USAGE: cnibench \(usage ?? command.joined(separator: " ")) "), "\(argv): \(help)", file: file, line: line)
        for option in argv where option.hasPrefix("--") {
            XCTAssertTrue(
                help.contains(option + " "), "\(command.joined(separator: " ")) has no \(option): \(help)", file: file, line: line)
        }
    }

    func testArgvThatRunsStartAreCommands() throws {
        var spec = TopologySpec()
        spec.mode = .calicoIPIP
        spec.routing = .bird
        var argvs = try Planner(spec: spec).plan().steps.compactMap { step -> [String]? in
            if case .startProcess(_, _, let argv) = step { return argv }
            return nil
        }
        spec = TopologySpec()
        spec.mode = .flannelUDP
        argvs += try Planner(spec: spec).plan().steps.compactMap { step -> [String]? in
            if case .startProcess(_, _, let argv) = step { return argv }
            return nil
        }
        let names = Set(argvs.map { $0[1] })
        XCTAssertEqual(names, ["bird-exec", "ipip-mirror", "flannel-udp-daemon"], "\(argvs)")
        for argv in argvs { try assertKnown(Array(argv.dropFirst())) }
        // What `bench` starts inside the namespaces (BenchEngine, PacketGeneratorHook).
        let a = IPv4Address("10.0.0.1")!, b = IPv4Address("10.0.0.2")!
        try assertKnown(Array(PacketGeneratorHook.receiverArguments(executable: "cnibench", bind: a, duration: 1).dropFirst()))
        try assertKnown(Array(PacketGeneratorHook.senderArguments(executable: "cnibench", to: a, from: b, duration: 1).dropFirst()))
        try assertKnown(["rr-server", "--bind", "10.0.0.1:5201", "--size", "64", "--timeout", "20"])
        try assertKnown(["rr-client", "--to", "10.0.0.1:5201", "--bind", "10.0.0.2", "--size", "64", "--duration", "1"])
        XCTAssertTrue(PacketGeneratorHook.isAvailable(executable: builtCNIBench))
    }

    /// The benchmark commands answer to `bench NAME` and to the old `bench-NAME`, with the same options.
    func testBenchSpellings() throws {
        for (name, option) in [
            ("topology", "--pods-per-node"), ("routes", "--fdb"), ("pktgen", "--duration"), ("bgp", "--route-reflectors")
        ] {
            try assertKnown(["bench", name, option])
            try assertKnown(["bench-\(name)", option], usage: "bench \(name)")
        }
        try assertKnown(["bench", "matrix", "--modes", "--tests", "--pin"])
        // `bench` alone is the matrix: its options parse there, and a bad value names the option.
        let (rc, out) = try runCNIBench(["bench", "--modes", "host-gw,nosuch"])
        XCTAssertEqual(rc, 64, out)
        XCTAssertTrue(out.contains("--modes") && out.contains("'nosuch' is not a mode") && out.contains("calico-vxlan"), out)
        let (rc2, out2) = try runCNIBench(["plan", "--mode", "nosuch"])
        XCTAssertEqual(rc2, 64, out2)
        XCTAssertTrue(out2.contains("--mode") && out2.contains("calico-vxlan"), out2)
    }
}
