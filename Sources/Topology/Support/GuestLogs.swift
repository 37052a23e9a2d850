import Foundation
import Netlink

/// The console logs `cnibench vm` writes under the state root's `_vm` (`guest-<pid>.log`, one per
/// guest): each run adds one, so only the newest are kept. Only regular files with exactly that
/// name shape, directly inside the directory, are ever removed, each through Containment — a
/// symlink, a directory or any other name there is left alone.
public enum GuestLogs {
    /// How many guest logs are kept.
    public static let kept = 20

    /// `guest-<digits>.log`.
    public static func isGuestLogName(_ name: String) -> Bool {
        guard name.hasPrefix("guest-"), name.hasSuffix(".log") else { return false }
        let digits = name.dropFirst("guest-".count).dropLast(".log".count)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The guest logs directly in `directory` that are regular files, newest first (by
    /// modification time; equal times by the larger pid, then by name).
    public static func list(in directory: String) -> [String] {
        let names = ((try? FileSystem.listDirectory(directory)) ?? []).filter(isGuestLogName)
        let dated: [(name: String, date: Date, pid: Int)] = names.compactMap { n in
            let path = "\(directory)/\(n)"
            guard FileSystem.kind(of: path) == .regular,
                let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            else { return nil }
            return (n, date, Int(n.dropFirst(6).dropLast(4)) ?? 0)
        }
        return dated.sorted { a, b in a.date != b.date ? a.date > b.date : a.pid != b.pid ? a.pid > b.pid : a.name > b.name }.map(\.name)
    }

    /// Removes all but the newest `keep` guest logs of `directory` (which must lie inside
    /// `root`); returns the paths removed. A log that cannot be removed is an error naming it.
    @discardableResult
    public static func prune(_ directory: String, keep: Int = kept, inside root: String) throws -> [String] {
        var removed: [String] = []
        for name in list(in: directory).dropFirst(max(keep, 0)) {
            let path = "\(directory)/\(name)"
            // Looked at again just before: what replaced the file since the listing is left alone.
            guard FileSystem.kind(of: path) == .regular else { continue }
            try Containment.remove(path, inside: root)
            removed.append(path)
        }
        return removed
    }
}
