import Foundation
import XCTest
@testable import Gate
@testable import Results
@testable import Measure

/// The kernel release is told from the host's build suffix, and results of machines of one
/// kind (same release, CPU model and core count) are judged with the difference said.
final class EnvironmentMatchTests: XCTestCase {
    func testKernelReleaseSplitsRealWorldStrings() {
        for (full, release, build) in [
            ("6.1.0-28-amd64", "6.1.0", "28-amd64"),  // Debian
            ("6.8.0-1017-azure", "6.8.0", "1017-azure"),  // Ubuntu on Azure (GitHub-hosted runners)
            ("6.18.44-fc-v1098", "6.18.44", "fc-v1098"),  // this machine
            ("6.18.44-fc-v595", "6.18.44", "fc-v595"),
            ("6.11.4-301.fc41.x86_64", "6.11.4", "301.fc41.x86_64"),  // Fedora
            ("5.15.167.4-microsoft-standard-WSL2", "5.15.167.4", "microsoft-standard-WSL2"),
            ("6.12.1", "6.12.1", ""),
            ("6.6.0+", "6.6.0", ""),
            ("unknown", "unknown", "")
        ] {
            let k = KernelRelease(full)
            XCTAssertEqual(k.release, release, full)
            XCTAssertEqual(k.build, build, full)
            XCTAssertEqual(k.full, full)
        }
    }

    private func env(_ kernel: String, cpu: String = "AMD EPYC", cores: Int = 2) -> HostEnvironment {
        HostEnvironment(kernel: kernel, cpuModel: cpu, cpuCount: cores, cnibenchVersion: "t")
    }

    func testSameReleaseOtherBuildIsJudgedWithANote() {
        let m = EnvironmentMatch.judge(env("6.18.44-fc-v595"), env("6.18.44-fc-v1098"), which: "head file 1", strict: false)
        XCTAssertTrue(m.comparable, "\(m.refusals)")
        XCTAssertEqual(m.notes.count, 1)
        let note = m.notes[0]
        for part in ["6.18.44-fc-v595", "6.18.44-fc-v1098", "same release 6.18.44", "head file 1", "--strict"] {
            XCTAssertTrue(note.contains(part), "\(part) missing from: \(note)")
        }
    }

    func testOtherReleaseIsRefused() {
        let m = EnvironmentMatch.judge(env("6.1.0-28-amd64"), env("6.8.0-1017-azure"), which: "head file 1", strict: false)
        XCTAssertFalse(m.comparable)
        XCTAssertTrue(m.refusals[0].contains("kernel releases differ: 6.1.0 vs 6.8.0"), m.refusals[0])
        // Ubuntu's ABI number is part of the build, not the release: judged.
        XCTAssertTrue(EnvironmentMatch.judge(env("6.8.0-1017-azure"), env("6.8.0-1018-azure"), which: "x", strict: false).comparable)
    }

    func testStrictRefusesAnyKernelDifference() {
        let m = EnvironmentMatch.judge(env("6.18.44-fc-v595"), env("6.18.44-fc-v1098"), which: "head file 1", strict: true)
        XCTAssertFalse(m.comparable)
        XCTAssertTrue(m.refusals[0].hasPrefix("kernels differ: 6.18.44-fc-v595 vs 6.18.44-fc-v1098"), m.refusals[0])
        XCTAssertTrue(EnvironmentMatch.judge(env("6.18.44-fc-v595"), env("6.18.44-fc-v595"), which: "x", strict: true).comparable)
    }

    func testOtherBuildOnOtherHardwareIsRefused() {
        for other in [env("6.18.44-fc-v1098", cores: 4), env("6.18.44-fc-v1098", cpu: "Intel Xeon")] {
            let m = EnvironmentMatch.judge(env("6.18.44-fc-v595"), other, which: "x", strict: false)
            XCTAssertFalse(m.comparable)
            XCTAssertTrue(m.refusals[0].contains("not machines of one kind"), m.refusals[0])
        }
        // The same kernel string on other hardware stays comparable (as before), said in a note.
        let same = EnvironmentMatch.judge(env("6.18.44-fc-v595"), env("6.18.44-fc-v595", cores: 4), which: "x", strict: false)
        XCTAssertTrue(same.comparable)
        XCTAssertTrue(same.notes[0].contains("CPUs differ"), same.notes[0])
    }

