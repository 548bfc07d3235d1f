// The time loop: state → demand response → one dispatch step → storage, hydro and fuel updates →
// recorders. All working arrays are allocated once in `init`; `run()`'s per-step loop allocates nothing.
import GridModel
@_exported import GridDispatch

public struct SimulationError: Error, CustomStringConvertible {
    public var step: Int
    public var reason: String
    public var description: String { "dispatch failed at step \(step): \(reason)" }
}

public final class Simulator {
    public let plan: SimulationPlan
    let solver: DispatchSolver
    public let recordHourly: Bool

    // State.
    var storageSOC: [Double]
    /// Average cost of the energy in each store, per MWh stored (charging price / charge efficiency).
    var storedCostPerMWh: [Double]
    var fuelStock: [Double]
    var hydroMonthRemaining: [Double]
    var hydroDayBudget: [Double]
    var hydroUsedToday: [Double]
    var programHoursToday: [Double]
    var mandatoryHoursUsed: [Double]
    /// Fraction of each plant's capacity not on forced outage (1 in deterministic runs; the Monte Carlo drives it).
    public var plantInService: [Double]
    /// Fraction of each corridor's circuits in service.
    public var corridorInService: [Double]
    /// Fraction of each storage plant in service.
    public var storageInService: [Double]
    // Scratch.
    var scratch: [Double]
    var demandNow: [Double]
    var mandatoryNow: [Double]
    var plantMaxNow: [Double]
    var isHydro: [Bool]
    var hydroIndex: [Int]

    /// Called with each step's dispatch input before it is solved (for benchmarks and diagnostics).
    public var dispatchObserver: ((Int, DispatchInput) -> Void)?

    public private(set) var totals: RunTotals
    public private(set) var hourly: HourlySeries?

    public init(plan: SimulationPlan, recordHourly: Bool = false) {
        self.plan = plan
        self.recordHourly = recordHourly
        let s = plan.scenario
        solver = DispatchSolver(structure: plan.structure)
        storageSOC = s.storage.map { $0.initialSOCFraction * $0.energyMWh }
        storedCostPerMWh = [Double](repeating: 0, count: s.storage.count)
        fuelStock = s.fuels.map(\.initialStockT)
        hydroMonthRemaining = [Double](repeating: 0, count: s.plants.count)
        hydroDayBudget = [Double](repeating: 0, count: s.plants.count)
        hydroUsedToday = [Double](repeating: 0, count: s.plants.count)
        programHoursToday = [Double](repeating: 0, count: plan.programs.count)
        mandatoryHoursUsed = [Double](repeating: 0, count: s.regions.count)
        plantInService = [Double](repeating: 1, count: s.plants.count)
        corridorInService = [Double](repeating: 1, count: s.corridors.count)
        storageInService = [Double](repeating: 1, count: s.storage.count)
        scratch = [Double](repeating: 0, count: plan.lookaheadSteps + plan.scenario.calendar.stepsPerDay + 1)
        demandNow = [Double](repeating: 0, count: s.regions.count)
        mandatoryNow = [Double](repeating: 0, count: s.regions.count)
        plantMaxNow = [Double](repeating: 0, count: s.plants.count)
        isHydro = s.plants.map { $0.hydroMonthlyEnergyMWh != nil }
        hydroIndex = s.plants.indices.filter { s.plants[$0].hydroMonthlyEnergyMWh != nil }
        totals = RunTotals(scenario: s)
        hourly = recordHourly ? HourlySeries(scenario: s) : nil
    }

    /// Resets the state to the start of the horizon (for a new trial).
    public func reset() {
        let s = plan.scenario
        for k in s.storage.indices {
            storageSOC[k] = s.storage[k].initialSOCFraction * s.storage[k].energyMWh
            storedCostPerMWh[k] = 0
        }
        for f in s.fuels.indices { fuelStock[f] = s.fuels[f].initialStockT }
        for i in programHoursToday.indices { programHoursToday[i] = 0 }
        for r in mandatoryHoursUsed.indices { mandatoryHoursUsed[r] = 0 }
        totals.clear(initialStocks: fuelStock)
        if recordHourly { hourly = HourlySeries(scenario: s) }
        solver.resetWarmStart()
    }

    /// Runs every step of the horizon (or the first `maxSteps`).
    public func run(maxSteps: Int? = nil) throws(SimulationError) {
        let s = plan.scenario
        let steps = min(s.stepCount, maxSteps ?? s.stepCount)
        let dt = s.stepHours
        let cal = s.calendar
        for t in 0..<steps {
            if t == 0 || cal.day[t] != cal.day[t - 1] { startDay(t) }
            try step(t, dt: dt)
        }
        totals.stepsRun = steps
    }

