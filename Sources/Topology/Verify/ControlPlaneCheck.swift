import TopologyModel

/// What a run's control plane must have converged to, checked after the plan's own objects.
/// The plan cannot list those objects (with `--routing bird` the remote blocks are BIRD's, not
/// plan steps), and this layer knows no control plane: the layer that runs one (CalicoBGP)
/// provides the check, and callers pass it in.
public protocol ControlPlaneCheck: Sendable {
    func problems(_ plan: Plan) -> [String]
}
