// The perfect-foresight reference as text and JSON (`r70 run --foresight`, `--foresight-gap`).
import Foundation
import GridSim

public enum ForesightText {
    /// The optimum beside the step-by-step run, with the gap and each store's use.
    public static func render(_ c: ForesightComparison, storeNames: [String]) -> String {
        let f = c.foresight
        let millions = max(c.policyCostUSD, f.costUSD) >= 1e7
        func cost(_ x: Double) -> String { millions ? Format.number(x / 1e6, decimals: 3) : Format.number(x, decimals: 0) }
        var rows: [[String]] = [
            ["System cost (US$\(millions ? " million" : ""))", cost(c.policyCostUSD), cost(f.costUSD)],
            ["Unserved energy (MWh)", Format.number(c.policyUnservedMWh, decimals: 1), Format.number(f.unservedMWh, decimals: 1)],
        ]
        for (k, name) in storeNames.enumerated() {
            rows.append(["Discharged by \(name) (MWh)", Format.number(c.run.summary.storage[k].dischargeMWh), Format.number(f.storageDischargedMWh[k])])
        }
        let lpSize = f.windows == 1
            ? "one LP of \(Format.number(Double(f.columns))) columns and \(Format.number(Double(f.rows))) rows"
            : "\(f.windows) windows, the largest \(Format.number(Double(f.columns))) columns and \(Format.number(Double(f.rows))) rows"
        return """
        Perfect foresight (\(lpSize); CLP, \(Format.number(f.solveSeconds, decimals: 2)) s)
        \(Format.table(["", "Step-by-step run", "Perfect foresight"], rows))
        Gap of the run to the optimum: \(gapText(c.gap)) of the optimum's cost (US$ \(cost(c.policyCostUSD - f.costUSD))\(millions ? " million" : ""))
        """
    }

    static func gapText(_ gap: Double) -> String {
        abs(gap) < 1e-3 ? String(format: "%.2e", gap) : Format.percent(gap, decimals: 2)
    }

    public struct JSONForm: Encodable {
        var policyCostUSD: Double
        var policyUnservedMWh: Double
        var foresightCostUSD: Double
        var foresightUnservedMWh: Double
        var gap: Double
        var windows: Int
        var columns: Int
        var rows: Int
        var solveSeconds: Double
        var storage: [Store]
        struct Store: Encodable {
            var name: String
            var policyDischargedMWh: Double
            var foresightDischargedMWh: Double
            var foresightChargedMWh: Double
        }
    }

    public static func json(_ c: ForesightComparison, storeNames: [String]) throws -> String {
        let f = c.foresight
        return try JSONOutput.string(JSONForm(
            policyCostUSD: c.policyCostUSD, policyUnservedMWh: c.policyUnservedMWh, foresightCostUSD: f.costUSD,
            foresightUnservedMWh: f.unservedMWh, gap: c.gap, windows: f.windows, columns: f.columns, rows: f.rows,
            solveSeconds: f.solveSeconds,
            storage: storeNames.enumerated().map { k, name in
                JSONForm.Store(name: name, policyDischargedMWh: c.run.summary.storage[k].dischargeMWh,
                               foresightDischargedMWh: f.storageDischargedMWh[k], foresightChargedMWh: f.storageChargedMWh[k])
            }))
    }
}
