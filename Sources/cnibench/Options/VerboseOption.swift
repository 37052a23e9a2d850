import ArgumentParser
import Logging
import ProcessKit

/// `-v/--verbose` of every command: diagnostics (kernel probe errors, debug log lines of
/// up/down/clean) on standard error. The same as setting CNIBENCH_DEBUG=1, which it sets for
/// the processes cnibench starts.
struct VerboseOption: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print diagnostics on standard error (the same as CNIBENCH_DEBUG=1).")
    var verbose = false

    /// Call first in run(): turns the diagnostics on when asked (flag or environment).
    func apply() {
        if verbose { Diagnostics.enableVerbose() }
        guard Diagnostics.verbose else { return }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .debug
            return h
        }
    }
}
