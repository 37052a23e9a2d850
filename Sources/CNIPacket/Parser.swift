// Frame parser: Ethernet → IPv4 → UDP | TCP | ICMP, and one level of encapsulation
// (IPIP: inner IPv4 packet; VXLAN: inner Ethernet frame), decoded into plain values.
//
// Rules, chosen to match what a receiving Linux stack would accept:
//   * Every header is bounds-checked before it is read; all reads go through RawSpan, so
//     malformed input yields an error, never a trap or an out-of-bounds read.
//   * Structurally impossible or truncated headers are errors (`PacketError`).
//   * Things the parser merely does not decode are not errors: a non-IPv4 EtherType, an
//     unknown IP protocol, a fragment (no transport header to trust) end decoding at that
//     layer, with `payload` covering the rest.
//   * IPv4 `totalLength` bounds everything inside it, so Ethernet padding after a short
//     packet is ignored; UDP `length` bounds the UDP payload (and a VXLAN inner frame).
//   * Checksums are not verified while parsing (captures on veths with offload carry
//     partial checksums); `Frame.verifyChecksums` does it on request.
// Parsing allocates nothing: the result holds header values and offsets, not bytes.

/// The decoded transport header.
public enum TransportHeader: Hashable, Sendable {
    case udp(UDPHeader)
    case tcp(TCPHeader)
    case icmp(ICMPEchoHeader)
}

/// What an encapsulating packet carries.
public enum Encapsulation: Hashable, Sendable {
    case ipip
    case vxlan(VXLANHeader)
}

/// The headers of one packet (outer or inner), with offsets into the parsed bytes.
public struct PacketLayers: Hashable, Sendable {
    public var ethernet: EthernetHeader?
    public var ipv4: IPv4Header?
    public var transport: TransportHeader?
    /// Offset of the IPv4 header, when there is one.
    public var ipv4Offset: Int?
    /// Offset of the transport header, when there is one.
    public var transportOffset: Int?
    /// The bytes after the last decoded header, bounded by the enclosing length fields.
    /// For an encapsulating packet: the encapsulated packet/frame.
    public var payload: Range<Int>

    @inlinable
    public init(
        ethernet: EthernetHeader? = nil, ipv4: IPv4Header? = nil, transport: TransportHeader? = nil,
        ipv4Offset: Int? = nil, transportOffset: Int? = nil, payload: Range<Int>
    ) {
        self.ethernet = ethernet
        self.ipv4 = ipv4
        self.transport = transport
        self.ipv4Offset = ipv4Offset
        self.transportOffset = transportOffset
        self.payload = payload
    }

    @inlinable public var udp: UDPHeader? { if case let .udp(h)? = transport { h } else { nil } }
    @inlinable public var tcp: TCPHeader? { if case let .tcp(h)? = transport { h } else { nil } }
    @inlinable public var icmp: ICMPEchoHeader? { if case let .icmp(h)? = transport { h } else { nil } }
}

/// A decoded frame: outer headers, and for IPIP/VXLAN the encapsulation and inner headers.
public struct ParsedFrame: Hashable, Sendable {
    public var outer: PacketLayers
    public var encapsulation: Encapsulation?
    public var inner: PacketLayers?

    @inlinable
    public init(outer: PacketLayers, encapsulation: Encapsulation? = nil, inner: PacketLayers? = nil) {
        self.outer = outer
        self.encapsulation = encapsulation
        self.inner = inner
    }

    /// A frame with nothing decoded, to pass to `Frame.decode(_:into:)`.
    @inlinable
    public static var empty: ParsedFrame { ParsedFrame(outer: PacketLayers(payload: 0..<0)) }

    // Outer-layer shortcuts: frame.ipv4?.protocol, frame.udp?.destinationPort, ...
    @inlinable public var ethernet: EthernetHeader? { outer.ethernet }
    @inlinable public var ipv4: IPv4Header? { outer.ipv4 }
    @inlinable public var transport: TransportHeader? { outer.transport }
    @inlinable public var udp: UDPHeader? { outer.udp }
    @inlinable public var tcp: TCPHeader? { outer.tcp }
    @inlinable public var icmp: ICMPEchoHeader? { outer.icmp }
    @inlinable public var payload: Range<Int> { outer.payload }

    @inlinable public var vxlan: VXLANHeader? { if case let .vxlan(h)? = encapsulation { h } else { nil } }
    @inlinable public var isIPIP: Bool { encapsulation == .ipip }
    /// The inner packet if encapsulated, else the outer one.
    @inlinable public var innermost: PacketLayers { inner ?? outer }
}

