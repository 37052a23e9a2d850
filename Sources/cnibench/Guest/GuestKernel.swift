import Foundation
import ProcessKit
import Topology

/// The kernel a guest boots: its image and the modules directory (/lib/modules/<release> in the
/// guest) that goes with it.
struct GuestKernel {
    var image: KernelImage
    var modules: String

    init(image: KernelImage, modules: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modules, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PrerequisiteError(
                "kernel \(image.path) (\(image.release)): no modules directory \(modules). Give it with --modules DIR (the kernel's `make modules_install INSTALL_MOD_PATH=…` output, …/lib/modules/\(image.release)), or use a Debian kernel version such as 6.1.0-57, which comes with its modules"
            )
        }
        self.image = image
        self.modules = modules
    }

    /// `--kernel` as given: a Debian version (fetched into the cache) or an image path, with its
    /// modules from `--modules` or beside it (<dir>/lib/modules/<release> for <dir>/boot/vmlinuz
    /// or <dir>/vmlinuz, as `make install`/`dpkg-deb -x` lay them out).
    static func resolve(_ argument: String, modules: String?, say: (String) -> Void) throws -> GuestKernel {
        if KernelCache.isDebianVersion(argument) && !FileManager.default.fileExists(atPath: argument) {
            if modules != nil { throw PrerequisiteError("--modules goes with a kernel image path; a Debian kernel brings its own") }
            return try KernelCache.kernel(version: argument, say: say)
        }
        let image = try KernelImage.read(argument)
        if let modules { return try GuestKernel(image: image, modules: modules) }
        let dir = URL(fileURLWithPath: argument).deletingLastPathComponent().path
        let candidates = ["\(dir)/../lib/modules/\(image.release)", "\(dir)/lib/modules/\(image.release)"]
        let found = candidates.first { FileManager.default.fileExists(atPath: $0) }
        return try GuestKernel(
            image: image, modules: (found.map { URL(fileURLWithPath: $0).standardizedFileURL.path }) ?? candidates[0])
    }

    /// The image path to hand `vng --run`. virtme-ng finds a kernel's modules by walking up from
    /// the image to a directory with lib/modules/<release>; when ours are elsewhere, a directory
    /// of two symlinks in the cache gives it that layout (nothing is copied).
    func bootImage() throws -> String {
        let root = URL(fileURLWithPath: image.path).deletingLastPathComponent().deletingLastPathComponent().path
        if URL(fileURLWithPath: "\(root)/lib/modules/\(image.release)").standardizedFileURL.path
            == URL(fileURLWithPath: modules).standardizedFileURL.path
        {
            return image.path
        }
        let staged = "\(KernelCache.directory)/staged"
        try FileManager.default.createDirectory(atPath: staged, withIntermediateDirectories: true)
        let dir = try Containment.check("\(staged)/\(image.release.replacing("/", with: "_"))", inside: staged)
        try? Containment.remove(dir, inside: staged)
        let fm = FileManager.default
        try fm.createDirectory(atPath: "\(dir)/boot", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(dir)/lib/modules", withIntermediateDirectories: true)
        let real = { (p: String) in URL(fileURLWithPath: p).resolvingSymlinksInPath().path }
        try fm.createSymbolicLink(atPath: "\(dir)/boot/vmlinuz-\(image.release)", withDestinationPath: real(image.path))
        try fm.createSymbolicLink(atPath: "\(dir)/lib/modules/\(image.release)", withDestinationPath: real(modules))
        return "\(dir)/boot/vmlinuz-\(image.release)"
    }
}
