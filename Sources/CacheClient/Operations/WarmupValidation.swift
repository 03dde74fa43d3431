import FoundationEssentials
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The first pass over a large JSON Lines file in parts, one thread each: the pass runs before
/// anything is written ("nothing written on bad input"), so nothing else overlaps it, and on a
/// 100,000-entry manifest it was a fifth of the whole warmup. Each part starts at a line
/// start; its issues get their line numbers in the file once the parts before it are counted,
/// and the report keeps the first issues in file order, exactly as the single pass does.
extension Warmup {
    /// Files smaller than this are read by one pass (threads would cost more than they save).
    static let partedValidationBytes: Int64 = 4 << 20

    /// What one part's pass found.
    private struct PartResult: Sendable {
        var valid = 0
        var invalid = 0
        var issues: [WarmupIssue] = []
        var lines = 0
        var stopped = false
        var failure: CacheError?
    }

    /// Validates a JSON Lines file of at least `partedValidationBytes` in parts on two to four
    /// threads; nil when the input is not one, so the caller's single pass runs. False when a signal stopped it (`report.stop` says so).
    func validateInParts(_ lines: LineReader, into report: inout WarmupReport, for backend: any CacheBackend) throws -> Bool? {
        guard try format() == .jsonLines else { return nil }
        // At least two parts, so this path is the one tested whatever the machine.
        let threads = min(4, max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        var info = stat()
        let descriptor = lines.fileDescriptor
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
              Int64(info.st_size) >= Self.partedValidationBytes else { return nil }
        let size = Int64(info.st_size)
        var bounds: [Int64] = [0]
        for part in 1..<threads {
            if let start = Self.lineStart(descriptor, atOrAfter: size * Int64(part) / Int64(threads)), start > bounds.last!, start < size {
                bounds.append(start)
            }
        }
        bounds.append(size)
        let parts = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
        let results = UncheckedBox(ResultSlots(count: parts.count))
        let done = DispatchSemaphore(value: 0)
        let work = UncheckedBox((self, backend, lines.name))
        for (index, part) in parts.enumerated() {
            startThread(stackSize: 1 << 20) {
                let (warmup, backend, name) = work.value
                let reader = JSONLinesEntryReader(lines: LineReader(descriptor: descriptor, name: name, range: part),
                                                  defaults: warmup.defaults)
                results.value.store(index, Self.validatePart(reader, for: backend))
                done.signal()
            }
        }
        for _ in parts { done.wait() }
        var linesBefore = 0
        for result in results.value.all {
            if let failure = result.failure { throw failure }
            if result.stopped {
                report.stop = .interrupted(Cancellation.process.reason)
                return false
            }
            report.total += result.valid
            report.invalid += result.invalid
            for var issue in result.issues where report.issues.count < Self.issueLimit {
                issue.line = issue.line.map { $0 + linesBefore }
                report.issues.append(issue)
            }
            linesBefore += result.lines
        }
        try lines.rewind()
        return true
    }

    /// Results written by one thread each, read after all of them finished.
    private final class ResultSlots: @unchecked Sendable {
        private let lock = Condition()
        private var slots: [PartResult]
        init(count: Int) { slots = Array(repeating: PartResult(), count: count) }
        func store(_ index: Int, _ result: PartResult) {
            lock.lock()
            slots[index] = result
            lock.unlock()
        }
        var all: [PartResult] {
            lock.lock()
            defer { lock.unlock() }
            return slots
        }
    }

    /// One part's pass: the same checks as `validate`, issues numbered from the part's first line.
    private static func validatePart(_ reader: JSONLinesEntryReader, for backend: any CacheBackend) -> PartResult {
        var result = PartResult()
        do {
            while let item = try reader.next() {
                if (result.valid + result.invalid) % 1000 == 999, Cancellation.process.isCancelled {
                    result.stopped = true
                    return result
                }
                switch item {
                case .entry(let entry, let line):
                    if let reason = backend.refusal(of: entry) {
                        result.invalid += 1
                        if result.issues.count < issueLimit { result.issues.append(WarmupIssue(line: line, reason: reason)) }
                    } else {
                        result.valid += 1
                    }
                case .invalid(let line, let reason):
                    result.invalid += 1
                    if result.issues.count < issueLimit { result.issues.append(WarmupIssue(line: line, reason: reason)) }
                }
            }
            result.lines = reader.linesRead
        } catch {
            result.failure = error as? CacheError ?? CacheError(.io, "Cannot read the input: \(error)")
        }
        return result
    }

    /// The first line start at or after `offset` (0, or just past a newline); nil when no line starts there.
    private static func lineStart(_ descriptor: Int32, atOrAfter offset: Int64) -> Int64? {
        guard offset > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var position = offset - 1
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, off_t(position)) }
            guard count > 0 else { return nil }
            if let newline = chunk[..<count].firstIndex(of: 0x0A) { return position + Int64(newline) + 1 }
            position += Int64(count)
        }
    }
}
