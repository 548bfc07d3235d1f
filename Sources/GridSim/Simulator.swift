// The time loop: state → demand response → one dispatch step → storage, hydro and fuel updates →
// recorders. All working arrays are allocated once in `init`; `run()`'s per-step loop allocates nothing.
import Foundation
import GridModel
import GridRandom
import CPrefetch
@_exported import GridDispatch

public struct SimulationError: Error, CustomStringConvertible {
    public var step: Int
    public var reason: String
    /// The failed dispatch step's whole problem, when a dispatch failed (write it with `JSONEncoder` and
    /// solve it again with `r70 solve-step`).
    public var dispatchCase: DispatchCase?
    public init(step: Int, reason: String, dispatchCase: DispatchCase? = nil) {
        self.step = step
        self.reason = reason
        self.dispatchCase = dispatchCase
    }
    public var description: String { "dispatch failed at step \(step): \(reason)" }
}

public final class Simulator {
    public let plan: SimulationPlan
    let solver: DispatchSolver
    public let recordHourly: Bool

    // State.
    let storageSOC: Doubles
    /// Average cost of the energy in each store, per MWh stored (charging price / charge efficiency).
    let storedCostPerMWh: Doubles
    let fuelStock: Doubles
    /// Step at which each fuel's spot cargo arrives (−1: none on its way).
    let spotDueStep: Doubles
    let hydroMonthRemaining: Doubles
    let hydroDayBudget: Doubles
    let hydroUsedToday: Doubles
    /// Reservoirs with levels (slot j of `plan.reservoirs`): the level (MWh-equivalent), this step's inflow and
    /// spill (MW), and over the run the lowest level, the hours ending at the dead level, the water spilled and
    /// the inflow (MWh).
    let reservoirLevelMWh: Doubles
    let reservoirInflowNowMW: Doubles
    let reservoirSpillNowMW: Doubles
    let reservoirMinLevelMWh: Doubles
    let reservoirHoursAtDead: Doubles
    let reservoirSpilledMWh: Doubles
    let reservoirInflowMWh: Doubles
    /// The hydrological class of the run: 0 the scenario's own year, k + 1 the Monte Carlo's class k.
    public var hydrologyClass = 0
    let programHoursToday: Doubles
    let mandatoryHoursUsed: Doubles
    /// Fraction of each plant's capacity not on forced outage, in [0, 1] (1 in deterministic runs; the Monte
    /// Carlo drives it).
    let plantInService: Doubles
    /// Σ over constant-availability plants of their available MW per region, kept up to date by
    /// `setPlantInService` (recomputed exactly when `constantSumsStale`).
    let regionConstantMW: Doubles
    var constantSumsStale = true

    /// Sets plant i's fraction in service, keeping the regional sums of the adequacy fast path current.
    @inline(__always) public func setPlantInService(_ i: Int, _ fraction: Double) {
        let constant = arrays.plantConstantAvailableMW[i]
        if constant >= 0 && !constantSumsStale {
            regionConstantMW[arrays.plantRegion[i]] += constant * derate[i] * (fraction - plantInService[i])
        }
        plantInService[i] = fraction
    }
    /// Fraction of each corridor's circuits in service.
    let corridorInService: Doubles
    /// Fraction of each storage plant in service.
    let storageInService: Doubles
    /// Shiftable programmes (dispatched as storage columns `storageCount + d`): the energy owed (MWh), the steps
    /// left before the debt's deadline (PRAS's payback counter: −1 with no debt, 0 in the deadline step), whether
    /// the programme is available (1 or 0), and the debt written off in the current step (MWh).
    let shiftableDebtMWh: Doubles
    let shiftableCounter: Doubles
    let shiftableInService: Doubles
    let shiftableUnpaidMWh: Doubles
    /// The run's last step (all debt left after it is unserved).
    var lastStep = 0
    /// Today's demand factor per region, weather factor per plant, this year's hydro energy factor, and
    /// the fuel arrivals per fuel and step (all 1 / the scenario's in deterministic runs; a trial's draws
    /// in the Monte Carlo).
    let demandFactor: Doubles
    let weatherFactor: Doubles
    public var hydroEnergyFactor = 1.0
    /// Fuel arriving at the start of each step, [step * fuels + fuel] (time-major: one stream for the loop).
    let fuelArrivalsByStep: Doubles
    /// The continuous-supply part of `fuelArrivalsByStep` (same layout): what does not fit is not taken, not lost.
    let fuelSupplyByStep: Doubles
    /// Fraction of a cargo arriving in each step that disruptions stop, for fuels with spot purchases (same layout;
    /// empty when no fuel buys spot): contracted cargoes have it applied in `fuelArrivalsByStep` already.
    let fuelCargoLostByStep: Doubles
    /// Capacity derate per plant: 1 − FOR in deterministic runs (expected availability), 1 in trials.
    let derate: Doubles
    /// The Monte Carlo sampler (and its streams), when trials are run.
    public private(set) var sampler: TrialSampler?
    /// The trial being run (for error reports).
    var currentTrial: Int?
    var shortfallLastStep = false
    // Scratch.
    let demandNow: Doubles
    let mandatoryNow: Doubles
    let plantMaxNow: Doubles
    var hydroIndex: [Int]
    let availableNow: Doubles
    let importNow: Doubles
    /// Local matching of shortfalls between regions (nil with one region or no corridors).
    let sharing: ShortfallSharing?
    let minimumBurn: Doubles
    /// Per fuel, the tonnes its plants burn in a step at their full minimum output: a bound on `minimumBurn`
    /// (in-service fractions are at most 1), so a stock at least this large needs no plant's minimum lifted.
    let minimumBurnBoundT: Doubles
    let arrays: PlanArrays
    let stepCount: Int
    // Max-flow scratch (adequacy fast path).
    let flowSupply: Doubles
    let flowDemand: Doubles
    let flowResidualForward: Doubles
    let flowResidualBackward: Doubles
    var flowParent: [Int]
    var flowQueue: [Int]

    /// Called with each step's dispatch input before it is solved (for benchmarks and diagnostics); the input is a
    /// view of the solver's buffers: keep `input.copy()`.
    public var dispatchObserver: ((Int, DispatchInput) -> Void)?
    /// Called with each step's input and answer once it is solved, before the state updates (the perfect-
    /// foresight reference records the horizon with it); both are views of the solver's buffers.
    var solvedObserver: ((Int, DispatchInput, DispatchResult) -> Void)?
    /// Every store discharges only to avoid shedding (the plan's passes on the expected year).
    var reliabilityStorageOnly = false
    /// Per store, its slot in the plan's value tables, or −1 (not a `values` store, or no table: a `values`
    /// store without one follows the reliability policy).
    let valueSlot: [Int]
    /// The plan's value tables (a copy of its handles: the step loop reads them without going through `plan`).
    let storageValues: StorageValueTables
    /// Some store's economic discharge was held back this step for a later foreseeable shortfall.
    var storageHeldBack = false

