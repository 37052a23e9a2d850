import Foundation

public struct PrerequisiteError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Checks made before anything is touched.
public enum Prerequisites {
    /// Namespaces need CAP_SYS_ADMIN (mounts) and CAP_NET_ADMIN (netlink writes): root.
    public static func requireRoot(_ command: String) throws {
        try requireRoot(
            command, because: "it creates network namespaces (CAP_SYS_ADMIN) and configures them over netlink (CAP_NET_ADMIN)")
    }

    /// Refuses a non-root user with `command` (as typed after `cnibench`) and `reason` (what it
    /// does that needs root, "it …") named.
    public static func requireRoot(_ command: String, because reason: String) throws {
        guard geteuid() == 0 else {
            throw PrerequisiteError("cnibench \(command) needs root: \(reason). Run it as root, e.g. sudo cnibench \(command) …")
        }
    }

    /// The path of a program on PATH, or nil.
    public static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(program)"
            if access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    /// Fails with the Debian package to install when a program is missing.
    public static func requireProgram(_ program: String, package: String, for purpose: String) throws {
        guard which(program) != nil else {
            throw PrerequisiteError(
                "\(purpose) needs '\(program)', which is not on PATH; install it with: apt-get install -y \(package) (or run make bench / make test, which install it)"
            )
        }
    }

    /// Many namespaces mean many fds (one per namespace, two sockets per handle): lift the
    /// soft limit to the hard limit, and the hard one too when root.
    public static func raiseFileLimit(to wanted: rlim_t = 1 << 20) {
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 else { return }
        var target = rlimit(rlim_cur: wanted, rlim_max: max(wanted, lim.rlim_max))
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &target) != 0 {
            target = rlimit(rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &target)
        }
    }
}
