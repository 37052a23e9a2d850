import Foundation

/// Where the bench's client and server processes run (`iperf3 -A`, `taskset -c`), applied to
/// every test's pair (iperf3, rr, pktgen) when it is spawned.
///
/// Why pin by default: left to the scheduler, client and server sometimes share one CPU for a
/// whole test, which then runs well below the usual rate (here, 6 one-second iperf3 runs each,
/// pod to pod across host-gw nodes: 11.5–14.8 Gbit/s with both on CPU 0, 15.5–16.9 on CPUs 0 and 1). With 12
/// one-second `cnibench bench --modes host-gw --tests tcp1` runs each way, pinning cut the
/// run-to-run spread of cross-node throughput from 8.4% to 3.6% and of node→node from 17.8%
/// to 9.6%. It does not remove every slow round: the shared host still slows some.
public enum CPUPinning: Sendable, Equatable, CustomStringConvertible {
    /// Client on the first CPU this process may use, server on the second; no pinning with one CPU.
    case auto
    /// Leave placement to the scheduler.
    case none
    case cpus(client: Int, server: Int)

    /// "auto", "none" or "CLIENT,SERVER" (e.g. "0,1").
    public init(parsing text: String) throws {
        switch text {
        case "auto": self = .auto
        case "none": self = .none
        default:
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let c = parts[0], let s = parts[1], c >= 0, s >= 0 else {
                throw BenchInputError(
                    "--pin \(text)",
                    "use auto, none, or CLIENT,SERVER CPU numbers such as 0,1 (CPUs this process may use: \(Self.listText(Self.allowedCPUs())))"
                )
            }
            self = .cpus(client: c, server: s)
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .none: "none"
        case .cpus(let c, let s): "\(c),\(s)"
        }
    }

    /// The CPUs for (client, server), or nil to leave them free. Throws when asked for a CPU
    /// this process may not use.
    public func resolve(allowed: [Int] = CPUPinning.allowedCPUs()) throws -> (client: Int, server: Int)? {
        switch self {
        case .none: return nil
        case .auto: return allowed.count >= 2 ? (allowed[0], allowed[1]) : nil
        case .cpus(let c, let s):
            for cpu in [c, s] where !allowed.contains(cpu) {
                throw BenchInputError(
                    "--pin \(description)", "CPU \(cpu) is not available to this process; it may use \(Self.listText(allowed))")
            }
            return (c, s)
        }
    }

    /// How the result records it: "client CPU 0, server CPU 1" or "none".
    public static func recorded(_ cpus: (client: Int, server: Int)?) -> String {
        cpus.map { "client CPU \($0.client), server CPU \($0.server)" } ?? "none"
    }

    /// The CPUs this process may run on (`Cpus_allowed_list` of /proc/self/status, e.g. "0-1,4").
    public static func allowedCPUs(status: String? = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) -> [Int] {
        guard let line = status?.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
            let list = line.split(separator: ":", maxSplits: 1).last
        else { return [] }
        return parseList(list.trimmingCharacters(in: .whitespaces))
    }

    /// "0-2,5" → [0, 1, 2, 5].
    static func parseList(_ text: String) -> [Int] {
        text.split(separator: ",").flatMap { part -> [Int] in
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 2, ends[0] <= ends[1] { return Array(ends[0]...ends[1]) }
            return ends.count == 1 ? ends : []
        }
    }

    static func listText(_ cpus: [Int]) -> String { cpus.isEmpty ? "unknown" : cpus.map(String.init).joined(separator: ",") }
}
