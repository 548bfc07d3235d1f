// The perfect-foresight reference: the whole horizon (or rolling windows of it) as one LP, solved by
// COIN-OR CLP, with the model of the hourly dispatch. It is PyPSA's headline mode inside r70, and the
// yardstick of the storage, reservoir and demand-response policies: `r70 run --foresight-gap` reports
// how far the causal, step-by-step run is above it.
//
// How it is built. The deterministic run is simulated once with an observer that keeps each step's
// dispatch input (demand after TOU response and mandatory savings, plant bounds and costs, corridor
// limits, shed blocks, response costs) and the fuel that arrived. The LP stacks those steps' dispatch
// problems and couples them by the states the step-by-step run carries from one step to the next,
// which the LP chooses instead of a policy:
//   - storage: soc_t = soc_{t−1} + ηc·Δt·charge_t − Δt/ηd·discharge_t, between the store's limits,
//     with charge and discharge up to its power (no policy cost);
//   - reservoir hydro: each calendar month's energy, Σ g·Δt ≤ the month's energy (spent at will within
//     the month; the run's daily budget is a policy), each step up to the plant's available MW;
//   - fuel stocks: stock_t = stock_{t−1} + arrivals_t − burn_t − not taken_t, between 0 and the
//     storage capacity, with the premium of the strategic reserve paid on each tonne by which the stock
//     goes further below the reserve;
//   - callable demand response: each programme's energy per day, Σ response·Δt ≤ capacity × its
//     hours per day (a relaxation of the run's count of hours with any response).
// Taken from the run as they were, not re-optimised: fuel arrivals (scheduled and spot cargoes, as
// taken), mandatory savings and the shortfall-sharing tiers (both depend on the run's reserve).
// The run's own dispatch is a feasible point of this LP, so its optimum is never above the run's cost.
//
// Cost is counted the same way for both: generation at marginal cost (reservoirs at their own cost, not
// the off-schedule cost the run offers them at), corridor hurdles, response, shed at its block's cost
// (VOLL and the sharing rule), forced over-generation, and the strategic reserve's premium. Storage has
// no cost of its own in either.
import Foundation
import GridDispatch
import GridModel
import LPOracle

public struct ForesightOptions: Sendable, Equatable {
    /// Steps committed per window (nil: the whole horizon as one LP).
    public var windowSteps: Int?
    /// Further steps each window looks ahead (solved, not committed).
    public var overlapSteps: Int
    public init(windowSteps: Int? = nil, overlapSteps: Int = 0) {
        self.windowSteps = windowSteps
        self.overlapSteps = overlapSteps
    }
}

/// The perfect-foresight dispatch of a horizon.
public struct ForesightResult: Sendable {
    /// Total system cost (see the file's header), US$.
    public var costUSD: Double
    public var unservedMWh: Double
    /// Per store, its energy at the end of each step (MWh), and the value of one more MWh held then (the
    /// negative dual of its energy balance, US$/MWh; from each step's own window).
    public var storageSOCMWh: [[Double]]
    public var storageValuePerMWh: [[Double]]
    public var storageDischargedMWh: [Double]
    public var storageChargedMWh: [Double]
    /// Per region and step, the marginal price (dual of the balance, US$/MWh).
    public var priceAtRegionPerMWh: [[Double]]
    /// Per region and step, MW shed.
    public var shedMW: [[Double]]
    /// Minimum output (must-run, reservoir minimums) a window could not meet because an earlier window
    /// spent the fuel or the month's water (MWh; always 0 for the whole horizon as one LP).
    public var minimumNotMetMWh: Double
    public var windows: Int
    /// Size of the largest window's LP.
    public var columns: Int
    public var rows: Int
    public var solveSeconds: Double
}

/// A deterministic run and its perfect-foresight reference.
public struct ForesightComparison: Sendable {
    public var run: DeterministicRun
    /// The run's cost counted as the LP counts it.
    public var policyCostUSD: Double
    public var policyUnservedMWh: Double
    public var foresight: ForesightResult
    /// (policy − optimum) / optimum.
    public var gap: Double { foresight.costUSD > 0 ? (policyCostUSD - foresight.costUSD) / foresight.costUSD : 0 }
}

public struct ForesightError: Error, CustomStringConvertible {
    public var description: String
}

