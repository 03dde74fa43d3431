import Foundation
import Testing

/// What a finished child process left behind.
package typealias ProcessOutput = (stdout: Data, stderr: Data, status: Int32)

/// Runs the built `cachectl` binary the way a user would: real process, real pipes, clean environment.
package enum CLI {
    /// The binary under test: `$CACHECTL_BIN`, else `cachectl` beside the test bundle
    /// (`swift build --build-tests` puts both in `.build/<triple>/debug/`).
    package static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["CACHECTL_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return testBundleDirectory.appendingPathComponent("cachectl")
    }

    /// Runs `cachectl ARGS…` and waits for it.
    ///
    /// The child starts from a minimal environment (`PATH`, `HOME`) plus `environment`, so the
    /// developer's `CACHE_BACKEND`, `REDIS_URL` or `CACHECTL_URL` never leak into a test.
    /// Without `stdin` the child reads `/dev/null`.
    package static func run(
        _ args: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:],
        directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> ProcessOutput {
        let binary = binary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ProcessRunnerError(
                "cachectl binary not found at \(binary.path): run `swift build` first or set CACHECTL_BIN")
        }
        return try ProcessRunner.run(binary, args, stdin: stdin, environment: environment, directory: directory,
                                     timeout: timeout)
    }

    /// Directory holding the test bundle, found without assuming how the bundle was launched.
    private static var testBundleDirectory: URL {
        // macOS runs a `.xctest` bundle inside Xcode's `xctest` tool; Linux runs the bundle itself.
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.resolvingSymlinksInPath().deletingLastPathComponent()
    }
}

/// Runs any program with the same guarantees as `CLI.run`; also used for `redis-cli` in integration tests.
package enum ProcessRunner {
    /// Runs `executable ARGS…`; a bare name is looked up in `PATH`.
    package static func run(
        _ executable: String,
        _ args: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) throws -> ProcessOutput {
        try run(resolve(executable), args, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Runs the program at `executable`, reading stdout and stderr concurrently so a child that
    /// writes megabytes to one pipe never blocks waiting for us to drain the other.
    package static func run(
        _ executable: URL,
        _ args: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:],
        directory: URL? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        process.environment = minimalEnvironment.merging(environment) { _, given in given }

        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        let stdinPipe = stdin.map { _ in Pipe() }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = stdinPipe ?? FileHandle.nullDevice

        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try launch(process)

        // Dedicated threads, not GCD: with many tests in parallel on two cores, blocked readers
        // starve the global queue and every child appears to take a second.
        let stdoutData = Collected()
        let stderrData = Collected()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stdoutData.data = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        Thread.detachNewThread {
            stderrData.data = stderrPipe.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        if let stdin, let stdinPipe {
            // On its own thread too, so a child that never reads cannot block the timeout.
            Thread.detachNewThread {
                // A child that exits early makes the write fail with EPIPE instead of killing
                // the test run; the blocked SIGPIPE dies with this thread.
                var pipeSignal = sigset_t()
                sigemptyset(&pipeSignal)
                sigaddset(&pipeSignal, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                try? stdinPipe.fileHandleForWriting.write(contentsOf: stdin)
                try? stdinPipe.fileHandleForWriting.close()
            }
        }

        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            // The reader threads are left to finish on their own: a grandchild may hold the pipes.
            throw ProcessRunnerError(
                "\(executable.lastPathComponent) \(args.joined(separator: " ")) did not finish within \(timeout)")
        }
        drained.wait()
        drained.wait()
        process.waitUntilExit()
        return (stdoutData.data, stderrData.data, process.terminationStatus)
    }

    /// The only variables a child sees besides the ones a test passes.
    private static var minimalEnvironment: [String: String] {
        let parent = ProcessInfo.processInfo.environment
        return [
            "PATH": parent["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": parent["HOME"] ?? NSTemporaryDirectory(),
        ]
    }

    private static func resolve(_ name: String) throws -> URL {
        if name.contains("/") { return URL(fileURLWithPath: name) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ProcessRunnerError("Executable \"\(name)\" is not found in PATH (\(path)).")
    }

    /// Starts `process` from a fresh thread with no blocked signals.
    ///
    /// Foundation spawns the child with the calling thread's signal mask, and the threads Swift
    /// Testing runs tests on block SIGTERM, SIGINT and more: a child started from them could not
    /// be stopped, and tests of cachectl's own signal handling would test nothing.
    private static func launch(_ process: Process) throws {
        let launch = Launch(process)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do { try launch.process.run() } catch { launch.error = error }
            done.signal()
        }
        done.wait()
        if let error = launch.error {
            let path = process.executableURL?.path ?? "?"
            throw ProcessRunnerError("Cannot start \(path): \(error.localizedDescription)")
        }
    }
}

/// Why a child process could not be run to completion.
package struct ProcessRunnerError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// A process handed to the launching thread, and what went wrong there; read only after it finished.
private final class Launch: @unchecked Sendable {
    let process: Process
    var error: (any Error)?
    init(_ process: Process) { self.process = process }
}

/// Bytes written by exactly one reader thread and read only after that thread has been joined.
private final class Collected: @unchecked Sendable {
    var data = Data()
}

extension Data {
    /// The bytes as UTF-8 text, for `#expect` on command output.
    package var text: String { String(decoding: self, as: UTF8.self) }
}
