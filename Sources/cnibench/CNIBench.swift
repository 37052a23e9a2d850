import ArgumentParser
import CNIBenchCore

@main
struct CNIBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnibench",
        abstract: "Kubernetes pod-network datapaths rebuilt in Linux network namespaces, and measured.",
        discussion: """
        Pipeline: spec → plan → apply (up) → verify → measure → report → compare/gate.
        Every object lives in namespaces named <run>-…; nothing is added to the root namespace.

        Examples:
          cnibench plan --mode host-gw --nodes 2 --pods-per-node 2
          sudo cnibench up --mode calico-vxlan --underlay l3 --nodes 3
          sudo cnibench verify
          sudo cnibench list
          sudo cnibench down
          sudo cnibench clean
        """,
        version: CNIBenchVersion.string,
        subcommands: [PlanCommand.self, UpCommand.self, VerifyCommand.self, DownCommand.self, CleanCommand.self,
                      ListCommand.self, CapsCommand.self, BenchTopologyCommand.self, BenchRoutesCommand.self,
                      BenchCommand.self, ReportCommand.self, CompareCommand.self, GateCommand.self,
                      RRServerCommand.self, RRClientCommand.self,
                      // Issue 7: BIRD control plane (StatusCommand.swift, BenchBGPCommand.swift).
                      StatusCommand.self, FaultCommand.self, BirdConfigCommand.self, BenchBGPCommand.self,
                      BirdExecCommand.self, IPIPMirrorCommand.self,
                      // Issue 4: packet generator and the flannel-udp backend daemon.
                      PktgenCommand.self, FlannelUDPDaemonCommand.self, BenchPktgenCommand.self, SummarizeCommand.self]
    )
}
