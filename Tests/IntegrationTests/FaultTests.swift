import CacheClient
import cachectlTests
import Foundation
import Testing

/// Issue 9's fault suite: warmup, migrate, invalidate-tag and flush interrupted with SIGINT,
/// SIGTERM and SIGKILL at seeded random moments (10 runs each; `CACHECTL_FAULT_SEED` replays a
/// run), then the invariants: no entry outside its tags, the report matches the data, and the
/// documented rerun completes the job.
@Suite(.serialized) struct FaultTests {
    static let runs = 10
    static let seed = UInt64(ProcessInfo.processInfo.environment["CACHECTL_FAULT_SEED"] ?? "") ?? 9
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGKILL]

    /// A small deterministic generator (SplitMix64): the same seed, the same moments.
    struct Random {
        var state: UInt64
        mutating func next(below bound: UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (z ^ (z >> 31)) % bound
        }
    }

    let directory: URL
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cachectl-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Runs the binary and sends `signal` once `reached` says the run got that far (or it ended):
    /// a point in the work, not in time, so the runs are interrupted midway on a fast machine too;
    /// returns what it left (status 128+n for a signal death).
    func interrupt(_ arguments: [String], at reached: @escaping () throws -> Bool, with signal: Int32) throws -> ProcessOutput {
        try run(arguments, when: { process in try progress(process, reached) }) { kill($0, signal) }
    }

    /// Polls `reached` until it holds, the process ended, or 30 s passed.
    func progress(_ process: Process, _ reached: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            if try reached() { return }
            usleep(200)
        }
    }

    /// A probe of the app counter `field` on one connection: true once it reaches `target`.
    func counterReaches(_ place: TrustTests.Place, _ field: String, _ target: Int64) throws -> () throws -> Bool {
        let connection = try place.connection()
        return { (try connection.send(["HGET", RedisArgument(place.prefix + "stats"), RedisArgument(field)]).string.flatMap { Int64($0) } ?? 0) >= target }
    }

    /// Where a run is interrupted: 5 % to 95 % of its work, seeded.
    func fraction(_ random: inout Random) -> Double { 0.05 + Double(random.next(below: 91)) / 100 }

    /// Runs the binary and does `fault` once `moment` returns (it waits for a state of the run,
    /// not for a time, so the fault lands mid-run however fast or loaded the machine is).
    func run(_ arguments: [String], when moment: (Process) throws -> Void, fault: (pid_t) throws -> Void) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.runWithSignalsUnblocked()
        let stdout = UnsafeSendable(Data()), stderr = UnsafeSendable(Data())
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread { stdout.value = out.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        Thread.detachNewThread { stderr.value = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        try moment(process)
        try fault(process.processIdentifier)
        if exited.wait(timeout: .now() + 60) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            Issue.record("\(arguments.first ?? "") did not stop within 60 s of the fault")
        }
        drained.wait()
        drained.wait()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (stdout.value, stderr.value, status)
    }

    func report(_ output: ProcessOutput) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
    }

    /// An interrupted run exits with its signal's code, or 0 when it finished first; either way
    /// it printed its report (`field` marks it interrupted when the signal came first).
    func expectStatus(_ output: ProcessOutput, signal: Int32, _ note: String, field: String = "interrupted") {
        #expect(output.status == 128 + signal || output.status == 0,
                "\(note): status \(output.status), stderr \(String(decoding: output.stderr, as: UTF8.self).suffix(400))")
        let printed = report(output)
        // A signal in the first milliseconds can come before the process installed its handling
        // (it is then ended by the default action, before doing anything): nothing printed at all.
        if printed == nil, output.stdout.isEmpty, output.stderr.isEmpty { return }
        #expect(printed != nil, "\(note): no report on stdout after the signal")
        if output.status == 128 + signal {
            interrupted.value += 1
            let marked = field == "stopped" ? printed?["stopped"] as? String == "interrupted" : printed?[field] as? Bool == true
            #expect(marked, "\(note): the report says it was interrupted")
        }
    }

    /// Runs whose signal arrived before the end: a suite where every run finished first tested nothing.
    let interrupted = UnsafeSendable(0)

    func expectMostRunsInterrupted(_ what: String) {
        #expect(interrupted.value >= Self.runs / 6, "\(what): only \(interrupted.value) of \(Self.runs * 2 / 3) SIGINT/SIGTERM runs were interrupted before they finished")
    }

    func manifest(_ count: Int) throws -> String {
        let path = directory.appendingPathComponent("fault-\(count).jsonl").path
        if FileManager.default.fileExists(atPath: path) { return path }
        var text = ""
        for i in 0..<count { text += "{\"key\":\"k\(i)\",\"value\":\"value \(i)\",\"ttl\":600,\"tags\":[\"all\",\"n\(i % 5)\"]}\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Entries (k…) that are missing from one of their tags (all, n<i mod 5>).
    func untagged(_ place: TrustTests.Place) throws -> [String] {
        let keys = try place.entryKeys().filter { $0.hasPrefix(place.prefix + "k") }
        let all = try place.members("all")
        var tagged: [Int: Set<String>] = [:]
        for n in 0..<5 { tagged[n] = try place.members("n\(n)") }
        return keys.filter { key in
            let number = Int(key.dropFirst(place.prefix.count + 1)) ?? 0
            return !all.contains(key) || tagged[number % 5]?.contains(key) != true
        }
    }

    @Test func interruptedWarmupsLeaveEveryEntryTaggedAndTheRerunCompletes() throws {
        var random = Random(state: Self.seed)
        let count = 4000
        let path = try manifest(count)
        for run in 0..<Self.runs {
            let place = TrustTests.Place(url: try TestEnvironment.redisURL)
            defer { place.cleanup() }
            let signal = Self.signals[run % 3]
            let at = fraction(&random)
            let note = "warmup run \(run), seed \(Self.seed), signal \(signal), at \(at) of the work"
            let output = try interrupt(["warmup", "--from", path, "--batch", "100", "--format", "json"] + place.options,
                                       at: try counterReaches(place, "sets", Int64(Double(count) * at)), with: signal)
            if signal != SIGKILL { expectStatus(output, signal: signal, note, field: "stopped") }
            let keys = try place.entryKeys().count
            #expect(try untagged(place).isEmpty, "\(note): entries outside their tags")
            #expect(try place.counter("sets") == Int64(keys), "\(note): the counter moves with what the server holds")
            if signal != SIGKILL, let written = report(output)?["written"] as? Int {
                #expect(written == keys, "\(note): the report matches the data")
            }
            let rerun = try CLI.run(["warmup", "--from", path, "--only-missing", "--format", "json"] + place.options)
            #expect(rerun.status == 0, "\(note): rerun")
            #expect(try place.entryKeys().count == count, "\(note): rerun completes")
            #expect(try untagged(place).isEmpty, "\(note): after the rerun")
            #expect(try place.counter("sets") == Int64(count), "\(note): counted once")
        }
        expectMostRunsInterrupted("warmup")
    }

    /// The snapshot file takes a warmup's batches several to a transaction: interrupted at any
    /// point, the file holds whole transactions only (every entry in its tags, the counter equal to
    /// the entries), a report printed says exactly what the file holds, and the rerun completes.
    @Test func interruptedSnapshotWarmupsLeaveWholeTransactionsAndTheRerunCompletes() throws {
        var random = Random(state: Self.seed &+ 3)
        let count = 20_000
        let path = try manifest(count)
        for run in 0..<Self.runs {
            let file = directory.appendingPathComponent("fault-\(run).snapshot").path
            let target = ["--url", "file:" + file]
            let signal = Self.signals[run % 3]
            let at = fraction(&random)
            let note = "snapshot warmup run \(run), seed \(Self.seed), signal \(signal), at \(at) of the work"
            let probe = try SnapshotBackend(path: file)
            let output = try interrupt(["warmup", "--from", path, "--batch", "100", "--format", "json"] + target,
                                       at: { try probe.statistics().app.sets >= Int64(Double(count) * at) }, with: signal)
            if signal != SIGKILL { expectStatus(output, signal: signal, note, field: "stopped") }
            let reader = try SnapshotBackend(path: file)
            let entries = try reader.statistics().entries
            #expect(entries % 100 == 0, "\(note): \(entries) entries: a batch was cut in half")
            #expect(try reader.statistics().app.sets == entries, "\(note): the counter moves with what the file holds")
            let tags = Dictionary(uniqueKeysWithValues: try reader.tagSummaries(pattern: nil, orphans: false).map { ($0.tag, $0.members) })
            #expect(Int64(tags["all"] ?? 0) == entries, "\(note): entries outside the tag all")
            #expect(Int64((0..<5).reduce(0) { $0 + (tags["n\($1)"] ?? 0) }) == entries, "\(note): entries outside their n… tag")
            if signal != SIGKILL, let written = report(output)?["written"] as? Int {
                #expect(Int64(written) == entries, "\(note): the report matches the file")
            }
            let check = try CLI.run(["check"] + target)
            #expect(check.status == 0, "\(note): check \(String(decoding: check.stdout + check.stderr, as: UTF8.self))")
            let rerun = try CLI.run(["warmup", "--from", path, "--only-missing", "--format", "json"] + target)
            #expect(rerun.status == 0, "\(note): rerun")
            let after = try SnapshotBackend(path: file).statistics()
            #expect(after.entries == Int64(count), "\(note): rerun completes")
            #expect(after.app.sets == Int64(count), "\(note): counted once")
        }
        expectMostRunsInterrupted("snapshot warmup")
    }

    /// While a warmup writes the snapshot file, another process's `set` gets the write lock between
    /// two of its transactions: it neither fails nor waits out the busy timeout.
    @Test func aSetDuringASnapshotWarmupGoesThrough() throws {
        let count = 200_000
        let path = try manifest(count)
        let file = directory.appendingPathComponent("concurrent.snapshot").path
        let started = ContinuousClock.now
        var setsDone = 0.0
        let target = ["--url", "file:" + file]
        let probe = try SnapshotBackend(path: file)
        var waited: [Double] = []
        let output = try run(["warmup", "--from", path, "--batch", "100", "--format", "json"] + target, when: { process in
            try progress(process) { try probe.statistics().app.sets >= 2000 }
        }, fault: { _ in
            for index in 0..<3 {
                let start = ContinuousClock.now
                let set = try CLI.run(["set", "concurrent:\(index)", "value"] + target)
                waited.append((ContinuousClock.now - start) / .seconds(1))
                #expect(set.status == 0, "set \(index) during the warmup: \(String(decoding: set.stderr, as: UTF8.self))")
            }
            setsDone = (ContinuousClock.now - started) / .seconds(1)
        })
        // The warmup's own duration (it started just after `started`).
        let warmupDone = report(output)?["seconds"] as? Double ?? 0
        #expect(setsDone < warmupDone, "waited \(waited): the sets (done after \(setsDone) s) ran while the warmup (\(warmupDone) s) was writing")
        #expect(output.status == 0)
        #expect(report(output)?["written"] as? Int == count)
        let stats = try SnapshotBackend(path: file).statistics()
        #expect(stats.entries == Int64(count + 3))
        // The busy timeout is 5 s; a transaction stays open about 0.25 s (plus one batch).
        #expect(waited.allSatisfy { $0 < 1.5 }, "sets waited \(waited) s for the lock")
        print("FaultTests: sets during a snapshot warmup waited \(waited.map { String(format: "%.3f", $0) }) s")
    }

    @Test func interruptedMigrationsLeaveEveryEntryTaggedAndTheRerunCompletes() throws {
        var random = Random(state: Self.seed &+ 1)
        let count = 4000
        let source = "jsonl:" + (try manifest(count))
        for run in 0..<Self.runs {
            let place = TrustTests.Place(url: try TestEnvironment.redisURL)
            defer { place.cleanup() }
            let signal = Self.signals[run % 3]
            let at = fraction(&random)
            let note = "migrate run \(run), seed \(Self.seed), signal \(signal), at \(at) of the work"
            let target = place.url
            let options = Array(place.options.dropFirst(2))
            let output = try interrupt(["migrate", "--from", source, "--to", target, "--format", "json"] + options,
                                       at: try counterReaches(place, "sets", Int64(Double(count) * at)), with: signal)
            if signal != SIGKILL { expectStatus(output, signal: signal, note) }
            let keys = try place.entryKeys().filter { $0.hasPrefix(place.prefix + "k") }.count
            #expect(try untagged(place).isEmpty, "\(note): entries outside their tags")
            if signal != SIGKILL, let copied = report(output)?["copied"] as? Int {
                #expect(copied == keys, "\(note): the report matches the data")
            }
            let rerun = try CLI.run(["migrate", "--from", source, "--to", target, "--on-conflict", "skip"] + options)
            #expect(rerun.status == 0, "\(note): rerun \(String(decoding: rerun.stderr, as: UTF8.self))")
            #expect(try place.entryKeys().filter { $0.hasPrefix(place.prefix + "k") }.count == count, "\(note): rerun completes")
            #expect(try untagged(place).isEmpty, "\(note): after the rerun")
        }
        expectMostRunsInterrupted("migrate")
    }

    /// Seeds `count` entries in tag `all` (and n…) plus 200 entries the operation must not touch.
    func seed(_ place: TrustTests.Place, count: Int) throws {
        let connection = try place.connection()
        for start in stride(from: 0, to: count, by: 1000) {
            var commands: [[RedisArgument]] = []
            let keys = (start..<min(start + 1000, count)).map { place.prefix + "k\($0)" }
            for key in keys { commands.append(["SET", RedisArgument(key), "v", "EX", "600"]) }
            commands.append(["SADD", RedisArgument(place.prefix + "tag:all")] + keys.map { RedisArgument($0) })
            _ = try connection.pipeline(commands)
        }
        _ = try connection.pipeline((0..<200).map { ["SET", RedisArgument(place.prefix + "other:\($0)"), "v"] })
    }

    func count(_ place: TrustTests.Place, _ pattern: String) throws -> Int {
        try place.entryKeys().filter { $0.hasPrefix(place.prefix + pattern) }.count
    }

    /// 100 tags of 200 entries each, invalidated in one command: the tags are its batch boundaries.
    @Test func interruptedInvalidationsAreFinishedByTheRerun() throws {
        var random = Random(state: Self.seed &+ 2)
        let tags = (0..<100).map { "t\($0)" }
        for run in 0..<Self.runs {
            let place = TrustTests.Place(url: try TestEnvironment.redisURL)
            defer { place.cleanup() }
            let connection = try place.connection()
            for (index, tag) in tags.enumerated() {
                let keys = (0..<200).map { place.prefix + "k\(index * 200 + $0)" }
                _ = try connection.pipeline(keys.map { ["SET", RedisArgument($0), "v", "EX", "600"] }
                    + [["SADD", RedisArgument(place.prefix + "tag:" + tag)] + keys.map { RedisArgument($0) }])
            }
            _ = try connection.pipeline((0..<200).map { ["SET", RedisArgument(place.prefix + "other:\($0)"), "v"] })
            let signal = Self.signals[run % 3]
            let at = fraction(&random)
            let note = "invalidate-tag run \(run), seed \(Self.seed), signal \(signal), at \(at) of the work"
            // A tag set leaves its name when its invalidation starts.
            let probe = try place.connection()
            let tagKeys = tags.map { ["EXISTS", RedisArgument(place.prefix + "tag:" + $0)] as [RedisArgument] }
            let started = Int(Double(tags.count) * at)
            let output = try interrupt(["invalidate-tag"] + tags + ["--format", "json"] + place.options, at: {
                try probe.pipeline(tagKeys).filter { $0.integer == 0 }.count >= started
            }, with: signal)
            if signal != SIGKILL { expectStatus(output, signal: signal, note) }
            #expect(try count(place, "other:") == 200, "\(note): nothing outside the tags is touched")
            if signal != SIGKILL, let deleted = report(output)?["deleted"] as? Int {
                #expect(deleted == 20_000 - (try count(place, "k")), "\(note): the report matches the data")
            }
            let rerun = try CLI.run(["invalidate-tag"] + tags + place.options)
            #expect(rerun.status == 0, "\(note): rerun")
            #expect(try count(place, "k") == 0, "\(note): the rerun deleted every entry of the tags")
            #expect(try count(place, "other:") == 200)
            let leftovers = try place.connection().send(["SCAN", "0", "MATCH", RedisArgument(place.prefix + "tag:*"), "COUNT", "100000"])
            #expect(leftovers.array?[1].array?.isEmpty == true, "\(note): no tag set or moved-aside set is left")
        }
        expectMostRunsInterrupted("invalidate-tag")
    }

    @Test func interruptedFlushesReportWhatTheyDeletedAndTheRerunCompletes() throws {
        var random = Random(state: Self.seed &+ 3)
        for run in 0..<Self.runs {
            let place = TrustTests.Place(url: try TestEnvironment.redisURL)
            defer { place.cleanup() }
            try seed(place, count: 20_000)
            let signal = Self.signals[run % 3]
            let at = fraction(&random)
            let note = "flush run \(run), seed \(Self.seed), signal \(signal), at \(at) of the work"
            // SCAN meets keys in hash order: the share of a sample already gone is the share of the work done.
            let probe = try place.connection()
            let sample = stride(from: 0, to: 20_000, by: 100).map { ["EXISTS", RedisArgument(place.prefix + "k\($0)")] as [RedisArgument] }
            let output = try interrupt(["flush", "--pattern", "k*", "--yes", "--format", "json"] + place.options, at: {
                Double(try probe.pipeline(sample).filter { $0.integer == 0 }.count) >= Double(sample.count) * at
            }, with: signal)
            if signal != SIGKILL { expectStatus(output, signal: signal, note) }
            #expect(try count(place, "other:") == 200, "\(note): nothing outside the scope is touched")
            if signal != SIGKILL, let deleted = report(output)?["deleted"] as? Int {
                #expect(deleted == 20_000 - (try count(place, "k")), "\(note): the report matches the data")
            }
            let rerun = try CLI.run(["flush", "--pattern", "k*", "--yes"] + place.options)
            #expect(rerun.status == 0)
            #expect(try count(place, "k") == 0, "\(note): the rerun completes")
        }
        expectMostRunsInterrupted("flush")
    }
}

extension FaultTests {
    /// Item 19: a server that restarts (new run_id, data gone) within the retry window is noticed.
    @Test func aServerRestartDuringWarmupIsReported() throws {
        let place = TrustTests.Place(url: try TestEnvironment.faultServerURL("SPARE"))
        defer { place.cleanup() }
        let path = try manifest(30_000)
        let output = try run(["warmup", "--from", path, "--batch", "200", "--format", "json"] + place.options,
                             when: { [self] process in try progress(process, try counterReaches(place, "sets", 3000)) }) { _ in
            _ = try? place.connection().send(["DEBUG", "RESTART"])
        }
        let report = report(output)
        #expect(output.status == 75, "\(String(decoding: output.stderr, as: UTF8.self).suffix(500))")
        #expect(report?["server_restarted"] as? Bool == true)
        #expect(String(decoding: output.stderr, as: UTF8.self).contains("restarted"))
        #expect(try CLI.run(["warmup", "--from", path, "--only-missing"] + place.options).status == 0)
        #expect(try place.entryKeys().count == 30_000)
    }

    /// Item 21: batches resent after the server stopped answering (SIGSTOP longer than --timeout)
    /// count once: the server applies what it had received when it resumes, and the resend skips it.
    @Test func batchesResentAfterAPausedServerCountOnce() throws {
        let place = TrustTests.Place(url: try TestEnvironment.faultServerURL("SPARE"))
        guard let pid = pid_t(try TestEnvironment.faultServerURL("SPARE").isEmpty ? "" : ProcessInfo.processInfo.environment["CACHECTL_TEST_REDIS_SPARE_PID"] ?? "") else {
            throw MissingTestServer("CACHECTL_TEST_REDIS_SPARE_PID is not set (Scripts/lib/fault-servers.sh exports it)")
        }
        defer { place.cleanup() }
        let path = try manifest(30_000)
        let output = try run(["warmup", "--from", path, "--batch", "200", "--timeout", "1", "--format", "json"] + place.options,
                             when: { [self] process in try progress(process, try counterReaches(place, "sets", 3000)) }) { _ in
            kill(pid, SIGSTOP)
            Thread.sleep(forTimeInterval: 2.5)
            kill(pid, SIGCONT)
        }
        #expect(output.status == 0, "\(String(decoding: output.stderr, as: UTF8.self).suffix(500))")
        #expect(report(output)?["written"] as? Int == 30_000)
        #expect(try place.entryKeys().count == 30_000)
        #expect(try place.counter("sets") == 30_000, "counted once, also after the resend")
        #expect(try untagged(place).isEmpty)
    }

    /// Item 21: batches resent after a lost connection count once (CLIENT KILL mid-run).
    @Test func batchesResentAfterAKilledConnectionCountOnce() throws {
        let place = TrustTests.Place(url: try TestEnvironment.faultServerURL("SPARE"))
        defer { place.cleanup() }
        let path = try manifest(30_000)
        let output = try run(["warmup", "--from", path, "--batch", "200", "--format", "json"] + place.options,
                             when: { [self] process in try progress(process, try counterReaches(place, "sets", 3000)) }) { _ in
            _ = try place.connection().send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
        }
        #expect(output.status == 0, "\(String(decoding: output.stderr, as: UTF8.self).suffix(500))")
        #expect(report(output)?["written"] as? Int == 30_000)
        #expect(try place.entryKeys().count == 30_000)
        #expect(try place.counter("sets") == 30_000, "counted once, also after the resend")
        #expect(try untagged(place).isEmpty)
    }
}

extension FaultTests {
    /// Seeds a tag large enough to be drained in SSCAN batches.
    func seedLargeTag(_ place: TrustTests.Place, count: Int) throws {
        let connection = try place.connection()
        for start in stride(from: 0, to: count, by: 5000) {
            let keys = (start..<min(start + 5000, count)).map { place.prefix + "k\($0)" }
            _ = try connection.pipeline(keys.map { ["SET", RedisArgument($0), "v", "EX", "600"] }
                + [["SADD", RedisArgument(place.prefix + "tag:all")] + keys.map { RedisArgument($0) }])
        }
    }

    /// Returns as soon as the tag set has been moved aside (the registry of invalidations in
    /// progress holds it): draining 110,000 members takes far longer than one poll.
    func waitForInvalidation(_ place: TrustTests.Place) throws {
        let connection = try place.connection()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try connection.send(["SCARD", RedisArgument(place.prefix + "stats:invalidating")]).integer ?? 0 > 0 { return }
        }
        Issue.record("the invalidation never moved the tag set aside within 20 s")
    }

    func spare() throws -> (TrustTests.Place, pid_t) {
        let place = TrustTests.Place(url: try TestEnvironment.faultServerURL("SPARE"))
        guard let pid = pid_t(ProcessInfo.processInfo.environment["CACHECTL_TEST_REDIS_SPARE_PID"] ?? "") else {
            throw MissingTestServer("CACHECTL_TEST_REDIS_SPARE_PID is not set (Scripts/lib/fault-servers.sh exports it)")
        }
        return (place, pid)
    }

    /// Item 18: a connection lost during invalidate-tag is retried like warmup's, and the retry
    /// finishes what the lost attempt had moved aside.
    @Test func invalidateTagRetriesALostConnection() throws {
        let (place, _) = try spare()
        defer { place.cleanup() }
        try seedLargeTag(place, count: 110_000)
        let output = try run(["invalidate-tag", "all", "--format", "json"] + place.options, when: { _ in try waitForInvalidation(place) }) { _ in
            _ = try place.connection().send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
        }
        #expect(output.status == 0, "\(String(decoding: output.stderr, as: UTF8.self).suffix(500))")
        #expect(try place.entryKeys().isEmpty, "every entry of the tag is gone")
        let left = try place.connection().send(["SCAN", "0", "MATCH", RedisArgument(place.prefix + "tag:*"), "COUNT", "100000"])
        #expect(left.array?[1].array?.isEmpty == true)
    }

    /// Item 18: when the retries give up, the message says what is left and that the rerun finishes it.
    @Test func invalidateTagThatGivesUpSaysTheRerunFinishesIt() throws {
        let (place, pid) = try spare()
        defer { place.cleanup() }
        try seedLargeTag(place, count: 110_000)
        // Stopped once the drain is under way: the run has read the reply of its move by then.
        let probe = try place.connection()
        let sample = stride(from: 0, to: 110_000, by: 1000).map { ["EXISTS", RedisArgument(place.prefix + "k\($0)")] as [RedisArgument] }
        let output = try run(["invalidate-tag", "all", "--timeout", "0.5"] + place.options, when: { [self] process in
            try progress(process) { try probe.pipeline(sample).contains { $0.integer == 0 } }
        }) { _ in
            kill(pid, SIGSTOP)
            Thread.sleep(forTimeInterval: 7)
            kill(pid, SIGCONT)
        }
        let message = String(decoding: output.stderr, as: UTF8.self)
        #expect(output.status == 69, "\(message.suffix(500))")
        #expect(message.contains("run the same command again"), "\(message)")
        #expect(message.contains(":invalidating:"), "it names the set that holds what is left")
        let rerun = try CLI.run(["invalidate-tag", "all"] + place.options)
        #expect(rerun.status == 0)
        #expect(String(decoding: rerun.stderr, as: UTF8.self).contains("finished"))
        #expect(try place.entryKeys().isEmpty)
    }
}

/// A value handed between threads that never touch it at the same time.
final class UnsafeSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
