// Where a shortfall falls between regions: local matching, then shares in proportion to demand. The rule
// does not depend on the order in which regions, plants or corridors are listed.
//
//  0. Class order. Classes are shed in their shedding order, everywhere, as far as the corridors allow:
//     no region sheds a dearer class to spare another region a cheaper one.
//  1. Tiers (local matching, as European adequacy studies use it), within a class. A region's shed MW in
//     a step fall in three tiers: those it would shed even with all that its neighbours can spare
//     (demand − its available capacity and storage − what each neighbour can spare over the corridor
//     between them, as the operating reserve margin counts it: its cap); then those it would shed on its
//     own resources alone (demand − its available capacity and storage); then those it would shed only
//     so that another region sheds less. Each tier costs a little more than the one before, so no region
//     sheds beyond its cap while another region below its own can shed instead, and a region that covers
//     its own demand sheds only when no region short on its own can. The premium is 10⁻⁵ of VOLL ×
//     (3 × the class's rank + the tier): class order first, then the tier, never the region.
//  2. Shares. The LP's optimum then fixes every block's MW except those whose cost equals their region's
//     price: those regions are indifferent, and any split between them that the corridors carry costs the
//     same. Among these equally cheap splits the second stage here chooses the one in which each region's
//     MW in that tier, as a share of its demand of that class, are as equal as possible (lexicographic
//     min-max: the highest share as low as it can be, then the next): what remains beyond the caps is
//     shared in proportion to demand. It solves small LPs (GLPK) over just those blocks and the corridor
//     segments whose reduced cost is 0; every other number of the dispatch is kept. The shares are unique,
//     so they do not depend on the order of anything in the scenario (to GLPK's tolerance, 10⁻⁹).
//
// The second stage runs only in steps in which at least two regions linked by such segments are
// indifferent; the per-step loop otherwise allocates nothing and calls no LP.
import GridDispatch
import GridModel
import LPOracle

/// Sizes the shed blocks of each step (local-matching tiers) and chooses among equally cheap shortfall
/// splits (see above). One per simulator.
final class ShortfallSharing {
    let regionCount: Int
    /// Blocks of region r: `regionBlockStart[r] ..< regionBlockStart[r + 1]`, in the plan's order (class in
    /// shedding order, then tier).
    let regionBlockStart: [Int]
    /// Per region, the share of each class in its demand (`regionClassShares[r][k]`, by class index), and the
    /// same in shedding order, flat (region-major), for the per-step loop.
    let regionClassShares: [[Double]]
    let flatShares: FixedArray<Double>
    /// Whether a region's tier-0 or tier-1 blocks may be nonzero (set in the last step in which it was short).
    var tiersInUse: [Bool]
    let blockRegion: [Int]
    let blockClass: [Int]
    let regionNames: [String]
    let classCount: Int

    init(plan: SimulationPlan) {
        let s = plan.scenario
        regionCount = s.regions.count
        let order = s.demandClasses.indices.sorted { s.demandClasses[$0].shedOrder < s.demandClasses[$1].shedOrder }
        regionClassShares = s.regions.map(\.classShares)
        flatShares = FixedArray(s.regions.flatMap { region in order.map { region.classShares[$0] } })
        tiersInUse = [Bool](repeating: true, count: regionCount)
        blockRegion = plan.shedBlocks.map(\.region)
        regionNames = s.regions.map(\.name)
        blockClass = plan.shedBlocks.map(\.demandClass)
        classCount = s.demandClasses.count
        var start = [Int](repeating: plan.shedBlocks.count, count: regionCount + 1)
        for (b, block) in plan.shedBlocks.enumerated().reversed() { start[block.region] = b }
        for r in stride(from: regionCount - 1, through: 0, by: -1) where start[r] > start[r + 1] { start[r] = start[r + 1] }
        regionBlockStart = start
        precondition(start.indices.allSatisfy { start[$0] == $0 * ShortfallTier.allCases.count * classCount }, "one block per region, class and tier")
    }

