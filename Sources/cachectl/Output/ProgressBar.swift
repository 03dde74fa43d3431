import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar with rate and ETA on stderr, drawn only when stderr is a terminal and
/// `--quiet` is off; redrawn at most ten times a second so it never slows the work down.
final class ProgressBar {
    private let label: String
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var drawn = false

    /// A bar for `label` ("warmup", "migrate"); disabled off a terminal or with `quiet`.
    init(label: String, quiet: Bool) {
        self.label = label
        enabled = !quiet && Terminal.stderrIsTerminal
    }

    /// Redraws for the given progress (throttled).
    func update(_ progress: OperationProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        let elapsed = max((now - start).seconds, 0.001)
        let rate = Double(progress.done) / elapsed
        var line = "\(label) "
        if let total = progress.total, total > 0 {
            let fraction = min(1, Double(progress.done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += "\(Human.fixed(fraction * 100, 0))% " + "\(Human.count(Int64(progress.done)))/\(Human.count(Int64(total)))"
            if rate > 0, progress.done < total {
                line += ", ETA \(Human.ttl(Int64((Double(total - progress.done) / rate).rounded(.up))))"
            }
        } else {
            line += "\(Human.count(Int64(progress.done)))"
        }
        line += ", \(Human.fixed(rate, 0))/s"
        if progress.failed > 0 { line += ", \(progress.failed) failed" }
        Terminal.writeError("\r\u{1B}[2K" + line)
        drawn = true
    }

    /// Clears the bar so the summary starts on a clean line.
    func finish() {
        if drawn { Terminal.writeError("\r\u{1B}[2K") }
        drawn = false
    }
}
