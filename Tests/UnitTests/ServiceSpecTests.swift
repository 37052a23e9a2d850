import XCTest
@testable import NetAddress
@testable import TopologyModel

final class ServiceSpecTests: XCTestCase {
    private func spec(_ edit: (inout ServiceSettings) -> Void) -> TopologySpec {
        var s = TopologySpec()
        s.mode = .hostGW
        var svc = ServiceSettings()
        edit(&svc)
        s.services = svc
        return s
    }

    private func assertRejects(_ s: TopologySpec, field: String, mentioning text: String, line: UInt = #line) {
        do {
            _ = try s.validate()
            XCTFail("expected \(field) to be rejected", line: line)
        } catch {
            XCTAssertEqual(error.field, field, "\(error)", line: line)
            XCTAssertTrue(error.message.contains(text), "message '\(error.message)' lacks '\(text)'", line: line)
        }
    }

    func testDefaultsAreKubeadms() throws {
        let s = TopologySpec()
        XCTAssertNil(s.services)
        XCTAssertEqual(s.serviceSettings.kubeProxy, .iptables)
        XCTAssertEqual(s.serviceSettings.serviceCIDR, IPv4Prefix("10.96.0.0/12")!)
        XCTAssertEqual(s.serviceSettings.services, 0)
        _ = try s.validate()
    }

    func testBadValuesNameTheFieldAndTheRange() {
        assertRejects(spec { $0.services = -1 }, field: "services", mentioning: "0…")
        assertRejects(spec { $0.endpointsPerService = -2 }, field: "endpoints-per-service", mentioning: "0…4")
        assertRejects(
            spec {
                $0.services = 1
                $0.endpointsPerService = 5
            }, field: "endpoints-per-service", mentioning: "0…4 (the run's pods)")
        // Without Services the default endpoint count refuses nothing, even with one pod.
        var onePod = TopologySpec()
        onePod.podsPerNode = [1]
        XCTAssertNoThrow(try onePod.validate())
        assertRejects(
            spec {
                $0.serviceCIDR = IPv4Prefix("10.96.0.0/29")!
                $0.services = 6
            }, field: "services", mentioning: "0…5 (what 10.96.0.0/29 holds)")
        assertRejects(spec { $0.serviceCIDR = IPv4Prefix("10.244.0.0/16")! }, field: "service-cidr", mentioning: "pod network")
        assertRejects(spec { $0.serviceCIDR = IPv4Prefix("192.168.0.0/16")! }, field: "service-cidr", mentioning: "node network")
        assertRejects(spec { $0.serviceCIDR = IPv4Prefix("10.96.0.1/12")! }, field: "service-cidr", mentioning: "host bits")
        assertRejects(spec { $0.kubeProxy = .ipvs }, field: "kube-proxy", mentioning: "ipvs")
        assertRejects(
            spec {
                $0.kubeProxy = .none
                $0.services = 2
            }, field: "services", mentioning: "--kube-proxy none")
    }

    func testCapacityFitsExactly() throws {
        _ = try spec {
            $0.serviceCIDR = IPv4Prefix("10.96.0.0/29")!
            $0.services = 5
        }.validate()
    }

    func testYAMLKeys() throws {
        let s = try SpecLoader.parse(
            "mode: host-gw\nkubeProxy: nftables\nservices: 3\nendpointsPerService: 1\nserviceCIDR: 10.100.0.0/16\n")
        XCTAssertEqual(s.serviceSettings.kubeProxy, .nftables)
        XCTAssertEqual(s.serviceSettings.services, 3)
        XCTAssertEqual(s.serviceSettings.endpointsPerService, 1)
        XCTAssertEqual(s.serviceSettings.serviceCIDR, IPv4Prefix("10.100.0.0/16")!)
        XCTAssertThrowsError(try SpecLoader.parse("kubeProxy: userspace\n")) { XCTAssertEqual(($0 as? SpecError)?.field, "kubeProxy") }
        XCTAssertThrowsError(try SpecLoader.parse("endpointsPerService: 2\n")) {
            XCTAssertEqual(($0 as? SpecError)?.field, "endpoints-per-service")
        }
    }

    func testSpecWithoutServicesKeyStillDecodes() throws {
        var json = String(decoding: try JSONEncoder().encode(TopologySpec()), as: UTF8.self)
        json = json.replacingOccurrences(of: ",\"services\":null", with: "")
        let s = try JSONDecoder().decode(TopologySpec.self, from: Data(json.utf8))
        XCTAssertNil(s.services)
    }
}
