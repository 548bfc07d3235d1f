// One step's economic dispatch of all regions together, solved exactly.
//
// The LP (MW for power, tonnes for fuel, costs per MWh or per tonne):
//
//   minimise   Σ plant cost·g + Σ hurdle·(1 + loss)·flow + Σ storage costs + Σ shed cost·shed
//              + Σ response cost·response + Σ excess cost·excess + Σ reserve-fuel cost·draw / Δt
//   (all in cost per hour)
//   subject to, for each region r (balance; its dual is the region's marginal price):
//     Σ g(r) + Σ (1 − loss)·flow into r − Σ flow out of r + discharge − charge
//       + Σ shed(r) + Σ response(r) − excess(r) = demand(r)
//   and for each fuel f (stock; Δt = step hours):
//     Σ tonnesPerMWh·Δt·g(f) + slack(f) − draw(f) = available(f)
//   with every variable between finite bounds. `excess` is over-generation that must-run output
//   forces; `draw` takes fuel from a strategic reserve at a premium cost.
//
// `DispatchSolver` owns all buffers; `solve()` reads `input` and writes `result` without allocating.

public struct DispatchInput: Sendable {
    public var demandMW: [Double]
    public var plantMinMW: [Double]
    public var plantMaxMW: [Double]
    public var plantCostPerMWh: [Double]
    /// Transfer limits of each corridor, from → to and to → from, in MW sent.
    public var corridorForwardMW: [Double]
    public var corridorBackwardMW: [Double]
    public var storageDischargeMaxMW: [Double]
    public var storageChargeMaxMW: [Double]
    public var storageDischargeCostPerMWh: [Double]
    /// Cost per MWh drawn from the grid to charge (negative: charging is worth something).
    public var storageChargeCostPerMWh: [Double]
    public var shedMaxMW: [Double]
    public var shedCostPerMWh: [Double]
    public var responseMaxMW: [Double]
    public var responseCostPerMWh: [Double]
    public var excessCostPerMWh: [Double]
    /// Fuel above the strategic-reserve floor, and the reserve itself, in tonnes.
    public var fuelAvailableTonnes: [Double]
    public var fuelReserveTonnes: [Double]
    public var fuelReserveCostPerTonne: [Double]

    public init(structure s: DispatchStructure) {
        demandMW = Array(repeating: 0, count: s.regionCount)
        plantMinMW = Array(repeating: 0, count: s.plantCount)
        plantMaxMW = Array(repeating: 0, count: s.plantCount)
        plantCostPerMWh = Array(repeating: 0, count: s.plantCount)
        corridorForwardMW = Array(repeating: 0, count: s.corridors.count)
        corridorBackwardMW = Array(repeating: 0, count: s.corridors.count)
        storageDischargeMaxMW = Array(repeating: 0, count: s.storageCount)
        storageChargeMaxMW = Array(repeating: 0, count: s.storageCount)
        storageDischargeCostPerMWh = Array(repeating: 0, count: s.storageCount)
        storageChargeCostPerMWh = Array(repeating: 0, count: s.storageCount)
        shedMaxMW = Array(repeating: 0, count: s.shedCount)
        shedCostPerMWh = Array(repeating: 0, count: s.shedCount)
        responseMaxMW = Array(repeating: 0, count: s.responseCount)
        responseCostPerMWh = Array(repeating: 0, count: s.responseCount)
        excessCostPerMWh = Array(repeating: 1000, count: s.regionCount)
        fuelAvailableTonnes = Array(repeating: 0, count: s.fuelCount)
        fuelReserveTonnes = Array(repeating: 0, count: s.fuelCount)
        fuelReserveCostPerTonne = Array(repeating: 0, count: s.fuelCount)
    }
}

