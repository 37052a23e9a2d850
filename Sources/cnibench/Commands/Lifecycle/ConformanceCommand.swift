import ArgumentParser
import Foundation
import ProcessKit
import Topology
import TopologyModel

/// `cnibench conformance`: builds a Flannel mode twice — cnibench's builtin pod wiring and the
/// real bridge + host-local plugins with Flannel's delegate (`--pod-wiring cni`) — reads both
/// and lists every attribute on which they differ, with the decision taken about it.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Hold the builtin pod wiring against Flannel's CNI delegate (bridge + host-local), attribute by attribute.",
        discussion: """
            Builds runs NAME-b (builtin) and NAME-c (--pod-wiring cni) of the same plan, reads cni0,
            the host veths, pod interfaces, addresses, routes, sysctls and nft rulesets of every node
            and pod, removes both runs and prints the differences, each with its decision (adopted, or
            kept and why). Exits 1 if a difference has no decision. Needs root and the bridge and
            host-local plugins (Debian: containernetworking-plugins).

            Examples:
              cnibench conformance --mode host-gw
              cnibench conformance --mode flannel-vxlan --out bench-results/cni-conformance-flannel.md
            """
    )

    @Option(name: .long, help: "Flannel mode: \(FlannelDelegate.modes.map(\.rawValue).joined(separator: ", ")) (default host-gw).")
    var mode: Mode = .hostGW

    @Option(name: .long, help: "Run-name prefix of the two runs (default cnbc).", transform: parseRunName)
    var name: RunName = "cnbc"

    @Option(name: .long, help: "CNI_PATH for the plugins (default /usr/lib/cni).")
    var cniPath: String?

    @Option(name: .long, help: "Also write the report (Markdown) to this file.")
    var out: String?

    @OptionGroup var diagnostics: VerboseOption

    func validate() throws {
        guard FlannelDelegate.modes.contains(mode) else {
            throw ValidationError(
                "--mode \(mode.rawValue): conformance compares Flannel pod wiring; valid: \(FlannelDelegate.modes.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    func specs() throws -> (builtin: TopologySpec, cni: TopologySpec) {
        var b = TopologySpec()
        b.mode = mode
        b.podsPerNode = [2, 2]
        b.name = try name.appending("-b")
        var c = b
        c.name = try name.appending("-c")
        c.cni = try FlannelDelegate.settings(mode: mode)
        if let cniPath { c.cni?.pluginPath = cniPath.split(separator: ":").map(String.init) }
        return (b, c)
    }

    func run() throws {
        diagnostics.apply()
        try Prerequisites.requireRoot("conformance")
        let (bs, cs) = try specs()
        for s in [bs, cs] where RunState(run: s.name).exists {
            throw ValidationError("run '\(s.name)' already exists: cnibench down --name \(s.name), or choose another --name")
        }
        var built: [RunName] = []
        defer { for r in built.reversed() { for p in Teardown(state: RunState(run: r)).run() { print("warning: \(p)") } } }
        let rb = try RunBuilder(spec: bs).up()
        built.append(bs.name)
        let rc = try RunBuilder(spec: cs).up()
        built.append(cs.name)
        let report = WiringConformance(
            mode: mode.rawValue, builtin: try WiringSnapshot.read(rb.plan), cni: try WiringSnapshot.read(rc.plan))
        let plugins = (cs.cni?.pluginPath ?? []).joined(separator: ":") + " " + pluginVersion(cs.cni?.pluginPath ?? [])
        let text = report.markdown(
            command: (["cnibench"] + CommandLine.arguments.dropFirst()).joined(separator: " "), kernel: KernelFeatures.kernelRelease(),
            plugins: plugins)
        if let out { try text.write(toFile: out, atomically: true, encoding: .utf8) }
        print("\(report.rows.count) attributes compared, \(report.differences.count) differ, \(report.undecided.count) undecided")
        for r in report.differences {
            print(
                "  \(r.attribute): builtin \(r.builtin.replacingOccurrences(of: "\n", with: " | ")) ≠ cni \(r.cni.replacingOccurrences(of: "\n", with: " | "))"
            )
            print("    \(WiringConformance.decision(for: r.attribute) ?? "UNDECIDED")")
        }
        if let out { print("wrote \(out)") }
        if !report.undecided.isEmpty { throw ExitCode.failure }
    }

    /// The Debian package's version, when the plugins come from it.
    func pluginVersion(_ path: [String]) -> String {
        guard path.contains("/usr/lib/cni"),
            let c = try? ProgramRunner.capture(["dpkg-query", "-W", "-f", "${Version}", "containernetworking-plugins"]), c.status.succeeded
        else { return "" }
        return "(containernetworking-plugins \(c.output))"
    }
}
