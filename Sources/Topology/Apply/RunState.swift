import Foundation
import ProcessKit
import SystemPackage
import Netlink
import TopologyModel

/// What a run is, written before anything is created: enough to re-plan it (`list`, `verify`).
public struct RunRecord: Codable, Sendable, Equatable {
    public var spec: TopologySpec
    public var ipip: IPIPImplementation?
    public var createdAt: Date
    public var cnibenchVersion: String

    public init(spec: TopologySpec, ipip: IPIPImplementation?, createdAt: Date, cnibenchVersion: String) {
        self.spec = spec
        self.ipip = ipip
        self.createdAt = createdAt
        self.cnibenchVersion = cnibenchVersion
    }
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
    /// A CNI attachment's cache file under `<run>/cni/`, recorded before the file is written
    /// and ADD runs; down/clean DEL it before the namespaces go.
    case cniAttachment(String)
    /// `up` finished.
    case complete

    var line: String {
        switch self {
        case .namespace(let n): "netns \(n)"
        case .process(let pid, let st, let cmd): "process \(pid) \(st) \(cmd)"
        case .file(let p): "file \(p)"
        case .cniAttachment(let p): "cni \(p)"
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
        case "cni" where parts.count == 2: self = .cniAttachment(String(parts[1]))
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

    public let run: RunName
    /// `<root>/<run>`: safe to build by joining because a `RunName` has no `/` or `.`.
    public var directory: String { "\(Self.root)/\(run)" }
    var recordPath: String { "\(directory)/run.json" }
    var ledgerPath: String { "\(directory)/ledger" }

    public init(run: RunName) { self.run = run }

    /// A real directory (a symlink planted under the state root does not count as a run).
    public var exists: Bool { FileSystem.kind(of: directory) == .directory }

    /// Runs that have a state directory. Entries that are not valid run names (put there by
    /// hand or by another tool) are not runs: they are listed by `strayEntries()`, never removed.
    public static func allRuns() -> [RunName] {
        entries().compactMap { try? RunName($0) }.filter { RunState(run: $0).exists }.sorted()
    }

    /// `cnibench vm`'s own directory under the state root (guests' shared output): named so that
    /// no run can have it (`_` is not in a run name), and neither a run nor a stray entry.
    public static let guestEntry = "_vm"

    /// What the state directory holds that is not a run of ours.
    public static func strayEntries() -> [String] {
        entries().filter { e in e != guestEntry && ((try? RunName(e)).map { !RunState(run: $0).exists } ?? true) }.sorted()
    }

    private static func entries() -> [String] { (try? FileSystem.listDirectory(root)) ?? [] }

    /// The message for a run that is not there, listing those that are.
    public static func noSuchRun(_ run: RunName) -> String {
        let present = allRuns().map(\.value).joined(separator: ", ")
        return "no run named '\(run)'; runs present: \(present.isEmpty ? "none" : present)"
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

    /// Does the ledger file exist (a run whose ledger is gone can only be cleaned by what its
    /// spec derives)?
    var hasLedger: Bool { FileSystem.kind(of: ledgerPath) == .regular }

    /// Removes the state directory, after checking it lies inside the state root.
    public func remove() throws {
        try Containment.remove(directory, inside: Self.root)
    }
}

public struct StateError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// Processes started through ProcessKit are recorded as ledger entries.
extension RunState: ProcessLedger {
    public func recordProcess(pid: Int32, startTime: UInt64, command: String) throws {
        try append(.process(pid: pid, startTime: startTime, command: command))
    }
}
