/// How the flannel-udp datapath's per-node daemon moves packets.
public enum FlannelUDPImplementation: String, CaseIterable, Sendable, Codable {
    /// As flanneld v0.26.7's proxy (pkg/backend/udp/proxy_amd64.c): one read(2) from the TUN and
    /// one sendto(2) per packet, one recv(2) and one write(2) the other way, alternating, with
    /// the socket's default buffers; poll(2) when both sides are idle. The default.
    case flanneld
    /// cnibench's own: recvmmsg/sendmmsg batches of up to 64 packets and 4 MiB socket buffers;
    /// faster than flanneld, so reports label it as ours.
    case batched

    public static var spellings: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