    func testOneDifferenceSharedByManyFilesIsSaidOnce() {
        let m = EnvironmentMatch.across(
            base: [env("6.18.44-fc-v595"), env("6.18.44-fc-v595")],
            head: [env("6.18.44-fc-v1098"), env("6.18.44-fc-v1098"), env("6.18.44-fc-v1098")], strict: false)
        XCTAssertEqual(m.notes.count, 1, "\(m.notes)")
        XCTAssertTrue(m.notes[0].hasSuffix("(head files 1, 2, 3)"), m.notes[0])
    }

    func testAcrossKernelsEachSideIsOneKernel() {
        let a = env("6.18.44-fc-v595"), b = env("6.12.1"), c = env("6.18.44-fc-v1098"), d = env("6.6.0")
        XCTAssertTrue(EnvironmentMatch.across(base: [a, a], head: [b, b], strict: false, acrossKernels: true).comparable)
        // Head files of two kernels, each allowed against base file 1, do not pool as one side.
        for other in [c, d] {
            let m = EnvironmentMatch.across(base: [a, a], head: [b, other, b], strict: false, acrossKernels: true)
            XCTAssertEqual(m.refusals.count, 1, "\(m.refusals)")
            XCTAssertTrue(m.refusals[0].hasSuffix("(within head: head file 2 against head file 1)"), m.refusals[0])
            XCTAssertTrue(m.refusals[0].contains("kernels differ: 6.12.1 vs \(other.kernel)"), m.refusals[0])
        }
        // Base likewise, even for another build of one release (a note only without --across-kernels).
        let m = EnvironmentMatch.across(base: [a, c], head: [b], strict: false, acrossKernels: true)
        XCTAssertTrue(m.refusals.contains { $0.hasSuffix("(within base: base file 2 against base file 1)") }, "\(m.refusals)")
        XCTAssertTrue(EnvironmentMatch.across(base: [a, c], head: [a], strict: false).comparable)
    }

    /// compare/gate through the rule: judged with the note by default, refused with --strict.
    func testComparatorJudgesOtherBuildAndRefusesItWhenStrict() throws {
        let dir = try ResultFileFixtures.temporaryDirectory("envmatch")
        defer { try? FileManager.default.removeItem(at: dir) }
        var base = ResultFileFixtures.gateResult(rounds: 6, seed: 1)
        var head = ResultFileFixtures.gateResult(rounds: 6, seed: 2)
        base.environment.kernel = "6.18.44-fc-v595"
        head.environment.kernel = "6.18.44-fc-v1098"
        let b = try ResultFileFixtures.write(base, to: dir, "base.json"), h = try ResultFileFixtures.write(head, to: dir, "head.json")
        let report = try Comparator.compare(baseFiles: [b], headFiles: [h], vocabulary: .cnibench)
        XCTAssertTrue(
            report.notes.contains { $0.hasPrefix("kernel builds differ: 6.18.44-fc-v595 vs 6.18.44-fc-v1098") }, "\(report.notes)")
        XCTAssertTrue(report.metrics.contains { $0.gated && $0.verdict != .insufficient }, "the other build is judged")

        var strict = ComparisonSettings()
        strict.strictEnvironment = true
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [b], headFiles: [h], settings: strict, vocabulary: .cnibench)) { e in
            XCTAssertTrue("\(e)".contains("kernels differ: 6.18.44-fc-v595 vs 6.18.44-fc-v1098"), "\(e)")
        }
        head.environment.kernel = "6.19.1-fc-v1098"
        let other = try ResultFileFixtures.write(head, to: dir, "other.json")
        XCTAssertThrowsError(try Comparator.compare(baseFiles: [b], headFiles: [other], vocabulary: .cnibench)) { e in
            XCTAssertTrue("\(e)".contains("kernel releases differ: 6.18.44 vs 6.19.1"), "\(e)")
        }
    }
}
