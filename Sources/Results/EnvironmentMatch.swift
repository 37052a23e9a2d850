/// Whether results from two machines may be compared, and what differs between them.
///
/// The rule (docs/result-schema.md, "Comparing across machines"):
/// - the same kernel string: comparable; a different CPU model or core count is noted (every
///   rate, latency and cost is judged against the node→node baseline of its own round, which
///   carries the machine's speed);
/// - the same kernel *release* under another build suffix ("6.18.44-fc-v595" against
///   "6.18.44-fc-v1098"), on the same CPU model and core count: machines of one kind, judged,
///   the difference noted;
/// - anything else refused: another release, or another build on other hardware.
/// `strict` restores the exact rule: any difference in the kernel string is refused.
/// `acrossKernels` (`compare`/`gate --across-kernels`, `bench --kernel A --kernel B`) judges
/// results of two kernels against each other: the kernel (release and build) may differ, but
/// nothing else of the machine may (CPU model and count, the guest's size), and accelerators are
/// still never mixed.
public struct EnvironmentMatch: Sendable, Equatable {
    /// Reasons the results cannot be compared (empty: comparable).
    public var refusals: [String] = []
    /// Differences that do not prevent the comparison, said so the reader can weigh them.
    public var notes: [String] = []

    public var comparable: Bool { refusals.isEmpty }

    public init(refusals: [String] = [], notes: [String] = []) {
        self.refusals = refusals
        self.notes = notes
    }

    /// One file's machine (`other`, named `which` in the messages) against the reference one.
    public static func judge(
        _ reference: HostEnvironment, _ other: HostEnvironment, which: String, strict: Bool, acrossKernels: Bool = false
    ) -> EnvironmentMatch {
        let d = differences(reference, other, strict: strict, acrossKernels: acrossKernels)
        return EnvironmentMatch(refusals: d.refusals.map { "\($0) (\(which))" }, notes: d.notes.map { "\($0) (\(which))" })
    }

    /// Every file of base and head against the first one (base file 1), as `compare` and
    /// `gate` check them. A difference shared by several files is said once, naming them all
    /// ("head files 1, 2, 3"): a same-runner A/B pools a dozen files a side.
    public static func across(
        base: [HostEnvironment], head: [HostEnvironment], strict: Bool, acrossKernels: Bool = false
    ) -> EnvironmentMatch {
        let all = base + head
        guard let reference = all.first else { return EnvironmentMatch() }
        var refusals: [(String, [String])] = [], notes: [(String, [String])] = []
        func add(_ message: String, _ which: String, to list: inout [(String, [String])]) {
            if let i = list.firstIndex(where: { $0.0 == message }) { list[i].1.append(which) } else { list.append((message, [which])) }
        }
        for (i, e) in all.enumerated().dropFirst() {
            let which = i < base.count ? "base \(i + 1)" : "head \(i - base.count + 1)"
            // Only head may run the other kernel: one side's own files are of one kernel.
            let d = differences(reference, e, strict: strict, acrossKernels: acrossKernels && i >= base.count)
            for r in d.refusals { add(r, which, to: &refusals) }
            for n in d.notes { add(n, which, to: &notes) }
        }
        func said(_ list: [(String, [String])]) -> [String] {
            list.map { message, files in
                let sides = ["base", "head"].compactMap { side -> String? in
                    let numbers = files.filter { $0.hasPrefix(side) }.map { $0.dropFirst(side.count + 1) }
                    guard !numbers.isEmpty else { return nil }
                    return "\(side) file\(numbers.count == 1 ? "" : "s") \(numbers.joined(separator: ", "))"
                }
                return "\(message) (\(sides.joined(separator: "; ")))"
            }
        }
        var out = EnvironmentMatch(refusals: said(refusals), notes: said(notes))
        // Above, each head file is held to base file 1 with the kernel free to differ, so head
        // files of kernels B and C would pool as one side: each side is one kernel, its files
        // held to its own file 1 without that permission (base's build suffix included).
        if acrossKernels { out.refusals += within(base, side: "base", strict: strict) + within(head, side: "head", strict: strict) }
        return out
    }

