// A scenario compiled for the time loop: the dispatch structure, index maps, and the series that do
// not depend on the simulated state (demand after TOU response, availability, forecasts).
import GridModel
import GridDispatch

public struct ShedBlock: Sendable {
    public var region: Int
    public var demandClass: Int
    /// The local-matching tier of the block's MW (see `ShortfallTier`; always `.forOthers` when there is no
    /// sharing between regions: one region, or no corridors).
    public var tier: ShortfallTier
}

/// Where a region's shed MW lie against its own means in the step (local matching): the first MW it
/// would shed even with what its neighbours can spare, then those it would shed on its own resources,
/// then those it sheds only so that others shed less. Each tier costs a little more than the one before,
/// so no region sheds for others while a region short on its own can shed instead (within a class).
public enum ShortfallTier: Int, Sendable, CaseIterable {
    case shortWithNeighbours = 0, shortOnItsOwn = 1, forOthers = 2
}

public struct SimulationPlan: Sendable {
    public let scenario: Scenario
    public let structure: DispatchStructure
    public let shedBlocks: [ShedBlock]
    /// Whether shortfalls are shared between regions by local matching (more than one region, and corridors).
    public let localMatching: Bool
    /// Cost of each shed block (VOLL plus the sharing rule's small steps).
    public let shedCostPerMWh: [Double]
    /// Demand-response blocks: callable programs of every region, in region order.
    public let programRegion: [Int]
    public let programs: [CallableProgram]
    /// Demand after the TOU response, per region per step (MW), and the load it moved.
    public let demandMW: [[Double]]
    public let touShiftedMW: [[Double]]
    /// Available MW of each plant in each step, before forced outages (`availability × capacity`).
    public let plantAvailableMW: [StepSeries]
    /// Expected forced-outage derate of each plant (1 − FOR when deterministic runs derate).
    public let plantDerate: [Double]
    /// Forecast net load of each region per step (demand − variable renewables), for schedules.
    public let netLoadMW: [[Double]]
    /// Forecast marginal price of the national merit order per step.
    public let forecastPricePerMWh: [Double]
    public let minVOLL: Double
    public let reliabilityCostPerMWh: Double
    public let strategicReserveCostPerMWh: Double
    /// Shiftable programmes' offers (USD/MWh): borrowing between `shiftableBorrowCostRange`'s bounds, paying back
    /// valued between `shiftablePaybackValueRange`'s, placed by each debt's deadline counter (see `shiftableCosts`).
    public let shiftableBorrowCostRange: ClosedRange<Double>
    public let shiftablePaybackValueRange: ClosedRange<Double>
    /// Value of repaying a debt that is not yet due: just above every plant's cost (and a reliability store's charge value).
    public let shiftableEarlyPaybackValuePerMWh: Double
    /// The longest payback deadline of any shiftable programme, in steps (at least 1).
    public let shiftableMaxPaybackSteps: Int
    public let lookaheadSteps: Int
    /// The model's numbers as flat arrays for the per-step loop.
    public let arrays: PlanArrays
    /// The static parts of the storage and hydro schedules, which depend only on the forecast net load:
    /// per storage and step [k * steps + t], 0 = off schedule, 1 = a discharge step, 2 = a charge step
    /// (with the charge value in `storageChargeValuePerMWh`); per region and step [r * steps + t], how many
    /// later steps of the same day have a higher forecast net load.
    public let storageSchedule: FixedArray<UInt8>
    public let storageChargeValuePerMWh: FixedArray<Double>
    /// Per storage and step [k * steps + t], the energy an economic store holds back at the end of step t
    /// for the shortfalls the plan foresees in the look-ahead after it (MWh, absolute: its floor included;
    /// see `storageReserves`). Computed once per plan and used by every trial.
    public private(set) var storageReserveMWh: FixedArray<Double>
    public let laterHigherToday: FixedArray<Int32>
    /// The `values` stores' values of stored energy by level and step (`StorageValueTables`), computed once
    /// per plan on the expected year and used by every trial.
    public private(set) var storageValues: StorageValueTables = .empty
    /// Reservoirs with levels: inflows by hydrological class and the guide level paths (`ReservoirTables`).
    public let reservoirs: ReservoirTables
    let regionPeakMW: [Double]
    let nationalPeakMW: Double
    /// Net firm imports and regional planning margins (see `FirmImportAllocation`).
    public let firmImports: FirmImportAllocation
    /// `plantAvailableMW` of the variable plants (`arrays.variablePlants`) and `demandMW`, time-major
    /// ([t * variable plants + v], [t * regions + r]) for the loop; the other plants' entries are constant
    /// (`arrays.plantConstantAvailableMW`), which halves the memory the step loop streams through.
    public let availableByStep: FixedArray<Double>
    public let demandByStep: FixedArray<Double>

