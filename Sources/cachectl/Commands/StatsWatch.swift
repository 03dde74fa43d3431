import ArgumentParser
import CacheClient
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `stats --watch`: a sample every interval, each over the interval since the previous one.
struct StatsWatch {
    let context: Context
    let backend: any CacheBackend
    let interval: Duration
    let count: Int?

    func run() throws {
        let redraw = Terminal.stdoutIsTerminal && context.options.format == .table
        var previous: (BackendStatistics, ContinuousClock.Instant)?
        var taken = 0
        while count.map({ taken < $0 }) ?? true {
            let started = ContinuousClock.now
            let sample = try backend.statistics()
            let report = previous.map { StatsReport(from: $0.0, to: sample, elapsed: (started - $0.1).seconds) } ?? StatsReport(sample)
            previous = (sample, started)
            taken += 1
            let result = StatsResult(report: report, assertions: [])
            if redraw {
                Terminal.write("\u{1B}[H\u{1B}[2J" + result.text(style: context.renderer.style))
            } else {
                context.renderer.renderLine(result)
            }
            if count.map({ taken >= $0 }) ?? false { break }
            sleep(seconds: max(0, (started + interval - ContinuousClock.now).seconds))
        }
    }
}
