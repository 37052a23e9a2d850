/// Where a started process is recorded (pid + start time + what it is) before anything waits on
/// it, so whoever cleans up later finds it even after a crash. The run's state ledger conforms;
/// ProcessKit itself knows nothing about runs.
public protocol ProcessLedger {
    func recordProcess(pid: Int32, startTime: UInt64, command: String) throws
}
