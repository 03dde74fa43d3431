import FoundationEssentials
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Where warmup entries come from.
public enum WarmupSource: Sendable, Equatable {
    /// A manifest file (JSON Lines or CSV), read twice: to validate, then to write.
    case file(path: String, format: EntryInputFormat)
    /// A manifest on standard input, spooled to an unlinked temporary file first unless it is a regular file.
    case standardInput(format: EntryInputFormat)
    /// A generator run through `/bin/sh -c` whose stdout is JSON Lines, spooled like standard input.
    case command(String)
    /// An HTTP GET per key of `keysPath` (one key a line) to `urlTemplate` with `{key}` replaced
    /// by the percent-encoded key; the body is the value.
    case http(urlTemplate: String, keysPath: String, concurrency: Int)

    /// The source as the report names it, and as `FILE` in `FILE:LINE:` messages.
    public var name: String {
        switch self {
        case .file(let path, _): return path
        case .standardInput: return "-"
        case .command(let command): return command
        case .http(let template, _, _): return template
        }
    }
}

/// Copies a stream that cannot be read twice into an unlinked temporary file.
enum Spool {
    /// A descriptor open on a new, already unlinked temporary file (gone when closed).
    static func temporaryFile() throws -> Int32 {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/cachectl-warmup-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw CacheError(.io, "Cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))",
                             hint: "set TMPDIR to a writable directory with room for the input")
        }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        return fd
    }

    /// Copies everything from `source` to `target`; `name` is the source in error messages.
    static func copy(from source: Int32, to target: Int32, name: String) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CacheError(.io, "Cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(target, $0.baseAddress! + offset, count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CacheError(.io, "Cannot write the temporary copy of \(name): \(String(cString: strerror(errno)))",
                                     hint: "set TMPDIR to a directory with room for the input")
                }
                offset += written
            }
        }
    }

    /// Whether a descriptor is a regular file, which can be read twice without a copy.
    static func isRegularFile(_ fd: Int32) -> Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}

/// Runs a generator through `/bin/sh -c` and spools its stdout; a non-zero exit fails with the
/// last line of its stderr.
enum Generator {
    /// Thrown when the generator was stopped before it finished: `--max-duration` ran out or the
    /// run was cancelled. The text says how it was stopped (SIGTERM, then SIGKILL).
    struct Stopped: Error {
        var byDeadline: Bool
        var description: String
    }

    /// Stops a generator's process group at a deadline or on cancellation: SIGTERM, then SIGKILL
    /// after `grace` seconds; remembers what it did.
    final class Watchdog: @unchecked Sendable {
        private let condition = Condition()
        private var finished = false
        private(set) var action: String?
        private(set) var byDeadline = false

        func watch(pid: pid_t, deadline: ContinuousClock.Instant?, cancellation: Cancellation, grace: Double = 2) {
            startThread(stackSize: 64 << 10) { [self] in
                var terminatedAt: ContinuousClock.Instant?
                condition.lock()
                defer { condition.unlock() }
                while !finished {
                    let now = ContinuousClock.now
                    if let terminatedAt {
                        if (now - terminatedAt).seconds >= grace {
                            kill(-pid, SIGKILL)
                            action = (action ?? "") + ", then SIGKILL after \(Int(grace)) s"
                            return
                        }
                    } else if cancellation.isCancelled || deadline.map({ now >= $0 }) == true {
                        byDeadline = !cancellation.isCancelled
                        kill(-pid, SIGTERM)
                        action = "SIGTERM"
                        terminatedAt = now
                    }
                    condition.unlock()
                    sleep(seconds: 0.05)
                    condition.lock()
                }
            }
        }

        func finish() {
            condition.lock()
            finished = true
            condition.unlock()
        }

        var stopped: (action: String, byDeadline: Bool)? {
            condition.lock()
            defer { condition.unlock() }
            return action.map { ($0, byDeadline) }
        }
    }

    static func spool(_ command: String, into target: Int32, deadline: ContinuousClock.Instant? = nil,
                      cancellation: Cancellation = .process) throws {
        let failure: (Int32) -> CacheError = { code in
            CacheError(.failed, "Cannot start the generator \(command.displayQuoted): \(errnoText(code))")
        }
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard pipe(&outputPipe) == 0 else { throw failure(errno) }
        guard pipe(&errorPipe) == 0 else {
            let code = errno
            close(outputPipe[0]); close(outputPipe[1])
            throw failure(code)
        }
        for fd in outputPipe + errorPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // Like Foundation's Process, the child inherits no other descriptor (glibc 2.34+, looked up
        // at run time: Swift does not import it and older C libraries lack it).
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { arguments.forEach { free($0) } }
        // As Foundation's Process did: signals unmasked and at their defaults, a process group of its own.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var mostSignals = sigset_t()
        sigfillset(&mostSignals)
        sigdelset(&mostSignals, SIGKILL)
        sigdelset(&mostSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &mostSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var pid = pid_t()
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, environ)
        close(outputPipe[1])
        close(errorPipe[1])
        guard status == 0 else {
            close(outputPipe[0]); close(errorPipe[0])
            throw failure(status)
        }
        let tail = StderrTail()
        let errorRead = errorPipe[0]
        startThread { tail.read(errorRead) }
        defer { close(outputPipe[0]) }
        let watchdog = Watchdog()
        watchdog.watch(pid: pid, deadline: deadline, cancellation: cancellation)
        defer { watchdog.finish() }
        do {
            try Spool.copy(from: outputPipe[0], to: target, name: "the output of \(command.displayQuoted)")
        } catch {
            kill(pid, SIGTERM)
            _ = wait(for: pid)
            throw error
        }
        let exit = wait(for: pid)
        watchdog.finish()
        tail.waitUntilDone()
        if let (action, byDeadline) = watchdog.stopped {
            let why = byDeadline ? "--max-duration ran out" : "the run was interrupted by \(cancellation.reason)"
            throw Stopped(byDeadline: byDeadline, description: "\(why) while the generator \"\(command)\" was running: it was stopped (\(action)); nothing was written")
        }
        guard exit.exited, exit.status == 0 else {
            let how = exit.exited ? "exited with status \(exit.status)" : "was killed by signal \(exit.status)"
            let last = tail.lastLine
            throw CacheError(.failed, "The generator \(command.displayQuoted) \(how)" + (last.isEmpty ? "" : ": \(last)"),
                             hint: "nothing was written")
        }
    }

    /// Waits for the child: whether it exited (else a signal killed it) and its status or signal.
    private static func wait(for pid: pid_t) -> (exited: Bool, status: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        if status & 0x7f == 0 { return (true, (status >> 8) & 0xff) }
        return (false, status & 0x7f)
    }
}

/// Reads a stream to its end, keeping only its last non-empty line.
private final class StderrTail: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var tail: [UInt8] = []

    func read(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            tail.append(contentsOf: buffer[..<count])
            if tail.count > 8192 { tail.removeFirst(tail.count - 8192) }
        }
        close(fd)
        done.signal()
    }

    func waitUntilDone() { done.wait() }

    var lastLine: String {
        let text = String(decoding: tail, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last.map { $0.trimmingWhitespace() } ?? ""
    }
}

extension WarmupSource {
    /// The `FILE` of `FILE:LINE: reason` messages: the path, `<stdin>`, `<generator>` or the keys file.
    public var inputName: String {
        switch self {
        case .file(let path, _): return path
        case .standardInput: return "<stdin>"
        case .command: return "<generator>"
        case .http(_, let keysPath, _): return keysPath
        }
    }
}
