extension GivenSpec {
    /// Refuses settings that were given but have no effect on the run that would be built,
    /// naming both the setting and the one that makes it moot, in the spelling the user
    /// wrote (YAML key or flag). Runs on the merged spec (file, then flags), so it applies
    /// to YAML and flags alike; validate() then checks the values themselves.
    public func checkContradictions() throws(SpecError) {
        let s = spec
        try checkServiceContradictions()
        // Route distribution is a Calico setting; Flannel modes ignore it.
        if let src = given[.routing], s.mode.family != .calico {
            throw SpecError(
                SpecSetting.routing.field,
                "\(say(.routing, s.routing.rawValue, src)) has no effect with \(say(.mode, s.mode.rawValue, src)): only Calico modes (calico-bgp, calico-ipip, calico-vxlan) distribute routes; drop \(name(.routing, src)) or use a Calico mode"
            )
        }
        // Reflectors are a property of bgp rr; name that first, and routing bird if missing too.
        if let src = given[.routeReflectors], s.bgp != .rr || s.routing != .bird {
            let fix = s.routing == .bird ? say(.bgp, "rr", src) : "\(say(.bgp, "rr", src)) and \(say(.routing, "bird", src))"
            throw SpecError(
                SpecSetting.routeReflectors.field,
                "\(say(.routeReflectors, value(.routeReflectors), src)) has no effect without \(say(.bgp, "rr", src)) (bgp is \(s.bgp.rawValue), routing is \(s.routing.rawValue)); add \(fix) or drop \(name(.routeReflectors, src))"
            )
        }
        // BGP knobs do nothing without BIRD.
        if s.routing != .bird {
            for setting in [SpecSetting.bgp, .bgpGateway, .bgpTimers] {
                guard let src = given[setting], isOn(setting) else { continue }
                throw SpecError(
                    setting.field,
                    "\(say(setting, value(setting), src)) has no effect without \(say(.routing, "bird", src)) (routing is \(s.routing.rawValue): no BGP sessions); add \(say(.routing, "bird", src)) or drop \(name(setting, src))"
                )
            }
        }
        if let src = given[.flannelUDPImpl], s.mode != .flannelUDP {
            throw SpecError(
                SpecSetting.flannelUDPImpl.field,
                "\(say(.flannelUDPImpl, s.flannelUDPImpl.rawValue, src)) has no effect with \(say(.mode, s.mode.rawValue, src)): it chooses how mode flannel-udp's daemon moves packets; drop \(name(.flannelUDPImpl, src)) or use the flannel-udp mode"
            )
        }
        // Felix's dataplane only chooses how Calico modes' rules are rendered.
        if let src = given[.felixDataplane], s.mode.family != .calico || s.netfilter == .none {
            let moot = s.mode.family != .calico ? say(.mode, s.mode.rawValue, src) : say(.netfilter, "none", src)
            throw SpecError(
                SpecSetting.felixDataplane.field,
                "\(say(.felixDataplane, s.felixDataplane.rawValue, src)) has no effect with \(moot): it chooses which Felix dataplane's rules the Calico modes (calico-bgp, calico-ipip, calico-vxlan) load with netfilter real; drop \(name(.felixDataplane, src))"
            )
        }
        if let src = given[.force], s.force, !s.needsForce {
            throw SpecError(
                SpecSetting.force.field,
                "\(say(.force, "true", src)) has no effect: \(say(.mode, s.mode.rawValue, src)) on \(say(.underlay, s.underlay.rawValue, src)) builds without it (force is for modes the underlay cannot carry); drop \(name(.force, src))"
            )
        }
    }

    /// Booleans count as given only when true: `bgpGateway: false` asks for the default.
    private func isOn(_ setting: SpecSetting) -> Bool {
        setting == .bgpGateway ? spec.bgpGateway : true
    }

    private func value(_ setting: SpecSetting) -> String {
        switch setting {
        case .bgp: spec.bgp.rawValue
        case .routeReflectors: String(spec.routeReflectors)
        case .bgpGateway: String(spec.bgpGateway)
        case .bgpTimers: spec.bgpTimers.rawValue
        default: ""
        }
    }

    /// A setting with its value as written: `--bgp rr` or `bgp: rr`; flags that take no
    /// value (--force, --bgp-gateway) without it.
    private func say(_ setting: SpecSetting, _ value: String, _ src: SettingSource) -> String {
        switch src {
        case .flag: [.force, .bgpGateway].contains(setting) ? setting.flag : "\(setting.flag) \(value)"
        case .file: "\(setting.rawValue): \(value)"
        }
    }

    private func name(_ setting: SpecSetting, _ src: SettingSource) -> String {
        src == .flag ? setting.flag : setting.rawValue
    }
}

extension TopologySpec {
    /// True when validate() would refuse this spec without force: a mode whose routes need
    /// L2 adjacency on an l3 underlay (unless BIRD in the router carries the routes).
    public var needsForce: Bool {
        mode.needsL2Adjacency && underlay == .l3 && !(usesBird && bgpGateway)
    }
}
