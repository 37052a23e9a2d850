import CNetShim
import Foundation

/// Bytes a child reads on its standard input, then end-of-file. Up to a pipe's capacity they are
/// written whole into a pipe before the spawn (the write never blocks, though no reader exists
/// yet); a CNI network configuration is a few hundred bytes. Larger inputs (a kube-proxy ruleset
/// for thousands of Services is megabytes) go through an anonymous memory file (memfd): no
/// path is ever created, and the child reads a plain file.
struct StandardInput {
    /// Linux's default pipe capacity.
    static let maxBytes = 65536
    /// The read end, the child's fd 0 (close-on-exec in us; dup2'd into the child).
    let fd: CInt

    init(_ bytes: [UInt8]) throws {
        guard bytes.count <= Self.maxBytes else {
            fd = try Self.unlinkedFile(holding: bytes)
            return
        }
        var fds: [CInt] = [-1, -1]
        let rc = cnb_pipe_cloexec(&fds)
        guard rc == 0 else { throw ProcessError("pipe: \(String(cString: strerror(-rc)))") }
        // FileHandle loops over short writes; it borrows the descriptor, closed here.
        let writer = FileHandle(fileDescriptor: fds[1], closeOnDealloc: false)
        defer { Foundation.close(fds[1]) }
        do { try writer.write(contentsOf: Data(bytes)) } catch {
            Foundation.close(fds[0])
            throw ProcessError("writing a child's standard input: \(error)")
        }
        fd = fds[0]
    }

    func close() { Foundation.close(fd) }

    /// An anonymous memory file (memfd, close-on-exec in us like the pipe's read end) filled
    /// with `bytes` and rewound: no path exists, so nothing is left to remove.
    private static func unlinkedFile(holding bytes: [UInt8]) throws -> CInt {
        let fd = cnb_memfd_cloexec("cnibench-stdin")
        guard fd >= 0 else { throw ProcessError("memfd_create for a child's standard input: \(String(cString: strerror(-fd)))") }
        let writer = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        do {
            try writer.write(contentsOf: Data(bytes))
            try writer.seek(toOffset: 0)
        } catch {
            Foundation.close(fd)
            throw ProcessError("writing a child's standard input (\(bytes.count) bytes): \(error)")
        }
        return fd
    }
}