    /// Owns every `Doubles` above.
    private let pool = DoublesPool()

    public private(set) var totals: RunTotals
    /// The totals while a run goes on (copied into `totals` at its end).
    let live: LiveTotals
    public private(set) var hourly: HourlySeries?

    /// A simulator for deterministic runs (`stochastic: false`) or for Monte Carlo trials.
    public init(plan: SimulationPlan, recordHourly: Bool = false, stochastic: Bool = false) {
        self.plan = plan
        self.recordHourly = recordHourly
        demandFactor = pool.make(plan.scenario.regions.count, 1)
        weatherFactor = pool.make(plan.scenario.plants.count, 1)
        let fuels = plan.scenario.fuels, steps = plan.scenario.stepCount
        fuelArrivalsByStep = pool.make(steps * fuels.count, 0)
        fuelSupplyByStep = pool.make(steps * fuels.count, 0)
        for (f, fuel) in fuels.enumerated() {
            for t in 0..<min(steps, fuel.arrivalsT.count) { fuelArrivalsByStep[t * fuels.count + f] = fuel.arrivalsT[t] }
            for t in 0..<min(steps, fuel.supplyPerStepT.count) { fuelSupplyByStep[t * fuels.count + f] = fuel.supplyPerStepT[t] }
        }
        let buysSpot = fuels.contains { $0.spot != nil }
        fuelCargoLostByStep = pool.make(buysSpot ? steps * fuels.count : 0, 0)
        if buysSpot {
            for (f, fuel) in fuels.enumerated() {
                for t in 0..<min(steps, fuel.cargoLostFractionByStep.count) { fuelCargoLostByStep[t * fuels.count + f] = fuel.cargoLostFractionByStep[t] }
            }
        }
        derate = pool.make(stochastic ? [Double](repeating: 1, count: plan.scenario.plants.count) : plan.plantDerate)
        let s = plan.scenario
        solver = DispatchSolver(structure: plan.structure)
        solver.maxPivotsPerSolve = Diagnostics.maxPivotsPerSolve
        storageSOC = pool.make(s.storage.map { $0.initialSOCFraction * $0.energyMWh })
        valueSlot = plan.storageValues.slot.count == s.storage.count ? plan.storageValues.slot : s.storage.map { _ in -1 }
        storageValues = plan.storageValues
        storedCostPerMWh = pool.make(s.storage.count, 0)
        fuelStock = pool.make(s.fuels.map(\.initialStockT))
        spotDueStep = pool.make(s.fuels.count, -1)
        hydroMonthRemaining = pool.make(s.plants.count, 0)
        hydroDayBudget = pool.make(s.plants.count, 0)
        hydroUsedToday = pool.make(s.plants.count, 0)
        let J = plan.reservoirs.plants.count
        reservoirLevelMWh = pool.make(plan.reservoirs.initialMWh)
        reservoirInflowNowMW = pool.make(J, 0)
        reservoirSpillNowMW = pool.make(J, 0)
        reservoirMinLevelMWh = pool.make(plan.reservoirs.initialMWh)
        reservoirHoursAtDead = pool.make(J, 0)
        reservoirSpilledMWh = pool.make(J, 0)
        reservoirInflowMWh = pool.make(J, 0)
        programHoursToday = pool.make(plan.programs.count, 0)
        mandatoryHoursUsed = pool.make(s.regions.count, 0)
        plantInService = pool.make(s.plants.count, 1)
        corridorInService = pool.make(s.corridors.count, 1)
        storageInService = pool.make(s.storage.count, 1)
        let shiftableCount = plan.arrays.shiftableRegion.count
        shiftableDebtMWh = pool.make(shiftableCount, 0)
        shiftableCounter = pool.make(shiftableCount, -1)
        shiftableInService = pool.make(shiftableCount, 1)
        shiftableUnpaidMWh = pool.make(shiftableCount, 0)
        demandNow = pool.make(s.regions.count, 0)
        mandatoryNow = pool.make(s.regions.count, 0)
        plantMaxNow = pool.make(s.plants.count, 0)
        availableNow = pool.make(s.regions.count, 0)
        regionConstantMW = pool.make(s.regions.count, 0)
        importNow = pool.make(s.regions.count, 0)
        sharing = plan.localMatching ? ShortfallSharing(plan: plan) : nil
        minimumBurn = pool.make(s.fuels.count, 0)
        arrays = plan.arrays
        minimumBurnBoundT = pool.make(s.fuels.count, 0)
        for i in arrays.fuelPlants {
            minimumBurnBoundT[arrays.plantFuel[i]] += arrays.plantMinOutputMW[i] * arrays.plantFuelTonnesPerMWh[i] * s.stepHours
        }
        flowSupply = pool.make(s.regions.count, 0)
        flowDemand = pool.make(s.regions.count, 0)
        flowResidualForward = pool.make(s.corridors.count, 0)
        flowResidualBackward = pool.make(s.corridors.count, 0)
        flowParent = [Int](repeating: 0, count: s.regions.count)
        flowQueue = [Int](repeating: 0, count: s.regions.count + 1)
        hydroIndex = s.plants.indices.filter { s.plants[$0].hydroMonthlyEnergyMWh != nil }
        totals = RunTotals(scenario: s)
        live = LiveTotals(totals: totals, plan: plan)
        hourly = recordHourly ? HourlySeries(scenario: s) : nil
        if stochastic { sampler = TrialSampler(plan: plan) }
        stepCount = s.stepCount
        // Dispatch inputs that never change.
        for r in 0..<s.regions.count { solver.input.excessCostPerMWh[r] = s.dispatch.excessPenaltyUSDPerMWh }
        for b in 0..<plan.shedBlocks.count { solver.input.shedCostPerMWh[b] = plan.shedCostPerMWh[b] }
        for d in 0..<plan.programs.count { solver.input.responseCostPerMWh[d] = plan.programs[d].costUSDPerMWh }
        // The strategic reserve's premium per tonne makes a MWh from it cost the reserve price.
        for f in 0..<s.fuels.count {
            let cheapest = arrays.fuelCheapestTonnesPerMWh[f]
            solver.input.fuelReserveCostPerTonne[f] = cheapest > 0 ? plan.strategicReserveCostPerMWh / cheapest : 0
        }
    }