    /// Every corridor's flow costs at least this (USD/MWh, an assumption of the model, far below any cost
    /// that matters): with a hurdle of 0, power between plants of equal cost, or around a loop, could take
    /// any of many equally cheap paths, and the regional split would be the solver's choice. With it, supply
    /// of equal cost is used where it stands and nothing circulates, so the dispatch is unique.
    public static let minimumHurdleUSDPerMWh = 1e-4

    public init(scenario s: Scenario) {
        scenario = s
        let steps = s.stepCount
        let regionCount = s.regions.count
        // Dispatch structure.
        let corridors = s.corridors.map { c in
            DispatchCorridor(fromRegion: c.from, toRegion: c.to,
                             forwardSegments: c.segments.map { LossSegment(widthFraction: $0.widthFraction, lossFraction: $0.lossFraction) },
                             backwardSegments: c.segments.map { LossSegment(widthFraction: $0.widthFraction, lossFraction: $0.lossFraction) },
                             hurdleCostPerMWh: max(c.hurdleCostUSDPerMWh, Self.minimumHurdleUSDPerMWh))
        }
        var blocks: [ShedBlock] = []
        var shedCost: [Double] = []
        let classOrder = s.demandClasses.indices.sorted { s.demandClasses[$0].shedOrder < s.demandClasses[$1].shedOrder }
        localMatching = regionCount > 1 && !s.corridors.isEmpty
        let tiers: [ShortfallTier] = localMatching ? ShortfallTier.allCases : [.forOthers]
        // Classes sharing a shed_order are a rotation: one position (rank) and one cost, their demand-weighted VOLL,
        // so the dispatch is indifferent between them; the totals then share what they shed pro-rata.
        let positions = Array(Set(s.demandClasses.map(\.shedOrder))).sorted()
        let classes = s.demandClasses
        func positionVOLL(_ k: Int) -> Double {
            let members = classes.indices.filter { classes[$0].shedOrder == classes[k].shedOrder }
            guard members.count > 1 else { return classes[k].vollUSDPerMWh }
            let share = members.reduce(0.0) { $0 + classes[$1].share }
            return share > 0 ? members.reduce(0.0) { $0 + classes[$1].share * classes[$1].vollUSDPerMWh } / share : classes[k].vollUSDPerMWh
        }
        for r in 0..<regionCount {
            for k in classOrder {
                let rank = positions.firstIndex(of: classes[k].shedOrder)!
                let voll = positionVOLL(k)
                for tier in tiers {
                    blocks.append(ShedBlock(region: r, demandClass: k, tier: tier))
                    // The sharing rule (see README and ShortfallSharing): a premium of 10⁻⁵ × (3 × the class's rank +
                    // the tier) of VOLL. Class order comes first (VOLL never falls along it, and the last tier of a
                    // class costs less than the first of the next), then the tier; no premium depends on the region.
                    shedCost.append(voll * (1 + 1e-5 * Double(ShortfallTier.allCases.count * rank + tier.rawValue)))
                }
            }
        }
        shedBlocks = blocks
        shedCostPerMWh = shedCost
        var progRegion: [Int] = [], progs: [CallableProgram] = []
        for (r, region) in s.regions.enumerated() { for p in region.programs { progRegion.append(r); progs.append(p) } }
        programRegion = progRegion
        programs = progs
        // Shiftable programmes are the dispatch's storage columns after the stores' (see `PlanArrays`).
        let shiftableRegion = s.regions.indices.flatMap { r in s.regions[r].shiftable.map { _ in r } }
        var structure = DispatchStructure(regionCount: regionCount, plantRegion: s.plants.map(\.region),
                                          plantFuel: s.plants.map { $0.fuel ?? -1 }, plantFuelTonnesPerMWh: s.plants.map(\.fuelTonnesPerMWh),
                                          corridors: corridors, storageRegion: s.storage.map(\.region) + shiftableRegion, shedRegion: blocks.map(\.region),
                                          responseRegion: progRegion, fuelCount: s.fuels.count, stepHours: s.stepHours)
        // Without local matching each block is its class's share of the region's demand; with it, the
        // simulator sizes the blocks in each step (`ShortfallSharing.setWidths`).
        if !localMatching {
            structure.shedShareOfDemand = blocks.map { s.regions[$0.region].classShares[$0.demandClass] }
        }
        self.structure = structure
        // TOU response, day by day.
        var demand = s.regions.map(\.demandMW)
        var shifted = Array(repeating: [Double](repeating: 0, count: steps), count: regionCount)
        if let tou = s.tou, tou.elasticity != 0, tou.participatingFraction > 0 {
            let perDay = s.calendar.stepsPerDay
            var day = 0
            while day * perDay < steps {
                let range = (day * perDay)..<min(steps, (day + 1) * perDay)
                for r in 0..<regionCount {
                    SimulationPlan.applyTOU(demand: &demand[r], shifted: &shifted[r], range: range, tou: tou)
                }
                day += 1
            }
        }
        demandMW = demand
        touShiftedMW = shifted
        // Availability and derates.
        plantAvailableMW = s.plants.map { $0.availability.scaled(by: $0.capacityMW) }
        plantDerate = s.plants.map { s.dispatch.derateForcedOutages ? 1 - $0.forcedOutageRate : 1 }
        // Forecast net load per region.
        var net = demand
        for (i, p) in s.plants.enumerated() where p.technology.isVariableRenewable {
            for t in 0..<steps { net[p.region][t] -= plantAvailableMW[i][t] * plantDerate[i] }
        }
        netLoadMW = net
        // Forecast price: national merit order of dispatchable plants at the national net load.
        let dispatchable = s.plants.indices.filter { !s.plants[$0].technology.isVariableRenewable }
            .sorted { (s.plants[$0].marginalCostUSDPerMWh, $0) < (s.plants[$1].marginalCostUSDPerMWh, $1) }
        var price = [Double](repeating: 0, count: steps)
        for t in 0..<steps {
            var load = 0.0
            for r in 0..<regionCount { load += net[r][t] }
            var cumulative = 0.0
            var p = 0.0
            for i in dispatchable {
                if load <= cumulative { break }
                cumulative += plantAvailableMW[i][t] * plantDerate[i]
                p = s.plants[i].marginalCostUSDPerMWh
            }
            price[t] = p
        }
        forecastPricePerMWh = price
        let minV = s.demandClasses.map(\.vollUSDPerMWh).min() ?? 1000
        minVOLL = minV
        reliabilityCostPerMWh = s.dispatch.storageReliabilityFractionOfVOLL * minV
        strategicReserveCostPerMWh = s.dispatch.strategicReserveFractionOfVOLL * minV
        lookaheadSteps = max(1, s.dispatch.lookaheadHours * 60 / s.calendar.stepMinutes)
        arrays = PlanArrays(scenario: s, shedBlocks: blocks)
        let costs = SimulationPlan.shiftableCosts(minVOLL: minV, reliabilityCost: reliabilityCostPerMWh,
                                                  strategicCost: strategicReserveCostPerMWh, maxPlantCost: arrays.maxPlantCostPerMWh)
        shiftableBorrowCostRange = costs.borrow
        shiftablePaybackValueRange = costs.payback
        shiftableEarlyPaybackValuePerMWh = min(arrays.maxPlantCostPerMWh + 2, 0.75 * reliabilityCostPerMWh)
        shiftableMaxPaybackSteps = max(1, s.regions.flatMap(\.shiftable).map(\.paybackSteps).max() ?? 1)
        var peakLoad = -Double.infinity
        for t in 0..<steps {
            var sum = 0.0
            for r in s.regions { sum += r.demandMW[t] }
            peakLoad = max(peakLoad, sum)
        }
        nationalPeakMW = max(0, peakLoad)
        regionPeakMW = s.regions.map { $0.demandMW.max() ?? 0 }
        firmImports = FirmImportAllocation(firmMW: SimulationPlan.firmCapacityMW(s), peakMW: regionPeakMW, corridors: s.corridors)
        let (schedule, chargeValue) = SimulationPlan.storageSchedules(
            scenario: s, netLoad: net, price: price, lookahead: lookaheadSteps, reliabilityCost: reliabilityCostPerMWh)
        storageSchedule = FixedArray(schedule)
        storageChargeValuePerMWh = FixedArray(chargeValue)
        storageReserveMWh = FixedArray(s.storage.flatMap { st in [Double](repeating: st.minSOCFraction * st.energyMWh, count: steps) })
        var later = [Int32](repeating: 0, count: regionCount * steps)
        for r in 0..<regionCount {
            for t in 0..<steps {
                var higher: Int32 = 0
                var u = t + 1
                while u < steps && s.calendar.day[u] == s.calendar.day[t] {
                    if net[r][u] > net[r][t] { higher += 1 }
                    u += 1
                }
                later[r * steps + t] = higher
            }
        }
        laterHigherToday = FixedArray(later)
        reservoirs = ReservoirTables(scenario: s, netLoadMW: net, plantAvailableMW: plantAvailableMW, plantDerate: plantDerate,
                                     minOutputByMonthMW: arrays.plantMinOutputByMonthMW)
        let variable = arrays.variablePlants
        var flat = [Double](repeating: 0, count: steps * variable.count)
        for (v, i) in variable.enumerated() { for t in 0..<steps { flat[t * variable.count + v] = plantAvailableMW[i][t] } }
        availableByStep = FixedArray(flat.isEmpty ? [0] : flat)   // (one entry at least: the step loop reads entry 0 for constant plants)
        var flatDemand = [Double](repeating: 0, count: steps * regionCount)
        for r in 0..<regionCount { for t in 0..<steps { flatDemand[t * regionCount + r] = demand[r][t] } }
        demandByStep = FixedArray(flatDemand)
        if s.storage.contains(where: { $0.policy == .economic && $0.powerMW > 0 && $0.energyMWh > 0 }) {
            storageReserveMWh = SimulationPlan.storageReserves(self)
        }
        storageValues = StorageValueTables.compute(self)
    }

