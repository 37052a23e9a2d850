import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import NetAddress
@testable import Netlink

/// Shared helpers for tests that build real namespaces. Every such test runs only as root and
/// skips with a printed reason otherwise; every one checks that it left nothing behind.
class KernelTestCase: XCTestCase {
    /// Run names used by the tests; all start with "kt" so leftovers are attributable.
    var runsToClean: [RunName] = []

    override func setUpWithError() throws {
        guard geteuid() == 0 else {
            print("SKIP \(name): kernel tests need root (network namespaces, netlink writes)")
            throw XCTSkip("kernel tests need root (network namespaces, netlink writes)")
        }
    }

    override func tearDown() {
        for r in runsToClean { Teardown(state: RunState(run: r)).run() }
        for r in runsToClean {
            XCTAssertEqual(leftovers(of: r), [], "run \(r) left objects behind")
        }
        super.tearDown()
    }

    /// Namespaces, state and processes a run may have left.
    /// (A prefix match is right here, where it only looks: anything named like the run counts.)
    func leftovers(of run: RunName) -> [String] {
        var out = NetworkNamespace.list().filter { $0.hasPrefix("\(run)-") }.map { "netns \($0)" }
        if RunState(run: run).exists { out.append("state \(RunState(run: run).directory)") }
        return out
    }

    func spec(_ run: RunName, mode: Mode = .none, underlay: Underlay = .l2, nodes: Int = 2, pods: Int = 2) -> TopologySpec {
        var s = TopologySpec()
        s.name = run
        s.mode = mode
        s.underlay = underlay
        s.podsPerNode = Array(repeating: pods, count: nodes)
        return s
    }

    @discardableResult
    func up(_ s: TopologySpec) throws -> RunBuilder.Result {
        runsToClean.append(s.name)
        return try RunBuilder(spec: s).up()
    }

    /// Runs a program inside a namespace and returns its exit status.
    func run(in ns: String, _ argv: [String]) throws -> Int32 {
        try ChildProcess.spawn(argv, in: try NetworkNamespace.open(ns)).wait().status.shellCode
    }

    func ping(from ns: String, _ ip: IPv4Address, extra: [String] = []) throws -> Bool {
        for _ in 0..<2 where try run(in: ns, ["ping", "-c", "1", "-W", "1", "-q"] + extra + [ip.description]) == 0 { return true }
        return false
    }

    var cnibenchBinary: String { builtCNIBench }

    func cli(_ args: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        try runCNIBench(args, environment: environment)
    }
}

/// Path of the cnibench executable built next to the test bundle.
var builtCNIBench: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cnibench").path
}

/// Runs the CLI (with extra environment variables); returns its exit status and combined output.
func runCNIBench(_ args: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
    let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0.key)=\($0.value)" }
    let child = try ChildProcess.spawn([builtCNIBench] + args, stdout: .pipe, stderr: .pipe, environment: env)
    let out = child.readOutput()
    return (child.wait().status.shellCode, out)
}

/// What the root namespace looks like, from /proc (read-only; cnibench never opens a netlink
/// handle there).
struct RootNamespaceSnapshot: Equatable {
    var interfaces: [String]
    var routes: String
    var addresses: String
    var sysctls: [String: String]

    static func take() -> RootNamespaceSnapshot {
        func read(_ p: String) -> String { (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
        let dev = read("/proc/1/net/dev").split(separator: "\n").dropFirst(2).compactMap {
            $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces)
        }
        var sys: [String: String] = [:]
        for k in ["ipv4/ip_forward", "ipv4/conf/all/forwarding", "ipv4/conf/default/rp_filter", "ipv4/conf/all/proxy_arp"] {
            sys[k] = read("/proc/1/root/proc/sys/net/\(k)")
        }
        return RootNamespaceSnapshot(
            interfaces: dev.sorted(), routes: read("/proc/1/net/route"),
            addresses: read("/proc/1/net/fib_trie"), sysctls: sys)
    }
}
