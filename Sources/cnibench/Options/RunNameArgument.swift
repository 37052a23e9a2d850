import ArgumentParser
import TopologyModel

/// Every `--name` goes through `RunName` at parse time, so no command's `run()` ever sees an
/// unvalidated name (and an invalid one fails before anything is touched, root or not).
func parseRunName(_ text: String) throws -> RunName {
    do { return try RunName(text) } catch { throw ValidationError("\(error)") }
}
