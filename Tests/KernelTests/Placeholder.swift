import XCTest
final class PlaceholderKernelTests: XCTestCase { func testNothing() throws { throw XCTSkip("placeholder") } }
