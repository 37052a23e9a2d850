import Foundation
import TopologyModel
import Topology
import Results

extension HostEnvironment {
    /// This machine now: what the envelope of every file written here records.
    public static func current() -> HostEnvironment {
        HostEnvironment(
            kernel: KernelFeatures.kernelRelease(),
            kernelVersion: (try? String(contentsOfFile: "/proc/sys/kernel/version", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines),
            cpuModel: Fingerprint.cpuModel(), cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            cnibenchVersion: CNIBenchVersion.string, guest: GuestEnvironment.current)
    }
}
