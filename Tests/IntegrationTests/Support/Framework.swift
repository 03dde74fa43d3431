import Foundation
import cachectlTests

/// One of the frameworks whose cache a layout describes, driven through its own library by the
/// scripts in Scripts/frameworks/: it writes a manifest, reads it back, invalidates tags.
struct Framework {
    enum Kind { case django, symfony, laravel }

    let kind: Kind
    let url: String
    /// The framework's own namespace setting: Django KEY_PREFIX, Symfony pool namespace, Laravel cache prefix.
    let namespace: String
    var djangoVersion = 1

    /// What the framework read for one manifest entry.
    struct Read: Equatable {
        let key: String
        let hit: Bool
        let equal: Bool
        let value: String
    }

    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../Scripts/frameworks").standardizedFileURL

    private func command(_ verb: String, _ arguments: [String]) throws -> (String, [String]) {
        switch kind {
        case .django:
            return (try TestEnvironment.djangoPython,
                    [Self.scripts.appendingPathComponent("django_cache.py").path, verb, url, namespace, String(djangoVersion)] + arguments)
        case .symfony:
            return (try TestEnvironment.php, [Self.scripts.appendingPathComponent("symfony_cache.php").path, verb, url, namespace] + arguments)
        case .laravel:
            return (try TestEnvironment.php, [Self.scripts.appendingPathComponent("laravel_cache.php").path, verb, url, namespace] + arguments)
        }
    }

    @discardableResult
    private func run(_ verb: String, _ arguments: [String]) throws -> String {
        let (program, args) = try command(verb, arguments)
        let output = try ProcessRunner.run(program, args)
        guard output.status == 0 else {
            throw MissingTestServer("\(kind) \(verb) failed (\(output.status)): \(String(decoding: output.stderr, as: UTF8.self))")
        }
        return String(decoding: output.stdout, as: UTF8.self)
    }

    /// The framework writes every entry of the manifest (with its tags where it has tags).
    func write(_ manifest: URL) throws { try run("write", [manifest.path]) }

    /// The framework reads every entry of the manifest.
    func read(_ manifest: URL) throws -> [Read] {
        try run("read", [manifest.path]).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) as! [String: Any]
            let value = object["value"].map { value -> String in
                guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else { return "\(value)" }
                return String(decoding: data, as: UTF8.self)
            } ?? "null"
            return Read(key: object["key"] as! String, hit: object["hit"] as! Bool, equal: object["equal"] as! Bool, value: value)
        }
    }

    /// The framework invalidates tags (Symfony `invalidateTags`, Laravel `tags([t])->flush()`).
    func invalidate(_ tags: [String]) throws { try run("invalidate", tags) }
}
