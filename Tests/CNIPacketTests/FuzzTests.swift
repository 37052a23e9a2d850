// Bounded, seeded fuzzing of the parser: random bytes, and valid frames of every kind
// mutated and truncated. The parser must never trap, and whatever it returns must point
// inside the buffer.
import CNIPacket
import XCTest

final class FuzzTests: XCTestCase {
    private func seeds(_ rng: inout SeededRNG) throws -> [[UInt8]] {
        let eth = rng.ethernet(), ip = rng.plainIPv4(), inner = rng.plainIPv4()
        let udp = UDPHeader(sourcePort: 40000, destinationPort: 53)
        let udpFrame = try PacketBuilder.udpFrame(ethernet: eth, ipv4: ip, udp: udp, payload: rng.bytes(40))
        let tcpFrame = try PacketBuilder.tcpFrame(ethernet: eth, ipv4: ip, tcp: rng.tcp(), payload: rng.bytes(20))
        let icmpFrame = try PacketBuilder.icmpFrame(
            ethernet: eth, ipv4: ip,
            icmp: ICMPEchoHeader(identifier: 1, sequenceNumber: 2), payload: rng.bytes(16))
        let innerPacket = Array(try PacketBuilder.udpFrame(ethernet: eth, ipv4: inner, udp: udp, payload: rng.bytes(12))[14...])
        let ipip = try PacketBuilder.ipipFrame(ethernet: eth, outer: ip, innerPacket: innerPacket)
        let vxlan = try PacketBuilder.vxlanFrame(
            ethernet: eth, ipv4: ip, udp: UDPHeader(sourcePort: 50000, destinationPort: 8472),
            vxlan: VXLANHeader(vni: 1), innerFrame: tcpFrame)
        var opts = ip
        opts.headerLength = 32
        let withOptions = try PacketBuilder.udpFrame(ethernet: eth, ipv4: opts, udp: udp, payload: rng.bytes(8))
        return [udpFrame, tcpFrame, icmpFrame, ipip, vxlan, withOptions]
    }

    private func checkInvariants(_ frame: ParsedFrame, count: Int) {
        for layers in [frame.outer] + (frame.inner.map { [$0] } ?? []) {
            XCTAssertGreaterThanOrEqual(layers.payload.lowerBound, 0)
            XCTAssertLessThanOrEqual(layers.payload.upperBound, count)
            if let o = layers.ipv4Offset { XCTAssertLessThanOrEqual(o + Int(layers.ipv4!.totalLength), count) }
            if let o = layers.transportOffset { XCTAssertLessThanOrEqual(o, layers.payload.lowerBound) }
        }
    }

    func testFuzzParser() throws {
        var rng = SeededRNG(seed: 0xF022)
        let corpus = try seeds(&rng)
        var decoded = 0
        let iterations = 200_000
        for i in 0..<iterations {
            var bytes: [UInt8]
            switch i % 4 {
            case 0:
                // Random bytes, with an IPv4 EtherType and version nibble half the time so
                // the search gets past the first layers.
                bytes = rng.bytes(Int.random(in: 0...128, using: &rng))
                if bytes.count > 14, Bool.random(using: &rng) {
                    bytes[12] = 0x08
                    bytes[13] = 0x00
                    bytes[14] = 0x45
                }
            case 1:
                // Truncation of a valid frame.
                let seed = corpus.randomElement(using: &rng)!
                bytes = Array(seed[..<Int.random(in: 0...seed.count, using: &rng)])
            default:
                // Byte mutations of a valid frame, plus sometimes a truncation or an extension.
                bytes = corpus.randomElement(using: &rng)!
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = rng.u8()
                }
                if Bool.random(using: &rng) { bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng)) }
                if Bool.random(using: &rng) { bytes += rng.bytes(Int.random(in: 0...8, using: &rng)) }
            }
            if let f = Frame.parse(bytes) {
                decoded += 1
                checkInvariants(f, count: bytes.count)
                _ = Frame.verifyChecksums(bytes, f)
            }
            if let f = Frame.parseIPv4Packet(bytes) {
                checkInvariants(f, count: bytes.count)
                _ = Frame.verifyChecksums(bytes, f)
            }
        }
        // Sanity: the mutation strategies do reach deep decoding, not just early rejects.
        XCTAssertGreaterThan(decoded, iterations / 10)
    }
}
