import CNIPacket
import Foundation
import XCTest
@testable import Topology
@testable import TopologyModel
import ProcessKit
@testable import NetAddress
@testable import Netlink

/// Frames captured from the testbed's own datapaths (AF_PACKET, the verify capture) parse with
/// CNIPacket, and PacketBuilder, given the same field values, builds the same bytes. Fields that
/// legitimately differ are masked: a checksum left for offload (CHECKSUM_PARTIAL on veth: the
/// field holds the pseudo-header sum, not the checksum) and VXLAN's outer UDP source port (a
/// flow hash); IP identification is taken from the capture, since it is the kernel's choice.
final class CapturedFrameTests: KernelTestCase {
    static let port: UInt16 = 7777
    static let payload = Array("cnibench captured frame".utf8)

    /// Sends one kernel-built UDP datagram from `pod` (bash's /dev/udp: an ordinary UDP socket)
    /// while capturing on `ns`/`dev`; returns the first frame carrying it.
    private func capture(
        _ ns: String, _ dev: String, from pod: String, to dst: IPv4Address,
        match: ([UInt8]) -> Bool
    ) throws -> [UInt8]? {
        let capture = try PacketCapture(namespace: try NetworkNamespace.open(ns), interface: dev, timeout: .milliseconds(100))
        let src = try NetworkNamespace.open(pod)
        _ = try ping(from: pod, dst)  // resolve neighbours first, so the datagram is not queued behind ARP
        for _ in 0..<3 {
            let text = String(decoding: Self.payload, as: UTF8.self)
            try ChildProcess.spawn(["bash", "-c", "printf '%s' '\(text)' > /dev/udp/\(dst)/\(Self.port)"], in: src).wait()
            let deadline = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < deadline {
                guard let f = try capture.next() else { continue }
                if match(f) { return f }
            }
        }
        return nil
    }

    /// True if `f`'s innermost UDP is our datagram.
    private static func isOurs(_ f: [UInt8]) -> Bool {
        guard let p = Frame.parse(f), let u = p.innermost.udp else { return false }
        return u.destinationPort == port && Array(f[p.innermost.payload]) == payload
    }

