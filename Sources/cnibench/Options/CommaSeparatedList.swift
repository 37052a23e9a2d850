import ArgumentParser
import Foundation

/// A comma-separated option value such as `--modes host-gw,calico-vxlan`: each element parsed
/// as `T`, blanks around elements ignored, duplicates dropped, order kept. Used as an option's
/// `transform:` so a bad element is named on its own ("'foo' is not a mode; valid: …"), with
/// `completion: .list(T.allValueStrings)` so the shell offers the element spellings.
func commaSeparated<T: ExpressibleByArgument & Equatable>(_ text: String, of noun: String, as _: T.Type = T.self) throws -> [T] {
    let valid = T.allValueStrings.joined(separator: ", ")
    var list: [T] = []
    for element in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !element.isEmpty {
        guard let value = T(argument: element) else {
            throw ValidationError("'\(element)' is not \(article(noun)) \(noun); valid: \(valid)")
        }
        if !list.contains(value) { list.append(value) }
    }
    guard !list.isEmpty else { throw ValidationError("no \(noun) given; valid: \(valid)") }
    return list
}

private func article(_ noun: String) -> String { "aeiou".contains(noun.first ?? "x") ? "an" : "a" }