    /// Skip the dispatch of hours without shortfall risk (only shortfall metrics are then meaningful).
    /// Allowed only for stateless systems: see `SimulationPlan.isStateless`.
    public var adequacyOnly = false {
        didSet { precondition(!adequacyOnly || plan.isStateless, "adequacy-only runs need a stateless system") }
    }

    /// Runs trial `trial` of a study seeded with `seed`: its streams are keyed by (seed, trial, name).
    public func runTrial(_ trial: Int, seed: UInt64, maxSteps: Int? = nil) throws(SimulationError) {
        guard let sampler else { preconditionFailure("runTrial needs a stochastic simulator") }
        if let collision = sampler.streamCollision { throw SimulationError(step: 0, reason: collision) }
        currentTrial = trial
        defer { currentTrial = nil }
        reset()
        sampler.startTrial(seed: seed, trial: UInt64(trial), simulator: self)
        try run(maxSteps: maxSteps)
        sampler.finishTrial(steps: totals.stepsRun)
        if let id = sampler.streamExhausted {
            throw SimulationError(step: totals.stepsRun, reason: "the random stream of \(id) ran past its \(Philox.blocksPerStream) blocks")
        }
    }

    /// Resets the state to the start of the horizon (for a new trial).
    public func reset() {
        let s = plan.scenario
        for k in s.storage.indices {
            storageSOC[k] = s.storage[k].initialSOCFraction * s.storage[k].energyMWh
            storedCostPerMWh[k] = 0
        }
        for f in s.fuels.indices { fuelStock[f] = s.fuels[f].initialStockT; spotDueStep[f] = -1 }
        for d in 0..<shiftableDebtMWh.count { shiftableDebtMWh[d] = 0; shiftableCounter[d] = -1 }
        for j in 0..<reservoirLevelMWh.count {
            reservoirLevelMWh[j] = plan.reservoirs.initialMWh[j]; reservoirMinLevelMWh[j] = reservoirLevelMWh[j]
            reservoirHoursAtDead[j] = 0; reservoirSpilledMWh[j] = 0; reservoirInflowMWh[j] = 0
        }
        for i in programHoursToday.indices { programHoursToday[i] = 0 }
        for r in mandatoryHoursUsed.indices { mandatoryHoursUsed[r] = 0 }
        shortfallLastStep = false
        totals.clear(initialStocks: fuelStock)
        live.load(from: totals)
        if recordHourly { hourly = HourlySeries(scenario: s) }
        solver.resetWarmStart()
    }

    /// Runs every step of the horizon (or the first `maxSteps`).
    public func run(maxSteps: Int? = nil) throws(SimulationError) {
        let s = plan.scenario
        let steps = min(s.stepCount, maxSteps ?? s.stepCount)
        let dt = s.stepHours
        let cal = s.calendar
        constantSumsStale = true
        lastStep = steps - 1
        if let sampler {
            for t in 0..<steps {
                sampler.advance(to: t, simulator: self)
                if t == 0 || cal.day[t] != cal.day[t - 1] { startDay(t) }
                try step(t, dt: dt)
            }
        } else {
            for t in 0..<steps {
                if t == 0 || cal.day[t] != cal.day[t - 1] { startDay(t) }
                try step(t, dt: dt)
            }
        }
        live.copy(into: &totals)
        for j in 0..<reservoirLevelMWh.count {
            totals.reservoirEndLevelMWh[j] = reservoirLevelMWh[j]; totals.reservoirMinLevelMWh[j] = reservoirMinLevelMWh[j]
            totals.reservoirHoursAtDeadLevel[j] = reservoirHoursAtDead[j]; totals.reservoirSpilledMWh[j] = reservoirSpilledMWh[j]
            totals.reservoirInflowMWh[j] = reservoirInflowMWh[j]
        }
        totals.finish(plan: plan)
        totals.stepsRun = steps
    }

    // MARK: Day and month boundaries

    func startDay(_ t: Int) {
        let s = plan.scenario
        let cal = s.calendar
        for i in programHoursToday.indices { programHoursToday[i] = 0 }
        sampler?.startDay(Int(cal.day[t]), simulator: self)
        let date = cal.date(ofDay: Int(cal.day[t]))
        let daysInMonth = CivilDate.daysIn(month: date.month, year: date.year)
        let lastDayOfHorizon = cal.dayCount - 1
        // Days of this month still inside the horizon, today included.
        let remainingDays = min(daysInMonth - date.day + 1, lastDayOfHorizon - Int(cal.day[t]) + 1)
        let res = plan.reservoirs
        for i in hydroIndex {
            let j = res.slotOfPlant[i]
            if j >= 0 {
                // A reservoir: the guide's generation today plus a week's share of the level's gap to the guide
                // (the level it should have now: the guide's at yesterday's end).
                let d = Int(cal.day[t])
                let planned = res.guideReleaseMWh[res.guideIndex(slot: j, day: d)]
                let guideNow = d == 0 ? res.initialMWh[j] : res.guideLevelMWh[res.guideIndex(slot: j, day: d - 1)]
                let days = Double(min(Self.reservoirCatchUpDays, lastDayOfHorizon - d + 1))
                hydroDayBudget[i] = max(0, planned + (reservoirLevelMWh[j] - guideNow) / days)
                hydroUsedToday[i] = 0
                continue
            }
            let factor = s.plants[i].followsHydrology ? hydroEnergyFactorOfMonth(date.month - 1) : 1
            let monthly = s.plants[i].hydroMonthlyEnergyMWh![date.month - 1] * factor
            if t == 0 || date.day == 1 {
                // A new month's reservoir energy; a horizon starting mid-month gets the remaining share.
                hydroMonthRemaining[i] = monthly * Double(daysInMonth - date.day + 1) / Double(daysInMonth)
            }
            hydroDayBudget[i] = max(0, hydroMonthRemaining[i]) / Double(max(1, remainingDays))
            hydroUsedToday[i] = 0
        }
    }

    /// Days over which a reservoir makes up its level's gap to the guide (E: a week).
    static let reservoirCatchUpDays = 7

    /// The hydrological class's factor for month m (1 in the scenario's own year).
    func hydroEnergyFactorOfMonth(_ m: Int) -> Double {
        hydrologyClass == 0 ? hydroEnergyFactor : plan.scenario.stochastic.inflowClasses[hydrologyClass - 1].factor(month: m)
    }

    // MARK: One step

