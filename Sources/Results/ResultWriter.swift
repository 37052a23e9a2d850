import Foundation

/// The one JSON setup for every file cnibench writes and reads: keys sorted, pretty-printed,
/// slashes unescaped, dates ISO 8601 (UTC), non-finite numbers as the strings "inf"/"-inf"/"nan"
/// (which readers then refuse). Decoding checks the envelope first, so a wrong file is named by
/// its kind and version rather than by the first field that does not fit.
public enum ResultWriter {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder().encode(value) }

    /// The encoded text with a final newline, for standard output.
    public static func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try encode(value), as: UTF8.self) + "\n" }

    /// Writes PATH atomically.
    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        try encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func header(_ data: Data) throws -> ResultHeader {
        do { return try decoder().decode(ResultHeader.self, from: data) } catch {
            throw ResultSchemaError(description: "not a JSON object with a cnibench envelope: \(error)")
        }
    }

    /// Decodes a `T`, refusing another kind and a version it cannot upgrade with a message
    /// naming both. Files without `kind` are read as version 0 when `T` accepts that.
    public static func decode<T: ResultDocument>(_ type: T.Type, from data: Data) throws -> T {
        guard var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ResultSchemaError(description: "not a JSON object")
        }
        let kind = object["kind"] as? String
        let version = kind == nil ? 0 : object["schemaVersion"] as? Int
        if let kind, kind != T.kind {
            throw ResultSchemaError(description: "not a \(T.kind) file (kind is '\(kind)')")
        }
        guard let version else {
            throw ResultSchemaError(
                description:
                    "\(T.kind): schemaVersion \(object["schemaVersion"].map { "\($0)" } ?? "missing") is not supported by this cnibench (reads \(T.schemaVersion))"
            )
        }
        var upgraded = data
        if version != T.schemaVersion {
            try T.upgrade(&object, from: version)
            object["kind"] = T.kind
            object["schemaVersion"] = T.schemaVersion
            upgraded = try JSONSerialization.data(withJSONObject: object)
        }
        do { return try decoder().decode(T.self, from: upgraded) } catch {
            throw ResultSchemaError(
                description:
                    "\(T.kind) does not match schema \(T.schemaVersion)\(version == T.schemaVersion ? "" : " (read as version \(version))"): \(error)"
            )
        }
    }

    public static func load<T: ResultDocument>(_ type: T.Type, path: String) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ResultSchemaError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        do { return try decode(type, from: data) } catch let e as ResultSchemaError {
            throw ResultSchemaError(description: "\(path): \(e.description)")
        }
    }
}
