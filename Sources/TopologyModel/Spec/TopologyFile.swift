import Foundation
import Glibc

/// Reads a topology file's bytes, refusing anything that is not a small regular file with a
/// reason (not just "cannot read"). The type is checked with stat(2) before open(2) because
/// opening a FIFO blocks until a writer appears and reading /dev/zero never ends; the open
/// is then non-blocking and fstat(2) re-checks the descriptor, so a file swapped for a FIFO
/// between the two checks is refused too.
public enum TopologyFile {
    /// Topology files are a few hundred bytes; 1 MiB is far more than any real one.
    public static let maxBytes = 1 << 20

    public static func read(path: String) throws(SpecError) -> [UInt8] {
        let shown = "'\(SpecError.clip(path))'"
        guard !path.isEmpty else { throw SpecError("topology", "the file name is empty") }
        var st = stat()
        guard stat(path, &st) == 0 else { throw SpecError("topology", "cannot read \(shown): \(reason(errno))") }
        try checkType(st, shown)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SpecError("topology", "cannot read \(shown): \(reason(errno))") }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { throw SpecError("topology", "cannot read \(shown): \(reason(errno))") }
        try checkType(st, shown)
        // Read one byte past the limit: a file that grew since fstat is still caught.
        // FileHandle borrows the descriptor (the defer above closes it) and loops over short
        // reads; it is asked again until it returns nothing, in case it stops at the size
        // fstat reported.
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        var bytes: [UInt8] = []
        while bytes.count <= maxBytes {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: maxBytes + 1 - bytes.count) } catch {
                let code = (error as NSError).domain == NSPOSIXErrorDomain ? Int32((error as NSError).code) : EIO
                throw SpecError("topology", "cannot read \(shown): \(reason(code))")
            }
            guard let chunk, !chunk.isEmpty else { break }
            bytes.append(contentsOf: chunk)
        }
        guard bytes.count <= maxBytes else { throw tooLarge(shown, size: nil) }
        return bytes
    }

    static func checkType(_ st: stat, _ shown: String) throws(SpecError) {
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw SpecError("topology", "cannot read \(shown): it is a directory, not a topology file")
        case S_IFIFO: throw SpecError("topology", "cannot read \(shown): it is a FIFO, not a regular file")
        case S_IFCHR, S_IFBLK: throw SpecError("topology", "cannot read \(shown): it is a device, not a regular file")
        case S_IFSOCK: throw SpecError("topology", "cannot read \(shown): it is a socket, not a regular file")
        default: throw SpecError("topology", "cannot read \(shown): not a regular file")
        }
        if st.st_size > maxBytes { throw tooLarge(shown, size: Int(st.st_size)) }
    }

    static func tooLarge(_ shown: String, size: Int?) -> SpecError {
        SpecError(
            "topology",
            "cannot read \(shown): it is larger than \(maxBytes / 1024) KiB\(size.map { " (\($0) bytes)" } ?? ""); topology files are a few hundred bytes"
        )
    }

    static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        case ENOTDIR: "a component of the path is not a directory"
        case ENAMETOOLONG: "the file name is too long"
        case ELOOP: "too many symbolic links"
        default: String(cString: strerror(code))
        }
    }

    /// The text of a topology file: UTF-8 only (what libyaml and every editor default to).
    /// UTF-16 is named, since it is the usual surprise (files saved by Windows tools).
    public static func text(_ bytes: [UInt8], source: String) throws(SpecError) -> String {
        let shown = "'\(SpecError.clip(source))'"
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw SpecError("topology", "\(shown) is UTF-16 text; save it as UTF-8")
        }
        // UTF-16 without a byte-order mark is valid UTF-8 full of NULs: no YAML text has NULs.
        if bytes.contains(0) { throw SpecError("topology", "\(shown) is not UTF-8 text: it contains NUL bytes (UTF-16 or binary?)") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SpecError("topology", "\(shown) is not UTF-8 text")
        }
        return text
    }
}