public struct DispatchResult: Sendable {
    public var plantMW: [Double]
    public var corridorForwardSentMW: [Double]
    public var corridorBackwardSentMW: [Double]
    /// Power lost on each corridor, both directions together and each direction.
    public var corridorLossMW: [Double]
    public var corridorForwardLossMW: [Double]
    public var corridorBackwardLossMW: [Double]
    public var storageDischargeMW: [Double]
    public var storageChargeMW: [Double]
    public var shedMW: [Double]
    public var responseMW: [Double]
    public var excessMW: [Double]
    public var fuelBurnTonnes: [Double]
    public var fuelReserveDrawTonnes: [Double]
    /// Marginal price of each region: the dual of its balance (cost per MWh of one more MW for one hour).
    public var priceAtRegionPerMWh: [Double]
    /// Shadow value of one more tonne of each fuel in stock this step (≥ 0).
    public var fuelValuePerTonne: [Double]
    /// The LP objective (cost per hour of the step's decisions).
    public var objectivePerHour: Double = 0
    public var iterations: Int = 0

    init(structure s: DispatchStructure) {
        plantMW = Array(repeating: 0, count: s.plantCount)
        corridorForwardSentMW = Array(repeating: 0, count: s.corridors.count)
        corridorBackwardSentMW = Array(repeating: 0, count: s.corridors.count)
        corridorLossMW = Array(repeating: 0, count: s.corridors.count)
        corridorForwardLossMW = Array(repeating: 0, count: s.corridors.count)
        corridorBackwardLossMW = Array(repeating: 0, count: s.corridors.count)
        storageDischargeMW = Array(repeating: 0, count: s.storageCount)
        storageChargeMW = Array(repeating: 0, count: s.storageCount)
        shedMW = Array(repeating: 0, count: s.shedCount)
        responseMW = Array(repeating: 0, count: s.responseCount)
        excessMW = Array(repeating: 0, count: s.regionCount)
        fuelBurnTonnes = Array(repeating: 0, count: s.fuelCount)
        fuelReserveDrawTonnes = Array(repeating: 0, count: s.fuelCount)
        priceAtRegionPerMWh = Array(repeating: 0, count: s.regionCount)
        fuelValuePerTonne = Array(repeating: 0, count: s.fuelCount)
    }
}

public enum DispatchError: Error, Equatable, CustomStringConvertible {
    case infeasible
    case iterationLimit(Int)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .infeasible: return "the dispatch LP is infeasible (a bound or demand is inconsistent)"
        case .iterationLimit(let n): return "the dispatch LP did not converge in \(n) pivots"
        case .invalidInput(let what): return "invalid dispatch input: \(what)"
        }
    }
}

public final class DispatchSolver {
    public let structure: DispatchStructure
    public var input: DispatchInput
    public private(set) var result: DispatchResult

    let lp: BoundedDualSimplex
    // Column layout.
    let plantStart: Int
    let segmentStart: Int
    /// For each segment column: corridor index, direction (0 forward, 1 backward), width fraction, loss fraction.
    let segmentCorridor: [Int]
    let segmentBackward: [Bool]
    let segmentWidth: [Double]
    let segmentLoss: [Double]
    let dischargeStart: Int
    let chargeStart: Int
    let shedStart: Int
    let responseStart: Int
    let excessStart: Int
    let slackStart: Int
    let drawStart: Int
    let columnCount: Int
    let rowCount: Int

