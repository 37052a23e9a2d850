import CNetShim
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A named network namespace (`/run/netns/NAME`, the same files `ip netns` uses), held open by
/// a file descriptor. Creating one never moves the calling thread: the shim does the
/// unshare/setns on a thread of its own.
public final class NetworkNamespace {
    public let name: String
    /// Open fd of the namespace (nsfs). Closed on deinit.
    public let fd: CInt

    private init(name: String, fd: CInt) {
        self.name = name
        self.fd = fd
    }

    deinit { close(fd) }

    /// A name that stays one entry of /run/netns: 1…255 bytes, no '/', not "." or "..", no
    /// whitespace or control characters. Every call that builds a path from a name checks it,
    /// so no caller can reach outside /run/netns through this type.
    public static func isValidName(_ name: String) -> Bool {
        let b = name.utf8
        guard !b.isEmpty, b.count <= 255, name != ".", name != ".." else { return false }
        return !b.contains { $0 == UInt8(ascii: "/") || $0 <= 32 || $0 == 127 }
    }

    private static func checkName(_ name: String, _ operation: String) throws(NetlinkError) {
        guard isValidName(name) else {
            throw NetlinkError(operation: "netns \(operation) '\(name.prefix(80))'", namespace: "-", code: -EINVAL)
        }
    }

    /// `ip netns add NAME`.
    public static func create(_ name: String) throws(NetlinkError) -> NetworkNamespace {
        try checkName(name, "add")
        var step: UnsafePointer<CChar>? = nil
        let fd = unsafe cnb_netns_create(name, &step)
        guard fd >= 0 else {
            let s = unsafe step.map { unsafe String(cString: $0) } ?? "?"
            throw NetlinkError(operation: "netns add \(name) [\(s)]", namespace: "root mount namespace", code: fd)
        }
        return NetworkNamespace(name: name, fd: fd)
    }

    /// Opens an existing named namespace; fails with ENOENT if absent, ENOTNAM if the file is a
    /// leftover placeholder rather than a mounted namespace.
    public static func open(_ name: String) throws(NetlinkError) -> NetworkNamespace {
        try checkName(name, "open")
        let fd = cnb_netns_open(name)
        guard fd >= 0 else { throw NetlinkError(operation: "netns open \(name)", namespace: "-", code: fd) }
        return NetworkNamespace(name: name, fd: fd)
    }

    /// `ip netns delete NAME`: unmounts and unlinks. Links inside go with the namespace once
    /// nothing else holds it (processes must be stopped first, see `pids()`).
    public static func delete(_ name: String) throws(NetlinkError) {
        try checkName(name, "delete")
        var step: UnsafePointer<CChar>? = nil
        let rc = unsafe cnb_netns_delete(name, &step)
        guard rc == 0 else {
            let s = unsafe step.map { unsafe String(cString: $0) } ?? "?"
            throw NetlinkError(operation: "netns delete \(name) [\(s)]", namespace: "-", code: rc)
        }
    }

    /// Names present under /run/netns.
    public static func list() -> [String] {
        (try? FileSystem.listDirectory("/run/netns")) ?? []
    }

    /// The namespace's inode number (its identity).
    public var inode: UInt64 {
        var ino: UInt64 = 0
        _ = unsafe cnb_netns_inode(fd, &ino)
        return ino
    }

    /// Inode of the root (init) network namespace, through pid 1.
    public static func rootInode() -> UInt64? {
        FileSystem.inode(of: "/proc/1/ns/net")
    }

    /// True if this is the init namespace: every write path refuses such a namespace.
    public var isRoot: Bool { NetworkNamespace.rootInode() == inode }

    /// `ip netns pids NAME`: processes whose network namespace is this one.
    public func pids() -> [pid_t] {
        let me = inode
        var out: [pid_t] = []
        for entry in (try? FileSystem.listDirectory("/proc")) ?? [] {
            guard let pid = pid_t(entry), pid > 1 else { continue }
            if FileSystem.inode(of: "/proc/\(pid)/ns/net") == me { out.append(pid) }
        }
        return out
    }

    // MARK: sysctl

    /// Writes sysctls inside this namespace (keys as dotted names, e.g. "net.ipv4.ip_forward").
    public func sysctlWrite(_ entries: [(key: String, value: String)]) throws(NetlinkError) {
        guard !entries.isEmpty else { return }
        var failed: CInt = -1
        let rc = CStringArray.with(entries.map { $0.key.replacingDots() }) { keys in
            CStringArray.with(entries.map(\.value)) { values in
                unsafe cnb_sysctl_write_batch(fd, keys, values, CInt(entries.count), &failed)
            }
        }
        guard rc == 0 else {
            let e = failed >= 0 ? entries[Int(failed)] : (key: "?", value: "?")
            throw NetlinkError(operation: "sysctl -w \(e.key)=\(e.value)", namespace: name, code: rc)
        }
    }

    /// Reads one sysctl inside this namespace.
    public func sysctlRead(_ key: String) throws(NetlinkError) -> String {
        var buf = [CChar](repeating: 0, count: 256)
        let rc = unsafe buf.withUnsafeMutableBufferPointer { p in
            unsafe cnb_sysctl_read(fd, key.replacingDots(), p.baseAddress!, p.count)
        }
        guard rc == 0 else { throw NetlinkError(operation: "sysctl \(key)", namespace: name, code: rc) }
        return unsafe buf.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
    }

    // MARK: processes

    /// Starts `argv` inside this namespace (`ip netns exec NAME argv…` without the ip binary).
    /// Output goes to the given fds (-1 = /dev/null). `cpu` pins the process to one CPU
    /// (`taskset -c CPU`). Returns the pid.
    public func spawn(
        _ argv: [String], stdin: CInt = -1, stdout: CInt = -1, stderr: CInt = -1,
        newSession: Bool = true, cpu: Int? = nil
    ) throws(NetlinkError) -> pid_t {
        precondition(!argv.isEmpty, "spawn needs a program")
        let pid = CStringArray.withNullTerminated(argv) { args in
            unsafe cnb_spawn_in_netns(fd, args, stdin, stdout, stderr, newSession ? 1 : 0, CInt(cpu ?? -1))
        }
        guard pid > 0 else {
            throw NetlinkError(
                operation: (cpu.map { "taskset -c \($0) " } ?? "") + "exec \(argv.joined(separator: " "))", namespace: name, code: pid)
        }
        return pid
    }
}

extension String {
    /// "net.ipv4.conf.eth0.forwarding" → "net/ipv4/conf/eth0/forwarding". Interface names may
    /// not contain '.', except VLAN-style names which cnibench never creates, so this is safe.
    func replacingDots() -> String {
        if contains("/") { return self }
        return split(separator: ".", omittingEmptySubsequences: false).joined(separator: "/")
    }
}
