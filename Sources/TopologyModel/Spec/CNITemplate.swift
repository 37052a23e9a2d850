import Foundation

/// The placeholders a conflist may use, filled in per node (docs/cni.md). Flannel writes the
/// same values into its delegate configuration from /run/flannel/subnet.env.
public enum CNITemplate {
    public static let placeholders = ["{{.NodeSubnet}}", "{{.NodeName}}", "{{.PodCIDR}}", "{{.PodMTU}}"]

    /// `text` with every placeholder replaced for `node`; an unknown `{{…}}` is an error.
    public static func render(_ text: String, node: Addressing.Node, addressing: Addressing, podMTU: Int? = nil) throws(SpecError)
        -> String
    {
        let values = [
            "{{.NodeSubnet}}": node.podSubnets[0].description,
            "{{.NodeName}}": node.namespace,
            "{{.PodCIDR}}": addressing.podCIDR.description,
            "{{.PodMTU}}": String(podMTU ?? 1500)
        ]
        var out = text
        for (k, v) in values { out = out.replacingOccurrences(of: k, with: v) }
        if let open = out.range(of: "{{") {
            let rest = out[open.lowerBound...]
            let shown = rest.range(of: "}}").map { String(rest[..<$0.upperBound]) } ?? String(rest.prefix(20))
            throw SpecError(
                "cni", "unknown placeholder \(SpecError.clip(shown)); valid: \(placeholders.joined(separator: ", "))")
        }
        return out
    }
}
