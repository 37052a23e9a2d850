// The one address type set every layer shares. These pin the parsing rules (spec YAML, CLI
// flags and state files all go through them), the text forms and the integer layouts that
// netlink and the packet builder rely on.
import Foundation
import NetAddress
import XCTest

final class IPv4AddressTests: XCTestCase {
    func testParsingIsStrictDottedQuad() {
        XCTAssertEqual(IPv4Address("10.244.1.7")?.value, 0x0AF4_0107)
        XCTAssertEqual(IPv4Address("0.0.0.0"), .any)
        XCTAssertEqual(IPv4Address("255.255.255.255")?.value, 0xFFFF_FFFF)
        // Leading zeros would be octal to inet_aton(3), so they are refused rather than guessed;
        // a sign or surrounding space is not part of an address.
        for bad in [
            "010.0.0.1", "10.0.0.01", "00.1.2.3", "+1.2.3.4", "1.2.3.+4", "1.2.3.4\n", "\t1.2.3.4",
            "1.2.3", "1.2.3.4.5", "256.0.0.0", "1.2.3.", "", "1.2.3.4/32", "١.2.3.4"
        ] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
    }

    func testSubstringParsesLikeString() {
        let text = "x10.244.0.1y"
        let inner = text.dropFirst().dropLast()
        XCTAssertEqual(IPv4Address(inner), IPv4Address(10, 244, 0, 1))
        XCTAssertNil(IPv4Address("x010.0.0.1".dropFirst()))
    }

    func testByteOrderAndOctets() {
        let a = IPv4Address(192, 168, 56, 11)
        XCTAssertEqual(a.value, 0xC0A8_380B)
        XCTAssertEqual(a.octets, [192, 168, 56, 11])
        XCTAssertTrue(a.bytes == (192, 168, 56, 11))
        // networkOrder is the in-memory big-endian form: its first byte in memory is the first octet.
        withUnsafeBytes(of: a.networkOrder) { XCTAssertEqual(Array($0), [192, 168, 56, 11]) }
        XCTAssertEqual(IPv4Address(networkOrder: a.networkOrder), a)
        XCTAssertEqual(a.description, "192.168.56.11")
        XCTAssertEqual(String(describing: IPv4Address(0x0A00_0001)), "10.0.0.1")
    }

    func testOrderingAndArithmetic() {
        XCTAssertLessThan(IPv4Address(9, 255, 255, 255), IPv4Address(10, 0, 0, 0))
        XCTAssertEqual(IPv4Address(10, 0, 0, 255).advanced(by: 1), IPv4Address(10, 0, 1, 0))
        XCTAssertEqual(IPv4Address(10, 0, 1, 0).advanced(by: -1), IPv4Address(10, 0, 0, 255))
        XCTAssertEqual(IPv4Address(255, 255, 255, 255).advanced(by: 1), .any)
    }

    func testCodableAsText() throws {
        let a = IPv4Address(10, 244, 3, 9)
        XCTAssertEqual(try roundTrip(a), a)
        XCTAssertEqual(try TextBox.encode(a), "10.244.3.9")
        XCTAssertThrowsError(try TextBox.decode(IPv4Address.self, from: "010.244.3.9"))
    }
}

final class IPv4PrefixTests: XCTestCase {
    func testParsing() {
        let p = IPv4Prefix("10.244.0.0/16")
        XCTAssertEqual(p?.address, IPv4Address(10, 244, 0, 0))
        XCTAssertEqual(p?.length, 16)
        XCTAssertEqual(IPv4Prefix("10.1.2.3")?.length, 32, "a bare address is a /32")
        XCTAssertEqual(IPv4Prefix("10.1.2.3/0")?.length, 0)
        for bad in [
            "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/", "10.0.0.0/8/8", "/8", "010.0.0.0/8",
            "10.0.0.0 /8", "10.0.0.0/8 ", ""
        ] {
            XCTAssertNil(IPv4Prefix(bad), bad)
        }
        XCTAssertEqual(IPv4Prefix("x10.0.0.0/8".dropFirst()), IPv4Prefix(IPv4Address(10, 0, 0, 0), 8))
    }

    func testMasksAndContainment() throws {
        let p = try XCTUnwrap(IPv4Prefix("10.244.1.7/24"))
        XCTAssertEqual(p.mask, 0xFFFF_FF00)
        XCTAssertFalse(p.isNetwork)
        XCTAssertEqual(p.network.description, "10.244.1.0/24")
        XCTAssertEqual(p.first, IPv4Address(10, 244, 1, 0))
        XCTAssertEqual(p.last, IPv4Address(10, 244, 1, 255))
        XCTAssertEqual(p.size, 256)
        XCTAssertTrue(p.contains(IPv4Address(10, 244, 1, 200)))
        XCTAssertFalse(p.contains(IPv4Address(10, 244, 2, 0)))
        XCTAssertTrue(p.overlaps(IPv4Prefix(IPv4Address(10, 0, 0, 0), 8)))
        XCTAssertFalse(p.overlaps(IPv4Prefix(IPv4Address(10, 244, 2, 0), 24)))
        XCTAssertEqual(IPv4Prefix(IPv4Address.any, 0).mask, 0)
        XCTAssertEqual(IPv4Prefix(IPv4Address.any, 0).size, 1 << 32)
    }

