import ArgumentParser
import Foundation
import Netlink
import ProcessKit
import Results
import Topology

/// The one host directory a guest may write: its filesystem is the host's copy-on-write, so
/// whatever it writes elsewhere is gone at shutdown. cnibench creates a fresh, empty directory
/// under its state root (`<state>/_vm/out-<pid>`, through the containment check, so a symlink
/// planted there cannot send a root guest's writes elsewhere), and virtme-ng mounts it
/// read-write in the guest over the output directory's own path (so the command runs, and
/// records itself, unchanged). After the guest ends its regular files and directories are
/// copied into the output directory on the host (symlinks and devices the guest made are not
/// followed) and the share removed.
struct GuestShare {
    /// The host side of the mount.
    let path: String
    /// The output directory: the mount point in the guest, and where the files go on the host.
    let destination: String

    static var parent: String { RunState.root + "/" + RunState.guestEntry }

    /// Creates the share for `destination` (checked like any output directory first, and created).
    static func create(destination: String, option: String) throws -> GuestShare {
        try outputPathChecked { try OutputPath.checkDirectory(destination, option: option) }
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        let target = FileSystem.realPath(destination) ?? destination
        let parent = Self.parent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // Checked against the state root, not <state>/_vm: a symlink planted at vm is resolved
        // and refused.
        let dir = try Containment.check("\(parent)/out-\(getpid())", inside: RunState.root)
        // vng hands --rwdir on through a shell-split string of "guest=host" pairs.
        let usable = { (p: String) in p.allSatisfy { !$0.isWhitespace && $0 != "=" && $0 != "'" && $0 != "\"" && $0 != "\\" } }
        guard usable(target) else {
            throw ValidationError(
                "\(option) \(destination): a path with a space, quote, backslash or '=' cannot be shared with the guest (virtme-ng splits on them); give another directory"
            )
        }
        guard usable(dir) else {
            throw PrerequisiteError(
                "the guest's shared directory \(dir) (under CNIBENCH_STATE_DIR) has a space, quote or '='; virtme-ng cannot mount it")
        }
        try Containment.remove(dir, inside: RunState.root)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return GuestShare(path: dir, destination: target)
    }

    /// `--rwdir` of vng: the share mounted over the output directory.
    var mount: String { "\(destination)=\(path)" }

    /// The guest command's `--out DIR` (or `--out=DIR`), the first before a `--`.
    static func outArgument(of command: [String]) -> String? {
        for (i, a) in command.enumerated() {
            if a == "--" { return nil }
            if a == "--out", i + 1 < command.count { return command[i + 1] }
            if a.hasPrefix("--out=") { return String(a.dropFirst(6)) }
        }
        return nil
    }

    /// Copies what the guest wrote into the destination and removes the share; returns the
    /// files copied (relative paths).
    func collect() throws -> [String] {
        defer { try? Containment.remove(path, inside: RunState.root) }
        let fm = FileManager.default
        var copied: [String] = []
        func walk(_ rel: String) throws {
            let from = rel.isEmpty ? path : "\(path)/\(rel)"
            for name in try fm.contentsOfDirectory(atPath: from).sorted() {
                let r = rel.isEmpty ? name : "\(rel)/\(name)"
                let src = "\(path)/\(r)", dst = "\(destination)/\(r)"
                switch FileSystem.kind(of: src) {
                case .directory:
                    try fm.createDirectory(atPath: dst, withIntermediateDirectories: true)
                    try walk(r)
                case .regular:
                    if fm.fileExists(atPath: dst) { try fm.removeItem(atPath: dst) }
                    try fm.copyItem(atPath: src, toPath: dst)
                    copied.append(r)
                default: continue
                }
            }
        }
        try walk("")
        return copied
    }
}
