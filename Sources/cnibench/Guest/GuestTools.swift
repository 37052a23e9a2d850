import Foundation
import ProcessKit

/// The host programs a guest needs, each with how to get it when missing.
enum GuestTools {
    /// Where scripts/install-deps.sh puts virtme-ng (a venv of ours; Debian 12's pip refuses
    /// system-wide installs).
    static let venvBin = "/opt/cnibench/venv/bin"
    static let install =
        "scripts/install-deps.sh run (as root), or: apt-get install -y qemu-system-x86 kmod busybox-static python3-venv && python3 -m venv /opt/cnibench/venv && /opt/cnibench/venv/bin/pip install virtme-ng==1.42"

    /// PATH for vng: it starts `virtme-run` by name, and that finds qemu, busybox and depmod.
    static var path: String {
        let base = ProgramRunner.scriptEnvironment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? "/usr/bin:/bin"
        return "\(venvBin):\(base)"
    }

    /// vng's path, or an error naming everything missing and how to get it.
    static func require() throws -> String {
        var missing: [String] = []
        let vng = access("\(venvBin)/vng", X_OK) == 0 ? "\(venvBin)/vng" : Prerequisites.which("vng")
        if vng == nil { missing.append("vng (virtme-ng, PyPI) not in \(venvBin) nor on PATH") }
        for (program, package) in [
            ("qemu-system-x86_64", "qemu-system-x86"), ("busybox", "busybox-static"), ("depmod", "kmod")
        ] where find(program) == nil {
            missing.append("\(program) (Debian package \(package))")
        }
        guard missing.isEmpty, let vng else {
            throw PrerequisiteError("cnibench vm needs \(missing.joined(separator: ", ")); install with \(install)")
        }
        return vng
    }

    static func find(_ program: String) -> String? {
        for dir in path.split(separator: ":") where access("\(dir)/\(program)", X_OK) == 0 { return "\(dir)/\(program)" }
        return nil
    }

    /// Our environment with PATH set as above: vng keeps its own cache under $HOME.
    static var environment: [String] {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = path
        return env.map { "\($0.key)=\($0.value)" }.sorted()
    }
}
