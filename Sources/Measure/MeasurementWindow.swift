import ProcessKit
import Results

/// One test's measurement window as an observer sees it (a profiler): which test, the
/// namespaces that are the bench's, and the run's ledger for any helper the observer starts.
public struct MeasurementWindow {
    public var subject: BenchSubject
    public var test: BenchTest
    public var round: Int
    /// Inodes of every network namespace the bench built: processes outside them are foreign.
    public var namespaces: Set<UInt64>
    /// The run's state ledger: a process recorded here is stopped by the run's teardown.
    public var ledger: any ProcessLedger
}

/// Told when each test's CPU window opens and closes. `windowWillOpen` runs before the CPU
/// counters are first read and `windowDidClose` after they are read again, so the observer's
/// own start and stop are outside the accounted window. A throw from `windowWillOpen` fails
/// that test; `completed` is false when the window ended by an error or an interruption.
public protocol MeasurementWindowObserver: AnyObject {
    func windowWillOpen(_ w: MeasurementWindow) throws
    func windowDidClose(_ w: MeasurementWindow, completed: Bool)
}
