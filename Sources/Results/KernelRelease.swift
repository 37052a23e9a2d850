/// A kernel release string (/proc/sys/kernel/osrelease) split into the upstream release and
/// the distribution's or host's build suffix: "6.8.0-1017-azure" is release 6.8.0, build
/// "1017-azure"; "6.18.44-fc-v1098" is release 6.18.44, build "fc-v1098". Machines of one
/// kind (hosted CI runners, a fleet of VMs) run the same release under build suffixes that
/// change from machine to machine, so comparability is judged on the release
/// (`EnvironmentMatch`).
public struct KernelRelease: Sendable, Equatable {
    /// The string as recorded.
    public var full: String
    /// The leading dotted numbers ("6.1.0"); the whole string when it does not start with one.
    public var release: String
    /// What follows the release, without its leading separator ("28-amd64"); empty when none.
    public var build: String

    public init(_ full: String) {
        self.full = full
        let t = full.trimmingWhitespace
        let numeric = t.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let release = numeric.hasSuffix(".") ? numeric.dropLast() : numeric
        // A string without a leading version ("unknown", "") is its own release.
        guard release.first?.isNumber == true else {
            self.release = t
            self.build = ""
            return
        }
        self.release = String(release)
        self.build = String(t.dropFirst(release.count).drop { "-+_.~".contains($0) })
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
