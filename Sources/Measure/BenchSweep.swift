import Foundation
import Logging
import ProcessKit
import Results
import TopologyModel

/// `cnibench bench --sweep services=…|policies=…`: the same modes and options at each point N,
/// reduced to a `BenchSweepResult`. Interleaved (the default): one bench whose units are every
/// mode × point × variant, measured in the same shuffled rounds, so the machine's drift over
/// the sweep falls on every point alike. Sequential: one whole bench per point in turn (for
/// points that do not fit in memory or time together).
public final class BenchSweep {
    public enum Order: String, Sendable, CaseIterable {
        case interleaved
        case sequential
        public static let spellings = allCases.map(\.rawValue).joined(separator: ", ")
    }

    public let spec: BenchSweepSpec
    public let options: BenchOptions
    public let order: Order
    public var logger: Logger
    /// Told before each bench (sequential: each point's; interleaved: the one) with what it
    /// covers, e.g. "services=1000" or "services=0,1000 interleaved"; given each bench's result.
    public var willRun: ((String, BenchEngine) -> Void)?
    public var didRun: ((BenchResult) -> Void)?

    /// Refuses a spec the options cannot run (naming the field) before anything is built.
    /// A policies sweep without --modes measures the calico-* modes.
    public init(
        spec: BenchSweepSpec, options: BenchOptions, order: Order = .interleaved, logger: Logger = Logger(label: "cnibench.bench.sweep")
    ) throws {
        var o = options
        if spec.key == .policies && o.modes == nil { o.modes = Mode.available.filter { $0.family == .calico } }
        self.spec = spec
        self.options = o
        self.order = order
        self.logger = logger
        try Self.check(spec, o)
    }

    static func settings(_ o: BenchOptions) -> ServiceSettings { o.services ?? ServiceSettings() }

    static let calicoModes = Mode.allCases.filter { $0.family == .calico }.map(\.rawValue).joined(separator: ", ")

    public static func check(_ spec: BenchSweepSpec, _ o: BenchOptions) throws {
        let s = settings(o)
        // One Service address is the bench's probe Service's.
        let (limit, source) =
            spec.key == .services
            ? (s.capacity - 1, "--service-cidr \(s.serviceCIDR) (less the bench's probe Service)")
            : (FelixNetworkPolicies.maxCount, "Felix's rendering (as --policies)")
        do { try spec.check(limit: limit, limitSource: source) } catch { throw BenchInputError(error.field, error.message) }
        if o.netfilters.count > 1 {
            throw BenchInputError(
                "--netfilter \(o.netfilters.map(\.rawValue).joined(separator: ","))",
                "not with --sweep: measure what the rules cost with a plain bench; valid here: real or none")
        }
        switch spec.key {
        case .services:
            let kubeProxies = o.kubeProxies.isEmpty ? (o.services.map { [$0.kubeProxy] } ?? []) : o.kubeProxies
            for m in kubeProxies where m != .iptables && m != .nftables {
                throw BenchInputError("--kube-proxy \(m.rawValue)", "a services sweep needs Service rules; valid: iptables, nftables")
            }
        case .policies:
            if let p = o.policies {
                throw BenchInputError("--policies \(p)", "not with --sweep policies=… (the sweep sets N per point)")
            }
            if o.netfilter != .real {
                throw BenchInputError("--netfilter none", "--sweep policies= needs Felix's rules; valid: real")
            }
            let modes = o.modes ?? Mode.available
            if let m = modes.first(where: { $0.family != .calico && $0 != .none }) {
                throw BenchInputError(
                    "--modes \(m.rawValue)", "--sweep policies= applies to the calico-* modes only; valid: \(calicoModes)")
            }
            if !o.conflists.isEmpty {
                throw BenchInputError("--cni", "--sweep policies= applies to the calico-* modes only; valid: \(calicoModes)")
            }
        }
    }

    /// The options of one sequential point: N, the run prefix suffixed so points never share a run.
    public func options(point i: Int) throws -> BenchOptions {
        var o = options
        switch spec.key {
        case .services:
            var s = Self.settings(options)
            s.services = spec.values[i]
            o.services = s
        case .policies:
            o.policies = spec.values[i]
        }
        do { o.runPrefix = try options.runPrefix.appending("\(i)") } catch {
            throw BenchInputError("--name \(options.runPrefix)", "not a usable run-name prefix for a sweep: \(error.problem)")
        }
        return o
    }

    /// The options of the interleaved bench: every point a per-unit setting.
    public func interleavedOptions() -> BenchOptions {
        var o = options
        if spec.key == .services { o.services = Self.settings(options) }
        o.sweep = spec
        return o
    }

    func emptyResult() -> BenchSweepResult {
        let s = Self.settings(options)
        let kubeProxies = options.kubeProxies.isEmpty ? [s.kubeProxy] : options.kubeProxies
        var r = BenchSweepResult(
            environment: HostEnvironment.current(), command: options.command, sweep: spec,
            kubeProxy: kubeProxies.map(\.rawValue).joined(separator: ","), endpointsPerService: s.endpointsPerService,
            rounds: options.repeats, durationSeconds: options.durationSeconds)
        r.order = order.rawValue
        if spec.key == .policies || !options.felixDataplanes.isEmpty {
            r.felixDataplane = (options.felixDataplanes.isEmpty ? [options.felixDataplane] : options.felixDataplanes)
                .map(\.rawValue).joined(separator: ",")
        }
        return r
    }

    public func run() throws -> BenchSweepResult {
        order == .interleaved ? try runInterleaved() : try runSequential()
    }

    /// One bench over every point; an interrupted one keeps what its rounds measured.
    func runInterleaved() throws -> BenchSweepResult {
        var result = emptyResult()
        let engine = try BenchEngine(options: interleavedOptions(), logger: logger)
        willRun?("\(spec.key.rawValue)=\(spec.values.map(String.init).joined(separator: ",")) interleaved", engine)
        let r = try engine.run()
        didRun?(r)
        result.points = BenchSweepResult.points(spec, from: r)
        result.roundOrders = r.rounds.map(\.order)
        result.warnings += r.warnings
        result.complete = r.complete
        return result
    }

    /// Every point in order; an interrupted point ends the sweep with what was measured.
    func runSequential() throws -> BenchSweepResult {
        var result = emptyResult()
        // Every point's engine is made (and so its names checked) before the first is built.
        let engines = try spec.values.indices.map { i in try BenchEngine(options: try options(point: i), logger: logger) }
        for (i, engine) in engines.enumerated() {
            willRun?("point \(i + 1)/\(spec.values.count): \(spec.key.rawValue)=\(spec.values[i])", engine)
            let r: BenchResult
            do { r = try engine.run() } catch let e as BenchInputError where !result.points.isEmpty {
                // A point that cannot be built (a load past its bound) ends the sweep; the
                // points before it are kept and the reason is in the report.
                result.warnings.append("\(spec.key.rawValue)=\(spec.values[i]): not measured, the sweep stopped here: \(e)")
                return result
            }
            didRun?(r)
            result.points.append(BenchSweepResult.point(value: spec.values[i], from: r))
            result.warnings += r.warnings.map { "\(spec.key.rawValue)=\(spec.values[i]): \($0)" }
            if !r.complete { return result }
        }
        result.complete = true
        return result
    }
}
