import Results

/// Prints `body` as one JSON document with the project's one encoder setup (ResultWriter:
/// sorted keys, pretty-printed), its fields next to `kind` ("cnibench.<command>") and
/// `schemaVersion`, so a script can check what it reads. Shapes: docs/cli-json.md.
func printJSON<Body: Encodable>(_ body: Body, kind: String) throws {
    print(try ResultWriter.text(CommandDocument(kind: "cnibench.\(kind)", body: body)), terminator: "")
}

/// The schema version of every `--format json` document; raised when a field changes meaning or
/// goes away (new fields do not raise it).
let commandDocumentSchemaVersion = 1

private struct CommandDocument<Body: Encodable>: Encodable {
    var kind: String
    var body: Body

    private enum Key: String, CodingKey { case kind, schemaVersion }

    func encode(to encoder: any Encoder) throws {
        try body.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(commandDocumentSchemaVersion, forKey: .schemaVersion)
    }
}