    /// A spot cargo due now arrives (unless a disruption stops it); a fuel whose stock has fallen to its order level,
    /// with none on its way, buys one.
    @inline(__always)
    func spotPurchases(_ t: Int, fuelCount: Int) {
        let a = arrays
        for f in 0..<fuelCount where a.fuelSpotCargoT[f] > 0 {
            if spotDueStep[f] >= 0 && Double(t) >= spotDueStep[f] {
                spotDueStep[f] = -1
                let arriving = a.fuelSpotCargoT[f] * (1 - fuelCargoLostByStep[t * fuelCount + f])
                if arriving > 0 {
                    fuelStock[f] += arriving
                    live.fuelSpotT[f] += arriving
                    live.fuelSpotCargoes[f] += 1
                    let over = fuelStock[f] - a.fuelCapacityT[f]
                    if over > 0 { fuelStock[f] -= over; live.fuelOverflowT[f] += over }
                }
            }
            if spotDueStep[f] < 0 && fuelStock[f] <= a.fuelSpotOrderBelowT[f] {
                spotDueStep[f] = Double(t + a.fuelSpotLeadSteps[f])
            }
        }
    }

    @inline(__always)
    func step(_ t: Int, dt: Double) throws(SimulationError) {
        let a = arrays
        let regionCount = demandNow.count
        let plantCount = plantMaxNow.count
        let fuelCount = fuelStock.count
        let corridorCount = a.corridorFrom.count
        let storageCount = storageSOC.count
        // Fuel deliveries arrive at the start of the step. What does not fit: the continuous supply delivers
        // less (not taken), and the rest of a cargo is lost.
        for f in 0..<fuelCount {
            let arriving = fuelArrivalsByStep[t * fuelCount + f]
            if arriving > 0 {
                fuelStock[f] += arriving
                let over = fuelStock[f] - a.fuelCapacityT[f]
                if over > 0 {
                    fuelStock[f] -= over
                    let notTaken = min(over, fuelSupplyByStep[t * fuelCount + f])
                    live.fuelSupplyNotTakenT[f] += notTaken
                    live.fuelOverflowT[f] += over - notTaken
                }
            }
        }
        if a.hasSpotPurchases { spotPurchases(t, fuelCount: fuelCount) }
        // The streams a few steps ahead (a cache line holds several steps of them): the time-major ones
        // every step, the per-storage and per-region ones every 8 steps.
        plan.availableByStep.prefetch((t + 8) * a.variablePlants.count)
        plan.demandByStep.prefetch((t + 8) * regionCount)
        if fuelCount > 0 { r70_prefetch(fuelArrivalsByStep.baseAddress! + min((t + 8) * fuelCount, fuelArrivalsByStep.count - 1)) }
        if t & 7 == 0 {
            for k in 0..<storageCount {
                plan.storageSchedule.prefetch(k * stepCount + t + 16)
                plan.storageChargeValuePerMWh.prefetch(k * stepCount + t + 16)
            }
            for r in 0..<regionCount { plan.laterHigherToday.prefetch(r * stepCount + t + 16) }
        }
        // Reservoir inflows this step.
        for j in 0..<reservoirInflowNowMW.count {
            reservoirInflowNowMW[j] = plan.reservoirs.inflow(class: hydrologyClass, slot: j, step: t)
        }
        // Available capacity of each plant, and per region; demand after today's factor.
        let base = t * a.variablePlants.count
        for r in 0..<regionCount {
            demandNow[r] = plan.demandByStep[t * regionCount + r] * demandFactor[r]
            mandatoryNow[r] = 0
            availableNow[r] = 0
        }
        if adequacyOnly {
            // Constant-availability plants change only with outages: their regional sum is kept; only the
            // others are computed per step (each plant's maximum is filled in below if a dispatch is needed).
            if constantSumsStale { refreshConstantSums() }
            for r in 0..<regionCount { availableNow[r] = regionConstantMW[r] }
            for i in a.variablePlants { availableNow[a.plantRegion[i]] += plantMaximum(i, base: base, dt: dt) }
        } else {
            // Each plant's maximum and dispatch inputs as a thermal plant's, then the hydro plants' energy limits
            // and offers over them, then the regional sums in plant order: loops without a branch on the kind of
            // plant (which mispredicts as the plants go by).
            let month = a.stepMonthIndex[t]
            for i in 0..<plantCount {
                let m = plantAvailableMW(i, base: base)
                plantMaxNow[i] = m
                // Must-run MW; a plant behind the meter runs at its maximum (the max with m · 1; with m · 0 a no-op).
                let mustRun = max(min(a.plantMinOutputByMonthMW[i * 12 + month] * plantInService[i], m), m * a.plantBehindTheMeterFactor[i])
                solver.input.setPlant(i, minMW: mustRun, maxMW: m, costPerMWh: a.plantCostPerMWh[i])
            }
            for i in hydroIndex {
                let m = plantMaximum(i, base: base, dt: dt)
                plantMaxNow[i] = m
                setPlantInputs(i, maxMW: m, t: t, dt: dt)
            }
            for i in 0..<plantCount { availableNow[a.plantRegion[i]] += plantMaxNow[i] }
        }
        for k in 0..<storageCount {
            // The discharge bound of this step's dispatch (the rest of storage's inputs: `setStorage`).
            let limit = storageDischargeLimit(k, dt: dt)
            solver.input.storageDischargeMaxMW[k] = limit
            availableNow[a.storageRegion[k]] += limit
        }
        countImportable()
        // Operating reserve margins and mandatory savings (switched on by a low operating reserve).
        var nationalDemand = 0.0, nationalAvailable = 0.0, saved = false
        for r in 0..<regionCount {
            let reserve = availableNow[r] + importNow[r] - demandNow[r]
            if demandNow[r] > 0 { live.minOperatingReserveMargin[r] = min(live.minOperatingReserveMargin[r], reserve / demandNow[r]) }
            nationalDemand += demandNow[r]
            nationalAvailable += availableNow[r]
            if a.regionHasMandatory[r] && reserve < a.mandatoryTriggerMW[r] && mandatoryHoursUsed[r] + dt <= a.mandatoryMaxHours[r] + 1e-9 {
                let saving = min(a.mandatoryCapacityMW[r], demandNow[r])
                mandatoryNow[r] = saving
                demandNow[r] -= saving
                mandatoryHoursUsed[r] += dt
                saved = true
            }
        }
        // Savings free capacity that neighbours can spare: the shortfall tiers count it.
        if saved && sharing != nil { countImportable() }
        if nationalDemand > 0 {
            live.minNationalOperatingReserveMargin = min(live.minNationalOperatingReserveMargin, (nationalAvailable - nationalDemand) / nationalDemand)
        }
        // Adequacy-only studies of stateless systems: an hour in which every region covers its own demand
        // has no shortfall, whatever the dispatch; it is not dispatched.
        if adequacyOnly {
            var selfSufficient = true
            for r in 0..<regionCount where availableNow[r] < demandNow[r] * (1 + 1e-12) { selfSufficient = false; break }
            if !selfSufficient && a.losslessNetwork { selfSufficient = importsCoverDeficits() }
            if selfSufficient {
                live.recordAdequateStep(dt: dt, demandMW: demandNow)
                shortfallLastStep = false
                return
            }
        }
        if adequacyOnly {
            fillPlantMaxima(base: base, dt: dt)
            for i in 0..<plantCount { setPlantInputs(i, maxMW: plantMaxNow[i], t: t, dt: dt) }
        }
        // Fuel rows must be feasible at minimum output: lift the minimums of plants whose fuel is short.
        // (The reserve's cost per tonne is set once, in `init`.)
        if fuelCount > 0 {
            var someShort = 0   // (an integer: `||` would branch at every fuel)
            for f in 0..<fuelCount {
                let reserve = a.fuelReserveT[f]
                let stock = max(0, fuelStock[f])
                let available = max(0, stock - reserve), kept = min(stock, reserve)
                solver.input.fuelAvailableTonnes[f] = available
                solver.input.fuelReserveTonnes[f] = kept
                someShort |= minimumBurnBoundT[f] <= available + kept ? 0 : 1
            }
            // Each plant's minimum is at most its full one: a stock above the bound covers their sum.
            if someShort != 0 { liftShortFuelMinimums(dt: dt) }
        }
        for k in 0..<corridorCount {
            solver.input.corridorForwardMW[k] = a.corridorLimitForwardMW[k] * corridorInService[k]
            solver.input.corridorBackwardMW[k] = a.corridorLimitBackwardMW[k] * corridorInService[k]
        }
        for r in 0..<regionCount {
            solver.input.demandMW[r] = demandNow[r]
        }
        // Shed blocks: shares of demand that the solver sizes (one region, or no corridors), or tiers that
        // `sharing.setWidths` sizes below.
        for d in 0..<a.programCapacityMW.count {
            solver.input.responseMaxMW[d] = programHoursToday[d] + dt <= a.programMaxHoursPerDay[d] + 1e-9 ? a.programCapacityMW[d] : 0
        }
        // Storage: bounds from the state of charge, costs from the policy.
        storageHeldBack = false
        for k in 0..<storageCount { setStorage(k, t: t, dt: dt) }
        for d in 0..<shiftableDebtMWh.count { startShiftable(d, storageCount: storageCount, dt: dt) }

        // Local matching: the shed blocks' tiers from each region's own and its neighbours' means this step.
        if let sharing { sharing.setWidths(demandMW: demandNow, availableMW: availableNow, importableMW: importNow, widths: solver.input.shedMaxMW) }

        dispatchObserver?(t, solver.input)
        try solveStep(t)
        // Energy held back for a later shortfall is released when load is shed now.
        if storageHeldBack && solver.result.shedTotalMW > 0 {
            for k in 0..<storageCount {
                let limit = storageDischargeLimit(k, dt: dt)
                // A `values` store's energy beyond its target comes at the scarcity offer: only what the shortfall needs.
                if valueSlot[k] >= 0 && limit > solver.input.storageDischargeMaxMW[k] { solver.input.storageDischargeCostPerMWh[k] = plan.reliabilityCostPerMWh }
                solver.input.storageDischargeMaxMW[k] = limit
            }
            try solveStep(t)
        }

        // Where a shortfall falls among regions that could equally shed it (see ShortfallSharing).
        if let sharing, solver.result.shedTotalMW > 0 { sharing.share(solver) }
        solvedObserver?(t, solver.input, solver.result)

        // State updates.
        for k in 0..<storageCount {
            let charge = solver.result.storageChargeMW[k], discharge = solver.result.storageDischargeMW[k]
            let added = charge * a.storageChargeEfficiency[k] * dt
            let kept = max(0, storageSOC[k] - discharge / a.storageDischargeEfficiency[k] * dt)
            if added > 0 {
                let price = max(0, solver.result.priceAtRegionPerMWh[a.storageRegion[k]])
                storedCostPerMWh[k] = (storedCostPerMWh[k] * kept + price / a.storageChargeEfficiency[k] * added) / (kept + added)
            }
            let soc = storageSOC[k] + (charge * a.storageChargeEfficiency[k] - discharge / a.storageDischargeEfficiency[k]) * dt
            guard let bounded = StateBounds.clamp(soc, a.storageMinMWh[k], a.storageMaxMWh[k], scale: a.storageMaxMWh[k]) else {
                throw SimulationError(step: t, reason: "storage \(plan.scenario.storage[k].name): state of charge \(soc) MWh outside [\(a.storageMinMWh[k]), \(a.storageMaxMWh[k])] after the dispatch")
            }
            storageSOC[k] = bounded
        }
        for f in 0..<fuelCount {
            let stock = fuelStock[f] - solver.result.fuelBurnTonnes[f]
            guard let bounded = StateBounds.clamp(stock, 0, .infinity, scale: max(fuelStock[f], solver.result.fuelBurnTonnes[f])) else {
                throw SimulationError(step: t, reason: "fuel \(plan.scenario.fuels[f].name): \(solver.result.fuelBurnTonnes[f]) t burnt from a stock of \(fuelStock[f]) t")
            }
            fuelStock[f] = bounded
        }
        for i in hydroIndex {
            let used = solver.result.plantMW[i] * dt
            hydroMonthRemaining[i] -= used
            hydroUsedToday[i] += used
        }
        if reservoirLevelMWh.count > 0 { try updateReservoirs(t, dt: dt) }
        for d in 0..<a.programCapacityMW.count where solver.result.responseMW[d] > 1e-6 { programHoursToday[d] += dt }
        for d in 0..<shiftableDebtMWh.count { finishShiftable(d, storageCount: storageCount, last: t == lastStep, dt: dt) }
        live.record(t: t, dt: dt, solver: solver, demandMW: demandNow, mandatoryMW: mandatoryNow,
                      plantMaxMW: plantMaxNow, fuelStock: fuelStock, unpaidMWh: shiftableUnpaidMWh)
        // Loss-of-load events (runs of steps with shortfall anywhere).
        let short = live.lastStepShortfall
        if short && !shortfallLastStep { live.lossOfLoadEvents += 1 }
        shortfallLastStep = short
        if recordHourly {
            hourly?.record(t: t, plan: plan, result: solver.result, demandMW: demandNow, mandatoryMW: mandatoryNow, plantMaxMW: plantMaxNow,
                           fuelStock: fuelStock, storageSOC: storageSOC, shiftableDebt: shiftableDebtMWh, shiftableUnpaid: shiftableUnpaidMWh)
            hourly?.recordReservoirs(t: t, levelMWh: reservoirLevelMWh, inflowMW: reservoirInflowNowMW, spillMW: reservoirSpillNowMW)
        }
    }

