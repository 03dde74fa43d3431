import ArgumentParser
import CacheClient

extension Cachectl {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete entries (and, in the snapshot file, their tag memberships).",
            discussion: """
                Deleting a key that does not exist is not an error: the report says how many existed. \
                On Redis, stale tag memberships are left for `cachectl tags prune`. --wait-replicas N \
                waits until N replicas acknowledged the deletions (Redis WAIT, at most --wait-timeout); \
                when they do not in time, delete exits 1 saying so (a failover could bring the keys back).

                Examples:
                  cachectl delete article:1
                  cachectl delete session:a session:b --format json
                """).underCachectl

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The keys to delete.")
        var keys: [String]

        @OptionGroup var replicas: ReplicaWaitOptions

        func validate() throws {
            guard !keys.isEmpty else { throw ValidationError("Name at least one key, e.g. cachectl delete article:1.") }
            try EntryKeyArgument.validate(keys)
        }

        func run() throws {
            let context = Context(global)
            try context.renderer.check(DeleteResult.self, command: "delete")
            let backend = try context.openBackend()
            _ = try replicas.wait(timeout: backend.configuration.timeout)  // a bad --wait-timeout before the delete
            let deleted = try backend.delete(keys)
            context.renderer.render(DeleteResult(requested: keys.count, deleted: deleted))
            if deleted > 0 {
                // Which named keys existed is not known per key: at most the deletions count.
                try replicas.acknowledge("deletion was", "deletions were", on: backend) { backend, wait in
                    var acknowledgement = try backend.acknowledgement(ofKeys: keys, wait: wait)
                    acknowledgement.unacknowledged = min(acknowledgement.unacknowledged, deleted)
                    return acknowledgement
                }
            }
        }
    }
}

/// How many of the named keys existed and are gone now.
struct DeleteResult: Renderable {
    let requested: Int
    let deleted: Int

    func text(style: TextStyle) -> String {
        "deleted \(deleted) of \(requested) key\(requested == 1 ? "" : "s")\n"
    }
}
