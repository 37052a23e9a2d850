extension GivenSpec {
    /// Endpoints per service given while no Service exists would change nothing.
    func checkServiceContradictions() throws(SpecError) {
        let s = spec.serviceSettings
        if let src = given[.endpointsPerService], s.services == 0 {
            let (k, n) = src == .flag ? ("--endpoints-per-service", "--services N") : ("endpointsPerService", "services: N")
            throw SpecError(
                SpecSetting.endpointsPerService.field, "\(k) \(s.endpointsPerService) has no effect without Services; add \(n) or drop \(k)"
            )
        }
    }
}