    func testSubnetsAndHosts() throws {
        let cluster = try XCTUnwrap(IPv4Prefix("10.244.0.0/16"))
        XCTAssertEqual(cluster.subnet(3, length: 24)?.description, "10.244.3.0/24")
        XCTAssertEqual(cluster.subnet(255, length: 24)?.description, "10.244.255.0/24")
        XCTAssertNil(cluster.subnet(256, length: 24))
        XCTAssertNil(cluster.subnet(0, length: 8))
        XCTAssertEqual(cluster.host(1), IPv4Address(10, 244, 0, 1))
        XCTAssertNil(cluster.host(65536))
        XCTAssertNil(cluster.host(-1))
    }

    func testCodableAsText() throws {
        let p = try XCTUnwrap(IPv4Prefix("192.168.56.0/24"))
        XCTAssertEqual(try roundTrip(p), p)
        XCTAssertEqual(try TextBox.encode(p), "192.168.56.0/24")
        XCTAssertThrowsError(try TextBox.decode(IPv4Prefix.self, from: "192.168.56.0/40"))
    }
}

final class MACAddressTests: XCTestCase {
    func testParsingIsLenientLikeIPRoute2() {
        let m = MACAddress(0x0242_AC11_0002)
        for good in ["02:42:ac:11:00:02", "02:42:AC:11:00:02", "2:42:ac:11:0:2", "02-42-ac-11-00-02"] {
            XCTAssertEqual(MACAddress(good), m, good)
        }
        for bad in [
            "", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "002:42:ac:11:00:02", "02:42:ac:11:00:0g",
            "02::ac:11:00:02", "02:42:ac:11:00:", ":02:42:ac:11:00", "+2:42:ac:11:00:02", " 02:42:ac:11:00:02"
        ] {
            XCTAssertNil(MACAddress(bad), bad)
        }
        XCTAssertEqual(MACAddress("x02:42:ac:11:00:02".dropFirst()), m)
    }

    func testLayoutAndOctets() {
        let m = MACAddress(0x0A, 0x58, 0x0A, 0xF4, 0x01, 0x07)
        XCTAssertEqual(m.value, 0x0A58_0AF4_0107)
        XCTAssertEqual(m.octets, [0x0A, 0x58, 0x0A, 0xF4, 0x01, 0x07])
        XCTAssertTrue(m.bytes == (0x0A, 0x58, 0x0A, 0xF4, 0x01, 0x07))
        XCTAssertEqual(MACAddress([0x0A, 0x58, 0x0A, 0xF4, 0x01, 0x07]), m)
        XCTAssertEqual(MACAddress(0xFFFF_0A58_0AF4_0107), m, "bits above 48 are dropped")
        XCTAssertEqual(m.description, "0a:58:0a:f4:01:07")
        XCTAssertLessThan(MACAddress.zero, m)
    }

    func testGroupBit() {
        XCTAssertTrue(MACAddress.broadcast.isMulticast)
        XCTAssertTrue(MACAddress("01:00:5e:00:00:01")!.isMulticast)
        XCTAssertFalse(MACAddress("02:42:ac:11:00:02")!.isMulticast)
        XCTAssertFalse(MACAddress.zero.isMulticast)
    }

    func testLocallyAdministeredIsStableUnicastAndLocal() {
        // Octet i is byte i of the seed (least significant first); the first octet gets the
        // local bit set and the group bit cleared. Plans print these MACs, so this must not drift.
        XCTAssertEqual(MACAddress.locallyAdministered(seed: 0x0000_6655_4433_2211).description, "12:22:33:44:55:66")
        XCTAssertEqual(MACAddress.locallyAdministered(seed: 0xFFFF_FFFF_FFFF_FFFF).description, "fe:ff:ff:ff:ff:ff")
        XCTAssertEqual(MACAddress.locallyAdministered(seed: 0).description, "02:00:00:00:00:00")
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<1000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let m = MACAddress.locallyAdministered(seed: seed)
            XCTAssertFalse(m.isMulticast)
            XCTAssertEqual(m.bytes.0 & 0x02, 0x02)
            XCTAssertEqual(m, MACAddress.locallyAdministered(seed: seed))
        }
    }

    func testCodableAsText() throws {
        let m = MACAddress(0xEEEE_EEEE_EEEE)
        XCTAssertEqual(try roundTrip(m), m)
        XCTAssertEqual(try TextBox.encode(m), "ee:ee:ee:ee:ee:ee")
        XCTAssertEqual(try TextBox.decode(MACAddress.self, from: "EE-EE-EE-EE-EE-EE"), m)
        XCTAssertThrowsError(try TextBox.decode(MACAddress.self, from: "ee:ee:ee:ee:ee"))
    }

    func testTextRoundTrip() {
        var seed: UInt64 = 7
        for _ in 0..<1000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let m = MACAddress(seed >> 7)
            XCTAssertEqual(MACAddress(m.description), m)
            let a = IPv4Address(UInt32(truncatingIfNeeded: seed >> 21))
            XCTAssertEqual(IPv4Address(a.description), a)
        }
    }
}

// MARK: - Helpers

/// The JSON text form of a value wrapped in a one-element array, and back: the element is
/// exactly what a state or result file holds for that address.
enum TextBox {
    struct NotOneString: Error {}

    static func encode(_ value: some Encodable) throws -> String {
        let data = try JSONEncoder().encode([value])
        guard let strings = try JSONSerialization.jsonObject(with: data) as? [String], strings.count == 1 else {
            throw NotOneString()
        }
        return strings[0]
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let data = try JSONSerialization.data(withJSONObject: [text])
        return try JSONDecoder().decode([T].self, from: data)[0]
    }
}

private func roundTrip<T: Codable>(_ value: T) throws -> T {
    try TextBox.decode(T.self, from: TextBox.encode(value))
}