public struct ParseOptions: Hashable, Sendable {
    // Up to four ports kept inline (no array) so that passing options around costs no
    // retain/release on the per-packet path.
    @usableFromInline var ports: (UInt16, UInt16, UInt16, UInt16)
    @usableFromInline var portCount: Int
    /// Decode IPIP and VXLAN payloads (one level). Off: stop at the outer transport.
    public var decodeEncapsulation: Bool

    /// `vxlanPorts`: UDP destination ports whose payload is decoded as VXLAN (at most 4;
    /// extra ones are ignored).
    public init(
        vxlanPorts: [UInt16] = [VXLANHeader.ianaPort, VXLANHeader.linuxDefaultPort],
        decodeEncapsulation: Bool = true
    ) {
        var p: [UInt16] = Array(vxlanPorts.prefix(4))
        portCount = p.count
        while p.count < 4 { p.append(0) }
        ports = (p[0], p[1], p[2], p[3])
        self.decodeEncapsulation = decodeEncapsulation
    }

    public var vxlanPorts: [UInt16] { Array([ports.0, ports.1, ports.2, ports.3].prefix(portCount)) }

    @inlinable
    func isVXLANPort(_ port: UInt16) -> Bool {
        (portCount > 0 && ports.0 == port) || (portCount > 1 && ports.1 == port)
            || (portCount > 2 && ports.2 == port) || (portCount > 3 && ports.3 == port)
    }

    public static let `default` = ParseOptions()

    public static func == (a: ParseOptions, b: ParseOptions) -> Bool {
        a.vxlanPorts == b.vxlanPorts && a.decodeEncapsulation == b.decodeEncapsulation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(vxlanPorts)
        hasher.combine(decodeEncapsulation)
    }
}

public enum Frame {
    // MARK: Ethernet frames

    /// Decodes an Ethernet frame; throws on truncated or malformed headers.
    public static func decode(_ bytes: RawSpan, options: ParseOptions = .default) throws(PacketError) -> ParsedFrame {
        try decode(bytes, ethernet: true, options: options)
    }

