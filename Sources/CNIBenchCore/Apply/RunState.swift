import Foundation
import SystemPackage

/// What a run is, written before anything is created: enough to re-plan it (`list`, `verify`).
public struct RunRecord: Codable, Sendable, Equatable {
    public var spec: TopologySpec
    public var ipip: IPIPImplementation?
    public var createdAt: Date
    public var cnibenchVersion: String
}

/// One object the run created, appended to the ledger *before* it is created (write-ahead), so
/// a run killed at any instant leaves a ledger that names everything it may have left.
public enum LedgerEntry: Equatable, Sendable {
    case namespace(String)
    /// A process the run started; the start time (clock ticks since boot, /proc/PID/stat field
    /// 22) guards against killing an unrelated process that reused the pid.
    case process(pid: Int32, startTime: UInt64, command: String)
    /// A file the run created outside /run/netns (e.g. a bpffs pin).
    case file(String)
    /// `up` finished.
    case complete

    var line: String {
        switch self {
        case .namespace(let n): "netns \(n)"
        case .process(let pid, let st, let cmd): "process \(pid) \(st) \(cmd)"
        case .file(let p): "file \(p)"
        case .complete: "complete"
        }
    }

    init?(line: Substring) {
        let parts = line.split(separator: " ", maxSplits: 3)
        switch parts.first {
        case "netns" where parts.count == 2: self = .namespace(String(parts[1]))
        case "process" where parts.count >= 3:
            guard let pid = Int32(parts[1]), let st = UInt64(parts[2]) else { return nil }
            self = .process(pid: pid, startTime: st, command: parts.count > 3 ? String(parts[3]) : "")
        case "file" where parts.count == 2: self = .file(String(parts[1]))
        case "complete": self = .complete
        default: return nil
        }
    }
}

/// The run's state directory, `/run/cnibench/<run>/`: `run.json` and the append-only `ledger`.
public struct RunState: Sendable {
    public static var root: String {
        ProcessInfo.processInfo.environment["CNIBENCH_STATE_DIR"] ?? "/run/cnibench"
    }

    public let run: String
    public var directory: String { "\(Self.root)/\(run)" }
    var recordPath: String { "\(directory)/run.json" }
    var ledgerPath: String { "\(directory)/ledger" }

    public init(run: String) { self.run = run }

    public var exists: Bool { FileManager.default.fileExists(atPath: directory) }

    /// Runs that have a state directory.
    public static func allRuns() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
    }

    /// Creates the directory and writes the record; fails if the run already exists.
    public func create(_ record: RunRecord) throws {
        try FileManager.default.createDirectory(atPath: Self.root, withIntermediateDirectories: true)
        // mkdir is the atomic "claim the name" step: two `up --name X` cannot both succeed.
        guard mkdir(directory, 0o755) == 0 else {
            throw StateError("cannot create \(directory): \(Errno(rawValue: errno).readable)")
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        try enc.encode(record).write(to: URL(fileURLWithPath: recordPath))
        FileManager.default.createFile(atPath: ledgerPath, contents: nil)
    }

    /// Rewrites the record (e.g. once the kernel probe has decided the IPIP implementation).
    public func update(_ record: RunRecord) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        try enc.encode(record).write(to: URL(fileURLWithPath: recordPath), options: .atomic)
    }

    public func record() throws -> RunRecord {
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return try dec.decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: recordPath)))
    }

    /// Appends one entry (a single write(2) with O_APPEND, so a crash never leaves half a line
    /// that hides the entries before it).
    public func append(_ entry: LedgerEntry) throws {
        let fd = try FileDescriptor.open(FilePath(ledgerPath), .writeOnly, options: [.append, .create], permissions: [.ownerReadWrite])
        defer { try? fd.close() }
        _ = try fd.writeAll((entry.line + "\n").utf8)
    }

    public func entries() -> [LedgerEntry] {
        guard let text = try? String(contentsOfFile: ledgerPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap(LedgerEntry.init(line:))
    }

    public var isComplete: Bool { entries().contains(.complete) }

    public func remove() throws {
        if exists { try FileManager.default.removeItem(atPath: directory) }
    }
}

public struct StateError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
