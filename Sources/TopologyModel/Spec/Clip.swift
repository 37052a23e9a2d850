extension SpecError {
    /// The longest user-supplied value quoted whole in a message.
    public static let clipLimit = 80

    /// A user-supplied value as messages quote it (see `Truncated`): a 10 MB file name or YAML
    /// string must not come back whole in an error (it floods the terminal and hides the reason).
    public static func clip(_ value: some StringProtocol, limit: Int = clipLimit) -> String {
        Truncated(String(value), limit: limit).description
    }
}