    /// What each region can import this step (`importNow`): over each corridor in service, the lesser of its
    /// limit and what the neighbour at its other end can spare (its own available capacity and dischargeable
    /// storage less its own demand, not counting the neighbour's imports), less the corridor's loss at
    /// rated. Each region counts its neighbours' spare capacity as if it alone drew on it.
    func countImportable() {
        let a = arrays
        for r in 0..<importNow.count { importNow[r] = 0 }
        for k in 0..<a.corridorFrom.count where corridorInService[k] > 0 {
            let from = a.corridorFrom[k], to = a.corridorTo[k]
            let spareFrom = max(0, availableNow[from] - demandNow[from]), spareTo = max(0, availableNow[to] - demandNow[to])
            importNow[to] += min(a.corridorLimitForwardMW[k] * corridorInService[k], spareFrom) * a.corridorKeep[k]
            importNow[from] += min(a.corridorLimitBackwardMW[k] * corridorInService[k], spareTo) * a.corridorKeep[k]
        }
    }

    /// Lowers to 0 the minimum output of the plants whose fuel's stock cannot cover its plants' minimums.
    func liftShortFuelMinimums(dt: Double) {
        let a = arrays
        for f in 0..<minimumBurn.count { minimumBurn[f] = 0 }
        for i in a.fuelPlants {
            minimumBurn[a.plantFuel[i]] += solver.input.plantMinMW[i] * a.plantFuelTonnesPerMWh[i] * dt
        }
        for i in a.fuelPlants {
            let f = a.plantFuel[i]
            if minimumBurn[f] > solver.input.fuelAvailableTonnes[f] + solver.input.fuelReserveTonnes[f] { solver.input.plantMinMW[i] = 0 }
        }
    }

