// parse(build(x)) == x, per header and per frame kind including both encapsulations.
import CNIPacket
import XCTest

final class HeaderRoundTripTests: XCTestCase {
    /// Writes `h` into a buffer at a random offset, parses it back from there.
    private func roundTrip<H: Equatable>(
        _ h: H, length: Int, rng: inout SeededRNG,
        write: (H, inout MutableRawSpan, Int) throws(PacketError) -> Int,
        parse: (RawSpan, Int) throws(PacketError) -> H,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let offset = Int.random(in: 0...5, using: &rng)
        var buffer = rng.bytes(offset + length + 3)  // garbage around the header
        var ms = buffer.mutableSpan
        var raw = ms.mutableBytes
        XCTAssertEqual(try write(h, &raw, offset), length, file: file, line: line)
        XCTAssertEqual(try parse(buffer.span.bytes, offset), h, file: file, line: line)
        // And from a buffer ending exactly at the header.
        XCTAssertEqual(try parse(Array(buffer[..<(offset + length)]).span.bytes, offset), h, file: file, line: line)
    }

    func testEveryHeaderKind() throws {
        var rng = SeededRNG(seed: 42)
        for _ in 0..<2_000 {
            try roundTrip(
                rng.ethernet(), length: 14, rng: &rng, write: { h, s, o throws(PacketError) in try h.write(to: &s, at: o) },
                parse: { s, o throws(PacketError) in try EthernetHeader.parse(s, at: o) })
            var ip = rng.ipv4()
            ip.totalLength = max(ip.totalLength, UInt16(ip.headerLength))
            try roundTrip(
                ip, length: ip.headerLength, rng: &rng, write: { h, s, o throws(PacketError) in try h.write(to: &s, at: o) },
                parse: { s, o throws(PacketError) in try IPv4Header.parse(s, at: o) })
            try roundTrip(
                rng.udp(), length: 8, rng: &rng, write: { h, s, o throws(PacketError) in try h.write(to: &s, at: o) },
                parse: { s, o throws(PacketError) in try UDPHeader.parse(s, at: o) })
            let tcp = rng.tcp()
            try roundTrip(
                tcp, length: tcp.headerLength, rng: &rng, write: { h, s, o throws(PacketError) in try h.write(to: &s, at: o) },
                parse: { s, o throws(PacketError) in try TCPHeader.parse(s, at: o) })
            try roundTrip(
                rng.icmp(), length: 8, rng: &rng, write: { h, s, o throws(PacketError) in try h.write(to: &s, at: o) },
                parse: { s, o throws(PacketError) in try ICMPEchoHeader.parse(s, at: o) })
            let vx = VXLANHeader(vni: rng.u32() & 0xFF_FFFF, flags: rng.u8() | VXLANHeader.validVNIFlag)
            try roundTrip(
                vx, length: 8, rng: &rng, write: { h, s, o throws(PacketError) in try h.write(to: &s, at: o) },
                parse: { s, o throws(PacketError) in try VXLANHeader.parse(s, at: o) })
        }
    }

    func testHeaderWriteErrors() {
        var small = [UInt8](repeating: 0, count: 13)
        var ms = small.mutableSpan
        var raw = ms.mutableBytes
        XCTAssertThrowsError(try EthernetHeader(destination: .broadcast, source: .zero).write(to: &raw)) {
            XCTAssertEqual($0 as? PacketError, .bufferTooSmall(needed: 14, available: 13))
        }
        var ip = IPv4Header(source: .any, destination: .any)
        ip.headerLength = 22
        XCTAssertThrowsError(try ip.write(to: &raw)) { XCTAssertEqual($0 as? PacketError, .invalidHeaderLength(.ipv4, 22)) }
        XCTAssertThrowsError(try VXLANHeader(vni: 0x100_0000).write(to: &raw))
    }

    func testParseErrors() {
        XCTAssertThrowsError(try IPv4Header.parse(hex("6500 0014 0000 0000 4011 0000 0a000001 0a000002").span.bytes)) {
            XCTAssertEqual($0 as? PacketError, .unsupportedVersion(6))
        }
        XCTAssertThrowsError(try IPv4Header.parse(hex("4400 0014 0000 0000 4011 0000 0a000001 0a000002").span.bytes)) {
            XCTAssertEqual($0 as? PacketError, .invalidHeaderLength(.ipv4, 16))
        }
        XCTAssertThrowsError(try IPv4Header.parse(hex("4600 0014 0000 0000 4011 0000 0a000001 0a000002").span.bytes)) {
            XCTAssertEqual($0 as? PacketError, .truncated(.ipv4, needed: 24, available: 20))
        }
        XCTAssertThrowsError(try VXLANHeader.parse(hex("0000 0000 0000 2a00").span.bytes)) {
            XCTAssertEqual($0 as? PacketError, .invalidVXLANFlags(0))
        }
    }
}

