/// A run's name, validated once: every namespace, state directory and BIRD socket path of a run
/// is derived from it, and `down`/`clean` join it onto cnibench's own directories, so nothing
/// but a `RunName` may reach those places. A name that could walk out of a directory (`/`, `.`),
/// hide in a listing (spaces, control characters) or be mistaken for an option (leading `-`) is
/// refused here, before any command does anything.
public struct RunName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name as typed; always matches `[a-z0-9]([a-z0-9-]*[a-z0-9])?`, 1…`maxLength` bytes.
    public let value: String

    /// Namespace names are `<run>-node<i>-pod<j>` (files under /run/netns, NAME_MAX 255) and the
    /// BIRD control sockets are `/run/cnibench/<run>/bird/node<i>.ctl` (sun_path holds 107
    /// bytes): 32 keeps both far inside their limits and listings readable. Interface names
    /// never contain the run name (they are hashes of it), so IFNAMSIZ does not bound it.
    public static let maxLength = 32

    /// The default run of the lifecycle commands.
    public static let `default`: RunName = "cnb"

    public static let rule =
        "1–\(maxLength) characters of a–z, 0–9 and '-', starting and ending with a letter or digit (e.g. 'cnb', 'lab-2')"

    public init(_ text: String) throws(RunNameError) {
        if let problem = Self.problem(text) { throw RunNameError(text: text, problem: problem) }
        value = text
    }

    public var description: String { value }

    public static func < (a: RunName, b: RunName) -> Bool { a.value < b.value }

    /// What is wrong with `text` as a run name, or nil when it is valid.
    public static func problem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > maxLength { return "it is \(bytes.count) bytes long (at most \(maxLength))" }
        for b in bytes where !(isLowerAlnum(b) || b == UInt8(ascii: "-")) {
            switch b {
            case UInt8(ascii: "/"): return "it contains '/'"
            case UInt8(ascii: "."): return "it contains '.'"
            case 0...32, 127: return "it contains a space or control character"
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return "it contains an upper-case letter"
            default: return "it contains '\(Character(Unicode.Scalar(b)))'"  // non-ASCII bytes are refused here too
            }
        }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") { return "it starts or ends with '-'" }
        return nil
    }

    private static func isLowerAlnum(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    /// A name for a run that a benchmark builds from this one as prefix (`cnbb` + `hostgw`).
    /// The result is validated like any other name.
    public func appending(_ suffix: String) throws(RunNameError) -> RunName { try RunName(value + suffix) }
}

/// For names written in the source (defaults such as `"cnbb"`): a literal is the programmer's
/// constant, so an invalid one is a bug caught on first use, never user input.
extension RunName: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) {
        precondition(Self.problem(text) == nil, "invalid run-name literal '\(text)'")
        value = text
    }
}

extension RunName: Codable {
    /// A stored name is validated again on the way in: a `run.json` edited by hand cannot smuggle
    /// a path into `down`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

public struct RunNameError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var problem: String
    public var description: String {
        "run name '\(Truncated(text))' is not valid: \(problem); use \(RunName.rule)"
    }
}

/// A user-supplied value as messages show it: printable, and cut short when long, so that a
/// 10 MB argument is not echoed back whole.
public struct Truncated: CustomStringConvertible, Sendable {
    public var text: String
    public var limit: Int
    public init(_ text: String, limit: Int = 80) {
        self.text = text
        self.limit = limit
    }

    public var description: String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        let bytes = text.utf8.count
        guard printable.count > limit else { return printable }
        return String(printable.prefix(limit)) + "…(\(bytes) bytes)"
    }
}
