import Foundation

extension Fmt {
    /// %g-style, at most 6 significant digits: what messages print for a value that may be
    /// anything a file holds (-1e308 stays "-1e+308", never a 309-digit number).
    public static func compact(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(format: "%g", x)
    }
}