    private static func be16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) << 8 | UInt16(b[o + 1]) }

    /// Compares built and captured bytes, except at `masked` offsets (2-byte fields).
    private func assertSame(
        _ built: [UInt8], _ kernel: [UInt8], masked: [Int], _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(built.count, kernel.count, "\(what): length", file: file, line: line)
        var a = built, b = kernel
        for o in masked where o + 1 < a.count && o + 1 < b.count {
            a[o] = 0
            a[o + 1] = 0
            b[o] = 0
            b[o + 1] = 0
        }
        if a != b {
            let diffs = zip(a, b).enumerated().filter { $0.element.0 != $0.element.1 }.map {
                "@\($0.offset): \($0.element.0) vs \($0.element.1)"
            }
            XCTFail("\(what): built frame differs from the kernel's at \(diffs.prefix(8))", file: file, line: line)
        }
    }

    /// A UDP checksum as the kernel left it: complete (equal to ours) or, with offload pending,
    /// the folded pseudo-header sum that the device (here: nobody, it is a veth) would finish.
    private func checkUDPChecksum(
        _ kernel: UInt16, built: UInt16, ip: CNIPacket.IPv4Header, udpLength: UInt16,
        _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        if kernel == built { return }
        let pseudo = InternetChecksum.fold(
            InternetChecksum.pseudoHeaderSum(
                source: ip.source, destination: ip.destination,
                protocol: .udp, length: udpLength))
        XCTAssertEqual(
            kernel, pseudo, "\(what): UDP checksum is neither ours (\(built)) nor a partial (offload) one", file: file, line: line)
    }

    private func ipHeader(like h: CNIPacket.IPv4Header, protocol p: IPProtocol) -> CNIPacket.IPv4Header {
        CNIPacket.IPv4Header(
            source: h.source, destination: h.destination, protocol: p, ttl: h.ttl,
            identification: h.identification, flags: h.flags, tos: h.tos)
    }

    // MARK: a kernel-built UDP packet from a pod

    func testKernelUDPFromAPod() throws {
        let r = try up(spec("ktcfu", mode: .none, nodes: 1, pods: 2))
        let pods = r.plan.addressing.allPods
        let node = r.plan.addressing.nodes[0]
        guard let kernel = try capture(node.namespace, pods[0].hostVeth, from: pods[0].namespace, to: pods[1].ip, match: Self.isOurs) else {
            return XCTFail("no UDP datagram captured on \(pods[0].hostVeth)")
        }
        let p = try XCTUnwrap(Frame.parse(kernel))
        let eth = try XCTUnwrap(p.ethernet), ip = try XCTUnwrap(p.ipv4), udp = try XCTUnwrap(p.udp)
        XCTAssertEqual(ip.source.description, pods[0].ip.description)
        XCTAssertEqual(ip.destination.description, pods[1].ip.description)
        XCTAssertEqual(ip.ttl, 64)
        XCTAssertTrue(ip.flags.contains(.dontFragment), "Linux sets DF on UDP (PMTU discovery 'want')")
        XCTAssertEqual(udp.destinationPort, Self.port)
        XCTAssertEqual(Int(udp.length), 8 + Self.payload.count)
        XCTAssertNil(p.encapsulation)

        let built = try PacketBuilder.udpFrame(
            ethernet: eth, ipv4: ipHeader(like: ip, protocol: .udp),
            udp: UDPHeader(sourcePort: udp.sourcePort, destinationPort: udp.destinationPort),
            payload: Self.payload)
        let udpCk = 14 + 20 + 6
        assertSame(built, kernel, masked: [udpCk], "kernel UDP")
        checkUDPChecksum(Self.be16(kernel, udpCk), built: Self.be16(built, udpCk), ip: ip, udpLength: udp.length, "kernel UDP")
    }

    // MARK: VXLAN on the underlay (flannel-vxlan)

    func testVXLANFrameOnTheUnderlay() throws {
        let r = try up(spec("ktcfv", mode: .flannelVXLAN, nodes: 2, pods: 1))
        let a = r.plan.addressing
        let (src, dst) = (a.nodes[0].pods[0], a.nodes[1].pods[0])
        guard
            let kernel = try capture(
                a.fabricNamespace, a.nodes[0].uplinkPeer, from: src.namespace, to: dst.ip,
                match: {
                    Frame.parse($0)?.vxlan != nil && Self.isOurs($0)
                })
        else { return XCTFail("no VXLAN frame captured on \(a.fabricNamespace)/\(a.nodes[0].uplinkPeer)") }
        let p = try XCTUnwrap(Frame.parse(kernel))
        let outerIP = try XCTUnwrap(p.ipv4), outerUDP = try XCTUnwrap(p.udp), vx = try XCTUnwrap(p.vxlan)
        let inner = try XCTUnwrap(p.inner)
        let innerIP = try XCTUnwrap(inner.ipv4), innerUDP = try XCTUnwrap(inner.udp), innerEth = try XCTUnwrap(inner.ethernet)
        XCTAssertEqual(outerIP.source.description, a.nodes[0].ip.description)
        XCTAssertEqual(outerIP.destination.description, a.nodes[1].ip.description)
        XCTAssertEqual(outerUDP.destinationPort, 8472)
        XCTAssertEqual(vx.vni, 1)
        XCTAssertEqual(innerEth.source.description, a.nodes[0].vtepMAC.description, "inner source: node1's flannel.1")
        XCTAssertEqual(innerEth.destination.description, a.nodes[1].vtepMAC.description, "inner destination: node2's VTEP")
        XCTAssertEqual(innerIP.source.description, src.ip.description)
        XCTAssertEqual(innerIP.destination.description, dst.ip.description)
        XCTAssertEqual(innerIP.ttl, 63, "forwarded once, by node1")

        var built = [UInt8](repeating: 0, count: kernel.count)
        try built.withUnsafeMutableBytes { buf in
            try Self.payload.withUnsafeBytes { pl in
                _ = try PacketBuilder.vxlanUDP(
                    into: buf, outerEthernet: try XCTUnwrap(p.ethernet), outerIPv4: ipHeader(like: outerIP, protocol: .udp),
                    outerUDP: UDPHeader(sourcePort: outerUDP.sourcePort, destinationPort: 8472), vxlan: VXLANHeader(vni: 1),
                    innerEthernet: innerEth, innerIPv4: ipHeader(like: innerIP, protocol: .udp),
                    innerUDP: UDPHeader(sourcePort: innerUDP.sourcePort, destinationPort: innerUDP.destinationPort), payload: pl,
                    outerUDPChecksum: outerUDP.checksum != 0)
            }
        }
        // The outer source port is a flow hash; the outer checksum covers it, so it is compared
        // after rebuilding with the kernel's port (below, unmasked) — or left partial by offload.
        let outerSport = 14 + 20, outerCk = 14 + 20 + 6, innerCk = 14 + 20 + 8 + 8 + 14 + 20 + 6
        assertSame(built, kernel, masked: [outerCk, innerCk], "VXLAN")
        XCTAssertNotEqual(Self.be16(kernel, outerSport), 0)
        if outerUDP.checksum != 0 {
            checkUDPChecksum(outerUDP.checksum, built: Self.be16(built, outerCk), ip: outerIP, udpLength: outerUDP.length, "VXLAN outer")
        }
        checkUDPChecksum(
            Self.be16(kernel, innerCk), built: Self.be16(built, innerCk), ip: innerIP, udpLength: innerUDP.length, "VXLAN inner")
    }

    // MARK: IPIP from the tc-BPF encapsulation (calico-ipip)

    func testIPIPPacketFromTheBPFEncapsulation() throws {
        let r = try up(spec("ktcfi", mode: .calicoIPIP, underlay: .l3, nodes: 2, pods: 1))
        guard r.plan.ipip == .tcBPF else {
            print("SKIP \(name): this kernel has the ipip driver, so calico-ipip uses tunl0, not the tc-BPF program")
            throw XCTSkip("kernel ipip in use")
        }
        let a = r.plan.addressing
        let (src, dst) = (a.nodes[0].pods[0], a.nodes[1].pods[0])
        guard
            let kernel = try capture(
                a.fabricNamespace, a.nodes[0].uplinkPeer, from: src.namespace, to: dst.ip,
                match: {
                    Frame.parse($0)?.isIPIP == true && Self.isOurs($0)
                })
        else { return XCTFail("no IPIP packet captured on \(a.fabricNamespace)/\(a.nodes[0].uplinkPeer)") }
        let p = try XCTUnwrap(Frame.parse(kernel))
        let outerIP = try XCTUnwrap(p.ipv4), inner = try XCTUnwrap(p.inner)
        let innerIP = try XCTUnwrap(inner.ipv4), innerUDP = try XCTUnwrap(inner.udp)
        XCTAssertEqual(outerIP.protocol, .ipip)
        XCTAssertEqual(outerIP.source.description, a.nodes[0].ip.description)
        XCTAssertEqual(outerIP.destination.description, a.nodes[1].ip.description)
        XCTAssertEqual(innerIP.source.description, src.ip.description)
        XCTAssertEqual(innerIP.destination.description, dst.ip.description)
        let ck = Frame.verifyChecksums(kernel, p)
        XCTAssertEqual(ck.ipv4, true, "the BPF program's outer header checksum verifies")
        XCTAssertEqual(ck.innerIPv4, true, "the inner header checksum verifies")

        var built = [UInt8](repeating: 0, count: kernel.count)
        try built.withUnsafeMutableBytes { buf in
            try Self.payload.withUnsafeBytes { pl in
                _ = try PacketBuilder.ipipUDP(
                    into: buf, ethernet: try XCTUnwrap(p.ethernet), outer: ipHeader(like: outerIP, protocol: .ipip),
                    inner: ipHeader(like: innerIP, protocol: .udp),
                    udp: UDPHeader(sourcePort: innerUDP.sourcePort, destinationPort: innerUDP.destinationPort),
                    payload: pl)
            }
        }
        let innerCk = 14 + 20 + 20 + 6
        assertSame(built, kernel, masked: [innerCk], "IPIP")
        checkUDPChecksum(
            Self.be16(kernel, innerCk), built: Self.be16(built, innerCk), ip: innerIP, udpLength: innerUDP.length, "IPIP inner")
    }
}
