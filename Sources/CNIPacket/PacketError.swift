// One typed error for builders and parsers. Typed throws keep the error path
// allocation-free (no existential box), which matters because the template writer
// and the parser sit on hot paths.

/// The protocol layer an error refers to.
public enum PacketLayer: String, Hashable, Sendable, CustomStringConvertible {
    case ethernet, ipv4, udp, tcp, icmp, vxlan, ipip, payload
    public var description: String { rawValue }
}

/// Why a frame could not be built or parsed.
public enum PacketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Builder: the destination buffer cannot hold the frame.
    case bufferTooSmall(needed: Int, available: Int)
    /// Parser: the bytes end before the header (or the length it announces) does.
    case truncated(PacketLayer, needed: Int, available: Int)
    /// Parser: IPv4 version nibble is not 4.
    case unsupportedVersion(UInt8)
    /// IHL / TCP data offset outside 20...60 bytes (or not a multiple of 4 on build).
    case invalidHeaderLength(PacketLayer, Int)
    /// A length field that contradicts its own header (IPv4 total length below IHL,
    /// UDP length below 8, ...) or exceeds 65535 on build.
    case invalidLength(PacketLayer, Int)
    /// VXLAN header without the I flag (RFC 7348: receivers must drop it).
    case invalidVXLANFlags(UInt8)
    /// Builder: a field value does not fit its wire width (VNI > 24 bits, ...).
    case valueOutOfRange(PacketLayer, field: String, value: Int)

    public var description: String {
        switch self {
        case let .bufferTooSmall(needed, available):
            "buffer too small: need \(needed) bytes, have \(available)"
        case let .truncated(layer, needed, available):
            "\(layer): truncated, need \(needed) bytes, have \(available)"
        case let .unsupportedVersion(v):
            "ipv4: version \(v) is not 4"
        case let .invalidHeaderLength(layer, n):
            "\(layer): invalid header length \(n)"
        case let .invalidLength(layer, n):
            "\(layer): invalid length \(n)"
        case let .invalidVXLANFlags(f):
            "vxlan: flags 0x\(String(f, radix: 16)) lack the I bit"
        case let .valueOutOfRange(layer, field, value):
            "\(layer): \(field) \(value) out of range"
        }
    }
}
