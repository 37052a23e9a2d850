import Foundation

/// `cnibench report` as a library call: load and validate a result file, recompute its
/// summaries, render it. Failed rounds are listed in the report's warnings (and returned, for
/// the command to print on standard error).
public enum ResultReport {
    public static func render(
        path: String, format: ReportFormat, direction: Better? = nil, vocabulary: ResultVocabulary, base: String? = nil
    ) throws -> (
        text: String, failed: [FailedRound]
    ) {
        var r = try BenchResult.loadValidated(path: path, vocabulary: vocabulary)
        let failed = r.failedValues
        r.recomputeSummaries()
        // A file whose every value measured nothing (all zeros, every test failed) has nothing
        // to report; saying so beats an empty table and exit 0.
        if r.summaries.isEmpty {
            let errors = r.samples.filter { $0.error != nil }.count
            throw ResultValidationError(
                file: path, path: "samples",
                value:
                    "without a usable value (\(r.samples.count) samples: \(errors) failed tests, \(failed.count) values that measured nothing)",
                valid: "at least one measured value")
        }
        r.warnings += failed.map(\.description)
        return (try format.render(r, direction: direction, base: base), failed)
    }
}
