// The totals a run updates in every step, kept in raw memory while the run goes on: element writes
// neither check uniqueness nor bounds, as writes into the arrays of `RunTotals` (a struct stored in
// the simulator) would. `RunTotals` gets them at the end of the run (`copy(into:)`).
import GridModel
import GridDispatch
import CPrefetch

final class LiveTotals {
    private let pool = DoublesPool()
    let demandMWh, unservedMWh, shortfallHours, shedByClassMWh, responseCostUSD, mandatoryCostUSD: Doubles
    let unservedCostUSD, distributionLossMWh, importsReceivedMWh, exportsSentMWh, priceTimesHours, peakPricePerMWh: Doubles
    let curtailedMWh, excessMWh, touShiftedMWh, mandatorySavingsMWh, mandatoryHours, programMWh: Doubles
    let minOperatingReserveMargin, corridorForwardMWh, corridorBackwardMWh, corridorLossMWh, corridorHoursAtLimit, corridorUtilisationHours: Doubles
    let storageDischargeMWh, storageChargeMWh, fuelBurnT, fuelMinStockT, fuelReserveDrawT, fuelOverflowT, fuelSupplyNotTakenT, fuelSpotT, fuelSpotCargoes: Doubles
    let fuelLimitedPlantHours, plantGenerationMWh, plantFuelLimitedHours: Doubles
    let shiftableBorrowedMWh, shiftablePaidBackMWh, shiftableUnpaidMWh: Doubles
    /// Per region and, at index `regionCount`, nationally: the largest shed in a step (MW), its step, the days
    /// with shed load, and the last such day (−1 before the first).
    let largestShortfallMW, largestShortfallStep, shortfallDays, lastShortfallDay: Doubles
    /// The day of the horizon of each step, and its (month − 1) × 24 + hour of the day.
    let stepDay: FixedArray<Int>, stepMonthHour: FixedArray<Int>
    /// Steps with shed load in any region by (month − 1) × 24 + hour (`RunTotals.shortfallStepsByMonthHour`).
    let shortfallStepsByMonthHour: Doubles
    /// Per-step scratch (per region).
    let stepShed, stepResponse, stepSupply, stepUse, stepShifted: Doubles
    var nationalShortfallHours = 0.0
    var minNationalOperatingReserveMargin = Double.infinity
    var maxBalanceResidualMW = 0.0
    var lossOfLoadEvents = 0
    var shortfallAtPeak = false
    var peakNationalDemandMW = -Double.infinity
    var nationalPriceTimesDemandUSD = 0.0
    /// Whether the last recorded step shed load (for counting loss-of-load events).
    var lastStepShortfall = false
    // The plan's facts the recorder reads.
    let regionCount: Int, classCount: Int, plantCount: Int
    let regionPlantStart: FixedArray<Int>, regionPlants: FixedArray<Int>
    /// The variable renewable plants of region r in ascending order (their curtailment is recorded):
    /// `regionRenewables[regionRenewableStart[r] ..< regionRenewableStart[r + 1]]`.
    let regionRenewableStart: FixedArray<Int>, regionRenewables: FixedArray<Int>
    let fuelPlants: FixedArray<Int>
    let plantFuel: FixedArray<Int>
    let shedRegion: FixedArray<Int>, shedClass: FixedArray<Int>, shedVOLL: FixedArray<Double>
    /// Rotations (classes sharing a shed_order): each class's rotation (−1: none), the class's share of its
    /// rotation's demand per region ([region * classes + class]), the classes' VOLL, and a per-step scratch of
    /// each rotation's shed MW ([region * rotations + rotation]).
    let classRotation: FixedArray<Int>, classShareOfRotation: FixedArray<Double>, classVOLL: FixedArray<Double>
    let rotationCount: Int
    let rotationShedMW: Doubles
    let programRegion: FixedArray<Int>, programCostPerMWh: FixedArray<Double>
    let mandatoryCostPerMWh: FixedArray<Double>, regionDistributionLossFraction: FixedArray<Double>
    let corridorFrom: FixedArray<Int>, corridorTo: FixedArray<Int>
    let corridorLimitForwardMW: FixedArray<Double>, corridorLimitBackwardMW: FixedArray<Double>
    let storageRegion: FixedArray<Int>
    let shiftableRegion: FixedArray<Int>, shiftableCostPerMWh: FixedArray<Double>
    /// Value of a MWh of shifted load left unpaid (the lowest VOLL: the load deferred is the most flexible).
    let unpaidVOLL: Double
    /// TOU-shifted MW per region and step, [region * steps + t].
    let touShiftedMW: Doubles
    let stepCount: Int
    let corridorCount: Int, storageCount: Int, fuelCount: Int, shedCount: Int, programCount: Int

