import Foundation

/// The guest a result was measured in (`cnibench vm`), absent on a host. The accelerator
/// decides what the numbers mean: under TCG every instruction is emulated, so rates and
/// latencies say little about a real machine ("emulated" in reports; compare/gate refuse to
/// mix accelerators).
public struct GuestEnvironment: Codable, Sendable, Equatable {
    /// "kvm" or "tcg".
    public var accelerator: String
    public var cpus: Int
    /// As given to qemu -m, e.g. "2G".
    public var memory: String
    /// The guest kernel's release.
    public var kernel: String

    public var emulated: Bool { accelerator == "tcg" }

    public init(accelerator: String, cpus: Int, memory: String, kernel: String) {
        self.accelerator = accelerator
        self.cpus = cpus
        self.memory = memory
        self.kernel = kernel
    }

    /// Parses what `cnibench vm` hands the guest in CNIBENCH_GUEST:
    /// "kernel=R accelerator=A cpus=N memory=M".
    public init?(describing text: String) {
        var f: [String: String] = [:]
        for field in text.split(separator: " ") {
            let kv = field.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { f[String(kv[0])] = String(kv[1]) }
        }
        guard let a = f["accelerator"], let c = f["cpus"].flatMap({ Int($0) }), let m = f["memory"], let k = f["kernel"] else {
            return nil
        }
        self.init(accelerator: a, cpus: c, memory: m, kernel: k)
    }

    /// The guest this process runs in, if `cnibench vm` started it.
    public static var current: GuestEnvironment? {
        ProcessInfo.processInfo.environment["CNIBENCH_GUEST"].flatMap { GuestEnvironment(describing: $0) }
    }

    /// "guest tcg (emulated), 2 CPUs, 2G".
    public var summary: String {
        "guest \(accelerator)\(emulated ? " (emulated)" : ""), \(cpus) CPU\(cpus == 1 ? "" : "s"), \(memory)"
    }
}
