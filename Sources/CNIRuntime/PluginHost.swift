import Foundation
import ProcessKit

/// Where a plugin process starts. The runtime does not open namespaces itself: the caller
/// (Topology's applier and teardown) hands in a host that spawns inside the node namespace,
/// and the unit tests one that spawns in the test's own namespace.
public struct PluginHost {
    /// Starts `argv` with `stdin` as its standard input.
    public var spawn: (_ argv: [String], _ stdin: [UInt8], _ stdout: ChildOutput, _ stderr: ChildOutput) throws -> ChildProcess
    /// Names the place in messages ("node cnb-node1").
    public var label: String

    public init(
        label: String,
        spawn: @escaping (_ argv: [String], _ stdin: [UInt8], _ stdout: ChildOutput, _ stderr: ChildOutput) throws -> ChildProcess
    ) {
        self.label = label
        self.spawn = spawn
    }

    /// Our own namespace (tests with fake plugins, which touch no network state).
    public static var current: PluginHost {
        PluginHost(label: "this namespace") { argv, stdin, out, err in
            try ChildProcess.spawn(argv, stdin: stdin, stdout: out, stderr: err)
        }
    }
}