    init(totals: RunTotals, plan: SimulationPlan) {
        demandMWh = pool.make(totals.demandMWh)
        unservedMWh = pool.make(totals.unservedMWh)
        shortfallHours = pool.make(totals.shortfallHours)
        shedByClassMWh = pool.make(totals.shedByClassMWh)
        responseCostUSD = pool.make(totals.responseCostUSD)
        mandatoryCostUSD = pool.make(totals.mandatoryCostUSD)
        unservedCostUSD = pool.make(totals.unservedCostUSD)
        distributionLossMWh = pool.make(totals.distributionLossMWh)
        importsReceivedMWh = pool.make(totals.importsReceivedMWh)
        exportsSentMWh = pool.make(totals.exportsSentMWh)
        priceTimesHours = pool.make(totals.priceTimesHours)
        peakPricePerMWh = pool.make(totals.peakPricePerMWh)
        curtailedMWh = pool.make(totals.curtailedMWh)
        excessMWh = pool.make(totals.excessMWh)
        touShiftedMWh = pool.make(totals.touShiftedMWh)
        mandatorySavingsMWh = pool.make(totals.mandatorySavingsMWh)
        mandatoryHours = pool.make(totals.mandatoryHours)
        programMWh = pool.make(totals.programMWh)
        minOperatingReserveMargin = pool.make(totals.minOperatingReserveMargin)
        corridorForwardMWh = pool.make(totals.corridorForwardMWh)
        corridorBackwardMWh = pool.make(totals.corridorBackwardMWh)
        corridorLossMWh = pool.make(totals.corridorLossMWh)
        corridorHoursAtLimit = pool.make(totals.corridorHoursAtLimit)
        corridorUtilisationHours = pool.make(totals.corridorUtilisationHours)
        storageDischargeMWh = pool.make(totals.storageDischargeMWh)
        storageChargeMWh = pool.make(totals.storageChargeMWh)
        fuelBurnT = pool.make(totals.fuelBurnT)
        fuelMinStockT = pool.make(totals.fuelMinStockT)
        fuelReserveDrawT = pool.make(totals.fuelReserveDrawT)
        fuelOverflowT = pool.make(totals.fuelOverflowT)
        fuelSupplyNotTakenT = pool.make(totals.fuelSupplyNotTakenT)
        fuelSpotT = pool.make(totals.fuelSpotT)
        fuelSpotCargoes = pool.make(totals.fuelSpotCargoes)
        fuelLimitedPlantHours = pool.make(totals.fuelLimitedPlantHours)
        plantGenerationMWh = pool.make(totals.plantGenerationMWh)
        plantFuelLimitedHours = pool.make(totals.plantFuelLimitedHours)
        shiftableBorrowedMWh = pool.make(totals.shiftableBorrowedMWh)
        shiftablePaidBackMWh = pool.make(totals.shiftablePaidBackMWh)
        shiftableUnpaidMWh = pool.make(totals.shiftableUnpaidMWh)
        let R = totals.regionCount
        stepShed = pool.make(R, 0); stepResponse = pool.make(R, 0); stepSupply = pool.make(R, 0); stepUse = pool.make(R, 0); stepShifted = pool.make(R, 0)
        largestShortfallMW = pool.make(R + 1, 0); largestShortfallStep = pool.make(R + 1, -1)
        shortfallDays = pool.make(R + 1, 0); lastShortfallDay = pool.make(R + 1, -1)
        let calendar = plan.scenario.calendar
        stepDay = FixedArray(calendar.day.map(Int.init))
        stepMonthHour = FixedArray((0..<calendar.stepCount).map { (Int(calendar.month[$0]) - 1) * 24 + Int(calendar.minuteOfDay[$0]) / 60 })
        shortfallStepsByMonthHour = pool.make(12 * 24, 0)
        let a = plan.arrays
        regionCount = R; classCount = totals.classCount; plantCount = a.plantRegion.count
        regionPlantStart = a.regionPlantStart; regionPlants = a.regionPlants
        var renewableStarts = [0], renewables: [Int] = []
        for r in 0..<R {
            for n in a.regionPlantStart[r]..<a.regionPlantStart[r + 1] where a.plantIsVariableRenewable[a.regionPlants[n]] {
                renewables.append(a.regionPlants[n])
            }
            renewableStarts.append(renewables.count)
        }
        regionRenewableStart = FixedArray(renewableStarts); regionRenewables = FixedArray(renewables)
        fuelPlants = a.fuelPlants; plantFuel = a.plantFuel
        shedRegion = a.shedRegion; shedClass = a.shedClass; shedVOLL = a.shedVOLL
        let classes = plan.scenario.demandClasses
        let sharedOrders = Dictionary(grouping: classes.indices, by: { classes[$0].shedOrder }).filter { $0.value.count > 1 }.keys.sorted()
        let rotationOf = classes.map { c in sharedOrders.firstIndex(of: c.shedOrder) ?? -1 }
        classRotation = FixedArray(rotationOf)
        rotationCount = sharedOrders.count
        classShareOfRotation = FixedArray(plan.scenario.regions.flatMap { region in
            classes.indices.map { k -> Double in
                guard rotationOf[k] >= 0 else { return 1 }
                let total = classes.indices.filter { rotationOf[$0] == rotationOf[k] }.reduce(0.0) { $0 + region.classShares[$1] }
                return total > 0 ? region.classShares[k] / total : 0
            }
        })
        classVOLL = FixedArray(classes.map(\.vollUSDPerMWh))
        rotationShedMW = pool.make(plan.scenario.regions.count * max(1, sharedOrders.count), 0)
        programRegion = FixedArray(plan.programRegion); programCostPerMWh = a.programCostPerMWh
        mandatoryCostPerMWh = a.mandatoryCostPerMWh; regionDistributionLossFraction = a.regionDistributionLossFraction
        corridorFrom = a.corridorFrom; corridorTo = a.corridorTo
        corridorLimitForwardMW = a.corridorLimitForwardMW; corridorLimitBackwardMW = a.corridorLimitBackwardMW
        storageRegion = a.storageRegion
        shiftableRegion = a.shiftableRegion; shiftableCostPerMWh = a.shiftableCostPerMWh
        unpaidVOLL = plan.minVOLL
        let steps = plan.scenario.stepCount
        stepCount = steps
        touShiftedMW = pool.make(plan.touShiftedMW.flatMap { $0.count == steps ? $0 : [Double](repeating: 0, count: steps) })
        corridorCount = a.corridorFrom.count; storageCount = a.storageRegion.count; fuelCount = totals.fuelBurnT.count
        shedCount = a.shedRegion.count; programCount = a.programCapacityMW.count
        load(from: totals)
    }