    /// Decodes an Ethernet frame; nil on truncated or malformed headers.
    @inlinable
    public static func parse(_ bytes: RawSpan, options: ParseOptions = .default) -> ParsedFrame? {
        parse(bytes, ethernet: true, options: options)
    }

    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        options: ParseOptions = .default
    ) throws(PacketError) -> ParsedFrame {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        try decode(unsafe bytes.bytes, ethernet: true, options: options)
    }

    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer, options: ParseOptions = .default) -> ParsedFrame? {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        parse(unsafe bytes.bytes, ethernet: true, options: options)
    }

    public static func decode(_ bytes: [UInt8], options: ParseOptions = .default) throws(PacketError) -> ParsedFrame {
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        try decode(unsafe bytes.span.bytes, ethernet: true, options: options)
    }

    public static func parse(_ bytes: [UInt8], options: ParseOptions = .default) -> ParsedFrame? {
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        parse(unsafe bytes.span.bytes, ethernet: true, options: options)
    }

    /// Decodes an Ethernet frame into an existing value, for loops over many frames
    /// (capture analysis) that want no per-frame copy of the result. On error `frame`
    /// holds whatever was decoded before the failing header.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, into frame: inout ParsedFrame,
        options: ParseOptions = .default
    ) throws(PacketError) {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        try decode(unsafe bytes.bytes, ethernet: true, options: options, into: &frame)
    }

    // MARK: Bare IPv4 packets (tun devices, IPIP interfaces, cooked captures)

    public static func decodeIPv4Packet(
        _ bytes: RawSpan,
        options: ParseOptions = .default
    ) throws(PacketError) -> ParsedFrame {
        try decode(bytes, ethernet: false, options: options)
    }

    public static func parseIPv4Packet(_ bytes: [UInt8], options: ParseOptions = .default) -> ParsedFrame? {
        // SAFETY: raw views of [UInt8] are sound (no padding, no invalid bit patterns).
        parse(unsafe bytes.span.bytes, ethernet: false, options: options)
    }

    public static func parseIPv4Packet(
        _ bytes: UnsafeRawBufferPointer,
        options: ParseOptions = .default
    ) -> ParsedFrame? {
        // SAFETY: caller memory valid for the call (API contract); the span is bounded by it.
        parse(unsafe bytes.bytes, ethernet: false, options: options)
    }

    // MARK: Implementation

    @inlinable
    static func parse(_ bytes: RawSpan, ethernet: Bool, options: ParseOptions) -> ParsedFrame? {
        var frame = ParsedFrame.empty
        do { try decode(bytes, ethernet: ethernet, options: options, into: &frame) } catch { return nil }
        return frame
    }

    // The result is filled in place: ParsedFrame is a few hundred bytes, and building it
    // from parts costs more in copies than the parsing itself.
    static func decode(_ bytes: RawSpan, ethernet: Bool, options: ParseOptions) throws(PacketError) -> ParsedFrame {
        var frame = ParsedFrame.empty
        try decode(bytes, ethernet: ethernet, options: options, into: &frame)
        return frame
    }

    @usableFromInline
    static func decode(
        _ bytes: RawSpan, ethernet: Bool, options: ParseOptions,
        into frame: inout ParsedFrame
    ) throws(PacketError) {
        frame.encapsulation = nil
        frame.inner = nil
        try layers(bytes, from: 0, to: bytes.byteCount, ethernet: ethernet, into: &frame.outer)
        guard options.decodeEncapsulation, let ip = frame.outer.ipv4, !ip.isFragment else { return }
        let payload = frame.outer.payload
        if ip.protocol == .ipip {
            // The outer payload is exactly the inner IPv4 packet.
            frame.encapsulation = .ipip
            frame.inner = PacketLayers(payload: payload)
            try layers(bytes, from: payload.lowerBound, to: payload.upperBound, ethernet: false, into: &frame.inner!)
        } else if let udp = frame.outer.udp, options.isVXLANPort(udp.destinationPort) {
            let vxlan = try VXLANHeader.parse(bytes.extracting(0..<payload.upperBound), at: payload.lowerBound)
            let innerStart = payload.lowerBound + VXLANHeader.length
            frame.encapsulation = .vxlan(vxlan)
            frame.outer.payload = innerStart..<payload.upperBound
            frame.inner = PacketLayers(payload: frame.outer.payload)
            try layers(bytes, from: innerStart, to: payload.upperBound, ethernet: true, into: &frame.inner!)
        }
    }

    /// Decodes [Ethernet →] IPv4 → transport within `start ..< end` of `bytes`. Offsets in
    /// the result are relative to `bytes`, so inner and outer layers share one coordinate system.
    static func layers(
        _ bytes: RawSpan, from start: Int, to end: Int, ethernet: Bool,
        into result: inout PacketLayers
    ) throws(PacketError) {
        // Every read below goes through `window`, which ends at `end`, so no header can be
        // read past the bytes its enclosing layer vouches for.
        var window = bytes.extracting(0..<end)
        result = PacketLayers(payload: start..<end)
        var at = start
        if ethernet {
            let eth = try EthernetHeader.parse(window, at: at)
            result.ethernet = eth
            at += EthernetHeader.length
            result.payload = at..<end
            guard eth.etherType == .ipv4 else { return }
        }

        let ip = try IPv4Header.parse(window, at: at)
        let ipEnd = at + Int(ip.totalLength)
        guard ipEnd <= end else { throw .truncated(.ipv4, needed: Int(ip.totalLength), available: end - at) }
        window = bytes.extracting(0..<ipEnd)
        let l4 = at + ip.headerLength
        result.ipv4 = ip
        result.ipv4Offset = at
        result.payload = l4..<ipEnd
        guard !ip.isFragment else { return }

        switch ip.protocol {
        case .udp:
            let udp = try UDPHeader.parse(window, at: l4)
            let udpLength = Int(udp.length)
            guard udpLength >= UDPHeader.length, udpLength <= ipEnd - l4 else { throw .invalidLength(.udp, udpLength) }
            result.transport = .udp(udp)
            result.payload = l4 + UDPHeader.length..<l4 + udpLength
        case .tcp:
            let tcp = try TCPHeader.parse(window, at: l4)
            result.transport = .tcp(tcp)
            result.payload = l4 + tcp.headerLength..<ipEnd
        case .icmp:
            let icmp = try ICMPEchoHeader.parse(window, at: l4)
            result.transport = .icmp(icmp)
            result.payload = l4 + ICMPEchoHeader.length..<ipEnd
        default:
            return
        }
        result.transportOffset = l4
    }
}
