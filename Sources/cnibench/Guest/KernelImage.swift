import Foundation
import ProcessKit

/// A Linux kernel image on disk, identified by its x86 boot header: the "HdrS" magic at 0x202
/// and the version string that the header's kernel_version field (0x20E) points at, +0x200.
/// That is how a file is told from "not a kernel" before a guest is started on it, and how the
/// release (the /lib/modules/<release> name) is found without booting it.
struct KernelImage: Equatable {
    var path: String
    /// `uname -r` of the image, e.g. "6.1.0-57-amd64".
    var release: String

    static func read(_ path: String) throws -> KernelImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PrerequisiteError(
                "--kernel \(path): no such file. Give a kernel image (vmlinuz/bzImage) or a Debian kernel version such as 6.1.0-57 (cnibench vm --list-kernels shows the cached ones)"
            )
        }
        guard !isDirectory.boolValue, let handle = FileHandle(forReadingAtPath: path) else {
            throw PrerequisiteError("--kernel \(path): not a readable file; give the kernel image itself (vmlinuz/bzImage)")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 1 << 16)) ?? Data())
        guard let release = release(ofBootImage: head) else {
            throw PrerequisiteError(
                "--kernel \(path): not a Linux kernel image (no x86 boot header \"HdrS\" with a version string); give a vmlinuz/bzImage such as arch/x86/boot/bzImage or /boot/vmlinuz-<release>"
            )
        }
        return KernelImage(path: path, release: release)
    }

    /// The release named in a bzImage's header bytes, or nil when they are not one.
    static func release(ofBootImage b: [UInt8]) -> String? {
        guard b.count > 0x210, b[0x202] == 0x48, b[0x203] == 0x64, b[0x204] == 0x72, b[0x205] == 0x53 else { return nil }
        let offset = 0x200 + (Int(b[0x20E]) | Int(b[0x20F]) << 8)
        guard offset > 0x200, offset < b.count else { return nil }
        let bytes = b[offset...].prefix { $0 != 0 && $0 != 0x20 }
        guard !bytes.isEmpty, bytes.count < 128, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
