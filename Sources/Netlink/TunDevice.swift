import CNetShim

/// A persistent TUN device, as the flannel-udp datapath's plan step creates it.
public enum TunDevice {
    /// `ip tuntap add NAME mode tun` inside `ns`: IFF_TUN | IFF_NO_PI, TUNSETPERSIST.
    public static func createPersistent(in ns: NetworkNamespace, name: String) throws(NetlinkError) {
        let rc = unsafe cnb_tun_create_persistent(ns.fd, name)
        guard rc == 0 else { throw NetlinkError(operation: "tuntap add \(name) mode tun", namespace: ns.name, code: rc) }
    }
}
