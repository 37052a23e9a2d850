/// The open namespaces and netlink handles of one run: one handle per namespace, opened on
/// first use and kept for the run of a command.
import Netlink
public final class NamespaceSet {
    private var namespaces: [String: NetworkNamespace] = [:]
    private var handles: [String: NetlinkHandle] = [:]

    public init() {}

    /// Registers a namespace this process just created.
    public func adopt(_ ns: NetworkNamespace) { namespaces[ns.name] = ns }

    public func namespace(_ name: String) throws(NetlinkError) -> NetworkNamespace {
        if let ns = namespaces[name] { return ns }
        let ns = try NetworkNamespace.open(name)
        namespaces[name] = ns
        return ns
    }

    public func handle(_ name: String) throws(NetlinkError) -> NetlinkHandle {
        if let h = handles[name] { return h }
        let h = try NetlinkHandle(try namespace(name))
        handles[name] = h
        return h
    }

    /// Closes everything (fds and sockets) — before deleting namespaces, so no fd keeps one alive.
    public func closeAll() {
        handles.removeAll()
        namespaces.removeAll()
    }
}
