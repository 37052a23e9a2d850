import Foundation

/// `--verbose`: diagnostics on standard error (never standard output, which may carry JSON).
/// Kept in the environment variable CNIBENCH_DEBUG, which the flag sets, so the cnibench
/// processes a run starts in its namespaces inherit it, and which still works on its own.
public enum Diagnostics {
    public static let environmentVariable = "CNIBENCH_DEBUG"

    public static var verbose: Bool { ProcessInfo.processInfo.environment[environmentVariable] != nil }

    /// Called once at start-up, before any thread or child exists.
    public static func enableVerbose() { setenv(environmentVariable, "1", 1) }

    /// Writes "debug: MESSAGE" to standard error when verbose.
    public static func note(_ message: @autoclosure () -> String) {
        guard verbose else { return }
        FileHandle.standardError.write(Data("debug: \(message())\n".utf8))
    }
}
