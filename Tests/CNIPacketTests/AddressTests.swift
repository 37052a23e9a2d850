import CNIPacket
import NetAddress
import XCTest

final class AddressTests: XCTestCase {
    func testIPv4Parsing() {
        XCTAssertEqual(IPv4Address("10.244.1.7")?.value, 0x0AF4_0107)
        XCTAssertEqual(IPv4Address("0.0.0.0")?.value, 0)
        XCTAssertEqual(IPv4Address("255.255.255.255")?.value, 0xFFFF_FFFF)
        for bad in [
            "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4",
            "a.b.c.d", "1.2.3.-4", "1.2.3.", ".1.2.3", "1.2.3.1000"
        ] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
        XCTAssertEqual(IPv4Address(192, 168, 0, 199).description, "192.168.0.199")
        var rng = SeededRNG(seed: 4)
        for _ in 0..<1000 {
            let a = rng.ip()
            XCTAssertEqual(IPv4Address(a.description), a)
        }
    }

    func testMACParsing() {
        let m = MACAddress("02:42:AC:11:00:02")
        XCTAssertEqual(m?.value, 0x0242_AC11_0002)
        XCTAssertEqual(m?.description, "02:42:ac:11:00:02")
        XCTAssertEqual(MACAddress("2:42:ac:11:0:2"), m)
        XCTAssertEqual(MACAddress("02-42-ac-11-00-02"), m)
        for bad in [
            "", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "002:42:ac:11:00:02", "02:42:ac:11:00:0g",
            "02::ac:11:00:02", "02:42:ac:11:00:"
        ] {
            XCTAssertNil(MACAddress(bad), bad)
        }
        XCTAssertTrue(MACAddress.broadcast.isMulticast)
        XCTAssertFalse(m!.isMulticast)
        var rng = SeededRNG(seed: 5)
        for _ in 0..<1000 {
            let a = rng.mac()
            XCTAssertEqual(MACAddress(a.description), a)
        }
    }
}