public enum Foresight {
    /// Simulates `scenario`'s deterministic run, then solves its perfect-foresight LP.
    public static func compare(_ scenario: Scenario, options: ForesightOptions = ForesightOptions(),
                               solver: (LinearProgram) throws -> LPSolution = ClpSolver.solve) throws -> ForesightComparison {
        let plan = SimulationPlan(scenario: scenario)
        // The deadline rows weigh each borrow by the interest over its age: within 10⁶ either way, and a deadline row
        // has one entry per step of the deadline, so the LP stays well scaled and of a size CLP can hold.
        let a = plan.arrays
        var deadlineEntries = 0
        for d in 0..<a.shiftableRegion.count {
            let P = a.shiftablePaybackSteps[d], growth = Foundation.pow(a.shiftableInterestFactor[d], Double(max(0, P - 1)))
            let name = scenario.regions.flatMap(\.shiftable)[d].name
            guard growth <= 1e6 && growth >= 1e-6 else {
                throw ForesightError(description: "shiftable programme \(name): its interest compounds by a factor of \(growth) over its \(P)-step deadline; the perfect-foresight LP takes at most 10⁶ either way (shorten payback_hours or the interest)")
            }
            deadlineEntries += P * scenario.stepCount
        }
        guard deadlineEntries <= 50_000_000 else {
            throw ForesightError(description: "the shiftable programmes' deadline rows would hold \(deadlineEntries) entries (deadline steps × steps, summed); the perfect-foresight LP takes at most 50 million: shorten payback_hours, or solve windows (--window)")
        }
        let sim = Simulator(plan: plan)
        let recorder = HorizonRecorder(plan: plan, simulator: sim)
        sim.solvedObserver = { t, input, result in recorder.record(t, input, result) }
        defer { sim.solvedObserver = nil }   // (the observer holds the recorder, which holds the simulator)
        do { try sim.run() } catch { throw ForesightError(description: error.description) }
        // Shifted load the run left unpaid is unserved, at the lowest VOLL (as `LiveTotals` counts it).
        let unpaid = sim.totals.shiftableUnpaidMWh.reduce(0, +)
        recorder.reservoirFinalLevelMWh = sim.totals.reservoirEndLevelMWh
        recorder.policyCostUSD += unpaid * plan.minVOLL
        recorder.policyUnservedMWh += unpaid
        let run = DeterministicRun(plan: plan, summary: RunSummary(plan: plan, totals: sim.totals), totals: sim.totals, hourly: nil)
        let result = try withExtendedLifetime(sim) { try ForesightLP(recorder: recorder, plan: plan).solve(options: options, solver: solver) }
        return ForesightComparison(run: run, policyCostUSD: recorder.policyCostUSD, policyUnservedMWh: recorder.policyUnservedMWh, foresight: result)
    }
}

/// What the LP needs of each step of the deterministic run.
final class HorizonRecorder {
    let plan: SimulationPlan
    let sim: Simulator
    var inputs: [DispatchInput] = []
    /// Per step, each reservoir plant's available MW before its remaining energy limits it ([t][h]).
    var hydroAvailableMW: [[Double]] = []
    /// Per reservoir plant, the energy of each month of the horizon (MWh), by month number (`monthOfStep`).
    var hydroMonthEnergyMWh: [[Double]]
    var monthOfStep: [Int] = []
    /// Steps of each month of the horizon.
    func stepsOfMonth() -> [Range<Int>] {
        var out: [Range<Int>] = []
        for (t, m) in monthOfStep.enumerated() {
            if m == out.count { out.append(t..<(t + 1)) } else { out[m] = out[m].lowerBound..<(t + 1) }
        }
        return out
    }
    /// Per step, each store's power in service (MW).
    var storagePowerMW: [[Double]] = []
    var initialSOCMWh: [Double] = []
    var initialFuelT: [Double] = []
    /// Per step, fuel that arrived (tonnes, as taken; the first step's is in the initial stock).
    var fuelArrivalsT: [[Double]] = []
    private var lastStockAfterBurn: [Double] = []
    var policyCostUSD = 0.0
    var policyUnservedMWh = 0.0
    /// Per step, whether each shiftable programme was available ([t][d]).
    var shiftableInService: [[Double]] = []
    /// Reservoirs with levels: per step, each one's inflow (MW) and its level at the step's start ([t][j]), and
    /// its level at the end of the run.
    var reservoirInflowMW: [[Double]] = []
    var reservoirStartLevelMWh: [[Double]] = []
    var reservoirFinalLevelMWh: [Double] = []
    /// The run's level of reservoir j at the end of step t.
    func reservoirLevelAfter(_ t: Int, _ j: Int) -> Double {
        t + 1 < reservoirStartLevelMWh.count ? reservoirStartLevelMWh[t + 1][j] : reservoirFinalLevelMWh[j]
    }

    init(plan: SimulationPlan, simulator: Simulator) {
        self.plan = plan
        sim = simulator
        hydroMonthEnergyMWh = simulator.hydroIndex.map { _ in [] }
    }

