// Until the executable and the tests import each target they use, CNIBenchCore's clients
// (the cnibench commands, the tests) see the lower layers through it.
@_exported import NetAddress
@_exported import Netlink
@_exported import ProcessKit
@_exported import TopologyModel
@_exported import Topology