    /// The energy each economic store holds back for foreseeable shortfalls. The expected year is simulated
    /// once with every store discharging only to avoid shedding (the `reliability` policy); a store's need in
    /// a step is what it discharged then plus its share (by power) of what its region still shed, up to its
    /// power. At the end of step t it holds back the energy its needs in the next `lookaheadSteps` steps
    /// take (at its discharge efficiency), up to its usable energy, above its floor. (Without a plan pass
    /// that sees shortfalls, an arbitrage policy spends at 17:00 what 18:00's shortfall needed.)
    static func storageReserves(_ plan: SimulationPlan) -> FixedArray<Double> {
        let s = plan.scenario
        let n = s.stepCount, S = s.storage.count, dt = s.stepHours, R = s.regions.count
        var regionPowerMW = [Double](repeating: 0, count: R)
        for st in s.storage { regionPowerMW[st.region] += st.powerMW }
        var need = [Double](repeating: 0, count: S * n)
        var regionShed = [Double](repeating: 0, count: R)
        let sim = Simulator(plan: plan)
        sim.reliabilityStorageOnly = true
        let shedRegion = sim.solver.structure.shedRegion
        sim.solvedObserver = { t, _, result in
            for r in 0..<R { regionShed[r] = 0 }
            if result.shedTotalMW > 0 { for b in shedRegion.indices { regionShed[shedRegion[b]] += result.shedMW[b] } }
            for (k, st) in s.storage.enumerated() where st.powerMW > 0 {
                let share = regionShed[st.region] * st.powerMW / regionPowerMW[st.region]
                need[k * n + t] = min(st.powerMW, result.storageDischargeMW[k] + share)
            }
        }
        var reserve = [Double](repeating: 0, count: S * n)
        let ran = (try? sim.run()) != nil
        for (k, st) in s.storage.enumerated() {
            let floor = st.minSOCFraction * st.energyMWh, usable = (st.maxSOCFraction - st.minSOCFraction) * st.energyMWh
            // Sliding sum over (t, t + L] of the energy the needs take from the store.
            var window = 0.0
            let L = plan.lookaheadSteps
            for t in stride(from: n - 1, through: 0, by: -1) {
                if t + 1 < n { window += need[k * n + t + 1] * dt / st.dischargeEfficiency }
                if t + 1 + L < n { window -= need[k * n + t + 1 + L] * dt / st.dischargeEfficiency }
                reserve[k * n + t] = floor + (ran && st.policy == .economic ? min(usable, max(0, window)) : 0)
            }
        }
        return FixedArray(reserve)
    }

