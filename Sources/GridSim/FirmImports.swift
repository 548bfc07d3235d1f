// Firm imports for the regional planning reserve margins, with each MW of firm capacity counted once.
//
// The rule. Firm capacity is pooled over the corridors so that the regions' margins
// (firm + net firm imports − peak) / peak are as equal as the corridors allow: the lowest margin is
// raised as far as possible, then the next lowest, and so on (lexicographic max-min; the vector of
// margins it gives is unique, whatever order regions and corridors are listed in). A corridor carries
// at most its limit in each direction and delivers (1 − loss at rated) of what it carries; a region
// gives away only firm capacity above its own peak (an exporter's margin stays ≥ 0, a region short of
// its peak exports nothing, though it may pass imports on). The sum over regions of firm capacity
// plus net imports is the national firm capacity less corridor losses, so no exporter's surplus is
// credited twice. The national margin does not use imports and is unchanged by the rule.
//
// Each stage is a small LP solved with GLPK: maximise t subject to every unfixed region's margin ≥ t
// and every fixed region's margin ≥ its level; a region whose margin cannot exceed the stage's t while
// the others keep theirs is fixed at it.
import GridModel
import LPOracle

public struct FirmImportAllocation: Sendable {
    /// Net firm imports per region, MW (negative for exporters).
    public let netImportsMW: [Double]
    /// Regional planning reserve margins with those imports (infinite for a region without a peak).
    public let margins: [Double]

    /// Slack on the levels already fixed, and the gap below which a region counts as unable to rise.
    static let slack = 1e-9
    static let stuckGap = 1e-7

    public init(firmMW: [Double], peakMW: [Double], corridors: [Corridor]) {
        let R = firmMW.count
        var level = [Double?](repeating: nil, count: R)
        var unfixed = (0..<R).filter { peakMW[$0] > 0 }
        var imports = [Double](repeating: 0, count: R)
        while !unfixed.isEmpty {
            // Stage: the highest level t that every unfixed region reaches while the fixed keep theirs.
            guard let stage = Self.solve(firmMW, peakMW, corridors, level: level, linked: Set(unfixed), floor: nil) else { break }
            imports = stage.imports
            // A region is fixed at t when it cannot rise above t while every other unfixed region keeps t.
            let best = unfixed.map { r in
                (r, Self.solve(firmMW, peakMW, corridors, level: level, linked: [r], floor: (Set(unfixed), stage.t))?.t ?? stage.t)
            }
            var stuck = best.filter { $0.1 <= stage.t + Self.stuckGap }.map(\.0)
            if stuck.isEmpty { stuck = [best.min { $0.1 < $1.1 }!.0] }   // numerical safety: always progress
            for r in stuck { level[r] = stage.t }
            unfixed.removeAll { stuck.contains($0) }
        }
        netImportsMW = imports
        margins = (0..<R).map { peakMW[$0] > 0 ? (firmMW[$0] + imports[$0] - peakMW[$0]) / peakMW[$0] : .infinity }
    }

    /// Maximises t such that the margin of every region in `linked` is at least t, every region with a
    /// level keeps it, and (with `floor`) every other region of `floor.regions` keeps `floor.level`.
    static func solve(_ firm: [Double], _ peak: [Double], _ corridors: [Corridor], level: [Double?],
                      linked: Set<Int>, floor: (regions: Set<Int>, level: Double)?) -> (t: Double, imports: [Double])? {
        let R = firm.count
        var lp = LinearProgram()
        var net = [[(Int, Double)]](repeating: [], count: R)   // (column, coefficient) of each region's net import
        for c in corridors {
            let keep = 1 - c.lossFractionAtRated
            let f = lp.addColumn(cost: 0, lower: 0, upper: max(0, c.limitForwardMW))
            let b = lp.addColumn(cost: 0, lower: 0, upper: max(0, c.limitBackwardMW))
            net[c.to].append((f, keep)); net[c.from].append((f, -1))
            net[c.from].append((b, keep)); net[c.to].append((b, -1))
        }
        // Margins cannot fall below −1 (firm + imports ≥ 0), and stay below the system's total over a peak.
        let t = lp.addColumn(cost: -1, lower: -1, upper: 1 + firm.reduce(0, +) / max(1e-9, peak.filter { $0 > 0 }.min() ?? 1))
        func row(_ r: Int, atLeast bound: Double, tCoefficient: Double = 0) {
            let i = lp.addRow(.greaterOrEqual, bound)
            for (j, v) in net[r] { lp.set(row: i, column: j, v) }
            if tCoefficient != 0 { lp.set(row: i, column: t, tCoefficient) }
        }
        for r in 0..<R {
            // A region gives away only firm capacity above its peak: import ≥ min(F, P) − F.
            row(r, atLeast: min(firm[r], peak[r]) - firm[r])
            guard peak[r] > 0 else { continue }
            // margin (F + I − P) / P ≥ m  ⇔  I ≥ P (1 + m) − F
            if let m = level[r] {
                row(r, atLeast: peak[r] * (1 + m - slack) - firm[r])
            } else if linked.contains(r) {
                row(r, atLeast: peak[r] - firm[r], tCoefficient: -peak[r])
            } else if let floor, floor.regions.contains(r) {
                row(r, atLeast: peak[r] * (1 + floor.level - slack) - firm[r])
            }
        }
        guard let solution = try? LPOracle.solve(lp) else { return nil }
        var imports = [Double](repeating: 0, count: R)
        for r in 0..<R { for (j, v) in net[r] { imports[r] += v * solution.x[j] } }
        return (solution.x[t], imports)
    }
}
