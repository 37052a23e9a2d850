import Foundation
import Netlink
import ProcessKit
import Results
import Topology

/// The one host directory a guest may write: its filesystem is the host's copy-on-write, so
/// whatever it writes elsewhere is gone at shutdown. cnibench creates a fresh, empty directory
/// under its state root (`<state>/vm/out-<pid>`, through the containment check, so a symlink
/// planted there cannot send a root guest's writes elsewhere), virtme-ng mounts it read-write
/// at the same path, and after the guest ends its regular files and directories are copied
/// into the user's output directory on the host (symlinks and devices the guest made are not
/// followed) and the share removed.
struct GuestShare {
    /// Where the guest writes (the same path inside and outside).
    let path: String
    /// The host directory that receives the files.
    let destination: String

    static var parent: String { RunState.root + "/vm" }

    /// Creates the share for `destination` (checked like any output directory first).
    static func create(destination: String, option: String) throws -> GuestShare {
        try outputPathChecked { try OutputPath.checkDirectory(destination, option: option) }
        let parent = Self.parent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // Checked against the state root, not <state>/vm: a symlink planted at vm is resolved
        // and refused.
        let dir = try Containment.check("\(parent)/out-\(getpid())", inside: RunState.root)
        // vng hands --rwdir on through a shell-split string of "guest=host" pairs.
        guard dir.allSatisfy({ !$0.isWhitespace && $0 != "=" && $0 != "'" && $0 != "\"" }) else {
            throw PrerequisiteError(
                "the guest's shared directory \(dir) (under CNIBENCH_STATE_DIR) has a space, quote or '='; virtme-ng cannot mount it")
        }
        try Containment.remove(dir, inside: RunState.root)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        return GuestShare(path: dir, destination: URL(fileURLWithPath: destination).standardizedFileURL.path)
    }

    /// The guest command with its `--out DIR` (or `--out=DIR`) pointed at the share; nil when it
    /// has none. The first `--out` after the subcommand is the one cnibench's commands read.
    static func outArgument(of command: [String]) -> (index: Int, value: String, inline: Bool)? {
        for (i, a) in command.enumerated() {
            if a == "--" { return nil }
            if a == "--out", i + 1 < command.count { return (i + 1, command[i + 1], false) }
            if a.hasPrefix("--out=") { return (i, String(a.dropFirst(6)), true) }
        }
        return nil
    }

    func rewrite(_ command: [String]) -> [String] {
        guard let o = Self.outArgument(of: command) else { return command }
        var c = command
        c[o.index] = o.inline ? "--out=\(path)" : path
        return c
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
