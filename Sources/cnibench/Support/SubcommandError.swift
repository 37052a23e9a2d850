import ArgumentParser
import Foundation
import TopologyModel

extension CNIBench {
    /// Runs the parsed command. A ValidationError thrown by its run() (a run that does not
    /// exist) or a SpecError (a topology file or a setting the planner refuses) is printed with
    /// that subcommand's usage and exit code 64, as the parser does for errors it finds itself;
    /// argument-parser alone would print the root's usage.
    static func run(_ command: inout any ParsableCommand) -> Never {
        do {
            try command.run()
            exit()
        } catch {
            guard let message = inputErrorMessage(error) else { exit(withError: error) }
            let sub = type(of: command)
            let path = commandPath(to: sub).joined(separator: " ")
            FileHandle.standardError.write(
                Data(
                    """
                    Error: \(message)
                    Usage: \(usageString(for: sub))
                      See '\(path) --help' for more information.

                    """.utf8))
            exit(withError: ExitCode.validationFailure)
        }
    }

    private static func inputErrorMessage(_ error: any Error) -> String? {
        switch error {
        case let e as ValidationError: e.message
        case let e as SpecError: e.description
        default: nil
        }
    }

    /// "cnibench bench matrix" for BenchMatrixCommand: the names from the root down to `target`.
    static func commandPath(to target: any ParsableCommand.Type) -> [String] {
        func search(_ node: any ParsableCommand.Type, _ path: [String]) -> [String]? {
            let here = path + [node._commandName]
            if node == target { return here }
            for child in node.configuration.subcommands {
                if let found = search(child, here) { return found }
            }
            return nil
        }
        return search(CNIBench.self, []) ?? ["cnibench", target._commandName]
    }
}
