// Bridging Swift strings to the `const char *const *` arrays the shim takes. The pointers live
// only for the duration of the closure: strdup'd copies, freed on exit.
#if canImport(Glibc)
import Glibc
#endif

enum CStringArray {
    /// Calls `body` with an array of C strings (not NULL-terminated).
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        // Sound: every strdup'd pointer stays valid until the defer frees it, after body returns.
        let copies: [UnsafeMutablePointer<CChar>?] = unsafe strings.map { unsafe strdup($0) }
        defer { unsafe copies.forEach { unsafe free($0) } }
        let consts: [UnsafePointer<CChar>?] = unsafe copies.map { unsafe $0.map { unsafe UnsafePointer($0) } }
        return unsafe consts.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
    }

    /// Calls `body` with a NULL-terminated argv-style array.
    static func withNullTerminated<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = unsafe strings.map { unsafe strdup($0) } + [nil]
        defer { unsafe copies.forEach { unsafe free($0) } }
        return unsafe copies.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
    }
}