    /// Takes every total from `totals` (a cleared one, at the start of a run).
    func load(from totals: RunTotals) {
        func load(_ d: Doubles, _ v: [Double]) { for i in 0..<d.count { d[i] = v[i] } }
        load(demandMWh, totals.demandMWh)
        load(unservedMWh, totals.unservedMWh)
        load(shortfallHours, totals.shortfallHours)
        load(shedByClassMWh, totals.shedByClassMWh)
        load(responseCostUSD, totals.responseCostUSD)
        load(mandatoryCostUSD, totals.mandatoryCostUSD)
        load(unservedCostUSD, totals.unservedCostUSD)
        load(distributionLossMWh, totals.distributionLossMWh)
        load(importsReceivedMWh, totals.importsReceivedMWh)
        load(exportsSentMWh, totals.exportsSentMWh)
        load(priceTimesHours, totals.priceTimesHours)
        load(peakPricePerMWh, totals.peakPricePerMWh)
        load(curtailedMWh, totals.curtailedMWh)
        load(excessMWh, totals.excessMWh)
        load(touShiftedMWh, totals.touShiftedMWh)
        load(mandatorySavingsMWh, totals.mandatorySavingsMWh)
        load(mandatoryHours, totals.mandatoryHours)
        load(programMWh, totals.programMWh)
        load(minOperatingReserveMargin, totals.minOperatingReserveMargin)
        load(corridorForwardMWh, totals.corridorForwardMWh)
        load(corridorBackwardMWh, totals.corridorBackwardMWh)
        load(corridorLossMWh, totals.corridorLossMWh)
        load(corridorHoursAtLimit, totals.corridorHoursAtLimit)
        load(corridorUtilisationHours, totals.corridorUtilisationHours)
        load(storageDischargeMWh, totals.storageDischargeMWh)
        load(storageChargeMWh, totals.storageChargeMWh)
        load(fuelBurnT, totals.fuelBurnT)
        load(fuelMinStockT, totals.fuelMinStockT)
        load(fuelReserveDrawT, totals.fuelReserveDrawT)
        load(fuelOverflowT, totals.fuelOverflowT)
        load(fuelSupplyNotTakenT, totals.fuelSupplyNotTakenT)
        load(fuelSpotT, totals.fuelSpotT)
        load(fuelSpotCargoes, totals.fuelSpotCargoes)
        load(fuelLimitedPlantHours, totals.fuelLimitedPlantHours)
        load(plantGenerationMWh, totals.plantGenerationMWh)
        load(plantFuelLimitedHours, totals.plantFuelLimitedHours)
        load(shiftableBorrowedMWh, totals.shiftableBorrowedMWh)
        load(shiftablePaidBackMWh, totals.shiftablePaidBackMWh)
        load(shiftableUnpaidMWh, totals.shiftableUnpaidMWh)
        nationalShortfallHours = totals.nationalShortfallHours
        minNationalOperatingReserveMargin = totals.minNationalOperatingReserveMargin
        maxBalanceResidualMW = totals.maxBalanceResidualMW
        lossOfLoadEvents = totals.lossOfLoadEvents
        shortfallAtPeak = totals.shortfallAtPeak
        peakNationalDemandMW = totals.peakNationalDemandMW
        nationalPriceTimesDemandUSD = totals.nationalPriceTimesDemandUSD
        lastStepShortfall = false
        for r in 0...regionCount {
            largestShortfallMW[r] = totals.largestShortfallMW[r]; largestShortfallStep[r] = Double(totals.largestShortfallStep[r])
            shortfallDays[r] = Double(totals.shortfallDays[r]); lastShortfallDay[r] = -1
        }
        for i in 0..<shortfallStepsByMonthHour.count { shortfallStepsByMonthHour[i] = Double(totals.shortfallStepsByMonthHour[i]) }
    }

