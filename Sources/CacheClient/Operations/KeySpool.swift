import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Keys kept in an unlinked temporary file, read back in pages in the order they were added:
/// a list of any length without holding it in memory.
final class KeySpool {
    private let descriptor: Int32
    private var pending: [UInt8] = []
    /// Keys added.
    private(set) var count = 0

    init() throws {
        descriptor = try Spool.temporaryFile()
    }

    deinit { close(descriptor) }

    /// Adds keys (each as its length, 4 bytes, and its UTF-8 bytes).
    func append(_ keys: [String]) throws {
        for key in keys {
            withUnsafeBytes(of: UInt32(key.utf8.count).littleEndian) { pending.append(contentsOf: $0) }
            pending.append(contentsOf: key.utf8)
        }
        count += keys.count
        if pending.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        var written = 0
        while written < pending.count {
            let result = pending.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw CacheError(.io, "Cannot write the list of keys to a temporary file: \(String(cString: strerror(errno)))",
                                 hint: "set TMPDIR to a writable directory with room for the keys")
            }
            written += result
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with pages of up to `size` keys, in the order they were added.
    func forEachPage(size: Int, _ body: ([String]) throws -> Void) throws {
        try flush()
        var offset: off_t = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var held = 0  // bytes at the front of `buffer` not consumed yet
        var page: [String] = []
        page.reserveCapacity(size)
        while true {
            if held == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + held, $0.count - held, offset) }
            if read < 0 {
                if errno == EINTR { continue }
                throw CacheError(.io, "Cannot read the list of keys back from its temporary file: \(String(cString: strerror(errno)))")
            }
            offset += off_t(read)
            held += read
            var position = 0
            while held - position >= 4 {
                let length = buffer.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self))) }
                guard held - position - 4 >= length else { break }
                page.append(String(decoding: buffer[(position + 4)..<(position + 4 + length)], as: UTF8.self))
                position += 4 + length
                if page.count == size {
                    try body(page)
                    page.removeAll(keepingCapacity: true)
                }
            }
            if position > 0 {
                buffer.replaceSubrange(0..<(held - position), with: buffer[position..<held])
                held -= position
            }
            if read == 0 { break }
        }
        if !page.isEmpty { try body(page) }
    }
}
