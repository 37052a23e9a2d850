import CNIPacket
import NetAddress
import XCTest

final class ChecksumTests: XCTestCase {
    func testRFC1071Example() {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2.
        let bytes: [UInt8] = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]
        XCTAssertEqual(InternetChecksum.sum(bytes), 0xDDF2)
        XCTAssertEqual(InternetChecksum.checksum(bytes), 0x220D)
    }

    func testKnownIPv4Header() {
        let header = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7")
        XCTAssertEqual(InternetChecksum.checksum(header), 0xB861)
        var withChecksum = header
        withChecksum[10] = 0xB8
        withChecksum[11] = 0x61
        XCTAssertEqual(InternetChecksum.checksum(withChecksum), 0, "a correct header sums to 0xFFFF")
        // The same from field values, as the builders compute it.
        let h = IPv4Header(
            source: IPv4Address("192.168.0.1")!, destination: IPv4Address("192.168.0.199")!,
            protocol: .udp, ttl: 64, identification: 0, flags: .dontFragment, totalLength: 0x73)
        XCTAssertEqual(h.computedChecksum(), 0xB861)
    }

    func testMatchesReferenceForAllLengthsAndAlignments() {
        var rng = SeededRNG(seed: 1071)
        for length in 0..<300 {
            let data = rng.bytes(length + 7)
            for start in 0..<4 {
                let slice = Array(data[start..<start + length])
                XCTAssertEqual(UInt16(InternetChecksum.sum(slice)), referenceSum(slice), "len \(length) start \(start)")
                // Same bytes at an odd address in memory: alignment must not matter.
                data.withUnsafeBytes { raw in
                    let sub = UnsafeRawBufferPointer(rebasing: raw[start..<start + length])
                    XCTAssertEqual(UInt16(InternetChecksum.sum(sub)), referenceSum(slice))
                }
            }
        }
        // Carry-heavy input: all 0xFF.
        let ones = [UInt8](repeating: 0xFF, count: 1501)
        XCTAssertEqual(UInt16(InternetChecksum.sum(ones)), referenceSum(ones))
    }

    func testIncrementalUpdateEqualsRecomputation() {
        var rng = SeededRNG(seed: 1624)
        for _ in 0..<20_000 {
            var data = rng.bytes(2 * Int.random(in: 1...40, using: &rng))
            if Int.random(in: 0..<50, using: &rng) == 0 { data = data.map { _ in 0 } }  // degenerate sums
            let checksum = referenceChecksum(data)
            if Bool.random(using: &rng) {
                // One 16-bit word.
                let w = 2 * Int.random(in: 0..<data.count / 2, using: &rng)
                let old = be16(data, w)
                let new = Bool.random(using: &rng) ? rng.u16() : [0, 0xFFFF, old].randomElement(using: &rng)!
                data[w] = UInt8(new >> 8)
                data[w + 1] = UInt8(new & 0xFF)
                check(
                    InternetChecksum.update(checksum, old: old, new: new), referenceChecksum(data),
                    degenerate: data.allSatisfy { $0 == 0 })
            } else if data.count >= 4 {
                // One aligned 32-bit field.
                let w = 2 * Int.random(in: 0...(data.count - 4) / 2, using: &rng)
                let old = UInt32(be16(data, w)) << 16 | UInt32(be16(data, w + 2))
                let new = rng.u32()
                for k in 0..<4 { data[w + k] = UInt8(truncatingIfNeeded: new >> (24 - 8 * k)) }
                check(
                    InternetChecksum.update(checksum, old: old, new: new), referenceChecksum(data),
                    degenerate: data.allSatisfy { $0 == 0 })
            }
        }
    }

    /// RFC 1624 eqn. 3 equals a full recomputation bit for bit, except that one's
    /// complement has two zeros: for all-zero data (sum +0) the two may differ as
    /// 0x0000 vs 0xFFFF, which are the same number. (Only all-zero data after the edit can
    /// make eqn. 3's sum come out as 0xFFFF while a full sum of zeros stays 0.)
    private func check(
        _ incremental: UInt16, _ full: UInt16, degenerate: Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        if degenerate {
            XCTAssertTrue([0, 0xFFFF].contains(incremental) && [0, 0xFFFF].contains(full), file: file, line: line)
        } else {
            XCTAssertEqual(incremental, full, file: file, line: line)
        }
    }

    func testIncrementalUpdateOnRealHeaderIsExact() {
        // For a real IPv4 header the sum is never 0, so the update is bit-exact.
        var rng = SeededRNG(seed: 7)
        for _ in 0..<5_000 {
            var h = rng.plainIPv4()
            h.totalLength = UInt16.random(in: 28...1500, using: &rng)
            let c = h.computedChecksum()
            var h2 = h
            h2.identification = rng.u16()
            XCTAssertEqual(
                InternetChecksum.update(c, old: h.identification, new: h2.identification),
                h2.computedChecksum())
            var h3 = h
            h3.source = rng.ip()
            XCTAssertEqual(
                InternetChecksum.update(c, old: h.source.value, new: h3.source.value),
                h3.computedChecksum())
        }
    }

    func testPseudoHeaderSum() {
        // 10.0.0.1 → 10.0.0.2, UDP, length 12: 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 12.
        let s = InternetChecksum.pseudoHeaderSum(
            source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
            protocol: .udp, length: 12)
        XCTAssertEqual(s, 0x0A00 + 0x0001 + 0x0A00 + 0x0002 + 17 + 12)
    }
}
