import ArgumentParser
import TopologyModel
import Agents
import Results
import Gate

// Option values with a fixed set of spellings parse straight into their CNIBenchCore type, so
// `--help` lists the values, `--generate-completion-script` completes them, and a wrong value
// is refused by the parser with the option and every valid value named. Each type is
// CaseIterable with String raw values, which gives `init?(argument:)` and `allValueStrings`.

extension Mode: ExpressibleByArgument {}
extension FlannelDelegate.PodWiring: ExpressibleByArgument {}
extension Underlay: ExpressibleByArgument {}
extension RoutingMode: ExpressibleByArgument {}
extension BGPTopology: ExpressibleByArgument {}
extension BGPTimers: ExpressibleByArgument {}
extension FlannelUDPImplementation: ExpressibleByArgument {}
extension NetfilterSetting: ExpressibleByArgument {}
extension FelixDataplane: ExpressibleByArgument {}
extension BenchTest: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension Better: ExpressibleByArgument {}
extension ShiftMethod: ExpressibleByArgument {}
extension PktgenReceiverMode: ExpressibleByArgument {}

/// `--ipip` of `plan` and `bird-config`: the calico-ipip implementation to render for.
/// `kernel-ipip` (the name `list` and result files show) is accepted too.
enum IPIPChoice: String, CaseIterable, ExpressibleByArgument {
    case kernel
    case tcBPF = "tc-bpf"

    init?(argument: String) {
        if argument == IPIPImplementation.kernel.rawValue {
            self = .kernel
            return
        }
        self.init(rawValue: argument)
    }

    var implementation: IPIPImplementation {
        switch self {
        case .kernel: .kernel
        case .tcBPF: .tcBPF
        }
    }
}

/// `compare --format`.
enum ComparisonFormat: String, CaseIterable, ExpressibleByArgument {
    case table, md, json
    case prComment = "pr-comment"
}

/// `fault ACTION`.
enum FaultAction: String, CaseIterable, ExpressibleByArgument {
    case killBird = "kill-bird"
    case stopBird = "stop-bird"
    case startBird = "start-bird"
    case uplinkDown = "uplink-down"
    case uplinkUp = "uplink-up"
}
