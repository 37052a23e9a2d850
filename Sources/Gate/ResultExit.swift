import Results

/// One exit status for one fault in `report`, `compare` and `gate`: any error about their
/// result-file input (unreadable, not a result, refused by validation, not comparable, nothing
/// to judge) is 2, "cannot judge" — never ArgumentParser's 64, never a pass.
public enum ResultExit {
    public static let cannotJudge: Int32 = 2

    /// The status for an error thrown by the library entry points; nil for anything else.
    public static func code(for error: Error) -> Int32? {
        switch error {
        case is ResultSchemaError, is ResultValidationError, is IncomparableError: cannotJudge
        default: nil
        }
    }
}