    // MARK: Day and month boundaries

    func startDay(_ t: Int) {
        let s = plan.scenario
        let cal = s.calendar
        for i in programHoursToday.indices { programHoursToday[i] = 0 }
        let date = cal.date(ofDay: Int(cal.day[t]))
        let daysInMonth = CivilDate.daysIn(month: date.month, year: date.year)
        let lastDayOfHorizon = cal.dayCount - 1
        // Days of this month still inside the horizon, today included.
        let remainingDays = min(daysInMonth - date.day + 1, lastDayOfHorizon - Int(cal.day[t]) + 1)
        for i in hydroIndex {
            let monthly = s.plants[i].hydroMonthlyEnergyMWh![date.month - 1]
            if t == 0 || date.day == 1 {
                // A new month's reservoir energy; a horizon starting mid-month gets the remaining share.
                hydroMonthRemaining[i] = monthly * Double(daysInMonth - date.day + 1) / Double(daysInMonth)
            }
            hydroDayBudget[i] = max(0, hydroMonthRemaining[i]) / Double(max(1, remainingDays))
            hydroUsedToday[i] = 0
        }
    }

    // MARK: One step

    @inline(__always)
    func step(_ t: Int, dt: Double) throws(SimulationError) {
        let s = plan.scenario
        let st = plan.structure
        let regionCount = s.regions.count
                // Fuel deliveries arrive at the start of the step; what does not fit is lost.
        for f in 0..<s.fuels.count {
            let arriving = s.fuels[f].arrivalsT[t]
            if arriving > 0 {
                fuelStock[f] += arriving
                let over = fuelStock[f] - s.fuels[f].storageCapacityT
                if over > 0 { fuelStock[f] -= over; totals.fuelOverflowT[f] += over }
            }
        }
        // Plants.
        for i in 0..<s.plants.count {
            let p = s.plants[i]
            var hi = plan.plantAvailableMW[i][t] * plan.plantDerate[i] * plantInService[i]
            var cost = p.marginalCostUSDPerMWh
            if isHydro[i] {
                hi = min(hi, max(0, hydroMonthRemaining[i]) / dt)
                let scheduled = hydroScheduled(i, t: t, availableMW: hi, dt: dt)
                cost = scheduled ? p.marginalCostUSDPerMWh : max(p.marginalCostUSDPerMWh, plan.reliabilityCostPerMWh)
            }
            plantMaxNow[i] = hi
            solver.input.plantMaxMW[i] = hi
            solver.input.plantMinMW[i] = min(p.minOutputMW * plantInService[i], hi)
            solver.input.plantCostPerMWh[i] = cost
        }
        // Fuel rows must be feasible at minimum output: lift the minimums of plants whose fuel is short.
        for f in 0..<s.fuels.count {
            let reserve = s.fuels[f].strategicReserveT
            let stock = max(0, fuelStock[f])
            solver.input.fuelAvailableTonnes[f] = max(0, stock - reserve)
            solver.input.fuelReserveTonnes[f] = min(stock, reserve)
            solver.input.fuelReserveCostPerTonne[f] = 0
        }
        for f in 0..<s.fuels.count {
            var minimumBurn = 0.0
            var cheapest = Double.infinity
            for i in 0..<s.plants.count where st.plantFuel[i] == f {
                minimumBurn += solver.input.plantMinMW[i] * st.plantFuelTonnesPerMWh[i] * dt
                cheapest = min(cheapest, st.plantFuelTonnesPerMWh[i])
            }
            if minimumBurn > solver.input.fuelAvailableTonnes[f] + solver.input.fuelReserveTonnes[f] {
                for i in 0..<s.plants.count where st.plantFuel[i] == f { solver.input.plantMinMW[i] = 0 }
            }
            // The strategic reserve's premium per tonne makes a MWh from it cost the reserve price.
            if cheapest.isFinite && cheapest > 0 {
                solver.input.fuelReserveCostPerTonne[f] = plan.strategicReserveCostPerMWh / cheapest
            }
        }
        // Corridors.
        for k in 0..<s.corridors.count {
            solver.input.corridorForwardMW[k] = s.corridors[k].limitForwardMW * corridorInService[k]
            solver.input.corridorBackwardMW[k] = s.corridors[k].limitBackwardMW * corridorInService[k]
        }
        // Demand, mandatory savings (switched on by a low operating reserve), operating reserve margin.
        var nationalDemand = 0.0, nationalAvailable = 0.0
        for r in 0..<regionCount {
            demandNow[r] = plan.demandMW[r][t]
            mandatoryNow[r] = 0
        }
        for r in 0..<regionCount {
            var available = 0.0
            for i in 0..<s.plants.count where s.plants[i].region == r { available += plantMaxNow[i] }
            for k in 0..<s.storage.count where s.storage[k].region == r { available += storageDischargeLimit(k, dt: dt) }
            var imports = 0.0
            for k in 0..<s.corridors.count {
                let c = s.corridors[k], keep = 1 - c.lossFractionAtRated
                if c.to == r { imports += solver.input.corridorForwardMW[k] * keep }
                if c.from == r { imports += solver.input.corridorBackwardMW[k] * keep }
            }
            let reserve = available + imports - demandNow[r]
            if demandNow[r] > 0 { totals.minOperatingReserveMargin[r] = min(totals.minOperatingReserveMargin[r], reserve / demandNow[r]) }
            nationalDemand += demandNow[r]
            nationalAvailable += available
            if let m = s.regions[r].mandatorySavings, reserve < m.triggerReserveMW, mandatoryHoursUsed[r] + dt <= m.maxHoursPerYear + 1e-9 {
                let saving = min(m.capacityMW, demandNow[r])
                mandatoryNow[r] = saving
                demandNow[r] -= saving
                mandatoryHoursUsed[r] += dt
            }
        }
        if nationalDemand > 0 {
            totals.minNationalOperatingReserveMargin = min(totals.minNationalOperatingReserveMargin, (nationalAvailable - nationalDemand) / nationalDemand)
        }
        for r in 0..<regionCount {
            solver.input.demandMW[r] = demandNow[r]
            solver.input.excessCostPerMWh[r] = s.dispatch.excessPenaltyUSDPerMWh
        }
        let sharing = Double(s.dispatch.shortfallSharingSteps)
        for b in 0..<plan.shedBlocks.count {
            let blk = plan.shedBlocks[b]
            solver.input.shedMaxMW[b] = demandNow[blk.region] * s.regions[blk.region].classShares[blk.demandClass] / sharing
            solver.input.shedCostPerMWh[b] = plan.shedCostPerMWh[b]
        }
        for d in 0..<plan.programs.count {
            let p = plan.programs[d]
            solver.input.responseMaxMW[d] = programHoursToday[d] + dt <= p.maxHoursPerDay + 1e-9 ? p.capacityMW : 0
            solver.input.responseCostPerMWh[d] = p.costUSDPerMWh
        }
        // Storage: bounds from the state of charge, costs from the policy.
        for k in 0..<s.storage.count { setStorage(k, t: t, dt: dt) }

        dispatchObserver?(t, solver.input)
        do { try solver.solve() } catch { throw SimulationError(step: t, reason: error.description) }

        // State updates.
        let res = solver.result
        for k in 0..<s.storage.count {
            let sto = s.storage[k]
            let added = res.storageChargeMW[k] * sto.chargeEfficiency * dt
            let kept = max(0, storageSOC[k] - res.storageDischargeMW[k] / sto.dischargeEfficiency * dt)
            if added > 0 {
                let price = max(0, res.priceAtRegionPerMWh[sto.region])
                storedCostPerMWh[k] = (storedCostPerMWh[k] * kept + price / sto.chargeEfficiency * added) / (kept + added)
            }
            storageSOC[k] += (res.storageChargeMW[k] * sto.chargeEfficiency - res.storageDischargeMW[k] / sto.dischargeEfficiency) * dt
            storageSOC[k] = min(max(storageSOC[k], sto.minSOCFraction * sto.energyMWh), sto.maxSOCFraction * sto.energyMWh)
        }
        for f in 0..<s.fuels.count {
            fuelStock[f] = max(0, fuelStock[f] - res.fuelBurnTonnes[f])
        }
        for i in hydroIndex {
            let used = res.plantMW[i] * dt
            hydroMonthRemaining[i] -= used
            hydroUsedToday[i] += used
        }
        for d in 0..<plan.programs.count where res.responseMW[d] > 1e-6 { programHoursToday[d] += dt }
        totals.record(t: t, dt: dt, plan: plan, solver: solver, demandMW: demandNow, mandatoryMW: mandatoryNow,
                      plantMaxMW: plantMaxNow, fuelStock: fuelStock, storageSOC: storageSOC)
        hourly?.record(t: t, plan: plan, result: res, demandMW: demandNow, mandatoryMW: mandatoryNow, plantMaxMW: plantMaxNow,
                       fuelStock: fuelStock, storageSOC: storageSOC)
    }

