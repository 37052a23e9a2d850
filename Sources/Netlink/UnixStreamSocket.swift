import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A connected AF_UNIX stream socket (a daemon's control socket, such as BIRD's), with
/// send/receive timeouts. Its pointer work stays here in the FFI layer; callers see bytes.
public final class UnixStreamSocket {
    public let path: String
    private let fd: Int32

    /// socket(2) + connect(2) to `path`; `timeout` bounds every later read and write.
    public init(connectingTo path: String, timeout: Double) throws(Errno) {
        self.path = path
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw Errno(rawValue: errno) }
        fd = s
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        // Sound: setsockopt reads exactly MemoryLayout<timeval>.size bytes of `tv`, alive here.
        _ = unsafe setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = unsafe setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw Errno.fileNameTooLong
        }
        // Sound: the path (shorter than sun_path, checked above) is copied into the zeroed
        // sun_path, so it stays NUL-terminated; connect reads the struct while it is alive.
        unsafe withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
        }
        let rc = unsafe withUnsafePointer(to: &addr) {
            unsafe $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                unsafe connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let e = Errno(rawValue: errno)
            close(fd)
            throw e
        }
    }

    deinit { close(fd) }

    /// Writes all of `bytes` (retrying short writes and EINTR).
    public func send(_ bytes: [UInt8]) throws(Errno) {
        var sent = 0
        while sent < bytes.count {
            // Sound: the slice's buffer is valid for the duration of the call; write reads `count` bytes.
            let n = unsafe bytes[sent...].withUnsafeBytes { unsafe write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Errno(rawValue: errno) }
            sent += n
        }
    }

    /// Up to `max` bytes; empty at end of stream.
    public func receive(max: Int = 65536) throws(Errno) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: max)
        while true {
            // Sound: read writes at most `count` bytes into the array's own buffer.
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Errno(rawValue: errno) }
            return Array(chunk[..<n])
        }
    }
}
