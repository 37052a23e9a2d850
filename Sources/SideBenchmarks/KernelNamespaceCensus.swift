import Measure
import Foundation
import Logging
import ProcessKit
import Netlink
import TopologyModel
import Topology
import CalicoBGP
import Results

/// How many network namespaces the kernel holds, counting those `ip netns delete` / `down` have
/// already released but the kernel's asynchronous cleanup (cleanup_net, an ordered workqueue) has
/// not yet destroyed. Read from the `net_namespace` slab cache: one object per namespace.
///
/// One kernel detail shapes how this is used: cleanup_net does all the work of destroying a batch
/// (device unregistration, per-subsystem exits, rcu_barrier) but then only queues the `struct net`
/// objects, which the *next* cleanup_net run frees ("wait for an extra rcu_barrier() before final
/// free"). On an otherwise idle machine the last batch's objects therefore stay counted until some
/// other namespace dies. `wait(atMost:…)` takes care of that by "kicking": when the count stops
/// moving it creates and deletes one scratch namespace, whose cleanup run frees what is pending.
/// The figure is so an upper bound of the kernel's own time, by at most one tiny cleanup run.
public enum KernelNamespaceCensus {
    public static func count() -> Int? {
        // SLUB's per-cache "objects" file is close to the number allocated (it counts free slots of
        // per-CPU slabs as used, a few objects at most); /proc/slabinfo is the fallback.
        if let text = ProcFS.readSmallFile("/sys/kernel/slab/net_namespace/objects"),
            let n = Int(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first ?? "")
        {
            return n
        }
        guard let text = ProcFS.readSmallFile("/proc/slabinfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("net_namespace ") {
            let f = line.split(separator: " ")
            if f.count > 1, let n = Int(f[1]) { return n }
        }
        return nil
    }

    /// Creates and deletes the scratch namespace `name` (never the root namespace: a fresh one).
    /// Name it after a run (`<run>-flush`) so `cnibench down/clean` would remove a leftover.
    public static func kick(_ name: String) {
        guard (try? NetworkNamespace.create(name)) != nil else { return }
        try? NetworkNamespace.delete(name)
    }

    /// Polls until at most `target` namespaces remain, kicking (see above) with the scratch
    /// namespace `kickName` whenever the count has not moved for `stall` seconds. Returns the
    /// seconds waited, or nil after `timeout` seconds (or when the count cannot be read).
    public static func wait(atMost target: Int, timeout: Double, kickName: String?, stall: Double = 0.3) -> Double? {
        let t = ContinuousClock.now
        var last = count()
        var since = ContinuousClock.now
        // One kick outstanding at a time: a kick only helps once the cleanup run in progress
        // is over, so kick again only after the count moved, or after 2 s (the kick may have
        // been destroyed in the same run as our last namespaces, which defers them once more).
        var lastKick: ContinuousClock.Instant?
        while true {
            guard let n = count() else { return nil }
            if n <= target { return MonotonicClock.seconds(since: t) }
            if MonotonicClock.seconds(since: t) > timeout { return nil }
            if n != last {
                last = n
                since = .now
                lastKick = nil
            } else if let k = kickName, MonotonicClock.seconds(since: since) >= stall,
                lastKick.map({ MonotonicClock.seconds(since: $0) >= 2 }) ?? true
            {
                kick(k)
                lastKick = .now
            }
            usleep(10_000)
        }
    }

    /// Lets a previous teardown's cleanup finish before measuring: kicks, then waits until the
    /// count has not changed for `quiet` seconds (at most `timeout`). Returns the final count.
    @discardableResult
    public static func settle(kickName: String?, quiet: Double = 1.0, timeout: Double = 60) -> Int? {
        let t = ContinuousClock.now
        if let k = kickName { kick(k) }
        var last = count()
        var since = ContinuousClock.now
        var kicked = false
        while MonotonicClock.seconds(since: t) < timeout {
            usleep(100_000)
            let n = count()
            if n != last {
                last = n
                since = .now
                kicked = false
            } else if MonotonicClock.seconds(since: since) >= quiet {
                // One more kick once quiet, for objects the first kick's own run deferred.
                guard !kicked, let k = kickName else { break }
                kick(k)
                kicked = true
                since = .now
            }
        }
        return last
    }
}
