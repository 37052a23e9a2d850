import CNetShim

#if canImport(Glibc)
import Glibc
#endif

/// An AF_PACKET socket on one interface of a namespace (C side: capture.c). The socket belongs
/// to the namespace it was opened in, so reading it from this thread needs no setns.
public final class PacketCapture {
    private let fd: CInt
    /// Frames are truncated to this many bytes: every header the check reads (outer Ethernet,
    /// IPv4 with options, UDP, VXLAN, inner Ethernet, IPv4, ICMP type) fits well within it.
    public static let snapLength = 512

    public init(namespace: NetworkNamespace, interface: String, timeout: Duration) throws(NetlinkError) {
        let ms = Int32(max(1, timeout / .milliseconds(1)))
        let rc = unsafe cnb_capture_open(namespace.fd, interface, ms)
        guard rc >= 0 else { throw NetlinkError(operation: "capture on \(interface)", namespace: namespace.name, code: rc) }
        fd = rc
    }

    deinit { cnb_capture_close(fd) }

    /// The next frame, or nil when the receive timeout passed without one.
    public func next() throws(NetlinkError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Self.snapLength)
        var pktType: CInt = 0
        // Sound: the pointer is valid for buffer.count bytes for the duration of the closure, the
        // shim writes at most that many (recvfrom's length argument), and it keeps no reference.
        let n = unsafe buffer.withUnsafeMutableBufferPointer { p in
            unsafe cnb_capture_recv(fd, p.baseAddress!, p.count, &pktType)
        }
        if n == -EAGAIN { return nil }
        guard n >= 0 else { throw NetlinkError(operation: "capture recv", namespace: "-", code: n) }
        return Array(buffer.prefix(Int(n)))
    }
}
