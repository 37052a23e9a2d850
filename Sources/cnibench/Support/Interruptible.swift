import ArgumentParser
import ProcessKit

/// The command side of `Interrupt`: SIGINT/SIGTERM are counted while `body` runs (the work
/// polls them at step boundaries and rolls back what it built), and an `Interrupted` that comes
/// out becomes exit status 130 — the shell's convention for "stopped by Ctrl-C".
enum Interruptible {
    static func run<T>(_ what: String, _ body: () throws -> T) throws -> T {
        Interrupt.install()
        defer { Interrupt.restore() }
        do {
            let r = try body()
            if Interrupt.requested { throw Interrupted() }
            return r
        } catch is Interrupted {
            print("interrupted: \(what) stopped")
            throw ExitCode(130)
        }
    }
}