    // MARK: Policies

    @inline(__always)
    func storageDischargeLimit(_ k: Int, dt: Double) -> Double {
        let sto = plan.scenario.storage[k]
        let usable = max(0, storageSOC[k] - sto.minSOCFraction * sto.energyMWh)
        return min(sto.powerMW * storageInService[k], usable * sto.dischargeEfficiency / dt)
    }

    /// Sets storage k's bounds and costs for step t (see `Storage` in the scenario reference).
    func setStorage(_ k: Int, t: Int, dt: Double) {
        let s = plan.scenario
        let sto = s.storage[k]
        let power = sto.powerMW * storageInService[k]
        let dischargeMax = storageDischargeLimit(k, dt: dt)
        let room = max(0, sto.maxSOCFraction * sto.energyMWh - storageSOC[k])
        let chargeMax = min(power, room / (sto.chargeEfficiency * dt))
        solver.input.storageDischargeMaxMW[k] = dischargeMax
        solver.input.storageChargeMaxMW[k] = chargeMax
        let reliability = plan.reliabilityCostPerMWh
        let surplusValue = 0.01
        var dischargeCost = reliability
        var chargeCost = -surplusValue
        let eta = sto.roundTripEfficiency
        switch sto.policy {
        case .reliability:
            // Charge from any generation (PRAS convention), never from scarcity resources.
            var maxCost = 0.0
            for p in s.plants { maxCost = max(maxCost, p.marginalCostUSDPerMWh) }
            chargeCost = -min(maxCost + 1, 0.5 * reliability)
        case .economic:
            guard power > 0 else { break }
            let end = min(s.stepCount, t + plan.lookaheadSteps)
            let n = end - t
            let net = plan.netLoadMW[sto.region]
            // Steps to empty a full store and to fill an empty one at full power (its durations): the
            // window's that many highest and lowest net-load steps are its discharge and charge steps;
            // the two sets never overlap, and ties go to the earlier step.
            let usable = (sto.maxSOCFraction - sto.minSOCFraction) * sto.energyMWh
            let hoursToEmpty = Int(min(1e9, (usable * sto.dischargeEfficiency / (power * dt)).rounded(.up)))
            let hoursToFill = Int(min(1e9, (usable / (sto.chargeEfficiency * power * dt)).rounded(.up)))
            let topCount = min(hoursToEmpty, (n + 1) / 2)
            let bottomCount = min(hoursToFill, n - topCount)
            let now = net[t]
            var higher = 0, lower = 0
            for i in 1..<max(n, 1) {
                let v = net[t + i]
                if v > now { higher += 1 } else if v < now { lower += 1 }
            }
            if higher < topCount {
                // Discharge when the price beats what the stored energy cost.
                dischargeCost = max(storedCostPerMWh[k] / sto.dischargeEfficiency, 2 * surplusValue)
            } else if lower < bottomCount && topCount > 0 {
                // Charge when the window's discharge steps pay for the losses: value = η × their lowest
                // forecast price. Sort the window (insertion sort in scratch: no allocation).
                scratch.withUnsafeMutableBufferPointer { buf in
                    for i in 0..<n {
                        let v = net[t + i]
                        var j = i
                        while j > 0 && buf[j - 1] > v { buf[j] = buf[j - 1]; j -= 1 }
                        buf[j] = v
                    }
                }
                let threshold = scratch[n - topCount]
                var priceDischarge = Double.infinity
                for i in 0..<n where net[t + i] >= threshold { priceDischarge = min(priceDischarge, plan.forecastPricePerMWh[t + i]) }
                let value = eta * priceDischarge
                if value > plan.forecastPricePerMWh[t] {
                    chargeCost = -min(value, 0.5 * reliability)
                }
            }
        }
        solver.input.storageDischargeCostPerMWh[k] = dischargeCost
        solver.input.storageChargeCostPerMWh[k] = chargeCost
    }

    /// True when reservoir plant i should run at its economic cost in step t: the day's energy budget is
    /// spread over the day's remaining steps of highest forecast net load in its region.
    func hydroScheduled(_ i: Int, t: Int, availableMW: Double, dt: Double) -> Bool {
        guard availableMW > 0 else { return false }
        let s = plan.scenario
        let cal = s.calendar
        let remaining = hydroDayBudget[i] - hydroUsedToday[i]
        guard remaining > 1e-9 else { return false }
        let stepsNeeded = Int(min(1e9, (remaining / (availableMW * dt)).rounded(.up)))
        let net = plan.netLoadMW[s.plants[i].region]
        let day = cal.day[t]
        var higher = 0
        var u = t + 1
        while u < s.stepCount && cal.day[u] == day {
            if net[u] > net[t] { higher += 1 }
            u += 1
        }
        return higher < stepsNeeded
    }
}
