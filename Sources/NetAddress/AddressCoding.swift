// Addresses encode as the text a person writes ("10.244.0.0/16"), so state files and results
// stay readable.

/// The text form of an address as JSON: decoded with the type's own parser, refused naming
/// what was expected.
private protocol TextCoded: Codable, LosslessStringConvertible {
    static var expected: String { get }
}

extension TextCoded {
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = Self(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(s)' is not \(Self.expected)"))
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension IPv4Address: TextCoded { static var expected: String { "an IPv4 address" } }
extension IPv4Prefix: TextCoded { static var expected: String { "an IPv4 prefix (a.b.c.d/n)" } }
extension MACAddress: TextCoded { static var expected: String { "a MAC address" } }