    /// Plant i's dispatch inputs for step t: bounds, and its cost (a reservoir plant off its schedule is
    /// offered at the reliability cost).
    @inline(__always) func setPlantInputs(_ i: Int, maxMW m: Double, t: Int, dt: Double) {
        let a = arrays
        var c = a.plantCostPerMWh[i]
        if a.plantIsHydro[i] {
            if !hydroScheduled(i, t: t, availableMW: m, dt: dt) { c = max(c, plan.reliabilityCostPerMWh) }
            // Reservoirs with levels: among equal offers the fuller (above its dead level) first, then by name, so
            // that the choice is never left to the order plants are listed in (a cent at most per MWh).
            let j = plan.reservoirs.slotOfPlant[i]
            if j >= 0 {
                let res = plan.reservoirs
                let full = (reservoirLevelMWh[j] - res.deadMWh[j]) / (res.maxMWh[j] - res.deadMWh[j])
                c += 0.009 * (1 - min(1, max(0, full))) + res.nameRankFraction[j] * 0.001
            }
        }
        let mustRun = a.plantBehindTheMeter[i] ? m : min(a.plantMinOutputByMonthMW[i * 12 + a.stepMonthIndex[t]] * plantInService[i], m)
        solver.input.setPlant(i, minMW: mustRun, maxMW: m, costPerMWh: c)
    }

    /// Available MW of plant i in the step whose variable plants start at index `base` of `availableByStep`.
    @inline(__always) func plantMaximum(_ i: Int, base: Int, dt: Double) -> Double {
        let hi = plantAvailableMW(i, base: base)
        guard arrays.plantIsHydro[i] else { return hi }
        let j = plan.reservoirs.slotOfPlant[i]
        if j >= 0 { return min(hi, max(0, reservoirLevelMWh[j] - plan.reservoirs.deadMWh[j]) / dt + reservoirInflowNowMW[j]) }
        return min(hi, max(0, hydroMonthRemaining[i]) / dt)
    }

    /// Reservoir levels after the step: inflow in, generation out; the minimum release that the turbines did not
    /// pass is spilled while there is water above the dead level; what rises above the maximum is spilled.
    func updateReservoirs(_ t: Int, dt: Double) throws(SimulationError) {
        let res = plan.reservoirs
        for j in 0..<reservoirLevelMWh.count {
            let i = res.plants[j], dead = res.deadMWh[j], top = res.maxMWh[j]
            let generated = solver.result.plantMW[i]
            var level = reservoirLevelMWh[j] + (reservoirInflowNowMW[j] - generated) * dt
            guard let bounded = StateBounds.clamp(level, dead, .infinity, scale: top) else {
                throw SimulationError(step: t, reason: "reservoir \(plan.scenario.plants[i].name): level \(level) MWh below its dead level \(dead) MWh after the dispatch")
            }
            level = bounded
            var spill = min(max(0, res.minReleaseMW[j] - generated), (level - dead) / dt)
            level -= spill * dt
            if level > top { spill += (level - top) / dt; level = top }
            reservoirLevelMWh[j] = level
            reservoirSpillNowMW[j] = spill
            reservoirSpilledMWh[j] += spill * dt
            reservoirInflowMWh[j] += reservoirInflowNowMW[j] * dt
            reservoirMinLevelMWh[j] = min(reservoirMinLevelMWh[j], level)
            if level <= dead + StateBounds.relativeTolerance * max(1, top) { reservoirHoursAtDead[j] += dt }
        }
    }

    /// Available MW of plant i before a reservoir's remaining energy limits it.
    @inline(__always) func plantAvailableMW(_ i: Int, base: Int) -> Double {
        let a = arrays
        // A constant-availability plant's MW are already at most its capacity, and its weather factor is 1. Without
        // a branch (which mispredicts as the plants go by): the variable plants' stream is read for every plant (at
        // the step's first entry for the constant ones), and the constant value chosen by a select.
        let constant = a.plantConstantAvailableMW[i]
        let streamed = plan.availableByStep[base + max(0, a.plantVariableIndex[i])]
        let available = constant >= 0 ? constant : streamed
        return min(a.plantCapacityMW[i], available * weatherFactor[i]) * derate[i] * plantInService[i]
    }

    @inline(__always) func fillPlantMaxima(base: Int, dt: Double) {
        let n = plantMaxNow.count
        for i in 0..<n { plantMaxNow[i] = plantMaximum(i, base: base, dt: dt) }
    }

