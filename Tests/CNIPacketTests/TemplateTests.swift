// Template-and-patch frames must be byte-identical to frames built from scratch.
import CNIPacket
import NetAddress
import XCTest

final class TemplateTests: XCTestCase {
    private func fresh(
        _ eth: EthernetHeader, _ ip: IPv4Header, _ udp: UDPHeader, _ payload: [UInt8],
        sport: UInt16, id: UInt16, stamp: UInt32?, stampAt: Int, checksum: Bool
    ) throws -> [UInt8] {
        var ip = ip, udp = udp, payload = payload
        ip.identification = id
        udp.sourcePort = sport
        if let stamp {
            for k in 0..<4 { payload[stampAt + k] = UInt8(truncatingIfNeeded: stamp >> (24 - 8 * k)) }
        }
        return try PacketBuilder.udpFrame(ethernet: eth, ipv4: ip, udp: udp, payload: payload, udpChecksum: checksum)
    }

    func testPatchedEqualsFreshlyBuilt() throws {
        var rng = SeededRNG(seed: 99)
        for round in 0..<200 {
            let eth = rng.ethernet(), ip = rng.plainIPv4(), udp = rng.udp()
            let payload = rng.bytes(Int.random(in: 4...1472, using: &rng))
            let stampAt = 2 * Int.random(in: 0...(payload.count - 4) / 2, using: &rng)
            let checksum = round % 5 != 0
            let withStamp = round % 7 != 0
            let template = try UDPFrameTemplate(
                ethernet: eth, ipv4: ip, udp: udp, payload: payload,
                udpChecksum: checksum, stampOffset: withStamp ? stampAt : nil)
            XCTAssertEqual(
                template.bytes,
                try PacketBuilder.udpFrame(
                    ethernet: eth, ipv4: ip, udp: udp, payload: payload,
                    udpChecksum: checksum))
            var out = [UInt8](repeating: 0, count: template.frameLength + 16)
            for _ in 0..<50 {
                let sport = rng.u16(), id = rng.u16(), stamp = rng.u32()
                let expected = try fresh(
                    eth, ip, udp, payload, sport: sport, id: id, stamp: withStamp ? stamp : nil,
                    stampAt: stampAt, checksum: checksum)
                let n = try out.withUnsafeMutableBytes { buf in
                    try template.write(into: buf, sourcePort: sport, identification: id, stamp: stamp)
                }
                XCTAssertEqual(n, expected.count)
                XCTAssertEqual(Array(out[..<n]), expected)
                XCTAssertEqual(template.frame(sourcePort: sport, identification: id, stamp: stamp), expected)
            }
        }
    }

    /// The one's-complement edge: a frame whose UDP checksum computes to 0 is sent as
    /// 0xFFFF; patching into and out of that state must still match a fresh build.
    func testChecksumZeroEdges() throws {
        var rng = SeededRNG(seed: 0xFFFF)
        let eth = rng.ethernet(), ip = rng.plainIPv4(), udp = UDPHeader(sourcePort: 1000, destinationPort: 2000)
        let payload = rng.bytes(22)
        let template = try UDPFrameTemplate(ethernet: eth, ipv4: ip, udp: udp, payload: payload)
        var sawUDPFFFF = 0, sawIPZero = 0
        // Sweep every source port: exactly one makes the UDP sum 0xFFFF (checksum 0 → 0xFFFF).
        for sport in UInt16.min...UInt16.max {
            let id = UInt16(truncatingIfNeeded: Int(sport) &* 40503)
            let expected = try fresh(
                eth, ip, udp, payload, sport: sport, id: id, stamp: 0x0102_0304, stampAt: 0,
                checksum: true)
            if be16(expected, 40) == 0xFFFF { sawUDPFFFF += 1 }
            if be16(expected, 24) == 0 { sawIPZero += 1 }
            XCTAssertEqual(template.frame(sourcePort: sport, identification: id, stamp: 0x0102_0304), expected)
        }
        XCTAssertGreaterThan(sawUDPFFFF, 0, "sweep should hit the computed-zero UDP checksum")
        XCTAssertGreaterThan(sawIPZero, 0, "sweep should hit the 0x0000 IPv4 checksum")
        // A template that itself starts at a 0xFFFF UDP checksum patches correctly too.
        for sport in UInt16.min...UInt16.max {
            let frame = try fresh(eth, ip, udp, payload, sport: sport, id: 0, stamp: nil, stampAt: 0, checksum: true)
            guard be16(frame, 40) == 0xFFFF else { continue }
            var u = udp
            u.sourcePort = sport
            let t2 = try UDPFrameTemplate(ethernet: eth, ipv4: ip, udp: u, payload: payload)
            for _ in 0..<1000 {
                let s = rng.u16(), id = rng.u16(), st = rng.u32()
                XCTAssertEqual(
                    t2.frame(sourcePort: s, identification: id, stamp: st),
                    try fresh(eth, ip, udp, payload, sport: s, id: id, stamp: st, stampAt: 0, checksum: true))
            }
            break
        }
    }

    func testErrors() throws {
        let eth = EthernetHeader(destination: .broadcast, source: .zero)
        let ip = IPv4Header(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2))
        let udp = UDPHeader(sourcePort: 1, destinationPort: 2)
        XCTAssertThrowsError(try UDPFrameTemplate(ethernet: eth, ipv4: ip, udp: udp, payload: [1, 2, 3]))
        XCTAssertThrowsError(
            try UDPFrameTemplate(
                ethernet: eth, ipv4: ip, udp: udp, payload: [UInt8](repeating: 0, count: 8),
                stampOffset: 1))
        let t = try UDPFrameTemplate(ethernet: eth, ipv4: ip, udp: udp, payload: [1, 2, 3], stampOffset: nil)
        XCTAssertEqual(t.frameLength, 45)
        var small = [UInt8](repeating: 0, count: 44)
        XCTAssertThrowsError(try small.withUnsafeMutableBytes { try t.write(into: $0, sourcePort: 1, identification: 1, stamp: 1) }) {
            XCTAssertEqual($0 as? PacketError, .bufferTooSmall(needed: 45, available: 44))
        }
        var ms = small.mutableSpan
        var raw = ms.mutableBytes
        XCTAssertThrowsError(try t.write(into: &raw, sourcePort: 1, identification: 1, stamp: 1))
    }
}
