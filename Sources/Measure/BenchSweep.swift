import Foundation
import Logging
import ProcessKit
import Results
import TopologyModel

/// `cnibench bench --sweep services=…`: a matrix bench per point with the same modes and
/// options, the modes' runs built with N Services, reduced to a `BenchSweepResult`.
public final class BenchSweep {
    public let spec: BenchSweepSpec
    public let options: BenchOptions
    public var logger: Logger
    /// Told before each point (index from 0, N) and given each point's matrix result.
    public var willRun: ((Int, Int, BenchEngine) -> Void)?
    public var didRun: ((Int, BenchResult) -> Void)?

    /// Refuses a spec the options cannot run (naming the field) before anything is built.
    public init(spec: BenchSweepSpec, options: BenchOptions, logger: Logger = Logger(label: "cnibench.bench.sweep")) throws {
        self.spec = spec
        self.options = options
        self.logger = logger
        try Self.check(spec, options)
    }

    static func settings(_ o: BenchOptions) -> ServiceSettings { o.services ?? ServiceSettings() }

    public static func check(_ spec: BenchSweepSpec, _ o: BenchOptions) throws {
        do {
            switch spec.key {
            case .services:
                let s = settings(o)
                // One address is the bench's probe Service's.
                try spec.check(limit: s.capacity - 1, limitSource: "--service-cidr \(s.serviceCIDR) (less the bench's probe Service)")
            case .policies:
                // The hook for network policies; `BenchSweepSpec.parse` refuses it until rendered.
                throw BenchSweepSpec.Problem(field: "--sweep policies=", message: "not implemented in this build; valid: services")
            }
        } catch let p as BenchSweepSpec.Problem {
            throw BenchInputError(p.field, p.message)
        }
        if let m = o.services?.kubeProxy, m != .iptables && m != .nftables {
            throw BenchInputError("--kube-proxy \(m.rawValue)", "a services sweep needs Service rules; valid: iptables, nftables")
        }
    }

    /// The options of one point: N Services, the run prefix suffixed so points never share a run.
    public func options(point i: Int) throws -> BenchOptions {
        var o = options
        var s = Self.settings(options)
        s.services = spec.values[i]
        o.services = s
        do { o.runPrefix = try options.runPrefix.appending("\(i)") } catch {
            throw BenchInputError("--name \(options.runPrefix)", "not a usable run-name prefix for a sweep: \(error.problem)")
        }
        return o
    }

    /// Runs every point in order; an interrupted point ends the sweep with what was measured.
    public func run() throws -> BenchSweepResult {
        let s = Self.settings(options)
        var result = BenchSweepResult(
            environment: HostEnvironment.current(), command: options.command, sweep: spec, kubeProxy: s.kubeProxy.rawValue,
            endpointsPerService: s.endpointsPerService, rounds: options.repeats, durationSeconds: options.durationSeconds)
        // Every point's engine is made (and so its names checked) before the first is built.
        let engines = try spec.values.indices.map { i in try BenchEngine(options: try options(point: i), logger: logger) }
        for (i, engine) in engines.enumerated() {
            willRun?(i, spec.values[i], engine)
            let r: BenchResult
            do { r = try engine.run() } catch let e as BenchInputError where !result.points.isEmpty {
                // A point that cannot be built (a load past its bound) ends the sweep; the
                // points before it are kept and the reason is in the report.
                result.warnings.append("\(spec.key.rawValue)=\(spec.values[i]): not measured, the sweep stopped here: \(e)")
                return result
            }
            didRun?(i, r)
            result.points.append(BenchSweepResult.point(value: spec.values[i], from: r))
            result.warnings += r.warnings.map { "\(spec.key.rawValue)=\(spec.values[i]): \($0)" }
            if !r.complete { return result }
        }
        result.complete = true
        return result
    }
}
