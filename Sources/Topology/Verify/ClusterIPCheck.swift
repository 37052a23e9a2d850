import Foundation
import Netlink
import ProcessKit
import TopologyModel

/// `verify` on a run with Services: a few ClusterIPs (all when few) reach every one of their
/// endpoints. Starts a `crr-server` on the target port of each endpoint pod (it answers with
/// its own address, so the client can tell which endpoint served), then `crr-client`s from a
/// pod that is not an endpoint dial the ClusterIP until every endpoint has answered or the
/// attempts run out; stops its servers before returning. kube-proxy picks an endpoint at
/// random per connection, so a few hundred connections reach each of a handful with
/// certainty for practical purposes; an endpoint whose rules are gone never answers.
public struct ClusterIPCheck {
    public var plan: Plan
    /// The cnibench executable that runs crr-server/crr-client in the namespaces.
    public var executable: String
    /// Services checked when there are more: spread over the range, plus the probe Service.
    public static let sampleSize = 4
    static let attempts = 6
    static let probeSeconds = "0.3"

    public init(plan: Plan, executable: String? = nil) {
        self.plan = plan
        self.executable = executable ?? ProcessLauncher.resolve(["cnibench"])[0]
    }

    public struct Outcome: Sendable, Equatable {
        public var service: String
        public var address: String
        public var client: String
        /// Endpoint IPs the rules promise.
        public var expected: [String]
        /// Answers per endpoint IP, over all attempts.
        public var reached: [String: Int]
        public var errors: [String]
        public var unreached: [String] { expected.filter { (reached[$0] ?? 0) == 0 } }
    }

    public struct Result: Sendable {
        public var outcomes: [Outcome]
        /// Services in the run (rendered), of which `outcomes` were probed.
        public var total: Int
        public var duration: Duration
        public var problems: [String] {
            outcomes.filter { !$0.unreached.isEmpty }.map { o in
                let got = o.reached.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                let port = ServiceSettings.targetPort
                return "\(o.service) \(o.address) from \(o.client): endpoints never answered: "
                    + o.unreached.map { "\($0):\(port)" }.joined(separator: ", ")
                    + " (answered: \(got.isEmpty ? "none" : got))" + (o.errors.isEmpty ? "" : "; \(o.errors.last!)")
            }
        }
        public var passed: Bool { problems.isEmpty }
    }

    /// The Services to probe: all when at most `sampleSize`, otherwise the first, last and
    /// evenly spaced ones between, plus the bench's probe Service; those without endpoints
    /// (kube-proxy rejects them) are left out.
    public static func sample(_ services: [KubeProxyService]) -> [KubeProxyService] {
        let withEndpoints = services.filter { !$0.endpoints.isEmpty }
        let probe = withEndpoints.filter { $0.name == ServiceSettings.probeServiceName }
        let scale = withEndpoints.filter { $0.name != ServiceSettings.probeServiceName }
        guard scale.count > sampleSize else { return scale + probe }
        let picks = (0..<sampleSize).map { $0 * (scale.count - 1) / (sampleSize - 1) }
        return picks.map { scale[$0] } + probe
    }

    /// nil when the run has no Services to check (none given, kube-proxy none, --netfilter none).
    public func run() -> Result? {
        let settings = plan.spec.serviceSettings
        guard settings.renderedCount > 0, settings.kubeProxy != .none, plan.spec.netfilter != .none else { return nil }
        let t0 = ContinuousClock.now
        let all = settings.allocate(plan.addressing)
        let chosen = Self.sample(all)
        let pods = plan.addressing.allPods
        let ledger: RunState? = RunState(run: plan.spec.name).exists ? RunState(run: plan.spec.name) : nil
        var servers: [ChildProcess] = []
        defer {
            for s in servers { _ = s.stop() }
        }
        var outcomes: [Outcome] = []
        let endpointIPs = Set(chosen.flatMap { $0.endpoints.map(\.ip) })
        for pod in pods where endpointIPs.contains(pod.ip) {
            do {
                let ns = try NetworkNamespace.open(pod.namespace)
                servers.append(
                    try ChildProcess.spawn(
                        [executable, "crr-server", "--bind", "\(pod.ip):\(ServiceSettings.targetPort)", "--timeout", "60"], in: ns,
                        ledger: ledger, label: "verify-crr-server"))
            } catch {
                return Result(
                    outcomes: chosen.map {
                        Outcome(
                            service: $0.name, address: "\($0.clusterIP):\($0.port)", client: "-",
                            expected: $0.endpoints.map(\.ip.description),
                            reached: [:], errors: ["could not start crr-server in \(pod.namespace): \(error)"])
                    }, total: all.count, duration: ContinuousClock.now - t0)
            }
        }
        for svc in chosen {
            let eps = Set(svc.endpoints.map(\.ip))
            // A client that is not an endpoint: a connection back to itself would need hairpin.
            let client = pods.first { !eps.contains($0.ip) } ?? pods[0]
            var o = Outcome(
                service: svc.name, address: "\(svc.clusterIP):\(svc.port)", client: client.namespace,
                expected: svc.endpoints.map(\.ip.description), reached: [:], errors: [])
            for _ in 0..<Self.attempts where !o.unreached.isEmpty {
                switch probe(svc, from: client) {
                case .success(let servers): o.reached.merge(servers, uniquingKeysWith: +)
                case .failure(let e): o.errors.append(e.description)
                }
            }
            outcomes.append(o)
        }
        return Result(outcomes: outcomes, total: all.count, duration: ContinuousClock.now - t0)
    }

    struct ProbeError: Error, CustomStringConvertible {
        var description: String
    }

    /// The part of crr-client's report this check reads.
    struct Report: Decodable {
        var connections: Int
        var servers: [String: Int]
        var error: String?
    }

    /// One crr-client run; its answers per server. Bounded: a connection into a black hole
    /// would otherwise wait for the kernel's SYN retries.
    func probe(_ s: KubeProxyService, from pod: Addressing.Pod) -> Swift.Result<[String: Int], ProbeError> {
        do {
            let child = try ChildProcess.spawn(
                [
                    executable, "crr-client", "--to", "\(s.clusterIP):\(s.port)", "--duration", Self.probeSeconds, "--connect-timeout", "3",
                    "--keep-server"
                ], in: try NetworkNamespace.open(pod.namespace), stdout: .pipe, stderr: .pipe)
            guard let t = child.wait(until: ContinuousClock.now + .seconds(8)) else {
                _ = child.kill()
                return .failure(ProbeError(description: "crr-client to \(s.clusterIP):\(s.port) did not finish within 8 s"))
            }
            let out = child.readOutput()
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("{") }),
                let r = try? JSONDecoder().decode(Report.self, from: Data(line.utf8))
            else {
                return .failure(
                    ProbeError(description: "crr-client to \(s.clusterIP):\(s.port) failed (\(t.status)): \(out.prefix(200))"))
            }
            return .success(r.servers)
        } catch {
            return .failure(ProbeError(description: "crr-client in \(pod.namespace): \(error)"))
        }
    }
}
