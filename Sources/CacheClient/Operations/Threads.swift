// Small POSIX stand-ins for the corelibs Foundation types (Thread, NSCondition, FileHandle) so
// that only FoundationEssentials is linked: it starts faster and makes a much smaller binary.
#if canImport(Glibc)
import Glibc
#endif

/// Starts `body` on a new detached POSIX thread with a `stackSize`-byte stack (like `Thread`).
package func startThread(stackSize: Int = 1 << 20, _ body: @escaping @Sendable () -> Void) {
    final class Start { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(Start(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, &attributes, { context in
        Unmanaged<Start>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    precondition(status == 0, "pthread_create failed: \(String(cString: strerror(status)))")
}

/// Sleeps for `seconds` (`Thread.sleep(forTimeInterval:)`); non-positive returns at once.
package func sleep(seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// A mutex with a condition variable (`NSCondition`).
package final class Condition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for a broadcast or signal; call with the lock held.
    package func wait() { pthread_cond_wait(cond, mutex) }
    package func signal() { pthread_cond_signal(cond) }
    package func broadcast() { pthread_cond_broadcast(cond) }
}

/// The text of an errno value, e.g. "No such file or directory".
package func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// A file descriptor opened for writing (the few `FileHandle` uses); failures throw `POSIXErrorText`.
package struct OutputFile {
    package let fd: Int32
    private let owned: Bool

    package static let standardOutput = OutputFile(fd: 1, owned: false)

    private init(fd: Int32, owned: Bool) {
        self.fd = fd
        self.owned = owned
    }

    /// Creates (or truncates) `path` with mode 0644 (as `FileManager.createFile` did).
    package init(creating path: String) throws(POSIXErrorText) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXErrorText() }
        self.init(fd: fd, owned: true)
    }

    /// Writes all of `bytes`.
    package func write(_ bytes: [UInt8]) throws(POSIXErrorText) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXErrorText()
            }
            offset += written
        }
    }

    package func close() {
        if owned { _ = Glibc.close(fd) }
    }
}

/// Reads everything from a descriptor, holding the bytes once: a regular file is read straight
/// into an array of its size; a pipe into 1 MB chunks joined at the end, each released as it is
/// copied (growing one array would hold up to twice the input while it moves).
package func readAll(_ fd: Int32) throws(POSIXErrorText) -> [UInt8] {
    var info = stat()
    var expected = 0
    if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
        expected = max(0, Int(info.st_size) - max(0, Int(lseek(fd, 0, SEEK_CUR))))
    }
    // One byte more than the file's size, so a file that did not grow ends inside its first chunk.
    var chunkSize = expected > 0 ? expected + 1 : 1 << 20
    var chunks: [[UInt8]] = []
    var failure: Int32 = 0
    var ended = false
    while !ended {
        let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { storage, filled in
            while filled < storage.count {
                let count = read(fd, storage.baseAddress! + filled, storage.count - filled)
                if count < 0, errno == EINTR { continue }
                if count < 0 { failure = errno }
                if count <= 0 {
                    ended = true
                    return
                }
                filled += count
            }
        }
        if failure != 0 { throw POSIXErrorText(failure) }
        if !chunk.isEmpty { chunks.append(chunk) }
        chunkSize = 1 << 20
    }
    if chunks.count <= 1 { return chunks.first ?? [] }
    var result: [UInt8] = []
    result.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
    for index in chunks.indices {
        result.append(contentsOf: chunks[index])
        chunks[index] = []
    }
    return result
}

/// An errno captured as its text.
package struct POSIXErrorText: Error, CustomStringConvertible {
    package let code: Int32
    package init(_ code: Int32 = errno) { self.code = code }
    package var description: String { errnoText(code) }
}

extension StringProtocol {
    /// Without leading and trailing tabs and Unicode space separators (`trimmingCharacters(in:
    /// .whitespaces)`; like Foundation, on unicode scalars).
    package func trimmingWhitespace() -> String {
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...scalars.lastIndex(where: { !isBlank($0) })!]))
    }
}

extension StringProtocol {
    /// The last range of `other` (`range(of:options: .backwards)`).
    package func lastRange(of other: some StringProtocol) -> Range<Index>? {
        guard !other.isEmpty else { return nil }
        var index = endIndex
        while index > startIndex {
            index = self.index(before: index)
            if self[index...].starts(with: other) { return index..<self.index(index, offsetBy: other.count) }
        }
        return nil
    }

    /// Decodes `%XX` sequences (`removingPercentEncoding`): nil when a `%` is not followed by two
    /// hex digits or the result is not UTF-8.
    package var percentDecoded: String? {
        var bytes: [UInt8] = []
        let utf8 = Array(self.utf8)
        var i = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%") {
                guard i + 2 < utf8.count, let high = hex(utf8[i + 1]), let low = hex(utf8[i + 2]) else { return nil }
                bytes.append(high << 4 | low)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Reads a whole file; nil-free errors carry errno (`String(contentsOfFile:)`, `FileHandle.readToEnd`).
package func readFile(_ path: String) throws(POSIXErrorText) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw POSIXErrorText() }
    defer { close(fd) }
    return try readAll(fd)
}

extension String {
    /// Every `scalar` replaced by `replacement` (`replacingOccurrences(of:with:)` for a one-scalar
    /// target; like Foundation it also matches inside a "\r\n" character).
    package func replacingScalar(_ scalar: Unicode.Scalar, with replacement: String) -> String {
        guard unicodeScalars.contains(scalar) else { return self }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            if s == scalar { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(s) }
        }
        return String(out)
    }
}