final class FrameRoundTripTests: XCTestCase {
    var rng = SeededRNG(seed: 2024)

    /// What the builder derives, applied to the caller's headers: the expected parse.
    private func expectedIPv4(_ ip: IPv4Header, _ proto: IPProtocol, l4Length: Int) -> IPv4Header {
        var e = ip
        e.protocol = proto
        e.totalLength = UInt16(ip.headerLength + l4Length)
        return e.withComputedChecksum()
    }

    private func ethernetIPv4(_ e: EthernetHeader) -> EthernetHeader {
        var x = e
        x.etherType = .ipv4
        return x
    }

    func testUDP() throws {
        for _ in 0..<500 {
            let eth = rng.ethernet(), ip = rng.plainIPv4(), payload = rng.bytes(Int.random(in: 0...1472, using: &rng))
            var udp = rng.udp()
            let frame = try PacketBuilder.udpFrame(ethernet: eth, ipv4: ip, udp: udp, payload: payload)
            XCTAssertEqual(frame.count, PacketBuilder.udpFrameLength(payloadLength: payload.count))
            let parsed = try XCTUnwrap(Frame.parse(frame))
            XCTAssertEqual(parsed.ethernet, ethernetIPv4(eth))
            XCTAssertEqual(parsed.ipv4, expectedIPv4(ip, .udp, l4Length: 8 + payload.count))
            udp.length = UInt16(8 + payload.count)
            udp.checksum = try XCTUnwrap(parsed.udp).checksum  // verified below
            XCTAssertEqual(parsed.udp, udp)
            XCTAssertEqual(Array(frame[parsed.payload]), payload)
            XCTAssertNil(parsed.encapsulation)
            let report = Frame.verifyChecksums(frame, parsed)
            XCTAssertEqual(report.ipv4, true)
            XCTAssertEqual(report.transport, true)
            XCTAssertNotEqual(udp.checksum, 0)
        }
    }

    func testUDPWithoutChecksumAndViaUnsafeBuffer() throws {
        let eth = rng.ethernet(), ip = rng.plainIPv4(), udp = rng.udp(), payload = rng.bytes(100)
        let viaArray = try PacketBuilder.udpFrame(ethernet: eth, ipv4: ip, udp: udp, payload: payload, udpChecksum: false)
        var buffer = [UInt8](repeating: 0xEE, count: 300)
        let n = try buffer.withUnsafeMutableBytes { dst in
            try payload.withUnsafeBytes { p in
                try PacketBuilder.udp(into: dst, at: 7, ethernet: eth, ipv4: ip, udp: udp, payload: p, udpChecksum: false)
            }
        }
        XCTAssertEqual(Array(buffer[7..<7 + n]), viaArray)
        XCTAssertEqual(buffer[6], 0xEE)
        XCTAssertEqual(buffer[7 + n], 0xEE)
        XCTAssertEqual(Frame.parse(viaArray)?.udp?.checksum, 0)
        XCTAssertNil(Frame.verifyChecksums(viaArray, Frame.parse(viaArray)!).transport)
        XCTAssertThrowsError(
            try buffer.withUnsafeMutableBytes { dst in
                try payload.withUnsafeBytes { p in
                    try PacketBuilder.udp(into: dst, at: 200, ethernet: eth, ipv4: ip, udp: udp, payload: p)
                }
            }
        ) { XCTAssertEqual($0 as? PacketError, .bufferTooSmall(needed: 142, available: 100)) }
    }

    func testTCP() throws {
        for _ in 0..<300 {
            let eth = rng.ethernet(), ip = rng.plainIPv4(), payload = rng.bytes(Int.random(in: 0...1400, using: &rng))
            var tcp = rng.tcp()
            let frame = try PacketBuilder.tcpFrame(ethernet: eth, ipv4: ip, tcp: tcp, payload: payload)
            let parsed = try XCTUnwrap(Frame.parse(frame))
            XCTAssertEqual(parsed.ipv4, expectedIPv4(ip, .tcp, l4Length: tcp.headerLength + payload.count))
            tcp.checksum = try XCTUnwrap(parsed.tcp).checksum
            XCTAssertEqual(parsed.tcp, tcp)
            XCTAssertEqual(Array(frame[parsed.payload]), payload)
            XCTAssertTrue(Frame.verifyChecksums(frame, parsed).allValid)
            XCTAssertEqual(Frame.verifyChecksums(frame, parsed).transport, true)
        }
    }

