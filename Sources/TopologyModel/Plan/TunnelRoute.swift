/// One remote block behind one node, as the tc-BPF IPIP map holds it.
import NetAddress
public struct TunnelRoute: Hashable, Sendable, Codable {
    public var block: IPv4Prefix
    public var node: IPv4Address

    public init(block: IPv4Prefix, node: IPv4Address) {
        self.block = block
        self.node = node
    }
}
