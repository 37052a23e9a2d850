import CYaml

/// A pass over libyaml's event stream before Yams composes a tree from it.
///
/// Yams' composer resolves every alias to the anchored node, so after `compose` an alias is
/// indistinguishable from a copy, and the composer itself hashes mapping keys to find
/// duplicates: a "billion laughs" alias used as a key is expanded right there, before any
/// check of ours could run. Topology files have no use for anchors, so this pass refuses
/// them (and deep nesting, which the recursive composer would follow down the stack) while
/// the input is still a flat stream of events.
enum YAMLPrescan {
    /// Topology files nest three levels (`nodes: [{pods: 2}]`); 16 leaves room for mistakes
    /// to reach our own checks and their better messages.
    static let maxDepth = 16

    static func check(_ text: String, source: String) throws(SpecError) {
        var bytes = Array(text.utf8)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw SpecError("topology", "out of memory parsing \(source)") }
        defer { yaml_parser_delete(&parser) }
        var failure: SpecError?
        bytes.withUnsafeMutableBufferPointer { buf in
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var depth = 0
            var documents = 0
            while failure == nil {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    failure = syntaxError(parser, source)
                    break
                }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1
                let anchored: Bool
                switch event.type {
                case YAML_STREAM_END_EVENT: return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        failure = SpecError("topology", "\(source) line \(line): a second YAML document ('---'); a topology file holds one")
                    }
                    anchored = false
                case YAML_ALIAS_EVENT: anchored = true
                case YAML_SCALAR_EVENT: anchored = event.data.scalar.anchor != nil
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    anchored = event.type == YAML_SEQUENCE_START_EVENT
                        ? event.data.sequence_start.anchor != nil : event.data.mapping_start.anchor != nil
                    depth += 1
                    if depth > maxDepth {
                        failure = SpecError("topology", "\(source) line \(line): nested more than \(maxDepth) levels deep; topology files nest at most three (nodes: [{pods: 2}])")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                    anchored = false
                default: anchored = false
                }
                if anchored && failure == nil {
                    failure = SpecError("topology", "\(source) line \(line): anchors and aliases (&name, *name) are not supported in topology files; write the value out")
                }
            }
        }
        if let failure { throw failure }
    }

    static func syntaxError(_ parser: yaml_parser_t, _ source: String) -> SpecError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.context.map { " \(String(cString: $0))" } ?? ""
        return SpecError("topology", "\(source) is not valid YAML: line \(parser.problem_mark.line + 1) column \(parser.problem_mark.column + 1): \(SpecError.clip(problem))\(SpecError.clip(context))")
    }
}
