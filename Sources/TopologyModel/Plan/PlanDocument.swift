/// `plan --format json` (docs/cli-json.md): the spec as given, every address, the totals the
/// text summary prints, and each step as data next to the ip(8) lines the text prints for it.
public struct PlanDocument: Codable, Sendable, Equatable {
    /// One step and its rendering. Encoded flat: the step's `op` and values, plus `commands`.
    public struct PlannedStep: Codable, Sendable, Equatable {
        public var step: Step
        public var commands: [String]

        private enum Key: String, CodingKey { case commands }

        public init(step: Step, commands: [String]) {
            self.step = step
            self.commands = commands
        }

        public func encode(to encoder: any Encoder) throws {
            try step.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(commands, forKey: .commands)
        }

        public init(from decoder: any Decoder) throws {
            step = try Step(from: decoder)
            commands = try decoder.container(keyedBy: Key.self).decode([String].self, forKey: .commands)
        }
    }

    /// The counts and MTU of the text summary's first lines.
    public struct Summary: Codable, Sendable, Equatable {
        public var namespaces: Int
        public var nodes: Int
        public var pods: Int
        public var steps: Int
        public var podMTU: Int
    }

    public var spec: TopologySpec
    /// calico-ipip only: the implementation planned for.
    public var ipip: IPIPImplementation?
    public var summary: Summary
    public var addressing: Addressing
    public var steps: [PlannedStep]

    public init(_ plan: Plan) {
        spec = plan.spec
        ipip = plan.ipip
        summary = Summary(
            namespaces: plan.addressing.allNamespaces.count, nodes: plan.addressing.nodes.count, pods: plan.addressing.allPods.count,
            steps: plan.steps.count, podMTU: plan.podMTU)
        addressing = plan.addressing
        steps = plan.steps.map { PlannedStep(step: $0, commands: PlanRenderer.commands($0)) }
    }
}
