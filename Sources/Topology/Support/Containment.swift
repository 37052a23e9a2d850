import Foundation
import Netlink
import TopologyModel

/// The one gate before cnibench removes or writes a path: the path must lie strictly inside one
/// of cnibench's own directories once every symlink on the way is resolved. A name that slipped
/// past validation, a ledger edited by hand, or a symlink planted in /run/cnibench all end here
/// as a refusal instead of a deleted /etc.
public enum Containment {
    /// Returns the resolved path when `path` is inside `root`, else throws naming both.
    /// The last component is not followed (removing a symlink removes the link, not its target),
    /// but it may not be `.`, `..` or empty, and the directories above it are fully resolved.
    public static func check(_ path: String, inside root: String) throws(ContainmentError) -> String {
        let last = (path as NSString).lastPathComponent
        guard !last.isEmpty, last != ".", last != "..", !path.hasSuffix("/") || path.count > 1 else {
            throw ContainmentError(path: path, root: root, why: "it does not name an entry")
        }
        guard let realRoot = FileSystem.realPath(root) else {
            throw ContainmentError(path: path, root: root, why: "\(root) does not exist")
        }
        let parent = (path as NSString).deletingLastPathComponent
        guard let realParent = FileSystem.realPath(parent.isEmpty ? "." : parent) else {
            throw ContainmentError(path: path, root: root, why: "its directory \(Truncated(parent)) does not exist")
        }
        let resolved = realParent == "/" ? "/" + last : realParent + "/" + last
        guard resolved.hasPrefix(realRoot == "/" ? "/" : realRoot + "/"), resolved != realRoot else {
            throw ContainmentError(path: path, root: root, why: "it resolves to \(Truncated(resolved)), outside \(realRoot)")
        }
        return resolved
    }

    /// Removes `path` (file, symlink or directory tree) only if `check` passes; a path that is
    /// already gone is not an error.
    public static func remove(_ path: String, inside root: String) throws {
        guard FileSystem.kind(of: path) != nil else { return }
        let resolved = try check(path, inside: root)
        try FileManager.default.removeItem(atPath: resolved)
    }

    /// Removes the file or symlink `path` only if `check` passes, with unlink(2): a directory
    /// that replaced it since the caller looked fails instead of being removed as a tree. A path
    /// already gone is not an error.
    public static func removeFile(_ path: String, inside root: String) throws {
        let resolved = try check(path, inside: root)
        do { try FileSystem.unlink(resolved) } catch { if error.errno != ENOENT { throw error } }
    }
}

public struct ContainmentError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var root: String
    public var why: String
    public var description: String {
        "refusing to touch '\(Truncated(path))': \(why); cnibench only removes or writes inside its own directory \(root)"
    }
}
