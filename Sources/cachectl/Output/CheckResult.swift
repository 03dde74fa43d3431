import CacheClient

/// What `check` prints.
struct CheckResult: Renderable {
    let report: HealthReport

    private enum Keys: String, CodingKey { case backend, endpoint, ok, checked, problems, seconds }
    private enum ProblemKeys: String, CodingKey { case kind, count, detail, hint }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.backend, forKey: .backend)
        try container.encode(report.endpoint, forKey: .endpoint)
        try container.encode(report.isHealthy, forKey: .ok)
        try container.encode(report.checked, forKey: .checked)
        var problems = container.nestedUnkeyedContainer(forKey: .problems)
        for problem in report.problems {
            var item = problems.nestedContainer(keyedBy: ProblemKeys.self)
            try item.encode(problem.kind.rawValue, forKey: .kind)
            try item.encode(problem.count, forKey: .count)
            try item.encode(problem.detail, forKey: .detail)
            try item.encode(Nullable(problem.hint), forKey: .hint)
        }
        try container.encode(report.seconds, forKey: .seconds)
    }

    func text(style: TextStyle) -> String {
        var rows = report.checked.map { name -> [String] in [name, "checked"] }
        for problem in report.problems {
            rows.append([problem.kind.rawValue, "\(problem.count)" + (problem.hint.map { " (\($0))" } ?? "")])
        }
        let verdict = report.isHealthy ? style.green("ok") : style.red("problems found")
        return Table(headers: ["check", "result"], rows: rows).render(style: style)
            + "\(report.endpoint): \(verdict) in \(Human.duration(report.seconds))\n"
    }
}
