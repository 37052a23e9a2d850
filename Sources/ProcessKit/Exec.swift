import Foundation

/// Replaces the current process image with `argv` (execv: same pid, same namespaces), for a
/// command whose only job is to become another program (the BIRD wrapper). Returns only on
/// failure, with the error.
public func execReplacingCurrentProcess(_ argv: [String]) -> ProcessError {
    precondition(!argv.isEmpty, "exec needs a program")
    let cArgs = argv.map { strdup($0) } + [nil]
    execv(argv[0], cArgs)
    let e = errno
    for p in cArgs { free(p) }
    return ProcessError("execv \(argv[0]): \(String(cString: strerror(e)))")
}
