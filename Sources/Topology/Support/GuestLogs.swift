import Foundation
import Netlink

/// The console logs `cnibench vm` writes under the state root's `_vm` (`guest-<pid>.log`, one per
/// guest; `guest-<pid>-<boot>.log` for each boot of a `bench --kernel A --kernel B`): each run
/// adds some, so only the newest are kept. Only regular files with exactly that name shape,
/// directly inside the directory, are ever removed, each through Containment — a symlink, a
/// directory or any other name there is left alone.
public enum GuestLogs {
    /// How many guest logs are kept.
    public static let kept = 20

    /// `guest-<digits>.log` or `guest-<digits>-<digits>.log`.
    public static func isGuestLogName(_ name: String) -> Bool { numbers(name) != nil }

    /// The pid and boot index (0 when absent) of a guest log's name.
    static func numbers(_ name: String) -> (pid: Int, boot: Int)? {
        guard name.hasPrefix("guest-"), name.hasSuffix(".log") else { return nil }
        let parts = name.dropFirst("guest-".count).dropLast(".log".count).split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return nil
        }
        return (Int(parts[0]) ?? 0, parts.count == 2 ? Int(parts[1]) ?? 0 : 0)
    }

    /// The guest logs directly in `directory` that are regular files, newest first (by
    /// modification time; equal times by the larger pid, then the larger boot, then by name).
    public static func list(in directory: String) -> [String] {
        let names = ((try? FileSystem.listDirectory(directory)) ?? []).filter(isGuestLogName)
        let dated: [(name: String, date: Date, pid: Int, boot: Int)] = names.compactMap { n in
            let path = "\(directory)/\(n)"
            guard FileSystem.kind(of: path) == .regular, let number = numbers(n),
                let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            else { return nil }
            return (n, date, number.pid, number.boot)
        }
        return dated.sorted { a, b in
            a.date != b.date ? a.date > b.date : a.pid != b.pid ? a.pid > b.pid : a.boot != b.boot ? a.boot > b.boot : a.name > b.name
        }.map(\.name)
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
            // unlink(2): a directory swapped in after that look fails instead of going as a tree.
            try Containment.removeFile(path, inside: root)
            removed.append(path)
        }
        return removed
    }
}
