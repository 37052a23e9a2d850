import CNetShim

extension NetworkNamespace {
    /// `ethtool -k DEV` through the ETHTOOL_GFEATURES ioctl inside this namespace: the shim's
    /// "name active requested changeable" lines (parsed by the measuring layer).
    public func ethtoolFeatures(device: String) throws(NetlinkError) -> String {
        var buf = [CChar](repeating: 0, count: 16384)
        // Sound: the shim writes at most `count` bytes, NUL-terminated, into the buffer it is
        // lent for the duration of the call; the string is copied out before the buffer goes.
        let rc = unsafe buf.withUnsafeMutableBufferPointer { p in unsafe cnb_ethtool_features(fd, device, p.baseAddress!, p.count) }
        guard rc >= 0 else { throw NetlinkError(operation: "ethtool -k \(device)", namespace: name, code: rc) }
        return unsafe buf.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
    }
}
