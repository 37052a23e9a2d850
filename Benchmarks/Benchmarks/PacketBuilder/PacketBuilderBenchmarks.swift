// CNIPacket hot paths, measured with package-benchmark; see scripts/bench-packet.sh.
//
// Every benchmark runs 1000 packets per measured iteration (scalingFactor .kilo) so the
// per-iteration timer overhead is noise; figures per packet are the per-iteration ones
// divided by 1000. Frames are written round-robin into a 64-slot ring (4 KiB, stays in L1)
// so stores cannot be optimised away and each packet writes fresh lines, as a sendmmsg
// batch would. All buffers are allocated before measurement: mallocCountTotal must be 0.
import Benchmark
import CNIPacket
import CPacketReference
import NetAddress

let benchmarks: @Sendable () -> Void = {
    // Wall clock gets a wide margin (the VMs are shared and noisy; a relative tolerance
    // >= 100 % also means an improvement can never fail `thresholds check`). Mallocs must
    // stay exactly 0. CPU time is not collected: its per-iteration resolution here is a
    // 10 ms scheduler tick, so at ~10 µs per iteration it reads 0 or a tick.
    let thresholds: [BenchmarkMetric: BenchmarkThresholds] = [
        .wallClock: .init(relative: [.p90: 300.0]),
        .mallocCountTotal: .init(relative: [.p90: 0.0], absolute: [.p90: 0])
    ]
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 20,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 200_000,
        thresholds: thresholds
    )

    // MARK: Fixtures (built once, outside any measurement)

    let eth = EthernetHeader(destination: MACAddress(0x0A58_0AF4_0209), source: MACAddress(0x0A58_0AF4_0107))
    let podA = IPv4Address(10, 244, 1, 7), podB = IPv4Address(10, 244, 2, 9)
    let nodeA = IPv4Address(192, 168, 56, 11), nodeB = IPv4Address(192, 168, 56, 12)
    let ip = IPv4Header(source: podA, destination: podB, ttl: 64, identification: 1, flags: .dontFragment)
    let udp = UDPHeader(sourcePort: 40000, destinationPort: 5201)
    // 64 bytes written per frame: 14 Ethernet + 20 IPv4 + 8 UDP + 22 payload (no FCS).
    let payload64: [UInt8] = (0..<22).map { UInt8($0) }
    let template = try! UDPFrameTemplate(ethernet: eth, ipv4: ip, udp: udp, payload: payload64)
    precondition(template.frameLength == 64)

    let slots = 64, slotSize = 64
    let ring = UnsafeMutableRawBufferPointer.allocate(byteCount: slots * slotSize, alignment: 64)
    ring.initializeMemory(as: UInt8.self, repeating: 0)
    let ringBase = ring.baseAddress!
    let big = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
    big.initializeMemory(as: UInt8.self, repeating: 0)
    let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: payload64.count, alignment: 8)
    payload.copyBytes(from: payload64)
    let payloadView = UnsafeRawBufferPointer(payload)

    var cTemplate = cpr_udp_template()
    let templateBytes = template.bytes
    guard cpr_udp_template_init(&cTemplate, templateBytes, templateBytes.count, 0, 1) == 0 else {
        fatalError("C template init failed")
    }
    // The C reference must produce the very same bytes, or the comparison is meaningless.
    for k in [0, 1, 0x1234_5678, 0xFFFF, 0xDEAD_BEEF] as [UInt32] {
        let swift = template.frame(
            sourcePort: UInt16(truncatingIfNeeded: k), identification: UInt16(truncatingIfNeeded: k),
            stamp: k)
        var c = [UInt8](repeating: 0, count: 64)
        let n = c.withUnsafeMutableBufferPointer {
            cpr_udp_template_write(
                &cTemplate, $0.baseAddress, 64, UInt16(truncatingIfNeeded: k),
                UInt16(truncatingIfNeeded: k), k)
        }
        precondition(n == 64 && c == swift, "C reference differs from Swift for k=\(k)")
    }

    let udpFrame = try! PacketBuilder.udpFrame(ethernet: eth, ipv4: ip, udp: udp, payload: payload64)
    let outerIP = IPv4Header(source: nodeA, destination: nodeB, ttl: 64, identification: 7, flags: .dontFragment)
    let vxlanFrame = try! PacketBuilder.vxlanFrame(
        ethernet: eth, ipv4: outerIP, udp: UDPHeader(sourcePort: 51234, destinationPort: VXLANHeader.linuxDefaultPort),
        vxlan: VXLANHeader(vni: 1), innerFrame: udpFrame)
    let udpFrameBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: udpFrame.count, alignment: 16)
    udpFrameBuffer.copyBytes(from: udpFrame)
    let vxlanFrameBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: vxlanFrame.count, alignment: 16)
    vxlanFrameBuffer.copyBytes(from: vxlanFrame)
    let mtuPacket = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
    for i in 0..<1500 { mtuPacket[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }

    // MARK: Template-and-patch: Swift vs C

    Benchmark("PacketBuilder.udp64Template") { benchmark in
        benchmark.startMeasurement()
        var total = 0
        for i in benchmark.scaledIterations {
            // Same slot arithmetic as the C loop (mask, multiply, no overflow checks), so the
            // harness costs both sides the same.
            let slot = UnsafeMutableRawBufferPointer(start: ringBase + (i & (slots &- 1)) &* slotSize, count: slotSize)
            total &+= try! template.write(
                into: slot, sourcePort: UInt16(truncatingIfNeeded: i),
                identification: UInt16(truncatingIfNeeded: i),
                stamp: UInt32(truncatingIfNeeded: i))
        }
        benchmark.stopMeasurement()
        blackHole(total)
        blackHole(ring)
    }

    Benchmark("CReference.udp64Template") { benchmark in
        benchmark.startMeasurement()
        let total = cpr_udp_template_run(
            &cTemplate, ringBase.assumingMemoryBound(to: UInt8.self),
            slots - 1, slotSize, UInt64(benchmark.scaledIterations.count), 0)
        benchmark.stopMeasurement()
        blackHole(total)
        blackHole(ring)
    }

    // MARK: Full builds (headers → bytes, checksums summed)

    Benchmark("PacketBuilder.udp64") { benchmark in
        benchmark.startMeasurement()
        var total = 0
        for i in benchmark.scaledIterations {
            var u = udp
            u.sourcePort = UInt16(truncatingIfNeeded: i)
            let slot = UnsafeMutableRawBufferPointer(start: ringBase + (i & (slots &- 1)) &* slotSize, count: slotSize)
            total &+= try! PacketBuilder.udp(into: slot, ethernet: eth, ipv4: ip, udp: u, payload: payloadView)
        }
        benchmark.stopMeasurement()
        blackHole(total)
    }

    Benchmark("PacketBuilder.ipip") { benchmark in
        benchmark.startMeasurement()
        var total = 0
        for i in benchmark.scaledIterations {
            var u = udp
            u.sourcePort = UInt16(truncatingIfNeeded: i)
            total &+= try! PacketBuilder.ipipUDP(
                into: big, at: (i & 7) * 128, ethernet: eth, outer: outerIP, inner: ip,
                udp: u, payload: payloadView)
        }
        benchmark.stopMeasurement()
        blackHole(total)
    }

    Benchmark("PacketBuilder.vxlan") { benchmark in
        benchmark.startMeasurement()
        var total = 0
        for i in benchmark.scaledIterations {
            var u = udp
            u.sourcePort = UInt16(truncatingIfNeeded: i)
            total &+= try! PacketBuilder.vxlanUDP(
                into: big, at: (i & 7) * 128, outerEthernet: eth, outerIPv4: outerIP,
                outerUDP: UDPHeader(sourcePort: 51234, destinationPort: VXLANHeader.linuxDefaultPort),
                vxlan: VXLANHeader(vni: 1), innerEthernet: eth, innerIPv4: ip, innerUDP: u, payload: payloadView)
        }
        benchmark.stopMeasurement()
        blackHole(total)
    }

    // MARK: Parsing

    Benchmark("Parser.udp64") { benchmark in
        let bytes = UnsafeRawBufferPointer(udpFrameBuffer)
        benchmark.startMeasurement()
        var acc = 0
        for _ in benchmark.scaledIterations {
            let f = Frame.parse(bytes)
            acc &+= Int(f?.udp?.destinationPort ?? 0)
        }
        benchmark.stopMeasurement()
        blackHole(acc)
    }

    Benchmark("Parser.vxlan") { benchmark in
        let bytes = UnsafeRawBufferPointer(vxlanFrameBuffer)
        benchmark.startMeasurement()
        var acc = 0
        for _ in benchmark.scaledIterations {
            let f = Frame.parse(bytes)
            acc &+= Int(f?.vxlan?.vni ?? 0) &+ Int(f?.inner?.ipv4?.source.value ?? 0)
        }
        benchmark.stopMeasurement()
        blackHole(acc)
    }

    // MARK: Checksum

    Benchmark("Checksum.full1500") { benchmark in
        let bytes = UnsafeRawBufferPointer(mtuPacket)
        benchmark.startMeasurement()
        var acc: UInt32 = 0
        for i in benchmark.scaledIterations {
            // Change one byte per round, or the compiler may hoist the (pure) sum out of the loop.
            mtuPacket[0] = UInt8(truncatingIfNeeded: i)
            acc &+= InternetChecksum.sum(bytes)
        }
        benchmark.stopMeasurement()
        blackHole(acc)
    }
}
