import Foundation
import Netlink
import XCTest
@testable import Topology
@testable import TopologyModel
@testable import Measure

/// The bench pins each test's client and server (`--pin`); these check on a real process that
/// the pin takes effect inside a namespace, and that a CPU the machine lacks is refused by name.
final class SpawnPinningTests: KernelTestCase {
    private func allowedList(of pid: pid_t) throws -> [Int] {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        return CPUPinning.allowedCPUs(status: status)
    }

    func testSpawnPinsTheProcessToTheCPUAskedFor() throws {
        let allowed = CPUPinning.allowedCPUs()
        guard allowed.count >= 2 else {
            print("SKIP \(name): needs at least 2 usable CPUs, this process may use \(allowed)")
            throw XCTSkip("needs at least 2 usable CPUs")
        }
        let ns = try NetworkNamespace.create("ktpin-x")
        runsToClean.append("ktpin")
        defer { try? NetworkNamespace.delete(ns.name) }

        let pinned = try ns.spawn(["sleep", "30"], cpu: allowed[1])
        let free = try ns.spawn(["sleep", "30"])
        defer {
            for pid in [pinned, free] {
                kill(pid, SIGKILL)
                waitpid(pid, nil, 0)
            }
        }
        XCTAssertEqual(try allowedList(of: pinned), [allowed[1]])
        XCTAssertEqual(try allowedList(of: free), allowed, "without cpu the child keeps the parent's CPUs")

        XCTAssertThrowsError(try ns.spawn(["sleep", "30"], cpu: 4095)) { e in
            XCTAssertTrue("\(e)".contains("taskset -c 4095"), "\(e)")
            XCTAssertEqual((e as? NetlinkError)?.errno, .invalidArgument, "\(e)")
        }
    }
}
