import Foundation
import ProcessKit
import Topology

/// Debian kernels fetched for guests: `apt-get download` of linux-image-<version>-amd64-unsigned,
/// unpacked with `dpkg-deb -x` into /var/cache/cnibench/kernels/<version>/root (its boot/ and
/// lib/modules/ — never /boot or the host's /lib/modules). Nothing is installed; the cache is
/// ours to list and clear, and every removal goes through Containment.
enum KernelCache {
    static let directory = "/var/cache/cnibench"
    static let kernels = directory + "/kernels"

    /// "6.1.0-57": the ABI version Debian names its kernel packages by.
    static func isDebianVersion(_ s: String) -> Bool {
        s.wholeMatch(of: /[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+|\+deb[0-9]+)/) != nil
    }

    static func package(_ version: String) -> String { "linux-image-\(version)-amd64-unsigned" }

    struct Entry {
        var version: String
        var kernel: GuestKernel
        var bytes: UInt64
    }

    /// The cached kernel of `version`, fetching and unpacking it first when absent.
    static func kernel(version: String, say: (String) -> Void) throws -> GuestKernel {
        let dir = "\(kernels)/\(version)"
        if let k = try? cached(dir) { return k }
        try Prerequisites.requireRoot("vm --kernel \(version)", because: "it writes the kernel cache \(kernels)")
        for (program, pkg) in [("apt-get", "apt"), ("dpkg-deb", "dpkg"), ("depmod", "kmod")] {
            try Prerequisites.requireProgram(program, package: pkg, for: "fetching a Debian kernel")
        }
        let pkg = package(version)
        // apt-cache knows only what `apt-get update` listed: a version it lacks is refused here,
        // with the versions it has, before anything is downloaded.
        let known = try ProgramRunner.capture(["apt-cache", "show", "--no-all-versions", pkg], includeStderr: true)
        guard known.status.succeeded, known.output.contains("Package: \(pkg)") else {
            throw PrerequisiteError(
                "--kernel \(version): Debian has no package \(pkg) in this machine's apt lists. Available: \(available().joined(separator: ", ").nonEmpty ?? "none listed") (run apt-get update first if the list is old or empty)"
            )
        }
        try FileManager.default.createDirectory(atPath: kernels, withIntermediateDirectories: true)
        // Unpacked beside the final place, then renamed: an interrupted fetch never leaves a
        // half kernel that the next run would take for a cached one.
        let partial = try Containment.check("\(kernels)/.partial-\(version)-\(getpid())", inside: kernels)
        try? Containment.remove(partial, inside: kernels)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        defer { try? Containment.remove(partial, inside: kernels) }
        say("fetching \(pkg) into \(dir) (apt-get download, dpkg-deb -x; nothing is installed)")
        try run(["apt-get", "download", "-q", pkg], in: partial, what: "apt-get download \(pkg)")
        guard let deb = try FileManager.default.contentsOfDirectory(atPath: partial).first(where: { $0.hasSuffix(".deb") }) else {
            throw PrerequisiteError("apt-get download \(pkg) left no .deb in \(partial)")
        }
        try run(["dpkg-deb", "-x", "\(partial)/\(deb)", "\(partial)/root"], in: partial, what: "dpkg-deb -x \(deb)")
        try Containment.remove("\(partial)/\(deb)", inside: kernels)
        // The package ships no modules.dep (its postinst makes it): make it here, inside the cache.
        let k = try located(root: "\(partial)/root")
        try run(["depmod", "-a", "-b", "\(partial)/root", k.image.release], in: partial, what: "depmod for \(k.image.release)")
        try? Containment.remove(dir, inside: kernels)
        guard rename(partial, dir) == 0 else {
            throw PrerequisiteError("cannot move \(partial) to \(dir): \(String(cString: strerror(errno)))")
        }
        return try cached(dir)
    }

    /// The cached kernels, oldest version first.
    static func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: kernels)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { v in
            guard let k = try? cached("\(kernels)/\(v)") else { return nil }
            return Entry(version: v, kernel: k, bytes: diskUsage("\(kernels)/\(v)"))
        }
    }

    /// Removes one cached version, or all of the kernel cache; returns what was removed.
    static func clear(version: String?) throws -> [String] {
        if let version {
            guard isDebianVersion(version) else {
                throw PrerequisiteError("--clear-cache \(version): not a Debian kernel version such as 6.1.0-57")
            }
            let path = "\(kernels)/\(version)"
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            try Containment.remove(path, inside: kernels)
            return [path]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: kernels)) ?? []
        var removed: [String] = []
        for n in names.sorted() {
            try Containment.remove("\(kernels)/\(n)", inside: kernels)
            removed.append("\(kernels)/\(n)")
        }
        return removed
    }

    /// linux-image-<version>-amd64-unsigned packages apt knows, by version.
    static func available() -> [String] {
        let out = (try? ProgramRunner.capture(["apt-cache", "pkgnames", "linux-image-"]))?.output ?? ""
        return out.split(separator: "\n").compactMap { line in
            line.wholeMatch(of: /linux-image-([0-9.]+(?:-[0-9]+|\+deb[0-9]+))-amd64-unsigned/).map { String($0.1) }
        }.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
    }

    private static func cached(_ dir: String) throws -> GuestKernel {
        guard FileManager.default.fileExists(atPath: "\(dir)/root") else { throw PrerequisiteError("\(dir): not cached") }
        return try located(root: "\(dir)/root")
    }

    /// The one vmlinuz in root/boot and its modules in root/lib/modules/<release>.
    private static func located(root: String) throws -> GuestKernel {
        let boot = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/boot")) ?? []
        guard let name = boot.sorted().first(where: { $0.hasPrefix("vmlinuz-") }) else {
            throw PrerequisiteError("\(root)/boot has no vmlinuz-*: the package is not a kernel image")
        }
        let image = try KernelImage.read("\(root)/boot/\(name)")
        return try GuestKernel(image: image, modules: "\(root)/lib/modules/\(image.release)")
    }

    private static func run(_ argv: [String], in dir: String, what: String) throws {
        let r = try ProgramRunner.capture(argv, includeStderr: true, workingDirectory: dir)
        guard r.status.succeeded else {
            let tail = r.output.split(separator: "\n").suffix(5).joined(separator: "\n  ")
            throw PrerequisiteError("\(what) failed (\(r.status)):\n  \(tail)")
        }
    }

    private static func diskUsage(_ path: String) -> UInt64 {
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: UInt64 = 0
        while let f = e.nextObject() as? String {
            if let a = try? FileManager.default.attributesOfItem(atPath: "\(path)/\(f)"), a[.type] as? FileAttributeType == .typeRegular {
                total += (a[.size] as? UInt64) ?? 0
            }
        }
        return total
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