    public init(structure s: DispatchStructure) {
        precondition(s.problems().isEmpty, "invalid dispatch structure: \(s.problems())")
        structure = s
        input = DispatchInput(structure: s)
        result = DispatchResult(structure: s)
        var corridorOf: [Int] = [], backward: [Bool] = [], width: [Double] = [], loss: [Double] = []
        for (k, c) in s.corridors.enumerated() {
            for seg in c.forwardSegments { corridorOf.append(k); backward.append(false); width.append(seg.widthFraction); loss.append(seg.lossFraction) }
            for seg in c.backwardSegments { corridorOf.append(k); backward.append(true); width.append(seg.widthFraction); loss.append(seg.lossFraction) }
        }
        segmentCorridor = corridorOf; segmentBackward = backward; segmentWidth = width; segmentLoss = loss
        plantStart = 0
        segmentStart = s.plantCount
        dischargeStart = segmentStart + corridorOf.count
        chargeStart = dischargeStart + s.storageCount
        shedStart = chargeStart + s.storageCount
        responseStart = shedStart + s.shedCount
        excessStart = responseStart + s.responseCount
        slackStart = excessStart + s.regionCount
        drawStart = slackStart + s.fuelCount
        columnCount = drawStart + s.fuelCount
        rowCount = s.regionCount + s.fuelCount
        lp = BoundedDualSimplex(rows: rowCount, columns: columnCount)
        for p in 0..<s.plantCount {
            let f = s.plantFuel[p]
            if f >= 0 {
                lp.setColumn(plantStart + p, row: s.plantRegion[p], value: 1,
                             row: s.regionCount + f, value: s.plantFuelTonnesPerMWh[p] * s.stepHours)
            } else {
                lp.setColumn(plantStart + p, row: s.plantRegion[p], value: 1)
            }
        }
        for i in 0..<corridorOf.count {
            let c = s.corridors[corridorOf[i]]
            let (from, to) = backward[i] ? (c.toRegion, c.fromRegion) : (c.fromRegion, c.toRegion)
            lp.setColumn(segmentStart + i, row: from, value: -1, row: to, value: 1 - loss[i])
        }
        for k in 0..<s.storageCount {
            lp.setColumn(dischargeStart + k, row: s.storageRegion[k], value: 1)
            lp.setColumn(chargeStart + k, row: s.storageRegion[k], value: -1)
        }
        for b in 0..<s.shedCount { lp.setColumn(shedStart + b, row: s.shedRegion[b], value: 1) }
        for b in 0..<s.responseCount { lp.setColumn(responseStart + b, row: s.responseRegion[b], value: 1) }
        for r in 0..<s.regionCount {
            lp.setColumn(excessStart + r, row: r, value: -1)
            lp.setCrashColumn(row: r, column: excessStart + r)
        }
        for f in 0..<s.fuelCount {
            lp.setColumn(slackStart + f, row: s.regionCount + f, value: 1)
            lp.setColumn(drawStart + f, row: s.regionCount + f, value: -1)
            lp.setCrashColumn(row: s.regionCount + f, column: slackStart + f)
        }
    }

    /// Pivots taken by the last solve, and by all solves so far.
    public var lastIterations: Int { lp.lastIterations }
    public var totalIterations: Int { lp.totalIterations }

    /// Forgets the warm-start basis (the next solve starts from the crash basis).
    public func resetWarmStart() { lp.reset() }

    /// Solves the step in `input`; the answer is in `result`.
    public func solve() throws(DispatchError) {
        let s = structure
        let lower = lp.lower, upper = lp.upper, cost = lp.cost
        for p in 0..<s.plantCount {
            let lo = input.plantMinMW[p], hi = input.plantMaxMW[p]
            guard lo >= 0, hi >= lo, hi.isFinite, input.plantCostPerMWh[p].isFinite else {
                throw .invalidInput("plant \(p): min \(lo), max \(hi), cost \(input.plantCostPerMWh[p])")
            }
            lower[plantStart + p] = lo; upper[plantStart + p] = hi; cost[plantStart + p] = input.plantCostPerMWh[p]
        }
        for i in 0..<segmentCorridor.count {
            let k = segmentCorridor[i]
            let limit = segmentBackward[i] ? input.corridorBackwardMW[k] : input.corridorForwardMW[k]
            guard limit >= 0, limit.isFinite else { throw .invalidInput("corridor \(k) limit \(limit)") }
            lower[segmentStart + i] = 0
            upper[segmentStart + i] = limit * segmentWidth[i]
            // The hurdle is scaled by (1 + loss fraction): when energy is free the less lossy segment
            // still fills first, so the flow pattern is unique.
            cost[segmentStart + i] = s.corridors[k].hurdleCostPerMWh * (1 + segmentLoss[i])
        }
        for k in 0..<s.storageCount {
            lower[dischargeStart + k] = 0; upper[dischargeStart + k] = max(0, input.storageDischargeMaxMW[k])
            cost[dischargeStart + k] = input.storageDischargeCostPerMWh[k]
            lower[chargeStart + k] = 0; upper[chargeStart + k] = max(0, input.storageChargeMaxMW[k])
            cost[chargeStart + k] = input.storageChargeCostPerMWh[k]
        }
        for b in 0..<s.shedCount {
            lower[shedStart + b] = 0; upper[shedStart + b] = max(0, input.shedMaxMW[b])
            cost[shedStart + b] = input.shedCostPerMWh[b]
        }
        for b in 0..<s.responseCount {
            lower[responseStart + b] = 0; upper[responseStart + b] = max(0, input.responseMaxMW[b])
            cost[responseStart + b] = input.responseCostPerMWh[b]
        }
        // Excess can at most absorb everything that could be injected into the region.
        for r in 0..<s.regionCount {
            lp.rhs[r] = input.demandMW[r]
            lower[excessStart + r] = 0
            upper[excessStart + r] = 0
            cost[excessStart + r] = input.excessCostPerMWh[r]
        }
        for j in 0..<excessStart {
            let r0 = Int(lp.row0[j]), r1 = Int(lp.row1[j])
            if r0 < s.regionCount && lp.val0[j] > 0 { upper[excessStart + r0] += lp.val0[j] * upper[j] }
            if r1 >= 0 && r1 < s.regionCount && lp.val1[j] > 0 { upper[excessStart + r1] += lp.val1[j] * upper[j] }
        }
        for r in 0..<s.regionCount {
            guard input.demandMW[r].isFinite else { throw .invalidInput("region \(r) demand \(input.demandMW[r])") }
            upper[excessStart + r] += abs(input.demandMW[r]) + 1
        }
        for f in 0..<s.fuelCount {
            let avail = max(0, input.fuelAvailableTonnes[f]), reserve = max(0, input.fuelReserveTonnes[f])
            lp.rhs[s.regionCount + f] = avail
            lower[slackStart + f] = 0; upper[slackStart + f] = avail + reserve; cost[slackStart + f] = 0
            lower[drawStart + f] = 0; upper[drawStart + f] = reserve; cost[drawStart + f] = input.fuelReserveCostPerTonne[f] / s.stepHours
        }
        // Fuel rows must be feasible with every plant at its minimum: the simulator lowers minimum
        // output of plants whose fuel is short before calling.
        var status = lp.solve()
        if status != .optimal {
            // A warm start gone bad (numerically) is retried once from the crash basis.
            lp.reset()
            status = lp.solve()
        }
        switch status {
        case .optimal: break
        case .infeasible: throw .infeasible
        case .iterationLimit: throw .iterationLimit(lp.lastIterations)
        }
        extract()
    }

