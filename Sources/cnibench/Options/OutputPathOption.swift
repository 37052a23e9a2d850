import ArgumentParser
import Results

/// Runs an output path check in `validate()`, turning its error into a usage error (exit 64,
/// the option named) before any work starts.
func outputPathChecked(_ check: () throws -> Void) throws {
    do { try check() } catch let e as OutputPathError { throw ValidationError(e.description) }
}