    /// Sets `widths` (the solver's `shedMaxMW`) for this step: region r's class k occupies the stretch
    /// of its shed MW after the classes shed before it; tier 0 is the stretch below `short with
    /// neighbours` = demand − available − importable, tier 1 up to `short on its own` = demand − available,
    /// tier 2 the rest.
    func setWidths(demandMW: Doubles, availableMW: Doubles, importableMW: Doubles, widths: DoubleView) {
        for r in 0..<regionCount {
            let d = max(0, demandMW[r])
            let own = min(d, max(0, d - availableMW[r]))
            let withNeighbours = min(own, max(0, d - availableMW[r] - importableMW[r]))
            var b = regionBlockStart[r]
            if own == 0 {
                // The usual step: the region covers its own demand, and all its MW are tier 2.
                if tiersInUse[r] {
                    for k in 0..<classCount { widths[b + 3 * k] = 0; widths[b + 3 * k + 1] = 0 }
                    tiersInUse[r] = false
                }
                for k in 0..<classCount { widths[b + 3 * k + 2] = d * flatShares[r * classCount + k] }
                continue
            }
            tiersInUse[r] = true
            var position = 0.0
            for k in 0..<classCount {
                let end = position + d * flatShares[r * classCount + k]
                widths[b] = max(0, min(end, withNeighbours) - position)
                widths[b + 1] = max(0, min(end, own) - max(position, withNeighbours))
                widths[b + 2] = max(0, end - max(position, own))
                b += 3
                position = end
            }
        }
    }