    /// Writes every total into `totals` (at the end of a run).
    func copy(into totals: inout RunTotals) {
        func copy(_ d: Doubles, _ v: inout [Double]) { for i in 0..<d.count { v[i] = d[i] } }
        copy(demandMWh, &totals.demandMWh)
        copy(unservedMWh, &totals.unservedMWh)
        copy(shortfallHours, &totals.shortfallHours)
        copy(shedByClassMWh, &totals.shedByClassMWh)
        copy(responseCostUSD, &totals.responseCostUSD)
        copy(mandatoryCostUSD, &totals.mandatoryCostUSD)
        copy(unservedCostUSD, &totals.unservedCostUSD)
        copy(distributionLossMWh, &totals.distributionLossMWh)
        copy(importsReceivedMWh, &totals.importsReceivedMWh)
        copy(exportsSentMWh, &totals.exportsSentMWh)
        copy(priceTimesHours, &totals.priceTimesHours)
        copy(peakPricePerMWh, &totals.peakPricePerMWh)
        copy(curtailedMWh, &totals.curtailedMWh)
        copy(excessMWh, &totals.excessMWh)
        copy(touShiftedMWh, &totals.touShiftedMWh)
        copy(mandatorySavingsMWh, &totals.mandatorySavingsMWh)
        copy(mandatoryHours, &totals.mandatoryHours)
        copy(programMWh, &totals.programMWh)
        copy(minOperatingReserveMargin, &totals.minOperatingReserveMargin)
        copy(corridorForwardMWh, &totals.corridorForwardMWh)
        copy(corridorBackwardMWh, &totals.corridorBackwardMWh)
        copy(corridorLossMWh, &totals.corridorLossMWh)
        copy(corridorHoursAtLimit, &totals.corridorHoursAtLimit)
        copy(corridorUtilisationHours, &totals.corridorUtilisationHours)
        copy(storageDischargeMWh, &totals.storageDischargeMWh)
        copy(storageChargeMWh, &totals.storageChargeMWh)
        copy(fuelBurnT, &totals.fuelBurnT)
        copy(fuelMinStockT, &totals.fuelMinStockT)
        copy(fuelReserveDrawT, &totals.fuelReserveDrawT)
        copy(fuelOverflowT, &totals.fuelOverflowT)
        copy(fuelSupplyNotTakenT, &totals.fuelSupplyNotTakenT)
        copy(fuelSpotT, &totals.fuelSpotT)
        copy(fuelSpotCargoes, &totals.fuelSpotCargoes)
        copy(fuelLimitedPlantHours, &totals.fuelLimitedPlantHours)
        copy(plantGenerationMWh, &totals.plantGenerationMWh)
        copy(plantFuelLimitedHours, &totals.plantFuelLimitedHours)
        copy(shiftableBorrowedMWh, &totals.shiftableBorrowedMWh)
        copy(shiftablePaidBackMWh, &totals.shiftablePaidBackMWh)
        copy(shiftableUnpaidMWh, &totals.shiftableUnpaidMWh)
        totals.nationalShortfallHours = nationalShortfallHours
        totals.minNationalOperatingReserveMargin = minNationalOperatingReserveMargin
        totals.maxBalanceResidualMW = maxBalanceResidualMW
        totals.lossOfLoadEvents = lossOfLoadEvents
        totals.shortfallAtPeak = shortfallAtPeak
        totals.peakNationalDemandMW = peakNationalDemandMW
        totals.nationalPriceTimesDemandUSD = nationalPriceTimesDemandUSD
        for r in 0...regionCount {
            totals.largestShortfallMW[r] = largestShortfallMW[r]; totals.largestShortfallStep[r] = Int(largestShortfallStep[r])
            totals.shortfallDays[r] = Int(shortfallDays[r])
        }
        for i in 0..<shortfallStepsByMonthHour.count { totals.shortfallStepsByMonthHour[i] = Int(shortfallStepsByMonthHour[i]) }
    }