    /// The economic storage policy's schedule (see `Storage` in the scenario reference), at full power.
    /// Within the look-ahead window, a store's discharge steps are the `topCount` highest net-load steps
    /// and its charge steps the `bottomCount` lowest (ties to the earlier step; the sets never overlap);
    /// it charges only when η × the window's lowest forecast price among its discharge steps beats the
    /// forecast price now, valued at that (capped at half the reliability cost).
    static func storageSchedules(scenario s: Scenario, netLoad: [[Double]], price: [Double], lookahead: Int,
                                 reliabilityCost: Double) -> ([UInt8], [Double]) {
        let steps = s.stepCount, dt = s.stepHours
        var schedule = [UInt8](repeating: 0, count: s.storage.count * steps)
        var value = [Double](repeating: 0, count: s.storage.count * steps)
        for (k, sto) in s.storage.enumerated() where sto.policy == .economic && sto.powerMW > 0 {
            let net = netLoad[sto.region]
            let usable = (sto.maxSOCFraction - sto.minSOCFraction) * sto.energyMWh
            let hoursToEmpty = Int(min(1e9, (usable * sto.dischargeEfficiency / (sto.powerMW * dt)).rounded(.up)))
            let hoursToFill = Int(min(1e9, (usable / (sto.chargeEfficiency * sto.powerMW * dt)).rounded(.up)))
            for t in 0..<steps {
                let n = min(steps, t + lookahead) - t
                let topCount = min(hoursToEmpty, (n + 1) / 2)
                let bottomCount = min(hoursToFill, n - topCount)
                let now = net[t]
                var higher = 0, lower = 0
                for i in 1..<max(n, 1) {
                    if net[t + i] > now { higher += 1 } else if net[t + i] < now { lower += 1 }
                }
                if higher < topCount {
                    schedule[k * steps + t] = 1
                } else if lower < bottomCount && topCount > 0 {
                    let threshold = net[t..<(t + n)].sorted()[n - topCount]
                    var priceDischarge = Double.infinity
                    for i in 0..<n where net[t + i] >= threshold { priceDischarge = min(priceDischarge, price[t + i]) }
                    let v = sto.roundTripEfficiency * priceDischarge
                    if v > price[t] {
                        schedule[k * steps + t] = 2
                        value[k * steps + t] = min(v, 0.5 * reliabilityCost)
                    }
                }
            }
        }
        return (schedule, value)
    }

