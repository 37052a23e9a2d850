/// Fixed-width columns for the tables `list` and `status` print.
extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
