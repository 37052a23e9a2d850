import ArgumentParser
import Measure

/// `bench --pin`: auto, none or CLIENT,SERVER (CPU numbers), as `CPUPinning(parsing:)` reads it;
/// its reason for refusing a value becomes the parser's message.
func parsePinning(_ text: String) throws -> CPUPinning {
    do { return try CPUPinning(parsing: text) } catch let e as BenchInputError { throw ValidationError(e.description) }
}
