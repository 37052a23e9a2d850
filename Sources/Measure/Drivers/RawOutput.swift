import Foundation

/// `bench --keep-raw DIR`: a test's raw output kept beside the result, named so every subject,
/// test and round has its own file: DIR/<mode>@<underlay>_<path>-<test>-r<round>.json.
extension TestContext {
    /// The file `keepRaw` writes for this test, nil when raw output is not kept.
    var rawOutputPath: String? {
        options.keepRawDirectory.map { "\($0)/\(subject.id.replacingOccurrences(of: "/", with: "_"))-\(test.rawValue)-r\(round).json" }
    }

    /// Writes `text` as it was printed. The directory was checked before the run; failing to
    /// write here fails the test, since the user asked for the record and would lack it.
    func keepRaw(_ text: String) throws {
        guard let path = rawOutputPath, let dir = options.keepRawDirectory else { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BenchEngine.MeasureError("--keep-raw: cannot write \(path): \(error.localizedDescription)")
        }
    }
}
