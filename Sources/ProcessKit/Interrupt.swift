import CNetShim
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM for the commands that build or measure: the handler (C,
/// async-signal-safe) only counts; the work polls `requested` at step boundaries and in its
/// wait loops, throws `Interrupted`, and the command rolls back what it built. Children run in
/// sessions of their own, so a terminal's Ctrl-C reaches only us; we stop them ourselves.
public enum Interrupt {
    public static func install() { cnb_interrupt_install() }

    public static func restore() { cnb_interrupt_restore() }

    public static var requested: Bool { cnb_interrupt_count() > 0 }

    /// Throws `Interrupted` if a signal has arrived: the check at a step boundary.
    public static func check() throws {
        if requested { throw Interrupted() }
    }

    /// Removes a half-built run with `teardown` (a failed step or an interruption). While it
    /// runs, a (further) Ctrl-C abandons it at once and says how to finish the job, so a stuck
    /// rollback never traps the user. Returns the teardown's problems.
    @discardableResult
    public static func rollBack(run: some CustomStringConvertible, after error: any Error, _ teardown: () -> [String]) -> [String] {
        let interrupted = error is Interrupted
        if interrupted { say("interrupted: rolling back run \(run) …") }
        cnb_interrupt_abort_on_signal(
            "\ninterrupted again: rollback of run \(run) abandoned; remove what is left with: cnibench clean --name \(run)\n", 130)
        let problems = teardown()
        cnb_interrupt_disarm_abort()
        if interrupted {
            say(
                problems.isEmpty
                    ? "interrupted: run \(run) rolled back, everything it built removed"
                    : "interrupted: run \(run) not fully removed; finish with: cnibench clean --name \(run)")
        }
        return problems
    }

    /// To stderr, unbuffered: the user is waiting on exactly this line.
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Thrown at the first step boundary after SIGINT/SIGTERM.
public struct Interrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted (SIGINT/SIGTERM)" }
}