    func record(_ t: Int, _ input: DispatchInput, _ result: DispatchResult) {
        let s = plan.scenario, a = sim.arrays, dt = s.stepHours
        let structure = sim.solver.structure
        inputs.append(input.copy())
        // Reservoirs: the month's energy as the run starts the month (before this step uses any of it).
        let date = s.calendar.date(ofDay: Int(s.calendar.day[t]))
        let month = monthOfStep.last.map { prev in t > 0 && s.calendar.day[t] != s.calendar.day[t - 1] && date.day == 1 ? prev + 1 : prev } ?? 0
        if monthOfStep.isEmpty || month != monthOfStep.last! {
            for (h, i) in sim.hydroIndex.enumerated() { hydroMonthEnergyMWh[h].append(max(0, sim.hydroMonthRemaining[i])) }
        }
        monthOfStep.append(month)
        let base = t * a.variablePlants.count
        hydroAvailableMW.append(sim.hydroIndex.map { sim.plantAvailableMW($0, base: base) })
        reservoirInflowMW.append((0..<sim.reservoirLevelMWh.count).map { sim.reservoirInflowNowMW[$0] })
        reservoirStartLevelMWh.append((0..<sim.reservoirLevelMWh.count).map { sim.reservoirLevelMWh[$0] })
        storagePowerMW.append((0..<sim.storageSOC.count).map { a.storagePowerMW[$0] * sim.storageInService[$0] })
        let fuelCount = sim.fuelStock.count
        let stock = (0..<fuelCount).map { sim.fuelStock[$0] }
        if t == 0 {
            initialSOCMWh = (0..<sim.storageSOC.count).map { sim.storageSOC[$0] }
            initialFuelT = stock
            fuelArrivalsT.append([Double](repeating: 0, count: fuelCount))
        } else {
            fuelArrivalsT.append((0..<fuelCount).map { max(0, stock[$0] - lastStockAfterBurn[$0]) })
        }
        lastStockAfterBurn = (0..<fuelCount).map { stock[$0] - result.fuelBurnTonnes[$0] }
        // The run's cost of this step, counted as the LP counts it.
        var perHour = 0.0
        for p in 0..<structure.plantCount {
            let cost = a.plantIsHydro[p] ? a.plantCostPerMWh[p] : input.plantCostPerMWh[p]
            perHour += cost * result.plantMW[p]
        }
        for (c, corridor) in structure.corridors.enumerated() {
            perHour += Self.hurdleCost(corridor.forwardSegments, sentMW: result.corridorForwardSentMW[c], limitMW: input.corridorForwardMW[c], hurdle: corridor.hurdleCostPerMWh)
            perHour += Self.hurdleCost(corridor.backwardSegments, sentMW: result.corridorBackwardSentMW[c], limitMW: input.corridorBackwardMW[c], hurdle: corridor.hurdleCostPerMWh)
        }
        var shed = 0.0
        for b in 0..<structure.shedCount { perHour += input.shedCostPerMWh[b] * result.shedMW[b]; shed += result.shedMW[b] }
        for d in 0..<structure.responseCount { perHour += input.responseCostPerMWh[d] * result.responseMW[d] }
        let stores = sim.storageSOC.count
        for d in 0..<a.shiftableRegion.count { perHour += a.shiftableCostPerMWh[d] * result.storageDischargeMW[stores + d] }
        shiftableInService.append((0..<a.shiftableRegion.count).map { sim.shiftableInService[$0] })
        for r in 0..<structure.regionCount { perHour += input.excessCostPerMWh[r] * result.excessMW[r] }
        policyCostUSD += perHour * dt
        for f in 0..<fuelCount { policyCostUSD += input.fuelReserveCostPerTonne[f] * result.fuelReserveDrawTonnes[f] }
        policyUnservedMWh += shed * dt
    }

    /// Hurdle cost per hour of `sentMW` on one direction's segments, filled in order (as the LP fills them).
    static func hurdleCost(_ segments: [LossSegment], sentMW: Double, limitMW: Double, hurdle: Double) -> Double {
        var left = sentMW, cost = 0.0
        for seg in segments where left > 0 {
            let x = min(left, seg.widthFraction * limitMW)
            cost += hurdle * (1 + seg.lossFraction) * x
            left -= x
        }
        return cost + max(0, left) * hurdle   // (rounding beyond the limit)
    }
}

/// The LP of a range of the recorded horizon.
struct ForesightLP {
    let recorder: HorizonRecorder
    let plan: SimulationPlan
    let stepsOfMonth: [Range<Int>]

    init(recorder: HorizonRecorder, plan: SimulationPlan) {
        self.recorder = recorder
        self.plan = plan
        stepsOfMonth = recorder.stepsOfMonth()
    }

    /// States carried from one window to the next.
    struct State {
        var socMWh: [Double]
        var fuelT: [Double]
        var belowReserveT: [Double]
        /// Energy each reservoir has used in each month, and each programme on each day (MWh).
        var hydroUsedMWh: [[Int: Double]]
        var responseUsedMWh: [[Int: Double]]
        /// Each shiftable programme's debt, and the energy borrowed in each of the last steps (newest last) that
        /// it may still owe (MWh).
        var debtMWh: [Double]
        var recentBorrowMWh: [[Double]]
        /// Each reservoir's level (MWh-equivalent).
        var levelMWh: [Double]
    }

