/// `podWiring: builtin | cni` (YAML) and `--pod-wiring` (flag): who wires a Flannel mode's pods.
/// Resolved on the merged spec (file, then flags), so a flag's `--mode` is the one checked, and
/// the checks and messages are the same for both spellings.
extension GivenSpec {
    /// Checks `podWiring` against the merged mode and `cni`, then, for `cni`, fills in Flannel's
    /// delegate conflist. Call once, after every flag has been applied.
    public mutating func resolvePodWiring() throws(SpecError) {
        guard let wiring = podWiring, let src = given[.podWiring] else { return }
        let setting = src == .flag ? "\(SpecSetting.podWiring.flag) \(wiring.rawValue)" : "podWiring: \(wiring.rawValue)"
        let modes = FlannelDelegate.modes.map(\.rawValue).joined(separator: ", ")
        guard FlannelDelegate.modes.contains(spec.mode) else {
            throw SpecError(
                SpecSetting.podWiring.field, "\(setting): applies to the Flannel modes \(modes), not \(spec.mode.rawValue)")
        }
        guard wiring == .cni else { return }
        if let cniSource = given[.cni] {
            let other = cniSource == .flag ? "--cni FILE" : "cni:"
            throw SpecError(
                SpecSetting.podWiring.field, "\(setting) generates Flannel's conflist; give it or \(other), not both")
        }
        spec.cni = try FlannelDelegate.settings(mode: spec.mode)
        given[.cni] = src
    }
}
