import ArgumentParser

/// `compare`'s inputs: either two positional files or --baseline/--current lists, not both.
func sides(files: [String], base: [String], head: [String]) throws -> ([String], [String]) {
    if !base.isEmpty || !head.isEmpty {
        guard files.isEmpty, !base.isEmpty, !head.isEmpty else {
            throw ValidationError("use either BASE HEAD arguments or --baseline/--current, both sides given")
        }
        return (base, head)
    }
    guard files.count == 2 else { throw ValidationError("give BASE.json HEAD.json") }
    return ([files[0]], [files[1]])
}

func parseConfidence(_ s: String) throws -> Double {
    let v = try parsePercent(s, flag: "--confidence")
    guard v >= 0.5, v <= 0.999 else { throw ValidationError("--confidence '\(s)': give a level between 50% and 99.9%, such as 95%") }
    return v
}

func parsePercent(_ s: String, flag: String) throws -> Double {
    let t = s.hasSuffix("%") ? String(s.dropLast()) : s
    guard let v = Double(t), v >= 0, v < 100 else { throw ValidationError("\(flag) '\(s)': give a percentage such as 5%") }
    return v / 100
}
