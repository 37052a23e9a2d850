import ArgumentParser
import TopologyModel

/// `--ipip-impl` of `up` and `bench`: which calico-ipip datapath to build. Unset, the kernel's
/// ipip driver (tunl0) where the kernel has it, else the tc-BPF stand-in; `kernel` on a kernel
/// without ipip is refused (cnibench vm boots one that has it).
struct IPIPImplOption: ParsableArguments {
    @Option(
        name: .customLong("ipip-impl"),
        help:
            "calico-ipip implementation: kernel (the ipip driver, tunl0) or tc-bpf (a tc-BPF stand-in). Default: kernel when this kernel has ipip, else tc-bpf."
    )
    var choice: IPIPChoice?

    var requested: IPIPImplementation? { choice?.implementation }
}
