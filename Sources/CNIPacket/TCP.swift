// TCP header (RFC 9293). Options are not interpreted, as for IPv4: skipped on parse,
// zero-filled (End of Option List) on build.

/// TCP control bits (the low 8 of the 9; NS is obsolete, RFC 8311).
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)
}

public struct TCPHeader: Hashable, Sendable {
    public static let minimumLength = 20
    public static let maximumLength = 60

    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    /// Data offset × 4: 20...60 (byte storage, clamping, as for IPv4Header).
    public var headerLength: Int {
        get { Int(headerLengthStorage) }
        set { headerLengthStorage = UInt8(clamping: newValue) }
    }
    @usableFromInline var headerLengthStorage: UInt8
    public var flags: TCPFlags
    public var window: UInt16
    public var checksum: UInt16
    public var urgentPointer: UInt16

    public init(
        sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32 = 0,
        acknowledgmentNumber: UInt32 = 0, flags: TCPFlags = [], window: UInt16 = 65535,
        checksum: UInt16 = 0, urgentPointer: UInt16 = 0, headerLength: Int = 20
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.headerLengthStorage = UInt8(clamping: headerLength)
        self.flags = flags
        self.window = window
        self.checksum = checksum
        self.urgentPointer = urgentPointer
    }

    /// Writes the header exactly as given at `offset`; returns `headerLength`.
    @discardableResult
    public func write(to span: inout MutableRawSpan, at offset: Int = 0) throws(PacketError) -> Int {
        guard headerLength >= Self.minimumLength, headerLength <= Self.maximumLength, headerLength % 4 == 0 else {
            throw .invalidHeaderLength(.tcp, headerLength)
        }
        try requireCapacity(span.byteCount, offset: offset, needed: headerLength)
        span.put16(sourcePort, offset)
        span.put16(destinationPort, offset + 2)
        span.put32(sequenceNumber, offset + 4)
        span.put32(acknowledgmentNumber, offset + 8)
        span.put8(UInt8(headerLength / 4) << 4, offset + 12)  // reserved bits and NS = 0
        span.put8(flags.rawValue, offset + 13)
        span.put16(window, offset + 14)
        span.put16(checksum, offset + 16)
        span.put16(urgentPointer, offset + 18)
        span.zero(offset + 20, count: headerLength - 20)
        return headerLength
    }

    public static func parse(_ span: RawSpan, at offset: Int = 0) throws(PacketError) -> TCPHeader {
        try span.require(.tcp, offset: offset, length: minimumLength, limit: span.byteCount)
        let hl = Int(span.u8(offset + 12) >> 4) * 4
        guard hl >= minimumLength else { throw .invalidHeaderLength(.tcp, hl) }
        try span.require(.tcp, offset: offset, length: hl, limit: span.byteCount)
        return TCPHeader(
            sourcePort: span.be16(offset), destinationPort: span.be16(offset + 2),
            sequenceNumber: span.be32(offset + 4), acknowledgmentNumber: span.be32(offset + 8),
            flags: TCPFlags(rawValue: span.u8(offset + 13)), window: span.be16(offset + 14),
            checksum: span.be16(offset + 16), urgentPointer: span.be16(offset + 18),
            headerLength: hl)
    }
}
