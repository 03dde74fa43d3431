import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor line by line through one fixed buffer (read(2)), so a manifest of any
/// size is streamed and never held in memory whole.
///
/// Lines end at `\n`; a `\r` before it is dropped. A last line without a newline is still a line.
/// A UTF-8 byte-order mark at the start of the input (Excel's "CSV UTF-8" always writes one) is
/// not part of the first line.
public final class LineReader {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The input's name in messages: a path, or `-` for standard input.
    public let name: String
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// The number of the line last returned, from 1.
    public private(set) var lineNumber = 0
    /// Whether the input starts with a UTF-16 byte-order mark (a manifest saved as "Unicode"):
    /// readers then say so instead of reporting bytes that are not UTF-8.
    public private(set) var isUTF16 = false
    /// For a reader of one part of a regular file (`init(descriptor:name:range:)`): the bytes
    /// it reads (with pread(2), so readers of other parts share the descriptor), and the next.
    private var range: Range<Int64>?
    private var position: Int64 = 0

    /// Reads from an open descriptor; `closing` closes it when the reader goes away.
    /// `name` appears in I/O error messages.
    public init(descriptor: Int32, name: String, closing: Bool = false, bufferSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.name = name
        ownsDescriptor = closing
        buffer = [UInt8](repeating: 0, count: max(bufferSize, 4096))
    }

    /// Reads the lines of `range` of a regular file open at `descriptor` (not closed here): a part
    /// that starts after a newline, or at 0. Line numbers count from the part's start; a
    /// byte-order mark is looked for only at the file's start.
    convenience init(descriptor: Int32, name: String, range: Range<Int64>, bufferSize: Int = 1 << 20) {
        self.init(descriptor: descriptor, name: name, closing: false, bufferSize: bufferSize)
        self.range = range
        position = range.lowerBound
    }

    /// The descriptor read from (for readers of parts of the same file).
    var fileDescriptor: Int32 { descriptor }

    /// Opens a file for reading; throws `.io` naming the file and the reason.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CacheError(.io, "Cannot read \(path): \(String(cString: strerror(errno)))") }
        self.init(descriptor: fd, name: path, closing: true)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The next line without its line ending, or nil at the end of the input.
    public func next() throws -> [UInt8]? {
        var line: [UInt8]?
        try nextLine { line = Array($0) }
        return line
    }

    /// Calls `body` with the next line's bytes (valid only during the call); false at the end of the input.
    @discardableResult
    public func nextLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        var scanFrom = start
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { bytes in
                guard scanFrom < end else { return nil }
                let base = bytes.baseAddress! + scanFrom
                guard let hit = memchr(base, 0x0A, end - scanFrom) else { return nil }
                return scanFrom + (UnsafeRawPointer(hit) - UnsafeRawPointer(base))
            }
            if let newline = found {
                lineNumber += 1
                var lineEnd = newline
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let lineStart = firstLineStart(start, end: lineEnd)
                start = newline + 1
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
                return true
            }
            if atEnd {
                guard start < end else { return false }
                lineNumber += 1
                var lineEnd = end
                if buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let lineStart = firstLineStart(start, end: lineEnd)
                start = end
                try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd])) }
                return true
            }
            scanFrom = end
            try fill(scanFrom: &scanFrom)
        }
    }

    /// Where the line at `start` begins: past a byte-order mark when it is the input's first line.
    private func firstLineStart(_ start: Int, end: Int) -> Int {
        if lineNumber == 1, (range?.lowerBound ?? 0) == 0, end - start >= 2 {
            isUTF16 = (buffer[start] == 0xFF && buffer[start + 1] == 0xFE) || (buffer[start] == 0xFE && buffer[start + 1] == 0xFF)
        }
        guard lineNumber == 1, (range?.lowerBound ?? 0) == 0, end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF else {
            return start
        }
        return start + 3
    }

    /// Moves the unread part to the front (growing the buffer for a very long line) and reads more.
    private func fill(scanFrom: inout Int) throws {
        if start > 0 {
            let pending = end - start
            if pending > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + start, pending)
                }
            }
            scanFrom -= start
            end = pending
            start = 0
        }
        if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                guard let range else { return read(descriptor, raw.baseAddress! + end, raw.count - end) }
                let wanted = Int(min(Int64(raw.count - end), range.upperBound - position))
                guard wanted > 0 else { return 0 }
                let got = pread(descriptor, raw.baseAddress! + end, wanted, off_t(position))
                if got > 0 { position += Int64(got) }
                return got
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw CacheError(.io, "Cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { atEnd = true } else { end += count }
            return
        }
    }

    /// Starts again from the beginning (for a second pass over a regular file).
    public func rewind() throws {
        if let range {
            position = range.lowerBound
        } else if lseek(descriptor, 0, SEEK_SET) != 0 {
            throw CacheError(.io, "Cannot read \(name) again: \(String(cString: strerror(errno)))")
        }
        start = 0
        end = 0
        atEnd = false
        lineNumber = 0
    }
}
