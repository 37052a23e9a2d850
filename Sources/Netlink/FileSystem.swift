// Small file helpers used by the namespace code (directory listing, inode lookups).
#if canImport(Glibc)
import Glibc
#endif

public enum FileSystem {
    /// Entry names of a directory (no "." and ".."), or throws the errno.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = unsafe opendir(path) else { throw FileSystemError(errno: errno) }
        defer { unsafe closedir(dir) }
        var names: [String] = []
        while let ent = unsafe readdir(dir) {
            // Sound: d_name is a NUL-terminated array inside the dirent readdir returned,
            // valid until the next readdir call; we copy it out immediately.
            let name = unsafe withUnsafePointer(to: &ent.pointee.d_name) { p in
                unsafe p.withMemoryRebound(to: CChar.self, capacity: 256) { unsafe String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Inode of the file a path resolves to (following symlinks such as /proc/PID/ns/net).
    public static func inode(of path: String) -> UInt64? {
        var st = stat()
        guard unsafe stat(path, &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }

    public static func exists(_ path: String) -> Bool { unsafe access(path, F_OK) == 0 }

    /// realpath(3): the absolute path with every symlink, `.` and `..` resolved; nil when a
    /// component does not exist (or another errno).
    public static func realPath(_ path: String) -> String? {
        // Sound: realpath with a NULL buffer mallocs the result; we copy it and free it here.
        guard let p = unsafe realpath(path, nil) else { return nil }
        defer { unsafe free(p) }
        return unsafe String(cString: p)
    }

    /// What the path itself is, without following a final symlink (lstat(2)); nil if absent.
    public static func kind(of path: String) -> FileKind? {
        var st = stat()
        guard unsafe lstat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// unlink(2): removes a file or symlink; fails on a directory and does not follow a final
    /// symlink, so what replaced a checked file can never take a tree with it.
    public static func unlink(_ path: String) throws(FileSystemError) {
        guard unsafe Glibc.unlink(path) == 0 else { throw FileSystemError(errno: errno, call: "unlink(\(path))") }
    }

    public enum FileKind: Sendable, Equatable { case directory, regular, symlink, other }
}

public struct FileSystemError: Error, CustomStringConvertible {
    public var errno: CInt
    /// The call that failed, with its argument.
    public var call: String? = nil

    public var description: String {
        guard let call else { return "FileSystemError(errno: \(errno))" }
        // Sound: strerror returns a NUL-terminated static or thread-local string, copied at once.
        return "\(call) failed: \(unsafe String(cString: strerror(errno)))"
    }
}
