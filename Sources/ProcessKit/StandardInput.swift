import CNetShim
import Foundation

/// Bytes a child reads on its standard input: written whole into a pipe before the spawn, the
/// write end closed, so the child sees the bytes and then end-of-file. Bounded by the pipe's
/// capacity so the write never blocks (we write before the reader exists); a CNI network
/// configuration is a few hundred bytes.
struct StandardInput {
    /// Linux's default pipe capacity.
    static let maxBytes = 65536
    /// The read end, the child's fd 0 (close-on-exec in us; dup2'd into the child).
    let fd: CInt

    init(_ bytes: [UInt8]) throws {
        guard bytes.count <= Self.maxBytes else {
            throw ProcessError("standard input of \(bytes.count) bytes is more than the \(Self.maxBytes) a pipe holds")
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
}