    /// One side's files 2… against its file 1, `--across-kernels` not applying: the same kernel string.
    static func within(_ side: [HostEnvironment], side name: String, strict: Bool) -> [String] {
        guard let first = side.first else { return [] }
        var refusals: [(String, [String])] = []
        for (i, e) in side.enumerated().dropFirst() {
            let d =
                first.kernel != e.kernel
                ? [
                    "kernels differ: \(first.kernel) vs \(e.kernel); --across-kernels judges one kernel against another, each side all of one"
                ]
                : differences(first, e, strict: strict).refusals
            for r in d {
                if let j = refusals.firstIndex(where: { $0.0 == r }) {
                    refusals[j].1.append("\(i + 1)")
                } else {
                    refusals.append((r, ["\(i + 1)"]))
                }
            }
        }
        return refusals.map { message, files in
            "\(message) (within \(name): \(name) file\(files.count == 1 ? "" : "s") \(files.joined(separator: ", ")) against \(name) file 1)"
        }
    }

    /// The rule itself, messages without the file they concern.
    static func differences(
        _ reference: HostEnvironment, _ other: HostEnvironment, strict: Bool, acrossKernels: Bool = false
    ) -> (refusals: [String], notes: [String]) {
        // Emulated, virtualised and bare-metal numbers measure different machines: never mixed.
        let ga = reference.guest.map { "\($0.accelerator) guest" } ?? "host"
        let gb = other.guest.map { "\($0.accelerator) guest" } ?? "host"
        if ga != gb { return (["accelerators differ: \(ga) vs \(gb); results from a guest compare only with the same accelerator"], []) }
        var guestNotes: [String] = []
        if let a = reference.guest, let b = other.guest, a.cpus != b.cpus || a.memory != b.memory {
            let sizes = "guest sizes differ: \(a.cpus) CPUs, \(a.memory) vs \(b.cpus) CPUs, \(b.memory)"
            // Across kernels the kernel must be the only difference, or the change is not the kernel's.
            if acrossKernels && reference.kernel != other.kernel { return (["\(sizes); --across-kernels needs the same guest size"], []) }
            guestNotes.append(sizes)
        }
        if acrossKernels && reference.kernel != other.kernel { return kernelDifference(reference, other) }
        let d = hostDifferences(reference, other, strict: strict)
        return (d.refusals, guestNotes + d.notes)
    }

    static func hostDifferences(_ reference: HostEnvironment, _ other: HostEnvironment, strict: Bool) -> (
        refusals: [String], notes: [String]
    ) {
        let sameCPU = reference.cpuModel == other.cpuModel && reference.cpuCount == other.cpuCount
        let cpus = "\(reference.cpuModel) × \(reference.cpuCount) vs \(other.cpuModel) × \(other.cpuCount)"
        if reference.kernel == other.kernel {
            return ([], sameCPU ? [] : ["CPUs differ: \(cpus); judged against each round's node→node baseline"])
        }
        let a = KernelRelease(reference.kernel), b = KernelRelease(other.kernel)
        if strict {
            return (
                [
                    "kernels differ: \(a.full) vs \(b.full); --strict needs the same kernel string (--across-kernels judges one kernel against the other)"
                ], []
            )
        }
        if a.release != b.release {
            let both = a.build.isEmpty && b.build.isEmpty ? "" : " (\(a.full) vs \(b.full))"
            return (
                [
                    "kernel releases differ: \(a.release) vs \(b.release)\(both); to judge one kernel against the other give --across-kernels"
                ],
                []
            )
        }
        if !sameCPU {
            return (
                [
                    "kernel builds differ (\(a.full) vs \(b.full)) and so do the CPUs (\(cpus)): not machines of one kind (--across-kernels judges kernels only on the same CPUs)"
                ], []
            )
        }
        return (
            [],
            [
                "kernel builds differ: \(a.full) vs \(b.full); same release \(a.release), CPU model and core count, so judged as machines of one kind (--strict refuses this)"
            ]
        )
    }

    /// `acrossKernels` with two kernel strings: judged when the CPUs are the same, the kernels said.
    static func kernelDifference(_ reference: HostEnvironment, _ other: HostEnvironment) -> (refusals: [String], notes: [String]) {
        guard reference.cpuModel == other.cpuModel && reference.cpuCount == other.cpuCount else {
            return (
                [
                    "kernels differ (\(reference.kernel) vs \(other.kernel)) and so do the CPUs (\(reference.cpuModel) × \(reference.cpuCount) vs \(other.cpuModel) × \(other.cpuCount)); --across-kernels needs everything but the kernel to match"
                ], []
            )
        }
        return ([], ["kernels differ: \(reference.kernel) vs \(other.kernel); judged across kernels (--across-kernels)"])
    }
}
