import Foundation
import ProcessKit

/// How a guest's CPU runs: KVM (hardware virtualisation) or TCG (qemu's emulator, ~10–50×
/// slower; results measured under it are marked emulated).
enum Accelerator: String, CaseIterable {
    case kvm, tcg
}

/// `--accelerator`: auto probes KVM once per host boot.
enum AcceleratorChoice: String, CaseIterable {
    case auto, kvm, tcg
}

/// Whether KVM guests boot here. /dev/kvm can exist while a KVM guest hangs before its kernel
/// prints (nested virtualisation without the features the guest needs), so the answer is a
/// bounded boot, not the device's presence. Remembered in the cache with the host's boot id:
/// the answer holds until the host reboots.
enum AcceleratorProbe {
    static let record = KernelCache.directory + "/accelerator"

    static func bootID() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func remembered() -> Accelerator? {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count == 2, fields[0] == bootID() else { return nil }
        return Accelerator(rawValue: fields[1].trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The accelerator to use; `boot` runs a trivial guest under KVM and says whether it finished.
    static func choose(_ choice: AcceleratorChoice, say: (String) -> Void, boot: () throws -> Bool) throws -> Accelerator {
        switch choice {
        case .tcg: return .tcg
        case .kvm:
            guard access("/dev/kvm", R_OK | W_OK) == 0 else {
                throw PrerequisiteError(
                    "--accelerator kvm: /dev/kvm is missing or not usable here; use --accelerator tcg (emulated) or auto")
            }
            return .kvm
        case .auto:
            guard access("/dev/kvm", R_OK | W_OK) == 0 else { return .tcg }
            if let known = remembered() { return known }
            say("probing KVM with a short guest boot (once per host boot; result kept in \(record))")
            let found: Accelerator = (try? boot()) == true ? .kvm : .tcg
            if found == .tcg { say("KVM guests do not boot here: using TCG (emulated)") }
            try? FileManager.default.createDirectory(atPath: KernelCache.directory, withIntermediateDirectories: true)
            try? "\(bootID()) \(found.rawValue)\n".write(toFile: record, atomically: true, encoding: .utf8)
            return found
        }
    }
}