    /// Σ over constant-availability plants of their available MW, per region (after outages changed).
    func refreshConstantSums() {
        let a = arrays
        for r in regionConstantMW.indices { regionConstantMW[r] = 0 }
        for i in 0..<plantMaxNow.count where a.plantConstantAvailableMW[i] >= 0 {
            regionConstantMW[a.plantRegion[i]] += a.plantConstantAvailableMW[i] * derate[i] * plantInService[i]
        }
        constantSumsStale = false
    }

    /// With lossless corridors: whether flows within the corridors' available limits can carry surplus
    /// to every region short of its own capacity (a max-flow from surpluses to deficits, by augmenting
    /// paths on the regions' graph). Exact, so the LP is only needed when it says no.
    func importsCoverDeficits() -> Bool {
        let a = arrays
        let R = demandNow.count
        var deficit = 0.0
        for r in 0..<R {
            let net = availableNow[r] - demandNow[r]
            flowSupply[r] = max(0, net)
            flowDemand[r] = max(0, -net)
            deficit += flowDemand[r]
        }
        let corridors = a.corridorFrom.count
        for k in 0..<corridors {
            flowResidualForward[k] = a.corridorLimitForwardMW[k] * corridorInService[k]
            flowResidualBackward[k] = a.corridorLimitBackwardMW[k] * corridorInService[k]
        }
        var delivered = 0.0
        // Augment from a deficit region back towards a surplus region (BFS over the corridors).
        while delivered < deficit * (1 - 1e-12) {
            var target = -1
            for r in 0..<R where flowDemand[r] > 1e-9 { target = r; break }
            if target < 0 { break }
            for r in 0..<R { flowParent[r] = -2 }
            flowParent[target] = -1
            var head = 0, tail = 0
            flowQueue[tail] = target; tail += 1
            var source = -1
            while head < tail && source < 0 {
                let u = flowQueue[head]; head += 1
                for k in 0..<corridors {
                    // Power can reach u from v over corridor k when the direction v → u has room.
                    let v: Int, room: Double
                    if a.corridorTo[k] == u { v = a.corridorFrom[k]; room = flowResidualForward[k] }
                    else if a.corridorFrom[k] == u { v = a.corridorTo[k]; room = flowResidualBackward[k] }
                    else { continue }
                    if room > 1e-9 && flowParent[v] == -2 {
                        flowParent[v] = k
                        flowQueue[tail] = v; tail += 1
                        if flowSupply[v] > 1e-9 { source = v; break }
                    }
                }
            }
            if source < 0 { return false }
            // Bottleneck along the path source → … → target.
            var amount = min(flowSupply[source], flowDemand[target])
            var v = source
            while v != target {
                let k = flowParent[v]
                let forward = a.corridorFrom[k] == v
                amount = min(amount, forward ? flowResidualForward[k] : flowResidualBackward[k])
                v = forward ? a.corridorTo[k] : a.corridorFrom[k]
            }
            v = source
            while v != target {
                let k = flowParent[v]
                let forward = a.corridorFrom[k] == v
                if forward { flowResidualForward[k] -= amount; flowResidualBackward[k] += amount }
                else { flowResidualBackward[k] -= amount; flowResidualForward[k] += amount }
                v = forward ? a.corridorTo[k] : a.corridorFrom[k]
            }
            flowSupply[source] -= amount
            flowDemand[target] -= amount
            delivered += amount
        }
        return true
    }

    func solveStep(_ t: Int) throws(SimulationError) {
        do { try solver.solve() } catch {
            let trial = currentTrial.map { "trial \($0), " } ?? ""
            throw SimulationError(step: t, reason: error.description,
                                  dispatchCase: DispatchCase(context: "scenario \(plan.scenario.name), \(trial)step \(t)",
                                                             structure: solver.structure, input: solver.input,
                                                             shedPositions: solver.shedPositions))
        }
    }

    // MARK: Policies

    @inline(__always)
    func storageDischargeLimit(_ k: Int, dt: Double) -> Double {
        let a = arrays
        let usable = max(0, storageSOC[k] - a.storageMinMWh[k])
        return min(a.storagePowerMW[k] * storageInService[k], usable * a.storageDischargeEfficiency[k] / dt)
    }

    /// Sets storage k's charge bound and its costs for step t (see `Storage` in the scenario reference); its
    /// discharge bound is set with the available capacity, at the start of the step.
    @inline(__always)
    func setStorage(_ k: Int, t: Int, dt: Double) {
        let a = arrays
        let power = a.storagePowerMW[k] * storageInService[k]
        let room = max(0, a.storageMaxMWh[k] - storageSOC[k])
        solver.input.storageChargeMaxMW[k] = min(power, room / (a.storageChargeEfficiency[k] * dt))
        let reliability = plan.reliabilityCostPerMWh
        let surplusValue = 0.01
        var dischargeCost = reliability
        var chargeCost = -surplusValue
        let q = reliabilityStorageOnly ? -1 : valueSlot[k]
        if q >= 0 {
            if power > 0 { setValuesStorage(k, slot: q, t: t, dt: dt) }
            return
        }
        let i = k * stepCount + t
        // An economic store short of the energy it holds back for foreseeable shortfalls refills like a
        // reliability store; above it, only the energy above it is offered to the economic schedule.
        let reserve = a.storageEconomic[k] ? plan.storageReserveMWh[i] : 0
        let short = reserve > a.storageMinMWh[k] && storageSOC[k] < reserve - 1e-6
        if !a.storageEconomic[k] || reliabilityStorageOnly || short {
            // Charge from any generation (PRAS convention), never from scarcity resources.
            chargeCost = -min(a.maxPlantCostPerMWh + 1, 0.5 * reliability)
        } else if power > 0 {
            if reserve > a.storageMinMWh[k] {
                let free = max(0, storageSOC[k] - reserve) * a.storageDischargeEfficiency[k] / dt
                if free < solver.input.storageDischargeMaxMW[k] {
                    solver.input.storageDischargeMaxMW[k] = free
                    storageHeldBack = true
                }
            }
            switch plan.storageSchedule[i] {
            case 1: dischargeCost = max(storedCostPerMWh[k] / a.storageDischargeEfficiency[k], 2 * surplusValue)  // the price must beat the stored energy's cost
            case 2: chargeCost = -plan.storageChargeValuePerMWh[i]
            default: break
            }
        }
        solver.input.storageDischargeCostPerMWh[k] = dischargeCost
        solver.input.storageChargeCostPerMWh[k] = chargeCost
    }

