// Shared helpers: a seeded RNG (tests must be reproducible) and random header values.
import CNIPacket
import NetAddress

/// SplitMix64: tiny, fast, and fully determined by its seed.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededRNG {
    mutating func u8() -> UInt8 { UInt8.random(in: .min ... .max, using: &self) }
    mutating func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &self) }
    mutating func u32() -> UInt32 { UInt32.random(in: .min ... .max, using: &self) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in u8() } }

    mutating func mac() -> MACAddress { MACAddress(next()) }
    mutating func ip() -> IPv4Address { IPv4Address(u32()) }

    mutating func ethernet() -> EthernetHeader {
        EthernetHeader(destination: mac(), source: mac(), etherType: EtherType(u16()))
    }

    mutating func ipv4() -> IPv4Header {
        IPv4Header(
            source: ip(), destination: ip(), protocol: IPProtocol(u8()), ttl: u8(), identification: u16(),
            flags: IPv4Flags(rawValue: u8() & 0x7), fragmentOffset: u16() & 0x1FFF, tos: u8(),
            totalLength: UInt16.random(in: 60 ... .max, using: &self), headerChecksum: u16(),
            headerLength: 20 + 4 * Int.random(in: 0...10, using: &self))
    }

    /// A header the frame builders can use as is: unfragmented, no options.
    mutating func plainIPv4() -> IPv4Header {
        IPv4Header(
            source: ip(), destination: ip(), ttl: UInt8.random(in: 1...255, using: &self),
            identification: u16(), flags: Bool.random(using: &self) ? .dontFragment : [], tos: u8())
    }

    mutating func udp() -> UDPHeader {
        UDPHeader(sourcePort: u16(), destinationPort: u16(), length: u16(), checksum: u16())
    }

    mutating func tcp() -> TCPHeader {
        TCPHeader(
            sourcePort: u16(), destinationPort: u16(), sequenceNumber: u32(), acknowledgmentNumber: u32(),
            flags: TCPFlags(rawValue: u8()), window: u16(), checksum: u16(), urgentPointer: u16(),
            headerLength: 20 + 4 * Int.random(in: 0...10, using: &self))
    }

    mutating func icmp() -> ICMPEchoHeader {
        ICMPEchoHeader(type: u8(), code: u8(), identifier: u16(), sequenceNumber: u16(), checksum: u16())
    }
}

/// RFC 1071 the slow obvious way, as an independent reference.
func referenceSum(_ bytes: [UInt8]) -> UInt16 {
    var sum: UInt32 = 0
    var i = 0
    while i + 1 < bytes.count {
        sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
        i += 2
    }
    if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
    while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
    return UInt16(sum)
}

func referenceChecksum(_ bytes: [UInt8]) -> UInt16 { ~referenceSum(bytes) }

func hex(_ s: String) -> [UInt8] {
    let digits = s.filter(\.isHexDigit)
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

func be16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) << 8 | UInt16(b[o + 1]) }
