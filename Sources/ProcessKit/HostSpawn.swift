import CNetShim
import Foundation

/// posix_spawn in the caller's own namespaces: for short host-side programs (versions, git, the
/// ip scripts a benchmark times). posix_spawn rather than fork: the child does not copy our
/// address space, so a timed program pays only for itself.
enum HostSpawn {
    static func spawn(
        _ argv: [String], stdin: CInt = -1, stdout: CInt, stderr: CInt, newSession: Bool,
        workingDirectory: String?, environment: [String]?
    ) throws -> pid_t {
        precondition(!argv.isEmpty, "spawn needs a program")
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        if stdin >= 0 {
            posix_spawn_file_actions_adddup2(&fa, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        }
        if stdout >= 0 {
            posix_spawn_file_actions_adddup2(&fa, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)
        }
        if stderr >= 0 {
            posix_spawn_file_actions_adddup2(&fa, stderr, 2)
        } else {
            posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)
        }
        if let workingDirectory { _ = cnb_spawn_file_actions_addchdir(&fa, workingDirectory) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // A clean signal mask and default dispositions: the child must not inherit our blocked
        // or ignored signals (SIGTERM would otherwise not stop it).
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= Int32(cnb_spawn_setsid_flag()) }
        posix_spawnattr_setflags(&attr, Int16(flags))
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for p in cArgs + (cEnv ?? []) { free(p) } }
        var pid: pid_t = 0
        let rc: Int32
        if let cEnv {
            rc =
                argv[0].contains("/")
                ? posix_spawn(&pid, argv[0], &fa, &attr, cArgs, cEnv)
                : posix_spawnp(&pid, argv[0], &fa, &attr, cArgs, cEnv)
        } else {
            rc =
                argv[0].contains("/")
                ? posix_spawn(&pid, argv[0], &fa, &attr, cArgs, environ)
                : posix_spawnp(&pid, argv[0], &fa, &attr, cArgs, environ)
        }
        guard rc == 0 else { throw ProcessError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        return pid
    }
}
