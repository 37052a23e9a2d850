import Foundation
import XCTest
@testable import Results

/// Results from a `cnibench vm` guest: what the guest is told, what the envelope keeps, and
/// that compare/gate never mix accelerators.
final class GuestEnvironmentTests: XCTestCase {
    func testParsesWhatVMHandsTheGuest() {
        let g = GuestEnvironment(describing: "kernel=6.1.0-57-amd64 accelerator=tcg cpus=2 memory=2G")
        XCTAssertEqual(g, GuestEnvironment(accelerator: "tcg", cpus: 2, memory: "2G", kernel: "6.1.0-57-amd64"))
        XCTAssertEqual(g?.emulated, true)
        XCTAssertEqual(g?.summary, "guest tcg (emulated), 2 CPUs, 2G")
        XCTAssertNil(GuestEnvironment(describing: "accelerator=kvm cpus=two memory=2G kernel=x"))
        XCTAssertNil(GuestEnvironment(describing: ""))
    }

    private func env(_ guest: GuestEnvironment?) -> HostEnvironment {
        HostEnvironment(kernel: "6.1.0-57-amd64", cpuModel: "QEMU Virtual CPU", cpuCount: 2, cnibenchVersion: "t", guest: guest)
    }

    func testAcceleratorsAreNeverMixed() {
        let tcg = GuestEnvironment(accelerator: "tcg", cpus: 2, memory: "2G", kernel: "6.1.0-57-amd64")
        let kvm = GuestEnvironment(accelerator: "kvm", cpus: 2, memory: "2G", kernel: "6.1.0-57-amd64")
        for (a, b) in [(tcg, kvm), (tcg, nil), (nil, kvm)] as [(GuestEnvironment?, GuestEnvironment?)] {
            let m = EnvironmentMatch.judge(env(a), env(b), which: "head file 1", strict: false)
            XCTAssertFalse(m.comparable, "\(String(describing: a)) vs \(String(describing: b))")
            XCTAssertTrue(m.refusals.first?.contains("accelerators differ") == true, "\(m.refusals)")
        }
        XCTAssertTrue(EnvironmentMatch.judge(env(tcg), env(tcg), which: "x", strict: false).comparable)
        var bigger = tcg
        bigger.cpus = 4
        let m = EnvironmentMatch.judge(env(tcg), env(bigger), which: "x", strict: false)
        XCTAssertTrue(m.comparable)
        XCTAssertTrue(m.notes.contains { $0.contains("guest sizes differ") }, "\(m.notes)")
    }

    func testEnvelopeKeepsTheGuestAndOldFilesDecodeWithout() throws {
        let g = GuestEnvironment(accelerator: "kvm", cpus: 4, memory: "4G", kernel: "6.1.0-57-amd64")
        let data = try JSONEncoder().encode(env(g))
        XCTAssertEqual(try JSONDecoder().decode(HostEnvironment.self, from: data).guest, g)
        let host = try JSONEncoder().encode(env(nil))
        XCTAssertFalse(String(decoding: host, as: UTF8.self).contains("guest"), "a host result gains no guest field")
        XCTAssertNil(try JSONDecoder().decode(HostEnvironment.self, from: host).guest)
    }
}