    func solve(options: ForesightOptions, solver: (LinearProgram) throws -> LPSolution) throws -> ForesightResult {
        let n = recorder.inputs.count
        let s = plan.scenario
        let R = s.regions.count, S = s.storage.count
        var state = State(socMWh: recorder.initialSOCMWh, fuelT: recorder.initialFuelT,
                          belowReserveT: recorder.initialFuelT.indices.map { max(0, plan.arrays.fuelReserveT[$0] - recorder.initialFuelT[$0]) },
                          hydroUsedMWh: recorder.hydroAvailableMW.first.map { $0.map { _ in [:] } } ?? [],
                          responseUsedMWh: (0..<plan.arrays.programCapacityMW.count).map { _ in [:] },
                          debtMWh: plan.arrays.shiftableRegion.map { _ in 0 }, recentBorrowMWh: plan.arrays.shiftableRegion.map { _ in [] },
                          levelMWh: plan.reservoirs.initialMWh)
        var out = ForesightResult(costUSD: 0, unservedMWh: 0,
                                  storageSOCMWh: Array(repeating: Array(repeating: 0, count: n), count: S),
                                  storageValuePerMWh: Array(repeating: Array(repeating: 0, count: n), count: S),
                                  storageDischargedMWh: Array(repeating: 0, count: S), storageChargedMWh: Array(repeating: 0, count: S),
                                  priceAtRegionPerMWh: Array(repeating: Array(repeating: 0, count: n), count: R),
                                  shedMW: Array(repeating: Array(repeating: 0, count: n), count: R),
                                  minimumNotMetMWh: 0, windows: 0, columns: 0, rows: 0, solveSeconds: 0)
        let window = max(1, min(n, options.windowSteps ?? n))
        var start = 0
        while start < n {
            let commit = min(n, start + window)
            let end = min(n, commit + max(0, options.overlapSteps))
            let built = build(range: start..<end, state: state)
            let clock = ContinuousClock.now
            let solution: LPSolution
            do { solution = try solver(built.lp) } catch {
                throw ForesightError(description: "the perfect-foresight LP of steps \(start)..<\(end) was not solved to optimality (\(error))")
            }
            let elapsed = ContinuousClock.now - clock
            out.solveSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            out.windows += 1
            out.columns = max(out.columns, built.lp.columnCost.count)
            out.rows = max(out.rows, built.lp.rowKinds.count)
            built.commit(solution, steps: start..<commit, into: &out, state: &state)
            start = commit
        }
        return out
    }

    struct Built {
        var lp: LinearProgram
        let range: Range<Int>
        let stepHours: Double
        /// Per step of the range: its first column of each kind, and its balance and storage rows.
        var stepColumnStart: [Int] = []
        var balanceRow: [Int] = []
        var socRow: [Int] = []
        var socColumn: [Int] = []
        var dischargeColumn: [Int] = []
        var chargeColumn: [Int] = []
        var shedColumns: [[(column: Int, region: Int)]] = []
        /// Per step and fuel, the column of its stock at the step's end.
        var fuelStockColumn: [[Int]] = []
        /// Per step and fuel, the column of its depth below the reserve (−1: the fuel has no reserve).
        var fuelBelowColumn: [[Int]] = []
        /// Per step, the columns of minimum output not met (costed as a penalty, not counted in the cost).
        var minimumShortColumns: [[Int]] = []
        var hydroColumns: [[Int]] = []
        var responseColumns: [[Int]] = []
        /// Per step, each shiftable programme's borrow, debt and write-off columns.
        var borrowColumns: [[Int]] = []
        var debtColumns: [[Int]] = []
        var writeOffColumns: [[Int]] = []
        /// Per step, each reservoir's level column.
        var levelColumns: [[Int]] = []

        /// Per column, its cost per unit in the committed total (the LP's own objective coefficients).
        let regionCount: Int, storageCount: Int, fuelCount: Int
        let shiftableBorrowEfficiency: [Double]
        let paybackSteps: [Int]
        let hydroMonth: [Int]
        let day: [Int]

