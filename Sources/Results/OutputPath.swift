import Foundation

/// An output path option that cannot be written, found before any work is done.
public struct OutputPathError: Error, CustomStringConvertible, Equatable {
    public var option: String
    public var path: String
    public var reason: String
    public var description: String { "\(option) \(path): \(reason)" }
}

/// Checks of output path options (`--out`, `-o`, `--summary`) made when the command starts:
/// a benchmark that measures for minutes and then cannot write its results loses them. The
/// checks create nothing but a missing output directory (which the writer would create anyway).
public enum OutputPath {
    /// A directory to write into (created when missing), and the files that will be written
    /// there, which must not be directories.
    public static func checkDirectory(_ path: String, option: String, files: [String] = []) throws {
        func fail(_ reason: String) -> OutputPathError { OutputPathError(option: option, path: path, reason: reason) }
        guard !path.isEmpty else { throw fail("empty path; give a directory") }
        switch kind(path) {
        case .directory:
            guard access(path, W_OK | X_OK) == 0 else { throw fail("directory is not writable (\(errnoText()))") }
            for f in files where kind("\(path)/\(f)") == .directory {
                throw fail("\(path)/\(f) is a directory; the result file \(f) cannot be written there")
            }
        case .other:
            throw fail("exists and is not a directory; give a directory (it is created when missing)")
        case .missing:
            try checkCreatable(path, fail)
        }
    }

    /// A file to (re)write atomically: not a directory, in a directory that exists or can be
    /// created and is writable (the new file is renamed into place there).
    public static func checkFile(_ path: String, option: String) throws {
        func fail(_ reason: String) -> OutputPathError { OutputPathError(option: option, path: path, reason: reason) }
        guard !path.isEmpty else { throw fail("empty path; give a file") }
        guard kind(path) != .directory else { throw fail("is a directory; give a file name") }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        switch kind(parent) {
        case .directory:
            guard access(parent, W_OK | X_OK) == 0 else { throw fail("directory \(parent) is not writable (\(errnoText()))") }
        case .other:
            throw fail("\(parent) is not a directory")
        case .missing:
            try checkCreatable(parent, fail)
        }
    }

    enum Kind { case directory, other, missing }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .directory : .other
    }

    /// A missing directory can be created when its nearest existing ancestor is a writable
    /// directory (a regular file on the way makes it impossible).
    private static func checkCreatable(_ path: String, _ fail: (String) -> OutputPathError) throws {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while true {
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return }
            url = parent
            switch kind(url.path) {
            case .missing: continue
            case .other: throw fail("cannot be created: \(url.path) is not a directory")
            case .directory:
                guard access(url.path, W_OK | X_OK) == 0 else {
                    throw fail("cannot be created: \(url.path) is not writable (\(errnoText()))")
                }
                // access(2) answers for permissions only: as root it says yes for /proc or a
                // read-only mount. The directory is needed anyway, so make it now and let the
                // kernel answer (a run that measures for minutes must not fail at the end).
                do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                    throw fail("cannot be created: \((error as NSError).localizedFailureReason ?? "\(error)")")
                }
                return
            }
        }
    }
}

private func errnoText() -> String { String(cString: strerror(errno)) }
