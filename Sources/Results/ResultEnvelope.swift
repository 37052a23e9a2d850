import Foundation

// Every JSON file cnibench writes opens with the same envelope: `kind`, `schemaVersion`,
// `createdAt` and `environment`, at the top level *beside* the body's own fields (not wrapping
// them in a `body`), so that the field names of files written before the envelope stay where
// readers look for them. docs/result-schema.md ("Envelope") lists the kinds.

/// Where a file's numbers were made: the part of the machine every kind records. A bench
/// result's `EnvironmentFingerprint` has these fields and more, under the same names.
public struct HostEnvironment: Codable, Sendable, Equatable {
    /// Kernel release (/proc/sys/kernel/osrelease), e.g. "6.8.0-1015-azure".
    public var kernel: String
    /// The kernel's build string (/proc/sys/kernel/version), kept apart from the release.
    public var kernelVersion: String?
    public var cpuModel: String
    public var cpuCount: Int
    public var cnibenchVersion: String
    /// The `cnibench vm` guest the numbers were made in; absent on a host.
    public var guest: GuestEnvironment? = nil

    public init(
        kernel: String, kernelVersion: String? = nil, cpuModel: String, cpuCount: Int, cnibenchVersion: String,
        guest: GuestEnvironment? = nil
    ) {
        self.guest = guest
        self.kernel = kernel
        self.kernelVersion = kernelVersion
        self.cpuModel = cpuModel
        self.cpuCount = cpuCount
        self.cnibenchVersion = cnibenchVersion
    }
}

extension EnvironmentFingerprint {
    /// The envelope's part of a bench result's fingerprint.
    public var host: HostEnvironment {
        HostEnvironment(
            kernel: kernel, kernelVersion: kernelVersion, cpuModel: cpuModel, cpuCount: cpuCount, cnibenchVersion: cnibenchVersion,
            guest: guest)
    }
}

/// A kind of JSON file cnibench writes and reads back through `ResultWriter`.
public protocol ResultDocument: Codable {
    /// "cnibench.<what>", the `kind` field.
    static var kind: String { get }
    /// The `schemaVersion` this build writes.
    static var schemaVersion: Int { get }
    /// Rewrites the JSON object of an older version (0: written before the envelope) into the
    /// current one, or throws naming what it cannot read. The default reads only the current
    /// version.
    static func upgrade(_ object: inout [String: Any], from version: Int) throws
}

extension ResultDocument {
    public static func upgrade(_ object: inout [String: Any], from version: Int) throws {
        throw unsupported(version)
    }

    /// The refusal of a version this build cannot read.
    public static func unsupported(_ version: Int) -> ResultSchemaError {
        ResultSchemaError(description: "\(kind) schemaVersion \(version) is not supported by this cnibench (reads \(schemaVersion))")
    }
}

/// A document whose files from before the envelope (version 0) need only the common move of
/// machine and time fields into it (`LegacyEnvelope.upgrade`): the side benchmarks' reports.
public protocol LegacyEnvelopedDocument: ResultDocument {}

extension LegacyEnvelopedDocument {
    public static func upgrade(_ object: inout [String: Any], from version: Int) throws {
        guard version == 0 else { throw unsupported(version) }
        LegacyEnvelope.upgrade(&object)
    }
}

/// The envelope of any file, read before its body to say what it is.
public struct ResultHeader: Decodable, Sendable {
    public var kind: String?
    public var schemaVersion: Int?
    public var createdAt: Date?
    public var environment: HostEnvironment?
}

/// The side benchmarks' files written before the envelope existed: they had no `kind` and no
/// `schemaVersion`, named the benchmark in `benchmark` or `schema`, and spelled the machine
/// as top-level `kernel`, `cpus` and `cnibenchVersion` and the time as `date` (or `createdAt`).
/// `upgradeLegacy` moves those into the envelope, so old files read as version 0 of their kind.
public enum LegacyEnvelope {
    public static func upgrade(_ object: inout [String: Any]) {
        var env = object["environment"] as? [String: Any] ?? [:]
        if let k = object.removeValue(forKey: "kernel") { env["kernel"] = k }
        for old in ["cpus", "cores", "cpuCount"] {
            if let n = object.removeValue(forKey: old) { env["cpuCount"] = n }
        }
        if let v = object.removeValue(forKey: "cnibenchVersion") { env["cnibenchVersion"] = v }
        if let c = object["cpu"] as? String, env["cpuModel"] == nil { env["cpuModel"] = c }
        env["kernel"] = env["kernel"] ?? "unknown"
        env["cpuModel"] = env["cpuModel"] ?? "unknown"
        env["cpuCount"] = env["cpuCount"] ?? 0
        env["cnibenchVersion"] = env["cnibenchVersion"] ?? "unknown"
        object["environment"] = env
        if let d = object.removeValue(forKey: "date") { object["createdAt"] = d }
        // A file that recorded no time at all reads as written at the Unix epoch.
        object["createdAt"] = object["createdAt"] ?? "1970-01-01T00:00:00Z"
        object.removeValue(forKey: "benchmark")
        object.removeValue(forKey: "schema")
    }
}
