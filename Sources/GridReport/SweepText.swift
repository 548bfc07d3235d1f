// The table `r70 sweep` prints at the end: each point's parameters and its key national metrics.
import GridStudy

public enum SweepText {
    /// The metrics the table shows, with their unit and scale.
    static let columns: [(metric: String, label: String, scale: Double)] = [
        ("lole", "LOLE (h)", 1), ("eue", "EUE (MWh)", 1), ("total_cost", "Cost (M$)", 1e-6), ("reserve_margin", "Reserve margin (%)", 100),
        ("emissions", "CO2 (Mt)", 1e-6),
    ]

    public static func render(design: SweepDesign, rows: [SweepRow], study: Int64, db: String, trials: Int?, seed: UInt64) -> String {
        var national: [Int: [String: SweepMetric]] = [:]
        var parameters: [Int: [String]] = [:]
        for r in rows where r.metric.region.isEmpty {
            national[r.pointIndex, default: [:]][r.metric.metric] = r.metric
            parameters[r.pointIndex] = r.parameters
        }
        let points = national.keys.sorted()
        let shown = columns.filter { c in points.contains { national[$0]?[c.metric] != nil } }
        var table: [[String]] = []
        for p in points {
            var row = [String(p + 1)] + (parameters[p] ?? [])
            for c in shown {
                guard let m = national[p]?[c.metric] else { row.append("—"); continue }
                let decimals = c.scale == 100 ? 2 : (abs(m.mean * c.scale) >= 100 ? 0 : 2)
                var cell = Format.number(m.mean * c.scale, decimals: decimals)
                if let se = m.standardError, se.isFinite, trials != nil, c.metric != "reserve_margin" {
                    cell += " ± " + Format.number(se * c.scale, decimals: decimals)
                }
                row.append(cell)
            }
            table.append(row)
        }
        let mode = trials.map { "\($0) trial years per point, seed \(seed), the same draws at every point" } ?? "deterministic runs"
        var out = "Sweep of \(design.points.count) point\(design.points.count == 1 ? "" : "s") (\(design.latinHypercube.map { "Latin hypercube of \($0)" } ?? "grid")), \(mode); study \(study) in \(db)\n\n"
        out += Format.table(["Point"] + design.axes.map(\.path) + shown.map(\.label), table)
        // Every national metric by point, when the points fit across the screen.
        if points.count <= 6 {
            var names: [String] = []
            for r in rows where r.metric.region.isEmpty && !names.contains(r.metric.metric) { names.append(r.metric.metric) }
            let every = names.map { name -> [String] in
                let unit = national[points[0]]?[name]?.unit ?? ""
                return ["\(name)\(unit.isEmpty || unit == "fraction" || unit == "probability" ? "" : " (\(unit))")"] + points.map { p in
                    guard let m = national[p]?[name] else { return "—" }
                    return unit == "fraction" || unit == "probability" ? Format.percent(m.mean, decimals: 2) : Format.number(m.mean, decimals: abs(m.mean) >= 100 ? 0 : 3)
                }
            }
            out += "\n\nEvery national metric by point (means; errors and regions in the database and --csv):\n\n"
            out += Format.table(["Metric"] + points.map { "Point \($0 + 1)" }, every)
        } else {
            out += "\n\nEvery metric of every point, with errors and by region: the database, or --csv."
        }
        if points.count < design.points.count { out += "\n\n\(design.points.count - points.count) points not finished." }
        return out
    }
}