    /// Shifts one day of one region's demand by the TOU response (see the TOU schema text).
    static func applyTOU(demand d: inout [Double], shifted: inout [Double], range: Range<Int>, tou: TOUResponse) {
        var reduction = 0.0
        var cheapWeight = 0.0, normalWeight = 0.0
        for t in range {
            let rho = tou.priceRatio[t]
            if rho > 1 {
                let cut = min(tou.participatingFraction * d[t], tou.participatingFraction * d[t] * -tou.elasticity * (rho - 1))
                reduction += cut
                d[t] -= cut
                shifted[t] -= cut
            } else if rho < 1 {
                cheapWeight += tou.participatingFraction * d[t] * (1 - rho)
            } else {
                normalWeight += d[t]
            }
        }
        let moved = reduction * (1 - tou.savingFraction)
        guard moved > 0 else { return }
        for t in range {
            let rho = tou.priceRatio[t]
            let add: Double
            if cheapWeight > 0 {
                add = rho < 1 ? moved * tou.participatingFraction * d[t] * (1 - rho) / cheapWeight : 0
            } else if normalWeight > 0 {
                add = rho == 1 ? moved * d[t] / normalWeight : 0
            } else { add = 0 }
            d[t] += add
            shifted[t] += add
        }
    }

    /// The merit order of shiftable demand (NREL PRAS's, in r70's costs): paying a debt back is worth more than
    /// every plant's cost and storage's scarcity offer (so any generation, and storage, repays debt before a
    /// store charges), less than the strategic fuel reserve (not burnt to repay) and than borrowing (no
    /// programme borrows to repay another); borrowing costs more than the strategic reserve and less than the
    /// lowest VOLL (shifting load comes last before shedding it).
    static func shiftableCosts(minVOLL v: Double, reliabilityCost: Double, strategicCost: Double, maxPlantCost: Double)
        -> (borrow: ClosedRange<Double>, payback: ClosedRange<Double>) {
        let base = min(max(reliabilityCost, maxPlantCost), v)
        // Due debt is repaid from storage's scarcity offer only when the strategic reserve is offered above it: the
        // reserve is never burnt to repay. Otherwise due debt is valued as debt not yet due (just above every plant).
        let early = min(maxPlantCost + 2, 0.75 * reliabilityCost)
        let payback = strategicCost > base ? (base + 0.25 * (strategicCost - base))...(base + 0.75 * (strategicCost - base)) : (early + 1)...(early + 2)
        // A MWh from the reserve costs its premium plus its plant's cost: borrowing comes after both, before shedding.
        let scarcity = min(max(payback.upperBound, strategicCost + maxPlantCost, reliabilityCost), v - 1e-3 * v)
        let borrow = (scarcity + 0.2 * (v - scarcity))...(scarcity + 0.6 * (v - scarcity))
        return (borrow, payback)
    }