    /// A `values` store (see StorageValues.swift): it moves towards the level its table sets for this step, at
    /// the values of stored energy around it; what lies beyond the target is held back for shedding.
    @inline(__always)
    func setValuesStorage(_ k: Int, slot q: Int, t: Int, dt: Double) {
        let a = arrays
        let reliability = plan.reliabilityCostPerMWh
        let soc = storageSOC[k], floor = a.storageMinMWh[k]
        let offer = storageValues.offer(slot: q, t: t, aboveFloorMWh: soc - floor)
        let target = floor + offer.target
        // The next step's rows, where the store is headed (a step ahead is time enough to fetch them).
        storageValues.prefetch(slot: q, t: t + 1, level: offer.targetLevel)
        let ed = a.storageDischargeEfficiency[k], ec = a.storageChargeEfficiency[k]
        let down = target < soc - 1e-6 ? (soc - target) * ed / dt : 0
        if down < solver.input.storageDischargeMaxMW[k] {
            solver.input.storageDischargeMaxMW[k] = down
            storageHeldBack = true
        }
        // A cent under the value (a cent over it to charge): at a tie with a plant, the store follows its table.
        // Only one direction is ever open (the other's bound is 0), so the two cents never pay a cycle.
        solver.input.storageDischargeCostPerMWh[k] = min(reliability, max(offer.valueAbove / ed - 0.01, 0.005))
        let up = target > soc + 1e-6 ? (target - soc) / (ec * dt) : 0
        solver.input.storageChargeMaxMW[k] = min(solver.input.storageChargeMaxMW[k], up)
        // Charging never from scarcity resources: at most every plant's cost + 1.
        solver.input.storageChargeCostPerMWh[k] = -min(max(0, offer.valueBelow * ec + 0.01), a.maxPlantCostPerMWh + 1, 0.5 * reliability)
    }

    /// Shiftable programme d at the start of a step (NREL PRAS's DemandResponse semantics): its debt grows by
    /// the interest (debt above its energy limit is unserved now), its deadline counter moves, and its
    /// dispatch columns get their bounds and costs. Borrowing is offered only in scarcity, after storage and
    /// the strategic fuel reserve and before shedding, cheaper for a programme that already owes (more steps
    /// left: cheaper). Paying back a debt not yet due is valued just above every plant's cost (spare generation
    /// repays before a reliability store charges); in its deadline step above storage's scarcity offer (a store
    /// with energy repays it), below the strategic reserve and borrowing. See `SimulationPlan.shiftableCosts`
    /// and `shiftablePaybackValuePerMWh`.
    @inline(__always)
    func startShiftable(_ d: Int, storageCount: Int, dt: Double) {
        let a = arrays, k = storageCount + d
        var debt = shiftableDebtMWh[d] * a.shiftableInterestFactor[d]
        let over = debt - a.shiftableEnergyMWh[d]
        shiftableUnpaidMWh[d] = 0
        if over > 0 { shiftableUnpaidMWh[d] = over; debt = a.shiftableEnergyMWh[d] }
        if debt <= Self.negligibleDebtMWh { debt = 0 }
        shiftableDebtMWh[d] = debt
        let counter: Double = debt == 0 ? -1 : (shiftableCounter[d] < 0 ? Double(a.shiftablePaybackSteps[d] - 1) : shiftableCounter[d] - 1)
        shiftableCounter[d] = counter
        let up = shiftableInService[d]
        solver.input.storageDischargeMaxMW[k] = min(up * a.shiftableBorrowMW[d],
                                                    max(0, a.shiftableEnergyMWh[d] - debt) / (a.shiftableBorrowEfficiency[d] * dt))
        solver.input.storageChargeMaxMW[k] = min(up * a.shiftablePaybackMW[d], debt * a.shiftablePaybackEfficiency[d] / dt)
        solver.input.storageDischargeCostPerMWh[k] = plan.shiftableBorrowCostPerMWh(counter: counter)
        solver.input.storageChargeCostPerMWh[k] = -plan.shiftablePaybackValuePerMWh(counter: counter)
    }

    /// Shiftable programme d after the dispatch: the debt takes the step's borrow and payback; in the deadline
    /// step, or the run's last, what is still owed is written off as unserved.
    @inline(__always)
    func finishShiftable(_ d: Int, storageCount: Int, last: Bool, dt: Double) {
        let a = arrays, k = storageCount + d
        var debt = shiftableDebtMWh[d] + solver.result.storageDischargeMW[k] * a.shiftableBorrowEfficiency[d] * dt
        debt = max(0, debt - solver.result.storageChargeMW[k] * dt / a.shiftablePaybackEfficiency[d])
        if debt <= Self.negligibleDebtMWh { debt = 0 }
        if debt > 0 && (shiftableCounter[d] == 0 || last) {
            shiftableUnpaidMWh[d] += debt
            debt = 0
        }
        shiftableDebtMWh[d] = debt
    }

    /// Debt below this is rounding, not energy owed (MWh).
    static let negligibleDebtMWh = 1e-6

    /// True when reservoir plant i should run at its economic cost in step t: the day's energy budget is
    /// spread over the day's remaining steps of highest forecast net load in its region.
    func hydroScheduled(_ i: Int, t: Int, availableMW: Double, dt: Double) -> Bool {
        guard availableMW > 0 else { return false }
        let remaining = hydroDayBudget[i] - hydroUsedToday[i]
        guard remaining > 1e-9 else { return false }
        // Fewer later steps of higher net load than the ⌈remaining / (available · dt)⌉ steps the budget
        // needs, which for a whole number of steps is: fewer than remaining / (available · dt).
        return Double(plan.laterHigherToday[arrays.plantRegion[i] * stepCount + t]) < remaining / (availableMW * dt)
    }
}

/// State variables after their update: a value outside its bounds by rounding (at most 1e-9 of the
/// bound's scale, and at least 1e-9 absolute) is put back on the bound; anything more is a dispatch that
/// broke a limit, and an error rather than a silent clamp.
enum StateBounds {
    static let relativeTolerance = 1e-9

    @inline(__always) static func clamp(_ value: Double, _ lower: Double, _ upper: Double, scale: Double) -> Double? {
        let tolerance = relativeTolerance * max(1, abs(scale))
        guard value >= lower - tolerance, value <= upper + tolerance else { return nil }
        return min(max(value, lower), upper)
    }
}

/// Diagnostic settings read from the environment once.
enum Diagnostics {
    /// R70_MAX_PIVOTS: a pivot limit per dispatch LP solve, to exercise the failure path (tests).
    static let maxPivotsPerSolve: Int? = ProcessInfo.processInfo.environment["R70_MAX_PIVOTS"].flatMap { Int($0) }
}
