import ArgumentParser

/// `cnibench bench …`: every benchmark. The datapath matrix is the default subcommand, so
/// `cnibench bench --modes host-gw` means `cnibench bench matrix --modes host-gw`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: the datapath matrix (default), topology build/teardown, route programming, pktgen, BGP convergence.",
        discussion: """
            Examples:
              cnibench bench --modes host-gw,calico-vxlan --tests tcp1,rr   # = cnibench bench matrix …
              cnibench bench topology --nodes 100 --pods-per-node 10
              cnibench bench routes --routes 10000 --fdb 1000
              cnibench bench pktgen --rounds 3 --duration 5
              cnibench bench bgp --nodes 5,10
            """,
        subcommands: [
            BenchMatrixCommand.self, BenchTopologyCommand.self, BenchRoutesCommand.self,
            BenchPktgenCommand.self, BenchBGPCommand.self
        ],
        defaultSubcommand: BenchMatrixCommand.self
    )
}
