import SystemPackage

/// A failed kernel operation, said the way an operator would type it:
/// `route add 10.244.1.0/24 via 192.168.2.2 dev eth0 in cnb-node1: Network is unreachable (ENETUNREACH)`.
public struct NetlinkError: Error, CustomStringConvertible, Sendable {
    /// The operation in ip(8) words, e.g. "link add cni0 type bridge".
    public var operation: String
    /// The namespace it was sent to.
    public var namespace: String
    public var errno: Errno
    /// The kernel's extended-ack text, when it gave one.
    public var kernelMessage: String?

    public init(operation: String, namespace: String, errno: Errno, kernelMessage: String? = nil) {
        self.operation = operation
        self.namespace = namespace
        self.errno = errno
        self.kernelMessage = (kernelMessage?.isEmpty ?? true) ? nil : kernelMessage
    }

    /// Builds an error from a shim return value (-errno).
    public init(operation: String, namespace: String, code: Int32, kernelMessage: String? = nil) {
        self.init(
            operation: operation, namespace: namespace, errno: Errno(rawValue: -code),
            kernelMessage: kernelMessage)
    }

    public var description: String {
        var s = "\(operation) in \(namespace): \(errno.readable)"
        if let k = kernelMessage { s += " — kernel says: \(k)" }
        return s
    }
}

extension Errno {
    /// "Network is unreachable (ENETUNREACH)".
    public var readable: String {
        let text = String(describing: self)
        if let name = Errno.symbolicNames[rawValue] { return "\(text) (\(name))" }
        return "\(text) (errno \(rawValue))"
    }

    static let symbolicNames: [CInt: String] = [
        1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 9: "EBADF", 11: "EAGAIN",
        12: "ENOMEM", 13: "EACCES", 16: "EBUSY", 17: "EEXIST", 19: "ENODEV", 20: "ENOTDIR",
        22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 28: "ENOSPC", 34: "ERANGE", 36: "ENAMETOOLONG",
        61: "ENODATA", 71: "EPROTO", 90: "EMSGSIZE", 93: "EPROTONOSUPPORT", 95: "EOPNOTSUPP",
        97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL", 100: "ENETDOWN",
        101: "ENETUNREACH", 105: "ENOBUFS", 110: "ETIMEDOUT", 111: "ECONNREFUSED",
        113: "EHOSTUNREACH", 114: "EALREADY", 118: "ENOTNAM"
    ]
}
