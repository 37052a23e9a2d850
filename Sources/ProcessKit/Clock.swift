/// Elapsed time on the monotonic clock, in seconds as Double (what reports print and store).
public enum MonotonicClock {
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inSeconds
    }

    /// Runs `body` and returns its result and how long it took.
    public static func time<R>(_ body: () throws -> R) rethrows -> (R, Double) {
        let start = ContinuousClock.now
        let r = try body()
        return (r, seconds(since: start))
    }
}

extension Duration {
    /// The duration in seconds (stdlib division keeps the attosecond part).
    public var inSeconds: Double { self / .seconds(1) }

    /// Whole milliseconds, rounded down (for C timeouts).
    public var inMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
