import Foundation

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
    static func spool(_ command: String, into target: Int32) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CacheError(.failed, "Cannot start the generator \"\(command)\": \(error.localizedDescription)")
        }
        let tail = StderrTail()
        let reader = Thread { tail.read(errors.fileHandleForReading.fileDescriptor) }
        reader.start()
        do {
            try Spool.copy(from: output.fileHandleForReading.fileDescriptor, to: target, name: "the output of \"\(command)\"")
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        process.waitUntilExit()
        tail.waitUntilDone()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)"
                                                         : "was killed by signal \(process.terminationStatus)"
            let last = tail.lastLine
            throw CacheError(.failed, "The generator \"\(command)\" \(how)" + (last.isEmpty ? "" : ": \(last)"),
                             hint: "nothing was written")
        }
    }
}

/// Reads a stream to its end, keeping only its last non-empty line.
private final class StderrTail: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var tail: [UInt8] = []

    func read(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            tail.append(contentsOf: buffer[..<count])
            if tail.count > 8192 { tail.removeFirst(tail.count - 8192) }
        }
        done.signal()
    }

    func waitUntilDone() { done.wait() }

    var lastLine: String {
        let text = String(decoding: tail, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
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
