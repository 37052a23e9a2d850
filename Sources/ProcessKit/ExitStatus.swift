/// How a child process ended, decoded once from the raw wait(2) status. The WIFEXITED /
/// WEXITSTATUS / WTERMSIG macros are not importable into Swift, so this is the one place that
/// knows the bit layout: low 7 bits 0 = exited (code in bits 8…15), otherwise the signal number.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// The code a shell reports in `$?`: the exit code, or 128 + signal number.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// Exited with code 0.
    public var succeeded: Bool { self == .exited(0) }

    /// The exit code, nil when killed by a signal.
    public var exitCode: Int32? {
        if case .exited(let code) = self { return code }
        return nil
    }

    /// The signal that ended it, nil when it exited.
    public var signal: Int32? {
        if case .signaled(let signal) = self { return signal }
        return nil
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}
