// ICMP header (RFC 792), shaped for echo request/reply, which is what connectivity
// checks send. Other types parse too: their 4-byte "rest of header" then lands in
// `identifier` (high half) and `sequenceNumber` (low half).

public struct ICMPEchoHeader: Hashable, Sendable {
    public static let length = 8
    public static let echoReply: UInt8 = 0
    public static let echoRequest: UInt8 = 8

    public var type: UInt8
    public var code: UInt8
    /// Over the ICMP header and data; no pseudo-header.
    public var checksum: UInt16
    public var identifier: UInt16
    public var sequenceNumber: UInt16

    public init(
        type: UInt8 = ICMPEchoHeader.echoRequest, code: UInt8 = 0, identifier: UInt16,
        sequenceNumber: UInt16, checksum: UInt16 = 0
    ) {
        self.type = type
        self.code = code
        self.checksum = checksum
        self.identifier = identifier
        self.sequenceNumber = sequenceNumber
    }

    public var isEcho: Bool { (type == Self.echoRequest || type == Self.echoReply) && code == 0 }

    @discardableResult
    public func write(to span: inout MutableRawSpan, at offset: Int = 0) throws(PacketError) -> Int {
        try requireCapacity(span.byteCount, offset: offset, needed: Self.length)
        span.put8(type, offset)
        span.put8(code, offset + 1)
        span.put16(checksum, offset + 2)
        span.put16(identifier, offset + 4)
        span.put16(sequenceNumber, offset + 6)
        return Self.length
    }

    public static func parse(_ span: RawSpan, at offset: Int = 0) throws(PacketError) -> ICMPEchoHeader {
        try span.require(.icmp, offset: offset, length: length, limit: span.byteCount)
        return ICMPEchoHeader(
            type: span.u8(offset), code: span.u8(offset + 1),
            identifier: span.be16(offset + 4), sequenceNumber: span.be16(offset + 6),
            checksum: span.be16(offset + 2))
    }
}
