/// A pass over the text before Yams composes a tree from it.
///
/// Yams' composer resolves every alias to the anchored node, so after `compose` an alias is
/// indistinguishable from a copy, and the composer itself hashes mapping keys to find
/// duplicates: a "billion laughs" alias used as a key is expanded right there, before any
/// check of ours could run. Topology files have no use for anchors, so this pass refuses
/// them (and deep nesting, which the recursive composer would follow down the stack, and a
/// second document) while the input is still text.
///
/// It is a tokenizer for the subset of YAML a topology file needs, written after libyaml's
/// scanner (which Yams bundles) so that it splits a line into tokens where libyaml does. It
/// is conservative: where it cannot be sure what libyaml would see, it refuses. So `&` and
/// `*` are refused anywhere outside a quoted string or a comment (even inside a plain value,
/// where YAML would take them literally), and so are tags (`!`), block scalars (`|`, `>`),
/// directives (`%`), quoted strings that run past the end of their line, and a line that
/// might or might not continue the plain value above it when the two readings tokenize the
/// line differently.
enum YAMLPrescan {
    /// Nesting is bounded per line by its indentation, its block markers (`- `, `? `, `: `)
    /// and the flow brackets open on it. libyaml's indentation stack holds strictly
    /// increasing columns, so a line indented by n has at most n + 1 block levels above it,
    /// each marker opens at most one more (and an indentless sequence one per level): the
    /// composer recurses at most about 2 × 64 + 3 levels, far from any stack limit. Real
    /// topology files score under 10 (`nodes:` / `    -   pods: 2` is 6).
    static let maxDepth = 64

    static func check(_ text: String, source: String) throws(SpecError) {
        // libyaml stops at a NUL (its reader refuses control characters); no text has one.
        if text.unicodeScalars.contains("\0") {
            throw SpecError("topology", "\(source) contains a NUL character; a topology file is text")
        }
        var scanner = Scanner(Array(text.unicodeScalars), source: source)
        try scanner.run()
    }

    private struct Scanner {
        let s: [Unicode.Scalar]
        let source: String
        var i = 0
        var line = 1
        /// Column of the current character (in Unicode scalars, as libyaml counts).
        var column = 0
        var flowDepth = 0
        var sawContent = false
        var sawDocumentStart = false
        /// The previous line ended inside a plain value, which may go on on this line.
        var plainPending = false
        /// A lower bound of libyaml's block indentation while that value was scanned: a line
        /// indented no deeper than this certainly does not continue it.
        var plainIndentBound = -1

        // Per line:
        var lineIndent = 0
        var markers = 0
        var indentBound = -1
        /// Column of the first token since the last block marker (or the line start): where
        /// a simple key before `:` can start at the earliest.
        var firstTokenColumn: Int?

        init(_ s: [Unicode.Scalar], source: String) {
            self.s = s
            self.source = source
            // libyaml's reader drops one byte-order mark at the start of the stream.
            if s.first == "\u{FEFF}" { i = 1 }
        }

        func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
        func isBreak(_ c: Unicode.Scalar?) -> Bool {
            guard let c else { return false }
            return c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
        }
        func isBlank(_ c: Unicode.Scalar?) -> Bool { c == " " || c == "\t" }
        /// Blank, line break or end of input: libyaml's IS_BLANKZ.
        func isBlankZ(_ c: Unicode.Scalar?) -> Bool { c == nil || isBlank(c) || isBreak(c) || c == "\0" }
        var atLineEnd: Bool { i >= s.count || isBreak(s[i]) }

        func fail(_ message: String) -> SpecError { SpecError("topology", "\(source) line \(line): \(message)") }
        func anchorError() -> SpecError {
            fail(
                "'&' or '*' outside quotes: anchors and aliases (&name, *name) are not supported in topology files; write the value out (or quote it)"
            )
        }

        mutating func advance() {
            i += 1
            column += 1
        }
        mutating func skipBlanks() { while isBlank(at(i)) { advance() } }

        /// Consumes the line break at `i` (CR LF counts as one).
        mutating func nextLine() {
            if at(i) == "\r" && at(i + 1) == "\n" { i += 1 }
            i += 1
            line += 1
            column = 0
        }

        mutating func checkDepth() throws(SpecError) {
            let depth = lineIndent + markers + flowDepth
            if depth > maxDepth {
                throw fail(
                    "nested more than \(maxDepth) levels deep (indentation, '- ', '? ' and ': ' markers and open brackets add up); topology files nest at most three (nodes: [{pods: 2}])"
                )
            }
        }

        mutating func run() throws(SpecError) {
            while i < s.count {
                try scanLine()
                if i < s.count { nextLine() }
            }
        }

