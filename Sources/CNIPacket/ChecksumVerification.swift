// Checksum verification of a parsed frame against its bytes: what a receiver would
// check. Kept out of the parser because captured frames often carry offloaded
// (partial) checksums that are wrong on purpose.

/// Per-layer verdicts; nil where the layer is absent or carries no checksum (UDP 0).
public struct ChecksumReport: Hashable, Sendable {
    public var ipv4: Bool?
    public var transport: Bool?
    public var innerIPv4: Bool?
    public var innerTransport: Bool?

    /// True if no present checksum failed.
    public var allValid: Bool {
        ipv4 != false && transport != false && innerIPv4 != false && innerTransport != false
    }
}

extension Frame {
    /// Verifies IPv4 header and UDP/TCP/ICMP checksums of `frame`, which must have been
    /// parsed from these same `bytes`.
    public static func verifyChecksums(_ bytes: RawSpan, _ frame: ParsedFrame) -> ChecksumReport {
        let outer = verify(bytes, frame.outer)
        let inner = frame.inner.map { verify(bytes, $0) }
        return ChecksumReport(ipv4: outer.ip, transport: outer.l4, innerIPv4: inner?.ip, innerTransport: inner?.l4)
    }

    public static func verifyChecksums(_ bytes: [UInt8], _ frame: ParsedFrame) -> ChecksumReport {
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        verifyChecksums(unsafe bytes.span.bytes, frame)
    }

    public static func verifyChecksums(_ bytes: UnsafeRawBufferPointer, _ frame: ParsedFrame) -> ChecksumReport {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        verifyChecksums(unsafe bytes.bytes, frame)
    }

    static func verify(_ bytes: RawSpan, _ layers: PacketLayers) -> (ip: Bool?, l4: Bool?) {
        guard let ip = layers.ipv4, let ipAt = layers.ipv4Offset,
            ipAt >= 0, ipAt + Int(ip.totalLength) <= bytes.byteCount
        else { return (nil, nil) }
        let ipOK = InternetChecksum.verifies(bytes.extracting(ipAt..<ipAt + ip.headerLength))
        guard let l4 = layers.transportOffset, let transport = layers.transport else { return (ipOK, nil) }
        let ipEnd = ipAt + Int(ip.totalLength)
        let l4OK: Bool?
        switch transport {
        case let .udp(udp):
            if udp.checksum == 0 {
                l4OK = nil
            } else {
                let pseudo = InternetChecksum.pseudoHeaderSum(
                    source: ip.source, destination: ip.destination,
                    protocol: .udp, length: udp.length)
                l4OK = InternetChecksum.verifies(bytes.extracting(l4..<l4 + Int(udp.length)), initial: pseudo)
            }
        case .tcp:
            let pseudo = InternetChecksum.pseudoHeaderSum(
                source: ip.source, destination: ip.destination,
                protocol: .tcp, length: UInt16(ipEnd - l4))
            l4OK = InternetChecksum.verifies(bytes.extracting(l4..<ipEnd), initial: pseudo)
        case .icmp:
            l4OK = InternetChecksum.verifies(bytes.extracting(l4..<ipEnd))
        }
        return (ipOK, l4OK)
    }
}
