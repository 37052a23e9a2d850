import Foundation

/// Fake CNI plugins: small scripts in a temporary CNI_PATH that record what the runtime gave
/// them (environment, stdin) and answer as a plugin would, or misbehave on purpose.
final class FakePluginDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "cnibench-fake-cni-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func add(_ name: String, _ script: String) throws {
        let file = "\(path)/\(name)"
        try ("#!/bin/sh\n" + script).write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o755)
    }

    /// Records `env` and stdin per command in `<dir>/<name>.<COMMAND>.{env,stdin}`, appends
    /// "name COMMAND" to `<dir>/order`, and on ADD prints a result whose address is `address`
    /// (the first plugin) or echoes nothing new (later plugins print `prevResult`, as a
    /// chained plugin that only acts on the interface does).
    func addRecorder(_ name: String, address: String?) throws {
        let result =
            address.map {
                #"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"'"$CNI_NETNS"'"}],"ips":[{"address":"\#($0)","interface":0}]}"#
            } ?? ""
        let answer =
            address == nil
            ? #"python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["prevResult"]))' "$in""#
            : "echo '\(result)'"
        try add(
            name,
            """
            in="\(path)/\(name).$CNI_COMMAND.stdin"
            cat > "$in"
            env > "\(path)/\(name).$CNI_COMMAND.env"
            echo "\(name) $CNI_COMMAND" >> "\(path)/order"
            [ "$CNI_COMMAND" = ADD ] || exit 0
            \(answer)
            """)
    }

    func read(_ file: String) -> String { (try? String(contentsOfFile: "\(path)/\(file)", encoding: .utf8)) ?? "" }

    func json(_ file: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(read(file).utf8))) as? [String: Any] ?? [:]
    }
}