        mutating func scanLine() throws(SpecError) {
            markers = 0
            indentBound = -1
            firstTokenColumn = nil
            skipBlanks()
            lineIndent = column
            if atLineEnd { return }  // blank lines keep a pending plain value going
            let c = s[i]
            let documentMarker = column == 0 && (startsWith("---") || startsWith("...")) && isBlankZ(at(i + 3))
            if c == "#" || documentMarker {
                plainPending = false  // both end a plain value in libyaml
            } else if plainPending {
                plainPending = false
                if flowDepth > 0 {
                    // In flow context a plain value always goes on onto the next line.
                    try plain()
                } else if column > plainIndentBound {
                    // Maybe a continuation, maybe a new token. Go on only where both readings
                    // tokenize the same: a character that starts a plain value either way, or
                    // one that means the same either way.
                    if c == "&" || c == "*" { throw anchorError() }
                    if !(c == ":" && isBlankZ(at(i + 1))) {
                        guard startsPlainInBlock(c) else {
                            throw fail(
                                "cannot tell whether this line continues the value on the line above; put that value on one line, or indent this line less"
                            )
                        }
                        noteToken(column)
                        try plain()
                    }
                }
            }
            try tokens()
        }

        func startsWith(_ word: String) -> Bool {
            var k = i
            for ch in word.unicodeScalars {
                guard at(k) == ch else { return false }
                k += 1
            }
            return true
        }

        /// Characters that start a plain value in block context and are ordinary characters
        /// inside one (libyaml's rule, minus the ones that end a value or are refused here).
        func startsPlainInBlock(_ c: Unicode.Scalar) -> Bool {
            switch c {
            case "-", "?", ":": return !isBlankZ(at(i + 1))
            case ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "\u{FEFF}": return false
            default: return true
            }
        }

        /// Tokens from `i` to the end of the line, starting at a token boundary.
        mutating func tokens() throws(SpecError) {
            while true {
                skipBlanks()
                if atLineEnd { return }
                let c = s[i]
                let start = column
                // libyaml skips a byte-order mark at the start of any line.
                if column == 0 && c == "\u{FEFF}" {
                    advance()
                    continue
                }
                if column == 0 && c == "%" {
                    throw fail("YAML directives (%…) are not supported in topology files")
                }
                if column == 0 && (startsWith("---") || startsWith("...")) && isBlankZ(at(i + 3)) {
                    if sawContent || (c == "-" && sawDocumentStart) {
                        throw fail("a second YAML document ('---' or '...' after content); a topology file holds one")
                    }
                    if c == "-" { sawDocumentStart = true }
                    for _ in 0..<3 { advance() }
                    continue
                }
                if c == "#" {  // a comment, to the end of the line
                    while !atLineEnd { advance() }
                    return
                }
                sawContent = true
                try checkDepth()
                let next = at(i + 1)
                switch c {
                case "[", "{":
                    noteToken(start)
                    flowDepth += 1
                    advance()
                    try checkDepth()
                case "]", "}":
                    flowDepth = max(0, flowDepth - 1)
                    advance()
                case ",":
                    advance()
                case "-" where isBlankZ(next), "?" where flowDepth > 0 || isBlankZ(next), ":" where flowDepth > 0 || isBlankZ(next):
                    if flowDepth == 0 {
                        markers += 1
                        // libyaml rolls its indentation to this column (for '-' and '?') or
                        // to the simple key's (for ':'), which starts after the last marker.
                        indentBound = max(indentBound, c == ":" ? (firstTokenColumn ?? start) : start)
                        firstTokenColumn = nil
                        try checkDepth()
                    }
                    advance()
                case "&", "*":
                    throw anchorError()
                case "!":
                    throw fail("YAML tags (!name) are not supported in topology files; write the plain value")
                case "|", ">":
                    throw fail("block scalars ('|', '>') are not supported in topology files; write the value on one line")
                case "'", "\"":
                    noteToken(start)
                    try quoted(c)
                default:
                    noteToken(start)
                    try plain()
                }
            }
        }

        mutating func noteToken(_ start: Int) {
            if firstTokenColumn == nil { firstTokenColumn = start }
        }

        /// A quoted value, which must end on its line ('' escapes a quote in '…', a
        /// backslash the next character in "…").
        mutating func quoted(_ quote: Unicode.Scalar) throws(SpecError) {
            advance()
            while !atLineEnd {
                let c = s[i]
                if quote == "\"" && c == "\\" {
                    advance()
                    if atLineEnd { break }
                } else if c == quote {
                    if quote == "'" && at(i + 1) == "'" {
                        advance()
                    } else {
                        advance()
                        return
                    }
                }
                advance()
            }
            throw fail("a quoted value runs past the end of its line; topology values fit on one line")
        }

        /// A plain value from `i`, ended as libyaml ends it: at ': ', at ' #', in flow context
        /// at , [ ] { }, or at the end of the line (then it may go on on the next).
        mutating func plain() throws(SpecError) {
            while true {
                while !isBlankZ(at(i)) {
                    let c = s[i]
                    if c == ":" {
                        let n = at(i + 1)
                        if isBlankZ(n) { return }
                        if flowDepth > 0, let n, ",?[]{}".unicodeScalars.contains(n) {
                            // libyaml refuses this ("found unexpected ':'"); so do we.
                            throw fail("':' directly before '\(n)' in a flow collection; write ': ' with a space")
                        }
                    }
                    if flowDepth > 0 && (c == "," || c == "[" || c == "]" || c == "{" || c == "}") { return }
                    if c == "&" || c == "*" { throw anchorError() }
                    advance()
                }
                skipBlanks()
                if atLineEnd || at(i) == "\0" {
                    if atLineEnd {
                        plainPending = true
                        plainIndentBound = indentBound
                    }
                    return
                }
                if s[i] == "#" { return }  // a comment ends the value
            }
        }
    }
}
