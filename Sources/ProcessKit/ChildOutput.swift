import CNetShim
import Foundation

/// Where a child's stdout or stderr goes.
public enum ChildOutput: Sendable, Equatable {
    /// /dev/null.
    case discard
    /// A file, created 0644; truncated unless `append`. The same file for stdout and stderr
    /// is opened once and shared.
    case file(String, append: Bool = false)
    /// A pipe the parent reads with `ChildProcess.readOutput()`. When stdout and stderr both
    /// say `.pipe`, they share one pipe (interleaved, as a terminal would show them).
    case pipe
}

/// Opened descriptors for one spawn; the parent's copies are closed right after the spawn.
struct OpenedOutputs {
    var stdout: CInt = -1
    var stderr: CInt = -1
    /// Read end of the capture pipe, kept by the ChildProcess.
    var pipeRead: CInt = -1
    private var toClose: [CInt] = []

    init(stdout: ChildOutput, stderr: ChildOutput) throws {
        do {
            var pipeWrite: CInt = -1
            if stdout == .pipe || stderr == .pipe {
                var fds: [CInt] = [-1, -1]
                let rc = cnb_pipe_cloexec(&fds)
                guard rc == 0 else { throw ProcessError("pipe: \(String(cString: strerror(-rc)))") }
                pipeRead = fds[0]
                pipeWrite = fds[1]
                toClose.append(pipeWrite)
            }
            self.stdout = try open(stdout, pipeWrite: pipeWrite)
            // The same file for both shares one descriptor (one offset), as `>file 2>&1` does.
            if case .file = stderr, stderr == stdout {
                self.stderr = self.stdout
            } else {
                self.stderr = try open(stderr, pipeWrite: pipeWrite)
            }
        } catch {
            closeParentCopies()
            if pipeRead >= 0 { close(pipeRead) }
            throw error
        }
    }

    private mutating func open(_ output: ChildOutput, pipeWrite: CInt) throws -> CInt {
        switch output {
        case .discard: return -1
        case .pipe: return pipeWrite
        case .file(let path, let append):
            let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0o644)
            guard fd >= 0 else { throw ProcessError("cannot open \(path): \(String(cString: strerror(errno)))") }
            toClose.append(fd)
            return fd
        }
    }

    /// Our copies of what the child got; the pipe's write end must go, or reading never sees EOF.
    mutating func closeParentCopies() {
        for fd in toClose { close(fd) }
        toClose.removeAll()
    }
}

/// A failure to start or set up a process (not a failure of the program itself).
public struct ProcessError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