        func commit(_ sol: LPSolution, steps: Range<Int>, into out: inout ForesightResult, state: inout State) {
            for t in steps {
                let i = t - range.lowerBound
                // Cost of the committed steps: every column of the step (its costs are already × Δt).
                let first = stepColumnStart[i], last = i + 1 < stepColumnStart.count ? stepColumnStart[i + 1] : lp.columnCost.count
                for j in first..<last { out.costUSD += lp.columnCost[j] * sol.x[j] }
                for j in minimumShortColumns[i] {
                    out.costUSD -= lp.columnCost[j] * sol.x[j]
                    out.minimumNotMetMWh += sol.x[j] * stepHours
                }
                for r in 0..<regionCount { out.priceAtRegionPerMWh[r][t] = sol.rowDuals[balanceRow[i] + r] / stepHours }
                for (column, region) in shedColumns[i] {
                    out.shedMW[region][t] += sol.x[column]
                    out.unservedMWh += sol.x[column] * stepHours
                }
                for k in 0..<storageCount {
                    out.storageSOCMWh[k][t] = sol.x[socColumn[i] + k]
                    out.storageValuePerMWh[k][t] = -sol.rowDuals[socRow[i] + k]
                    out.storageDischargedMWh[k] += sol.x[dischargeColumn[i] + k] * stepHours
                    out.storageChargedMWh[k] += sol.x[chargeColumn[i] + k] * stepHours
                }
                for (h, g) in hydroColumns[i].enumerated() { state.hydroUsedMWh[h][hydroMonth[t], default: 0] += sol.x[g] * stepHours }
                for (d, c) in responseColumns[i].enumerated() { state.responseUsedMWh[d][day[t], default: 0] += sol.x[c] * stepHours }
                for c in writeOffColumns[i] { out.unservedMWh += sol.x[c] }
                for (d, c) in borrowColumns[i].enumerated() {
                    state.recentBorrowMWh[d].append(sol.x[c] * shiftableBorrowEfficiency[d] * stepHours)
                    if state.recentBorrowMWh[d].count > paybackSteps[d] { state.recentBorrowMWh[d].removeFirst() }
                }
            }
            guard let lastStep = steps.last else { return }
            let i = lastStep - range.lowerBound
            for k in 0..<storageCount { state.socMWh[k] = sol.x[socColumn[i] + k] }
            for (d, c) in debtColumns[i].enumerated() { state.debtMWh[d] = sol.x[c] }
            for (j, c) in levelColumns[i].enumerated() { state.levelMWh[j] = sol.x[c] }
            for f in 0..<fuelCount {
                state.fuelT[f] = sol.x[fuelStockColumn[i][f]]
                let below = fuelBelowColumn[i][f]
                state.belowReserveT[f] = below >= 0 ? sol.x[below] : 0
            }
        }
    }

    /// US$ per tonne below the reserve and step: small enough not to count, large enough to keep the depth exact.
    static let depthCostPerTonne = 1e-6