    /// Cost of borrowing from a programme whose deadline counter is `counter` (−1: no debt, the dearest; more
    /// steps left: cheaper, as PRAS orders them).
    @inline(__always) public func shiftableBorrowCostPerMWh(counter: Double) -> Double {
        let r = shiftableBorrowCostRange
        return r.upperBound - (r.upperBound - r.lowerBound) * (counter + 1) / Double(shiftableMaxPaybackSteps)
    }

    /// Value of paying back a MWh of a debt whose deadline counter is `counter`. Due in this step (0): above
    /// storage's scarcity offer (a store with energy repays it, as in PRAS). Not yet due: just above every
    /// plant's cost (spare generation repays before a reliability store charges), below storage's scarcity
    /// offer and any callable programme dearer than every plant (debt is not repaid early by dear means), more
    /// for a debt nearer its deadline.
    @inline(__always) public func shiftablePaybackValuePerMWh(counter: Double) -> Double {
        if counter <= 0 { return shiftablePaybackValueRange.upperBound }
        return shiftableEarlyPaybackValuePerMWh + (Double(shiftableMaxPaybackSteps) - counter) / Double(shiftableMaxPaybackSteps)
    }

    /// True when nothing carries over from one step to the next (no storage, fuel stocks, reservoir
    /// energy, demand-response limits, shiftable demand's debt or mandatory savings): a step's shortfall then depends only on that
    /// step's availability and demand.
    public var isStateless: Bool {
        let s = scenario
        return s.storage.isEmpty && s.fuels.isEmpty && !s.plants.contains { $0.hydroMonthlyEnergyMWh != nil }
            && !s.regions.contains { !$0.programs.isEmpty || $0.mandatorySavings != nil || !$0.shiftable.isEmpty }
    }

    // MARK: Static adequacy figures

    /// Firm capacity of each region: capacity × capacity credit of plants; for storage, the credit of the
    /// power its energy sustains over the peak (`Storage.firmCapacityMW`).
    public var firmCapacityMW: [Double] { SimulationPlan.firmCapacityMW(scenario) }

    static func firmCapacityMW(_ scenario: Scenario) -> [Double] {
        var firm = [Double](repeating: 0, count: scenario.regions.count)
        for p in scenario.plants { firm[p.region] += p.capacityMW * p.capacityCredit }
        for st in scenario.storage { firm[st.region] += st.firmCapacityMW }
        return firm
    }

    /// Peak of each region's demand (before TOU response) and of the national coincident demand.
    public var peakDemandMW: (regions: [Double], national: Double) { (regionPeakMW, nationalPeakMW) }

    /// Planning reserve margins: (firm capacity − peak) / peak, nationally (no imports) and per region
    /// with net firm imports allocated once (`FirmImportAllocation`: each MW of firm capacity counted in one
    /// region only). Computed once per plan.
    public var planningReserveMargin: (regions: [Double], national: Double, firmImportsMW: [Double]) {
        let firm = firmCapacityMW
        let national = nationalPeakMW
        let nat = national > 0 ? (firm.reduce(0, +) - national) / national : .infinity
        return (firmImports.margins, nat, firmImports.netImportsMW)
    }
}