    func testICMPEcho() throws {
        for _ in 0..<300 {
            let eth = rng.ethernet(), ip = rng.plainIPv4(), payload = rng.bytes(Int.random(in: 0...100, using: &rng))
            var icmp = ICMPEchoHeader(type: ICMPEchoHeader.echoRequest, identifier: rng.u16(), sequenceNumber: rng.u16())
            let frame = try PacketBuilder.icmpFrame(ethernet: eth, ipv4: ip, icmp: icmp, payload: payload)
            let parsed = try XCTUnwrap(Frame.parse(frame))
            XCTAssertEqual(parsed.ipv4, expectedIPv4(ip, .icmp, l4Length: 8 + payload.count))
            icmp.checksum = try XCTUnwrap(parsed.icmp).checksum
            XCTAssertEqual(parsed.icmp, icmp)
            XCTAssertTrue(parsed.icmp!.isEcho)
            XCTAssertEqual(Frame.verifyChecksums(frame, parsed).transport, true)
        }
    }

    func testIPIP() throws {
        for _ in 0..<300 {
            let eth = rng.ethernet(), outer = rng.plainIPv4(), inner = rng.plainIPv4()
            var udp = rng.udp()
            let payload = rng.bytes(Int.random(in: 0...1400, using: &rng))
            // Built in place in one buffer ...
            var buffer = [UInt8](repeating: 0, count: 2000)
            let n = try buffer.withUnsafeMutableBytes { dst in
                try payload.withUnsafeBytes { p in
                    try PacketBuilder.ipipUDP(into: dst, ethernet: eth, outer: outer, inner: inner, udp: udp, payload: p)
                }
            }
            let frame = Array(buffer[..<n])
            // ... equals wrapping a separately built inner packet.
            let innerFrame = try PacketBuilder.udpFrame(ethernet: eth, ipv4: inner, udp: udp, payload: payload)
            let innerPacket = Array(innerFrame[14...])
            XCTAssertEqual(try PacketBuilder.ipipFrame(ethernet: eth, outer: outer, innerPacket: innerPacket), frame)
            XCTAssertEqual(n, innerPacket.count + 14 + IPIP.overhead)

            let parsed = try XCTUnwrap(Frame.parse(frame))
            XCTAssertEqual(parsed.encapsulation, .ipip)
            XCTAssertTrue(parsed.isIPIP)
            XCTAssertEqual(parsed.ipv4, expectedIPv4(outer, .ipip, l4Length: innerPacket.count))
            XCTAssertNil(parsed.transport)
            XCTAssertEqual(parsed.payload, IPIP.innerOffset()..<n)
            let innerLayers = try XCTUnwrap(parsed.inner)
            XCTAssertNil(innerLayers.ethernet)
            XCTAssertEqual(innerLayers.ipv4, expectedIPv4(inner, .udp, l4Length: 8 + payload.count))
            udp.length = UInt16(8 + payload.count)
            udp.checksum = try XCTUnwrap(innerLayers.udp).checksum
            XCTAssertEqual(innerLayers.udp, udp)
            XCTAssertEqual(Array(frame[innerLayers.payload]), payload)
            let report = Frame.verifyChecksums(frame, parsed)
            XCTAssertEqual([report.ipv4, report.innerIPv4, report.innerTransport], [true, true, true])
        }
    }