    /// After a solve that shed load: among the dispatches of the same cost, the one whose shed shares of
    /// class demand are as equal as possible (lexicographic min-max). Writes the shed blocks' MW and the
    /// corridors' sent and lost MW into `solver.result`; leaves everything else. Returns whether it ran.
    @discardableResult
    func share(_ solver: DispatchSolver) -> Bool {
        let result = solver.result, input = solver.input
        let price = result.priceAtRegionPerMWh
        var scale = 1.0
        for r in 0..<regionCount { scale = max(scale, abs(price[r])) }
        let tolerance = 1e-9 * scale
        // Blocks whose cost equals their region's price: free to take any MW within their width.
        func isFree(_ b: Int, _ r: Int) -> Bool { abs(input.shedCostPerMWh[b] - price[r]) <= tolerance && solver.shedBlockWidthMW(b) > 0 }
        var freeRegions = 0
        for r in 0..<regionCount where (regionBlockStart[r]..<regionBlockStart[r + 1]).contains(where: { isFree($0, r) }) { freeRegions += 1 }
        guard freeRegions >= 2 else { return false }
        // Segments of zero reduced cost link indifferent regions; only groups of two or more regions so
        // linked have a choice. (From here on the step allocates: such steps are rare.)
        var parent = Array(0..<regionCount)
        func root(_ r: Int) -> Int { var r = r; while parent[r] != r { parent[r] = parent[parent[r]]; r = parent[r] }; return r }
        var freeSegments: [Int] = []
        for i in 0..<solver.corridorSegmentCount {
            let seg = solver.corridorSegment(i)
            guard seg.widthMW > 0, abs(seg.reducedCost) <= tolerance else { continue }
            freeSegments.append(i)
            let c = solver.structure.corridors[seg.corridor]
            let a = root(c.fromRegion), b = root(c.toRegion)
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        guard !freeSegments.isEmpty else { return false }
        var freeBlocks: [Int] = []
        var groupRegions: [Int: Set<Int>] = [:]
        for r in 0..<regionCount {
            for b in regionBlockStart[r]..<regionBlockStart[r + 1] where isFree(b, r) {
                freeBlocks.append(b)
                groupRegions[root(r), default: []].insert(r)
            }
        }
        let groups = Set(groupRegions.filter { $0.value.count >= 2 }.keys)
        guard !groups.isEmpty else { return false }
        freeBlocks.removeAll { !groups.contains(root(blockRegion[$0])) }
        freeSegments.removeAll { !groups.contains(root(solver.structure.corridors[solver.corridorSegment($0).corridor].fromRegion)) }

        // Each free block is one region's MW of one class in one tier; its share is those MW over the region's
        // demand of that class.
        let classDemand = freeBlocks.map { max(0, input.demandMW[blockRegion[$0]]) * regionClassShares[blockRegion[$0]][blockClass[$0]] }

        // The LP's columns (block MW, segment MW, t) and the balance rows of every region they touch.
        var base = LinearProgram()
        var blockColumn: [Int] = [], segmentColumn: [Int] = []
        var balance: [Int: Int] = [:]
        func row(_ r: Int) -> Int {
            if let i = balance[r] { return i }
            let i = base.addRow(.equal, 0)
            balance[r] = i
            return i
        }
        for b in freeBlocks {
            let j = base.addColumn(cost: 0, lower: 0, upper: solver.shedBlockWidthMW(b))
            blockColumn.append(j)
            let i = row(blockRegion[b])
            base.set(row: i, column: j, 1)
            base.rowBounds[i] += result.shedMW[b]
        }
        for s in freeSegments {
            let seg = solver.corridorSegment(s)
            let c = solver.structure.corridors[seg.corridor]
            let from = seg.backward ? c.toRegion : c.fromRegion, to = seg.backward ? c.fromRegion : c.toRegion
            let j = base.addColumn(cost: 0, lower: 0, upper: seg.widthMW)
            segmentColumn.append(j)
            let a = row(from), b = row(to)
            base.set(row: a, column: j, -1); base.rowBounds[a] -= seg.sentMW
            base.set(row: b, column: j, 1 - seg.lossFraction); base.rowBounds[b] += (1 - seg.lossFraction) * seg.sentMW
        }
        let t = base.addColumn(cost: 0, lower: 0, upper: 1)

        /// Block i's share at most `level` (its MW ≤ level × class demand, with `slack` MW), or, without a
        /// level, at most t; with `exactly`, equal to `level`.
        func addShareRow(_ lp: inout LinearProgram, _ i: Int, level: Double?, slack: Double = 0, exactly: Bool = false) -> Int {
            let bound = level.map { $0 * classDemand[i] + slack } ?? 0
            let r = lp.addRow(exactly ? .equal : .lessOrEqual, bound)
            lp.set(row: r, column: blockColumn[i], 1)
            if level == nil { lp.set(row: r, column: t, -classDemand[i]) }
            return r
        }
        var level = [Double?](repeating: nil, count: freeBlocks.count)
        var unfixed = freeBlocks.indices.filter { classDemand[$0] > 0 }
        let slack = 1e-9 * (1 + classDemand.max()!)
        while !unfixed.isEmpty {
            var lp = base
            lp.columnCost[t] = 1
            var rows: [Int: Int] = [:]
            for i in freeBlocks.indices {
                if let l = level[i] { _ = addShareRow(&lp, i, level: l, slack: slack) }
                else if unfixed.contains(i) { rows[i] = addShareRow(&lp, i, level: nil) }
            }
            guard let stage = try? LPOracle.solve(lp) else { return false }
            let top = stage.x[t]
            // A share whose row has a nonzero dual is at `top` in every optimum; failing that, test each.
            var stuck = unfixed.filter { abs(stage.rowDuals[rows[$0]!]) > 1e-9 }
            if stuck.isEmpty {
                for i in unfixed {
                    var probe = base
                    for q in freeBlocks.indices where q != i {
                        if let l = level[q] { _ = addShareRow(&probe, q, level: l, slack: slack) }
                        else if unfixed.contains(q) { _ = addShareRow(&probe, q, level: top, slack: slack) }
                    }
                    probe.columnCost[blockColumn[i]] = 1
                    let lowest = (try? LPOracle.solve(probe)).map { $0.objective / classDemand[i] } ?? top
                    if lowest >= top - 1e-9 { stuck.append(i) }
                }
                // Numerical safety (always progress), by a rule that does not depend on the order of regions.
                if stuck.isEmpty { stuck = [unfixed.min { (regionNames[blockRegion[freeBlocks[$0]]], freeBlocks[$0]) < (regionNames[blockRegion[freeBlocks[$1]]], freeBlocks[$1]) }!] }
            }
            for i in stuck { level[i] = top }
            unfixed.removeAll { stuck.contains($0) }
        }
        // The final split: every share exactly at its level (within its slack only if that is infeasible);
        // the least MW sent over the free segments.
        var solution: LPSolution?
        for exact in [true, false] {
            var last = base
            for i in freeBlocks.indices { if let l = level[i] { _ = addShareRow(&last, i, level: l, slack: exact ? 0 : slack, exactly: exact) } }
            for j in segmentColumn { last.columnCost[j] = 1 }
            if let s = try? LPOracle.solve(last) { solution = s; break }
        }
        guard let x = solution?.x else { return false }
        for (i, b) in freeBlocks.enumerated() { solver.setShedMW(b, min(solver.shedBlockWidthMW(b), max(0, x[blockColumn[i]]))) }
        for (n, s) in freeSegments.enumerated() {
            let seg = solver.corridorSegment(s)
            let delta = min(seg.widthMW, max(0, x[segmentColumn[n]])) - seg.sentMW
            let k = seg.corridor
            if seg.backward {
                result.corridorBackwardSentMW[k] += delta; result.corridorBackwardLossMW[k] += delta * seg.lossFraction
            } else {
                result.corridorForwardSentMW[k] += delta; result.corridorForwardLossMW[k] += delta * seg.lossFraction
            }
            result.corridorLossMW[k] += delta * seg.lossFraction
        }
        return true
    }
}
