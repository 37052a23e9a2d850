import Foundation

/// `--pod-wiring cni`: the pod side of a Flannel mode done by the real `bridge` and `host-local`
/// plugins, given exactly the configuration Flannel's CNI meta-plugin hands its delegate
/// (flannel-io/cni-plugin v1.6.2-flannel1, `flannel_linux.go` `doCmdAdd`/`getDelegateIPAM`,
/// with the stock delegate of flannel v0.26.7 `Documentation/kube-flannel.yml`; docs/cni.md).
public enum FlannelDelegate {
    /// How a Flannel mode's pods are wired.
    public enum PodWiring: String, CaseIterable, Sendable {
        /// cnibench's own netlink steps (Datapaths/FlannelPodWiring.swift).
        case builtin
        /// The delegate below, run by the CNI runtime.
        case cni
    }

    /// Modes whose pods Flannel's CNI plugin wires.
    public static let modes: [Mode] = [.hostGW, .flannelVXLAN, .flannelUDP]

    /// Where the settings came from, as `up` and the run's record name it.
    public static let source = "--pod-wiring cni (Flannel's bridge delegate)"

    /// The delegate netconf as a one-plugin list. Each key and why:
    /// - `hairpinMode`, `isDefaultGateway`: the stock manifest's `delegate` object;
    /// - `type: bridge`, `isGateway: true`: doCmdAdd's defaults when the delegate has none;
    /// - `ipMasq: false`: `!FLANNEL_IPMASQ`, and the manifest starts flanneld with `--ip-masq`;
    /// - `mtu`: FLANNEL_MTU from subnet.env, the backend's MTU (`{{.PodMTU}}`);
    /// - `name: cbr0`: the manifest's list name, which doCmdAdd copies into the delegate;
    /// - `ipam`: getDelegateIPAM — `host-local`, one range `FLANNEL_SUBNET` (parsed with
    ///   net.ParseCIDR, so the network address), one route `FLANNEL_NETWORK` without a gateway.
    /// `cniVersion` is 1.0.0 where the manifest says 0.3.1 (cnibench speaks 1.0.0 and up; the
    /// bridge plugin's result for both versions carries the same objects). `disableCheck`:
    /// a 0.3.1 list never gets CHECK (it came with 0.4.0), so Flannel's pods are never
    /// checked — and the 1.6.2 bridge plugin's CHECK fails on the gateway-less route.
    public static let conflist = """
        {
          "cniVersion": "1.0.0",
          "name": "cbr0",
          "disableCheck": true,
          "plugins": [
            {
              "type": "bridge",
              "hairpinMode": true,
              "isDefaultGateway": true,
              "isGateway": true,
              "ipMasq": false,
              "mtu": {{.PodMTU}},
              "ipam": {
                "type": "host-local",
                "ranges": [[{ "subnet": "{{.NodeSubnet}}" }]],
                "routes": [{ "dst": "{{.PodCIDR}}" }]
              }
            }
          ]
        }

        """

    /// The CNI settings `--pod-wiring cni` gives a spec of `mode`.
    public static func settings(mode: Mode) throws(SpecError) -> CNISettings {
        guard modes.contains(mode) else {
            throw SpecError(
                "pod-wiring",
                "cni applies to the Flannel modes \(modes.map(\.rawValue).joined(separator: ", ")); mode \(mode.rawValue) has no Flannel CNI delegate"
            )
        }
        return CNISettings(source: source, text: conflist)
    }
}