    private func extract() {
        let s = structure
        let x = lp.x
        for p in 0..<s.plantCount { result.plantMW[p] = x[plantStart + p] }
        for k in 0..<s.corridors.count {
            result.corridorForwardSentMW[k] = 0; result.corridorBackwardSentMW[k] = 0
            result.corridorForwardLossMW[k] = 0; result.corridorBackwardLossMW[k] = 0
        }
        for i in 0..<segmentCorridor.count {
            let k = segmentCorridor[i], v = x[segmentStart + i]
            if segmentBackward[i] {
                result.corridorBackwardSentMW[k] += v
                result.corridorBackwardLossMW[k] += v * segmentLoss[i]
            } else {
                result.corridorForwardSentMW[k] += v
                result.corridorForwardLossMW[k] += v * segmentLoss[i]
            }
        }
        for k in 0..<s.corridors.count {
            result.corridorLossMW[k] = result.corridorForwardLossMW[k] + result.corridorBackwardLossMW[k]
        }
        for k in 0..<s.storageCount {
            result.storageDischargeMW[k] = x[dischargeStart + k]
            result.storageChargeMW[k] = x[chargeStart + k]
        }
        for b in 0..<s.shedCount { result.shedMW[b] = x[shedStart + b] }
        for b in 0..<s.responseCount { result.responseMW[b] = x[responseStart + b] }
        for r in 0..<s.regionCount {
            result.excessMW[r] = x[excessStart + r]
            result.priceAtRegionPerMWh[r] = lp.y[r]
        }
        for f in 0..<s.fuelCount {
            result.fuelBurnTonnes[f] = 0
            result.fuelReserveDrawTonnes[f] = x[drawStart + f]
            result.fuelValuePerTonne[f] = -lp.y[s.regionCount + f] * s.stepHours
        }
        for p in 0..<s.plantCount where s.plantFuel[p] >= 0 {
            result.fuelBurnTonnes[s.plantFuel[p]] += x[plantStart + p] * s.plantFuelTonnesPerMWh[p] * s.stepHours
        }
        result.objectivePerHour = lp.objective()
        result.iterations = lp.lastIterations
    }
}
