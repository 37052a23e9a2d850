import ArgumentParser
import Gate
import Results

/// `bench --kernel`: the bench in a guest booted from a kernel (as `vm --kernel K -- bench …`),
/// or, with two, kernel A against kernel B. Named as `vm`'s options, with guest- where bench's
/// own would read otherwise.
struct BenchGuestOptions: ParsableArguments {
    @Option(
        name: .customLong("kernel"),
        help:
            "Run the bench in a guest booted from this kernel (a Debian version such as 6.1.0-57, or an image with its modules beside it, as `vm --kernel`). Twice: kernel A against kernel B, rounds interleaved, one guest boot each, and a side-by-side report."
    )
    var kernels: [String] = []

    @Option(help: "With --kernel: the guest's CPUs (default 2), the same for both kernels.")
    var guestCpus: Int?

    @Option(help: "With --kernel: the guest's memory, qemu -m syntax (default 2G).")
    var guestMemory: String?

    @Option(help: "With --kernel: auto (KVM if a probe boot works, else TCG), kvm or tcg.")
    var accelerator: AcceleratorChoice?

    /// Bench's options that take a value and are the host's business, not the guest's: left out
    /// of the command the guest runs (the per-round ones too, with two kernels).
    static let hostOnly = ["--kernel", "--guest-cpus", "--guest-memory", "--accelerator"]
    static let perRound = ["--rounds", "--repeats", "--seed", "--basename", "--out"]

    /// The guest options given, by name (refused without --kernel).
    var givenGuestOptions: [String] {
        [guestCpus.map { _ in "--guest-cpus" }, guestMemory.map { _ in "--guest-memory" }, accelerator.map { _ in "--accelerator" }]
            .compactMap { $0 }
    }

    var cpus: Int { guestCpus ?? 2 }
    var memory: String { guestMemory ?? "2G" }

    func validate(unsupported: [(option: String, why: String)], seedGiven: Bool, allowEmulated: Bool) throws {
        do {
            try KernelAB.validate(kernels: kernels, guestOptions: givenGuestOptions, unsupported: unsupported, seedGiven: seedGiven)
        } catch { throw ValidationError(error.description) }
        guard !kernels.isEmpty else { return }
        if let g = GuestEnvironment.current {
            throw ValidationError("--kernel: this is already a guest (\(g.summary)); run bench --kernel on the host")
        }
        guard (1...64).contains(cpus) else { throw ValidationError("--guest-cpus \(cpus): give 1 to 64") }
        guard memory.wholeMatch(of: /[0-9]+[MG]?/) != nil else { throw ValidationError("--guest-memory \(memory): give e.g. 1024M or 2G") }
        if accelerator == .tcg && !allowEmulated {
            throw ValidationError(
                "--accelerator tcg: an emulated guest's rates and latencies are qemu's instruction emulation, not the datapath; add --allow-emulated to measure anyway (the results say \"emulated\")"
            )
        }
    }
}