    /// A step that shed `shedMW` in region r (r = regionCount: nationally): the largest shed and the days.
    @inline(__always) func recordShortfall(_ r: Int, shedMW: Double, t: Int) {
        if shedMW > largestShortfallMW[r] { largestShortfallMW[r] = shedMW; largestShortfallStep[r] = Double(t) }
        let day = Double(stepDay[t])
        if lastShortfallDay[r] != day { lastShortfallDay[r] = day; shortfallDays[r] += 1 }
    }

    /// A step known to have no shortfall, in an adequacy-only run: only demand is recorded.
    func recordAdequateStep(dt: Double, demandMW: Doubles) {
        var national = 0.0
        for r in 0..<regionCount { demandMWh[r] += demandMW[r] * dt; national += demandMW[r] }
        lastStepShortfall = false
        if national > peakNationalDemandMW { peakNationalDemandMW = national; shortfallAtPeak = false }
    }
    /// `unpaidMWh`: per shiftable programme, the debt written off in this step (unserved; see `Simulator`).
    func record(t: Int, dt: Double, solver: DispatchSolver, demandMW: Doubles, mandatoryMW: Doubles,
                         plantMaxMW: Doubles, fuelStock: Doubles, unpaidMWh: Doubles) {
        let res = solver.result
        let R = regionCount, K = classCount
        // The per-region TOU stream 16 steps ahead, every 8 steps (as the simulator does for its streams).
        if t & 7 == 0 {
            for r in 0..<R { r70_prefetch(touShiftedMW.baseAddress! + min(r * stepCount + t + 16, touShiftedMW.count - 1)) }
        }
        var nationalShed = 0.0, nationalDemand = 0.0, priceTimesDemand = 0.0
        for r in 0..<R {
            priceTimesHours[r] += res.priceAtRegionPerMWh[r] * dt
            priceTimesDemand += res.priceAtRegionPerMWh[r] * demandMW[r]
            nationalDemand += demandMW[r]
            peakPricePerMWh[r] = max(peakPricePerMWh[r], res.priceAtRegionPerMWh[r])
            demandMWh[r] += demandMW[r] * dt
            if mandatoryMW[r] > 0 {
                mandatorySavingsMWh[r] += mandatoryMW[r] * dt
                mandatoryHours[r] += dt
                mandatoryCostUSD[r] += mandatoryMW[r] * mandatoryCostPerMWh[r] * dt
            }
            excessMWh[r] += res.excessMW[r] * dt
            let shift = touShiftedMW[r * stepCount + t]
            if shift > 0 { touShiftedMWh[r] += shift * dt }
            stepShed[r] = 0
            stepResponse[r] = 0
            stepShifted[r] = 0
            // Balance: generation + received + discharge + shed + response = demand + sent + charge + excess
            stepSupply[r] = 0
            stepUse[r] = demandMW[r] + res.excessMW[r]
        }
        var rotating = false
        for b in 0..<(res.shedTotalMW > 0 ? shedCount : 0) {
            let mw = res.shedMW[b]
            if mw > 0 {
                let r = shedRegion[b], g = classRotation[shedClass[b]]
                if g >= 0 {
                    rotationShedMW[r * rotationCount + g] += mw
                    rotating = true
                } else {
                    shedByClassMWh[r * K + shedClass[b]] += mw * dt
                    unservedCostUSD[r] += mw * shedVOLL[b] * dt
                }
                unservedMWh[r] += mw * dt
                nationalShed += mw
                stepShed[r] += mw
            }
        }
        // A rotation's shed falls on its classes in proportion to their demand, each at its own VOLL.
        if rotating {
            for r in 0..<R {
                for k in 0..<K where classRotation[k] >= 0 {
                    let mw = rotationShedMW[r * rotationCount + classRotation[k]] * classShareOfRotation[r * K + k]
                    shedByClassMWh[r * K + k] += mw * dt
                    unservedCostUSD[r] += mw * classVOLL[k] * dt
                }
                for g in 0..<rotationCount { rotationShedMW[r * rotationCount + g] = 0 }
            }
        }
        for d in 0..<programCount {
            let mw = res.responseMW[d]
            if mw > 0 {
                let r = programRegion[d]
                programMWh[r] += mw * dt
                responseCostUSD[r] += mw * programCostPerMWh[d] * dt
                stepResponse[r] += mw
            }
        }
        for r in 0..<R {
            var supply = 0.0   // stepSupply[r] is 0 here; summed in a register, in plant order
            for n in regionPlantStart[r]..<regionPlantStart[r + 1] {
                let i = regionPlants[n]
                let mw = res.plantMW[i]
                supply += mw
                plantGenerationMWh[i] += mw * dt
            }
            stepSupply[r] = supply
            for n in regionRenewableStart[r]..<regionRenewableStart[r + 1] {
                let i = regionRenewables[n]
                curtailedMWh[r] += max(0, plantMaxMW[i] - res.plantMW[i]) * dt
            }
        }
        // Plants held back by their fuel: only in steps where some fuel's stock has a value (its row binds).
        var fuelsValued = 0
        for f in 0..<res.fuelValuePerTonne.count { fuelsValued |= res.fuelValuePerTonne[f] > 1e-7 ? 1 : 0 }
        for n in 0..<(fuelsValued != 0 ? fuelPlants.count : 0) {
            let i = fuelPlants[n], f = plantFuel[i]
            if res.fuelValuePerTonne[f] > 1e-7 && res.plantMW[i] < plantMaxMW[i] - 1e-6 {
                plantFuelLimitedHours[i] += dt
                fuelLimitedPlantHours[f] += dt
            }
        }
        for k in 0..<corridorCount {
            let from = corridorFrom[k], to = corridorTo[k]
            let fwd = res.corridorForwardSentMW[k], bwd = res.corridorBackwardSentMW[k]
            let fwdIn = fwd - res.corridorForwardLossMW[k], bwdIn = bwd - res.corridorBackwardLossMW[k]
            corridorForwardMWh[k] += fwd * dt
            corridorBackwardMWh[k] += bwd * dt
            corridorLossMWh[k] += res.corridorLossMW[k] * dt
            exportsSentMWh[from] += fwd * dt
            exportsSentMWh[to] += bwd * dt
            importsReceivedMWh[to] += fwdIn * dt
            importsReceivedMWh[from] += bwdIn * dt
            stepSupply[to] += fwdIn; stepUse[to] += bwd
            stepSupply[from] += bwdIn; stepUse[from] += fwd
            let fl = solver.input.corridorForwardMW[k], bl = solver.input.corridorBackwardMW[k]
            if (fl > 0 && fwd >= fl * (1 - 1e-6)) || (bl > 0 && bwd >= bl * (1 - 1e-6)) { corridorHoursAtLimit[k] += dt }
            let net = fwd - bwd
            let limit = net >= 0 ? corridorLimitForwardMW[k] : corridorLimitBackwardMW[k]
            if limit > 0 { corridorUtilisationHours[k] += abs(net) / limit * dt }
        }
        for k in 0..<storageCount {
            let r = storageRegion[k]
            storageDischargeMWh[k] += res.storageDischargeMW[k] * dt
            storageChargeMWh[k] += res.storageChargeMW[k] * dt
            stepSupply[r] += res.storageDischargeMW[k]
            stepUse[r] += res.storageChargeMW[k]
        }
        // Shiftable programmes: the storage columns after the stores'. A borrow lowers the load served now, a
        // payback raises it.
        for d in 0..<shiftableRegion.count {
            let r = shiftableRegion[d], borrow = res.storageDischargeMW[storageCount + d], payback = res.storageChargeMW[storageCount + d]
            shiftableBorrowedMWh[d] += borrow * dt
            shiftablePaidBackMWh[d] += payback * dt
            responseCostUSD[r] += borrow * shiftableCostPerMWh[d] * dt
            stepSupply[r] += borrow
            stepUse[r] += payback
            stepShifted[r] += borrow - payback
        }
        for f in 0..<fuelCount {
            fuelBurnT[f] += res.fuelBurnTonnes[f]
            fuelReserveDrawT[f] += res.fuelReserveDrawTonnes[f]
            fuelMinStockT[f] = min(fuelMinStockT[f], fuelStock[f])
        }
        // Served demand, distribution losses, shortfall hours, and the balance self-check.
        for r in 0..<R {
            let shed = stepShed[r], response = stepResponse[r]
            let served = demandMW[r] - shed - response - stepShifted[r]
            distributionLossMWh[r] += served * regionDistributionLossFraction[r] * dt
            maxBalanceResidualMW = max(maxBalanceResidualMW, abs(stepSupply[r] + shed + response - stepUse[r]))
        }
        // Shifted load still owed at its deadline is unserved in this step, in its programme's region (PRAS's
        // semantics): it counts in the region's and the nation's shortfall, like shed load.
        for d in 0..<shiftableRegion.count where unpaidMWh[d] > 0 {
            let r = shiftableRegion[d], mwh = unpaidMWh[d]
            shiftableUnpaidMWh[d] += mwh
            unservedMWh[r] += mwh
            unservedCostUSD[r] += mwh * unpaidVOLL
            stepShed[r] += mwh / dt
            nationalShed += mwh / dt
        }
        for r in 0..<R {
            let shed = stepShed[r]
            if shed > 1e-6 { shortfallHours[r] += dt; recordShortfall(r, shedMW: shed, t: t) }
        }
        lastStepShortfall = nationalShed > 1e-6
        if lastStepShortfall {
            nationalShortfallHours += dt
            recordShortfall(R, shedMW: nationalShed, t: t)
            shortfallStepsByMonthHour[stepMonthHour[t]] += 1
        }
        nationalPriceTimesDemandUSD += priceTimesDemand * dt
        if nationalDemand > peakNationalDemandMW { peakNationalDemandMW = nationalDemand; shortfallAtPeak = lastStepShortfall }
    }
}