    func build(range: Range<Int>, state: State) -> Built {
        let s = plan.scenario, a = plan.arrays, dt = s.stepHours
        let sim = recorder.sim
        let structure = sim.solver.structure
        // The dispatch's storage columns are the stores' and then the shiftable programmes' (`PlanArrays`).
        let R = structure.regionCount, P = structure.plantCount, S = s.storage.count, F = structure.fuelCount
        let D = a.shiftableRegion.count
        let hydro = sim.hydroIndex
        var hydroSlot = [Int](repeating: -1, count: P)
        for (h, i) in hydro.enumerated() { hydroSlot[i] = h }
        let day = (0..<s.stepCount).map { Int(s.calendar.day[$0]) }
        var b = Built(lp: LinearProgram(), range: range, stepHours: dt, regionCount: R, storageCount: S, fuelCount: F,
                      shiftableBorrowEfficiency: (0..<D).map { a.shiftableBorrowEfficiency[$0] },
                      paybackSteps: (0..<D).map { a.shiftablePaybackSteps[$0] },
                      hydroMonth: recorder.monthOfStep, day: day)
        var previousDebt: [Int]? = nil
        /// Per programme, its borrow columns in the range so far (newest last).
        var borrowsSoFar = [[Int]](repeating: [], count: D)
        var lp = LinearProgram()
        // Budget rows: one per reservoir and month, and per programme and day, of the range.
        var hydroRow: [Int: Int] = [:]   // key: h * 100_000 + month
        var responseRow: [Int: Int] = [:]
        var previousSOC: [Int]? = nil, previousStock: [Int]? = nil, previousBelow: [Int]? = nil
        var previousLevel: [Int]? = nil
        let res = plan.reservoirs
        for t in range {
            let input = recorder.inputs[t]
            b.stepColumnStart.append(lp.columnCost.count)
            let balance = lp.rowKinds.count
            for r in 0..<R { lp.addRow(.equal, input.demandMW[r]) }
            b.balanceRow.append(balance)
            // Fuel rows: stock_t − stock_{t−1} + not taken + burn = arrivals (the previous stock on the
            // right-hand side in the range's first step); below_t + stock_t ≥ reserve; increase ≥ below_t − below_{t−1}.
            let fuelRow = lp.rowKinds.count
            for f in 0..<F {
                let rhs = recorder.fuelArrivalsT[t][f] + (previousStock == nil ? state.fuelT[f] : 0)
                lp.addRow(.equal, rhs)
            }
            var floorRow = [Int](repeating: -1, count: F), increaseRow = [Int](repeating: -1, count: F)
            for f in 0..<F where a.fuelReserveT[f] > 0 {
                floorRow[f] = lp.addRow(.greaterOrEqual, a.fuelReserveT[f])
                increaseRow[f] = lp.addRow(.greaterOrEqual, previousBelow == nil ? -state.belowReserveT[f] : 0)
            }
            // Plants.
            var hydroCols: [Int] = [], minimumShort: [Int] = []
            var plantColumn = [Int](repeating: -1, count: P)
            var penalty = 2 * plan.minVOLL
            for blk in 0..<structure.shedCount { penalty = max(penalty, 2 * input.shedCostPerMWh[blk]) }
            for p in 0..<P {
                let h = hydroSlot[p]
                let f = structure.plantFuel[p]
                let hi = h >= 0 ? recorder.hydroAvailableMW[t][h] : input.plantMaxMW[p]
                let lo = min(input.plantMinMW[p], hi)
                let cost = h >= 0 ? a.plantCostPerMWh[p] : input.plantCostPerMWh[p]
                // A minimum that burns fuel or uses a month's water holds as far as the fuel or water lasts
                // (the run lifts it when they run out): below it, at a penalty above any shed cost.
                let soft = lo > 0 && (f >= 0 || h >= 0)
                let c = lp.addColumn(cost: cost * dt, lower: soft ? 0 : lo, upper: hi)
                plantColumn[p] = c
                lp.set(row: balance + structure.plantRegion[p], column: c, 1)
                if soft {
                    let short = lp.addColumn(cost: penalty * dt, lower: 0, upper: lo)
                    let row = lp.addRow(.greaterOrEqual, lo)
                    lp.set(row: row, column: c, 1)
                    lp.set(row: row, column: short, 1)
                    minimumShort.append(short)
                }
                if f >= 0 { lp.set(row: fuelRow + f, column: c, structure.plantFuelTonnesPerMWh[p] * dt) }
                if h >= 0 && res.slotOfPlant[p] >= 0 { hydroCols.append(c) }
                if h >= 0 && res.slotOfPlant[p] < 0 {
                    hydroCols.append(c)
                    let key = h * 100_000 + recorder.monthOfStep[t]
                    let row = hydroRow[key] ?? {
                        // The month's energy left; a window that ends before the month does may spend the
                        // share of it that its steps of the month are of the month's steps still to come.
                        let month = recorder.monthOfStep[t]
                        let used = state.hydroUsedMWh[h][month] ?? 0
                        let toCome = stepsOfMonth[month].upperBound - range.lowerBound
                        let inWindow = min(stepsOfMonth[month].upperBound, range.upperBound) - max(stepsOfMonth[month].lowerBound, range.lowerBound)
                        let share = toCome > 0 ? Double(inWindow) / Double(min(toCome, stepsOfMonth[month].count)) : 1
                        let r = lp.addRow(.lessOrEqual, max(0, recorder.hydroMonthEnergyMWh[h][month] - used) * min(1, share))
                        hydroRow[key] = r
                        return r
                    }()
                    lp.set(row: row, column: c, dt)
                }
            }
            b.hydroColumns.append(hydroCols)
            b.minimumShortColumns.append(minimumShort)
            // Reservoir levels: level_t − level_{t−1} + Δt·generation_t + Δt·spill_t = Δt·inflow_t, dead ≤ level ≤ max.
            // The level at the range's end is at least the run's there: the run's path stays feasible (so the
            // optimum bounds its cost) and the water left over is the same, not free to spend.
            var levelCols: [Int] = []
            for (j, p) in res.plants.enumerated() {
                let last = t == range.upperBound - 1
                let floor = last ? max(res.deadMWh[j], min(res.maxMWh[j], recorder.reservoirLevelAfter(t, j))) : res.deadMWh[j]
                let level = lp.addColumn(cost: 0, lower: floor, upper: res.maxMWh[j])
                let spill = lp.addColumn(cost: 0, lower: 0, upper: .infinity)
                let row = lp.addRow(.equal, dt * recorder.reservoirInflowMW[t][j] + (previousLevel == nil ? state.levelMWh[j] : 0))
                lp.set(row: row, column: level, 1)
                if let prev = previousLevel { lp.set(row: row, column: prev[j], -1) }
                lp.set(row: row, column: plantColumn[p], dt)
                lp.set(row: row, column: spill, dt)
                levelCols.append(level)
                // The minimum release passes the dam, through the turbines or spilled, as far as the water allows (the
                // run spills what its turbines cannot take): below it, at the penalty of an unmet minimum.
                if res.minReleaseMW[j] > 0 {
                    let short = lp.addColumn(cost: penalty * dt, lower: 0, upper: res.minReleaseMW[j])
                    let release = lp.addRow(.greaterOrEqual, res.minReleaseMW[j])
                    lp.set(row: release, column: plantColumn[p], 1)
                    lp.set(row: release, column: spill, 1)
                    lp.set(row: release, column: short, 1)
                    b.minimumShortColumns[b.minimumShortColumns.count - 1].append(short)
                }
            }
            previousLevel = levelCols
            b.levelColumns.append(levelCols)
            // Corridors, one column per loss segment and direction.
            for (k, corridor) in structure.corridors.enumerated() {
                for (segments, limit, from, to) in [(corridor.forwardSegments, input.corridorForwardMW[k], corridor.fromRegion, corridor.toRegion),
                                                    (corridor.backwardSegments, input.corridorBackwardMW[k], corridor.toRegion, corridor.fromRegion)] {
                    for seg in segments {
                        let c = lp.addColumn(cost: corridor.hurdleCostPerMWh * (1 + seg.lossFraction) * dt, lower: 0, upper: max(0, seg.widthFraction * limit))
                        lp.set(row: balance + from, column: c, -1)
                        lp.set(row: balance + to, column: c, 1 - seg.lossFraction)
                    }
                }
            }
            // Storage: discharge, charge, then the energy held at the step's end.
            b.dischargeColumn.append(lp.columnCost.count)
            for k in 0..<S {
                let c = lp.addColumn(cost: 0, lower: 0, upper: recorder.storagePowerMW[t][k])
                lp.set(row: balance + structure.storageRegion[k], column: c, 1)
            }
            b.chargeColumn.append(lp.columnCost.count)
            for k in 0..<S {
                let c = lp.addColumn(cost: 0, lower: 0, upper: recorder.storagePowerMW[t][k])
                lp.set(row: balance + structure.storageRegion[k], column: c, -1)
            }
            b.socColumn.append(lp.columnCost.count)
            let socRow = lp.rowKinds.count
            b.socRow.append(socRow)
            var socColumns: [Int] = []
            for k in 0..<S {
                let c = lp.addColumn(cost: 0, lower: a.storageMinMWh[k], upper: a.storageMaxMWh[k])
                socColumns.append(c)
                // soc_t − soc_{t−1} − ηc·Δt·charge + Δt/ηd·discharge = 0 (the previous state on the right in the first step)
                let row = lp.addRow(.equal, previousSOC == nil ? state.socMWh[k] : 0)
                lp.set(row: row, column: c, 1)
                if let prev = previousSOC { lp.set(row: row, column: prev[k], -1) }
                lp.set(row: row, column: b.chargeColumn.last! + k, -a.storageChargeEfficiency[k] * dt)
                lp.set(row: row, column: b.dischargeColumn.last! + k, dt / a.storageDischargeEfficiency[k])
            }
            previousSOC = socColumns
            // Shed blocks.
            var sheds: [(column: Int, region: Int)] = []
            for blk in 0..<structure.shedCount {
                let r = structure.shedRegion[blk]
                let width = structure.shedShareOfDemand.map { max(0, input.demandMW[r]) * $0[blk] } ?? input.shedMaxMW[blk]
                guard width > 0 else { continue }
                let c = lp.addColumn(cost: input.shedCostPerMWh[blk] * dt, lower: 0, upper: width)
                lp.set(row: balance + r, column: c, 1)
                sheds.append((c, r))
            }
            b.shedColumns.append(sheds)
            // Callable demand response, within its energy per day.
            var responseCols: [Int] = []
            for d in 0..<structure.responseCount {
                let c = lp.addColumn(cost: input.responseCostPerMWh[d] * dt, lower: 0, upper: a.programCapacityMW[d])
                lp.set(row: balance + structure.responseRegion[d], column: c, 1)
                let key = d * 100_000 + day[t]
                let row = responseRow[key] ?? {
                    let used = state.responseUsedMWh[d][day[t]] ?? 0
                    let r = lp.addRow(.lessOrEqual, max(0, a.programCapacityMW[d] * a.programMaxHoursPerDay[d] - used))
                    responseRow[key] = r
                    return r
                }()
                lp.set(row: row, column: c, dt)
                responseCols.append(c)
            }
            b.responseColumns.append(responseCols)
            // Shiftable demand: borrow (a load reduction), payback (extra load), the debt after the step and debt
            // written off as unserved (at the lowest VOLL, as the run counts it). The debt:
            //   debt_t − f·debt_{t−1} − ηb·Δt·borrow_t + Δt/ηp·payback_t + writeOff_t = 0, 0 ≤ debt_t ≤ energy,
            // and what is owed at a step's end was borrowed in its last P steps (each MWh repaid within its
            // deadline; the run's single deadline per debt is stricter):
            //   debt_t ≤ Σ_{τ = t−P+1 … t} f^(t−τ)·ηb·Δt·borrow_τ (+ the carried debt's share, in windows).
            // At the end of the horizon nothing is owed.
            var borrowCols: [Int] = [], debtCols: [Int] = [], writeOffCols: [Int] = []
            for d in 0..<D {
                let k = S + d, region = structure.storageRegion[k], f = a.shiftableInterestFactor[d]
                let up = recorder.shiftableInService[t][d]
                let borrow = lp.addColumn(cost: a.shiftableCostPerMWh[d] * dt, lower: 0, upper: up * a.shiftableBorrowMW[d])
                lp.set(row: balance + region, column: borrow, 1)
                let payback = lp.addColumn(cost: 0, lower: 0, upper: up * a.shiftablePaybackMW[d])
                lp.set(row: balance + region, column: payback, -1)
                let writeOff = lp.addColumn(cost: plan.minVOLL, lower: 0, upper: .infinity)
                // Nothing is owed at the end of the horizon, nor at the end of a window: a window that could leave debt
                // owing would defer load for nothing and leave the write-off to the next window.
                let last = t == range.upperBound - 1
                let debt = lp.addColumn(cost: 0, lower: 0, upper: last ? 0 : a.shiftableEnergyMWh[d])
                let row = lp.addRow(.equal, previousDebt == nil ? f * state.debtMWh[d] : 0)
                lp.set(row: row, column: debt, 1)
                if let prev = previousDebt { lp.set(row: row, column: prev[d], -f) }
                lp.set(row: row, column: borrow, -a.shiftableBorrowEfficiency[d] * dt)
                lp.set(row: row, column: payback, dt / a.shiftablePaybackEfficiency[d])
                lp.set(row: row, column: writeOff, 1)
                borrowsSoFar[d].append(borrow)
                let P = a.shiftablePaybackSteps[d]
                let inRange = borrowsSoFar[d].suffix(P)
                // Borrowed before the range and still within its P steps (windows only).
                let before = state.recentBorrowMWh[d].suffix(max(0, P - inRange.count))
                var carried = 0.0
                for (age, mwh) in before.reversed().enumerated() { carried += mwh * Foundation.pow(f, Double(inRange.count + age)) }
                let deadline = lp.addRow(.lessOrEqual, min(carried, f * state.debtMWh[d] * Foundation.pow(f, Double(inRange.count - 1))))
                lp.set(row: deadline, column: debt, 1)
                for (age, c) in inRange.reversed().enumerated() {
                    lp.set(row: deadline, column: c, -Foundation.pow(f, Double(age)) * a.shiftableBorrowEfficiency[d] * dt)
                }
                borrowCols.append(borrow); debtCols.append(debt); writeOffCols.append(writeOff)
            }
            previousDebt = debtCols
            b.borrowColumns.append(borrowCols)
            b.debtColumns.append(debtCols)
            b.writeOffColumns.append(writeOffCols)
            // Forced over-generation.
            for r in 0..<R {
                let c = lp.addColumn(cost: input.excessCostPerMWh[r] * dt, lower: 0, upper: .infinity)
                lp.set(row: balance + r, column: c, -1)
            }
            // Fuel stock, fuel not taken, and how far the stock is below the reserve, and that depth's increase.
            var stockColumns: [Int] = [], belowColumns: [Int] = []
            for f in 0..<F {
                let c = lp.addColumn(cost: 0, lower: 0, upper: a.fuelCapacityT[f])
                lp.set(row: fuelRow + f, column: c, 1)
                if let prev = previousStock { lp.set(row: fuelRow + f, column: prev[f], -1) }
                if floorRow[f] >= 0 { lp.set(row: floorRow[f], column: c, 1) }
                stockColumns.append(c)
                let notTaken = lp.addColumn(cost: 0, lower: 0, upper: .infinity)
                lp.set(row: fuelRow + f, column: notTaken, 1)
            }
            for f in 0..<F {
                guard floorRow[f] >= 0 else { belowColumns.append(-1); continue }
                // A depth that costs a little per tonne and step is the least the floor row allows:
                // max(0, reserve − stock), so the premium falls on every tonne of each new draw.
                let c = lp.addColumn(cost: Self.depthCostPerTonne, lower: 0, upper: a.fuelReserveT[f])
                lp.set(row: floorRow[f], column: c, 1)
                lp.set(row: increaseRow[f], column: c, -1)
                if let prev = previousBelow { lp.set(row: increaseRow[f], column: prev[f], 1) }
                belowColumns.append(c)
                let increase = lp.addColumn(cost: input.fuelReserveCostPerTonne[f], lower: 0, upper: .infinity)
                lp.set(row: increaseRow[f], column: increase, 1)
            }
            b.fuelBelowColumn.append(belowColumns)
            b.fuelStockColumn.append(stockColumns)
            previousStock = stockColumns
            previousBelow = belowColumns
        }
        b.lp = lp
        return b
    }
}