    func testVXLAN() throws {
        for i in 0..<300 {
            let outerEth = rng.ethernet(), outerIP = rng.plainIPv4(), innerEth = rng.ethernet(), innerIP = rng.plainIPv4()
            let port = i % 2 == 0 ? VXLANHeader.ianaPort : VXLANHeader.linuxDefaultPort
            var outerUDP = UDPHeader(sourcePort: UInt16.random(in: 32768...60999, using: &rng), destinationPort: port)
            let vxlan = VXLANHeader(vni: rng.u32() & 0xFF_FFFF)
            var innerUDP = rng.udp()
            let payload = rng.bytes(Int.random(in: 0...1400, using: &rng))
            let outerChecksum = i % 3 == 0
            var buffer = [UInt8](repeating: 0, count: 2000)
            let n = try buffer.withUnsafeMutableBytes { dst in
                try payload.withUnsafeBytes { p in
                    try PacketBuilder.vxlanUDP(
                        into: dst, outerEthernet: outerEth, outerIPv4: outerIP, outerUDP: outerUDP,
                        vxlan: vxlan, innerEthernet: innerEth, innerIPv4: innerIP,
                        innerUDP: innerUDP, payload: p, outerUDPChecksum: outerChecksum)
                }
            }
            let frame = Array(buffer[..<n])
            let innerFrame = try PacketBuilder.udpFrame(ethernet: innerEth, ipv4: innerIP, udp: innerUDP, payload: payload)
            XCTAssertEqual(
                try PacketBuilder.vxlanFrame(
                    ethernet: outerEth, ipv4: outerIP, udp: outerUDP, vxlan: vxlan,
                    innerFrame: innerFrame, udpChecksum: outerChecksum), frame)
            XCTAssertEqual(n, innerFrame.count + VXLANHeader.overhead)

            let parsed = try XCTUnwrap(Frame.parse(frame))
            XCTAssertEqual(parsed.vxlan, vxlan)
            XCTAssertEqual(parsed.vxlan?.vni, vxlan.vni)
            XCTAssertEqual(parsed.ethernet, ethernetIPv4(outerEth))
            XCTAssertEqual(parsed.ipv4, expectedIPv4(outerIP, .udp, l4Length: 16 + innerFrame.count))
            outerUDP.length = UInt16(16 + innerFrame.count)
            outerUDP.checksum = try XCTUnwrap(parsed.udp).checksum
            XCTAssertEqual(parsed.udp, outerUDP)
            XCTAssertEqual(outerUDP.checksum == 0, !outerChecksum)
            XCTAssertEqual(Array(frame[parsed.payload]), innerFrame)
            let innerLayers = try XCTUnwrap(parsed.inner)
            XCTAssertEqual(innerLayers.ethernet, ethernetIPv4(innerEth))
            XCTAssertEqual(innerLayers.ipv4, expectedIPv4(innerIP, .udp, l4Length: 8 + payload.count))
            innerUDP.length = UInt16(8 + payload.count)
            innerUDP.checksum = try XCTUnwrap(innerLayers.udp).checksum
            XCTAssertEqual(innerLayers.udp, innerUDP)
            XCTAssertEqual(Array(frame[innerLayers.payload]), payload)
            XCTAssertEqual(parsed.innermost, innerLayers)
            let report = Frame.verifyChecksums(frame, parsed)
            XCTAssertTrue(report.allValid)
            XCTAssertEqual(report.transport, outerChecksum ? true : nil)
            XCTAssertEqual(report.innerTransport, true)
        }
    }

    func testParserStopsWhereItShould() throws {
        let eth = rng.ethernet(), ip = rng.plainIPv4()
        var udpFrame = try PacketBuilder.udpFrame(
            ethernet: eth, ipv4: ip, udp: UDPHeader(sourcePort: 1, destinationPort: 4789),
            payload: rng.bytes(30))
        // Not VXLAN when decoding of encapsulation is off.
        let plain = try XCTUnwrap(Frame.parse(udpFrame, options: ParseOptions(decodeEncapsulation: false)))
        XCTAssertNil(plain.encapsulation)
        // VXLAN port with flags lacking the I bit: an error (Linux drops it).
        udpFrame[42] = 0
        XCTAssertThrowsError(try Frame.decode(udpFrame)) { XCTAssertEqual($0 as? PacketError, .invalidVXLANFlags(0)) }
        XCTAssertNil(Frame.parse(udpFrame))

        // ARP: Ethernet only.
        var arp = [UInt8](repeating: 0, count: 60)
        arp[12] = 0x08
        arp[13] = 0x06
        let a = try XCTUnwrap(Frame.parse(arp))
        XCTAssertEqual(a.ethernet?.etherType, .arp)
        XCTAssertNil(a.ipv4)
        XCTAssertEqual(a.payload, 14..<60)

        // Ethernet padding after a short packet is ignored.
        var short = try PacketBuilder.udpFrame(
            ethernet: eth, ipv4: ip, udp: UDPHeader(sourcePort: 1, destinationPort: 2),
            payload: [1, 2])
        short += [UInt8](repeating: 0, count: 60 - short.count)
        let s = try XCTUnwrap(Frame.parse(short))
        XCTAssertEqual(Array(short[s.payload]), [1, 2])

        // Fragment: stops at IPv4.
        var fragIP = ip
        fragIP.flags = .moreFragments
        let frag = try XCTUnwrap(
            Frame.parse(
                PacketBuilder.udpFrame(
                    ethernet: eth, ipv4: fragIP,
                    udp: UDPHeader(sourcePort: 1, destinationPort: 2))))
        XCTAssertNotNil(frag.ipv4)
        XCTAssertNil(frag.transport)

        // Truncation anywhere is an error, never a crash.
        let full = try PacketBuilder.udpFrame(
            ethernet: eth, ipv4: ip, udp: UDPHeader(sourcePort: 1, destinationPort: 2),
            payload: [1, 2, 3, 4])
        for cut in 0..<full.count {
            XCTAssertThrowsError(try Frame.decode(Array(full[..<cut])), "cut at \(cut)")
        }

        // Bare IPv4 packet (no Ethernet).
        let bare = try XCTUnwrap(Frame.parseIPv4Packet(Array(full[14...])))
        XCTAssertNil(bare.ethernet)
        XCTAssertEqual(bare.udp?.destinationPort, 2)
    }
}
