// A UDP packet as the Linux kernel would emit it from an unconnected socket
// (ip_make_skb/udp_send_skb): IPv4 version 4, IHL 5, TOS 0, DF set (PMTU discovery
// "want" is the default), TTL 64, a correct header checksum, UDP length = 8 + data, and
// a UDP checksum over the pseudo-header that verifies, sent as 0xFFFF if it computes to 0.
// A later integration test compares against real captures; here every field is checked
// against the RFCs with an independent, obvious implementation.
import CNIPacket
import NetAddress
import XCTest

final class KernelConformanceTests: XCTestCase {
    func testUDPLikeTheKernel() throws {
        let src = IPv4Address("10.244.1.7")!, dst = IPv4Address("10.244.2.9")!
        let eth = EthernetHeader(destination: MACAddress("0a:58:0a:f4:02:09")!, source: MACAddress("0a:58:0a:f4:01:07")!)
        let ip = IPv4Header(source: src, destination: dst, ttl: 64, identification: 0x1C46, flags: .dontFragment)
        let payload = Array("hello from pod a".utf8)
        let frame = try PacketBuilder.udpFrame(
            ethernet: eth, ipv4: ip,
            udp: UDPHeader(sourcePort: 41234, destinationPort: 5201), payload: payload)

        // Ethernet
        XCTAssertEqual(Array(frame[0..<6]), [0x0A, 0x58, 0x0A, 0xF4, 0x02, 0x09])
        XCTAssertEqual(Array(frame[6..<12]), [0x0A, 0x58, 0x0A, 0xF4, 0x01, 0x07])
        XCTAssertEqual(be16(frame, 12), 0x0800)
        // IPv4 header, field by field.
        let ipBytes = Array(frame[14..<34])
        XCTAssertEqual(ipBytes[0], 0x45)
        XCTAssertEqual(ipBytes[1], 0)
        XCTAssertEqual(Int(be16(ipBytes, 2)), 20 + 8 + payload.count)
        XCTAssertEqual(be16(ipBytes, 4), 0x1C46)
        XCTAssertEqual(be16(ipBytes, 6), 0x4000, "DF set, no fragment offset")
        XCTAssertEqual(ipBytes[8], 64)
        XCTAssertEqual(ipBytes[9], 17)
        XCTAssertEqual(Array(ipBytes[12..<20]), [10, 244, 1, 7, 10, 244, 2, 9])
        XCTAssertEqual(referenceSum(ipBytes), 0xFFFF, "header checksum verifies")
        // UDP
        let udpBytes = Array(frame[34...])
        XCTAssertEqual(be16(udpBytes, 0), 41234)
        XCTAssertEqual(be16(udpBytes, 2), 5201)
        XCTAssertEqual(Int(be16(udpBytes, 4)), 8 + payload.count)
        XCTAssertNotEqual(be16(udpBytes, 6), 0, "the kernel always fills the UDP checksum over IPv4 sockets")
        let pseudo: [UInt8] = [10, 244, 1, 7, 10, 244, 2, 9, 0, 17] + [UInt8(udpBytes.count >> 8), UInt8(udpBytes.count & 0xFF)]
        XCTAssertEqual(referenceSum(pseudo + udpBytes), 0xFFFF, "UDP checksum verifies with the pseudo-header")
        XCTAssertEqual(Array(udpBytes[8...]), payload)
    }

    /// Hand-assembled packet (Wikipedia's/RFC example header, checksum b861) parses to the
    /// expected fields and verifies.
    func testKnownPacketParses() throws {
        var udpPart = hex("d431 0035 005f 0000") + [UInt8](repeating: 0x61, count: 0x5F - 8)
        let ipHeader = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
        let pseudo = hex("c0a8 0001 c0a8 00c7 0011 005f")
        let c = referenceChecksum(pseudo + udpPart)
        udpPart[6] = UInt8(c >> 8)
        udpPart[7] = UInt8(c & 0xFF)
        let frame = hex("ffff ffff ffff 0242 ac11 0002 0800") + ipHeader + udpPart
        let f = try Frame.decode(frame)
        XCTAssertEqual(f.ethernet?.destination, .broadcast)
        XCTAssertEqual(f.ipv4?.source.description, "192.168.0.1")
        XCTAssertEqual(f.ipv4?.destination.description, "192.168.0.199")
        XCTAssertEqual(f.ipv4?.protocol, .udp)
        XCTAssertEqual(f.ipv4?.headerChecksum, 0xB861)
        XCTAssertEqual(f.ipv4?.flags, .dontFragment)
        XCTAssertEqual(f.udp?.sourcePort, 54321)
        XCTAssertEqual(f.udp?.destinationPort, 53)
        XCTAssertEqual(f.payload.count, 0x5F - 8)
        XCTAssertTrue(Frame.verifyChecksums(frame, f).allValid)
        XCTAssertEqual(Frame.verifyChecksums(frame, f).transport, true)
        // Flip one payload bit: UDP checksum must fail, IPv4 still fine.
        var bad = frame
        bad[60] ^= 1
        let r = Frame.verifyChecksums(bad, try Frame.decode(bad))
        XCTAssertEqual(r.ipv4, true)
        XCTAssertEqual(r.transport, false)
    }
}
