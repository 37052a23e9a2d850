import ArgumentParser

/// The value of an option whose spelling changed (`bench --repeats` is now `--rounds`): the old
/// spelling stays accepted, hidden from --help, so older scripts and CI jobs still run; both at
/// once is refused. Errors about the value name the new spelling, whichever was typed.
func renamedOption<T>(_ value: T?, _ oldValue: T?, name: String, oldName: String) throws -> T? {
    if value != nil && oldValue != nil {
        throw ValidationError("\(name) and \(oldName) (its old spelling) both given; use \(name)")
    }
    return value ?? oldValue
}
