// Recorders: running totals over a run (fixed size, updated in place each step) and, optionally, the
// hourly series behind the CSV output.
import GridModel
import GridDispatch

/// Totals of one run. Arrays are per region, class, corridor, storage, fuel or plant.
public struct RunTotals: Sendable {
    public let regionCount: Int
    public let classCount: Int
    public var stepsRun = 0
    public var demandMWh: [Double]
    public var unservedMWh: [Double]
    public var shortfallHours: [Double]
    public var nationalShortfallHours = 0.0
    /// [region * classCount + class]
    public var shedByClassMWh: [Double]
    public var generationMWh: [Double]
    public var cleanGenerationMWh: [Double]
    public var emissionsT: [Double]
    public var generationCostUSD: [Double]
    public var responseCostUSD: [Double]
    public var mandatoryCostUSD: [Double]
    public var unservedCostUSD: [Double]
    public var distributionLossMWh: [Double]
    public var importsReceivedMWh: [Double]
    public var exportsSentMWh: [Double]
    public var priceTimesHours: [Double]
    public var peakPricePerMWh: [Double]
    public var curtailedMWh: [Double]
    public var excessMWh: [Double]
    public var touShiftedMWh: [Double]
    public var mandatorySavingsMWh: [Double]
    public var mandatoryHours: [Double]
    public var programMWh: [Double]
    public var minOperatingReserveMargin: [Double]
    public var minNationalOperatingReserveMargin = Double.infinity
    public var corridorForwardMWh: [Double]
    public var corridorBackwardMWh: [Double]
    public var corridorLossMWh: [Double]
    public var corridorHoursAtLimit: [Double]
    public var corridorUtilisationHours: [Double]
    public var storageDischargeMWh: [Double]
    public var storageChargeMWh: [Double]
    /// Per shiftable programme (in region order): load deferred, paid back, and owed at a deadline or at the end
    /// (unserved, also in `unservedMWh`), MWh.
    public var shiftableBorrowedMWh: [Double]
    public var shiftablePaidBackMWh: [Double]
    public var shiftableUnpaidMWh: [Double]
    /// Per reservoir with a level (plant order): the level at the end of the run, its lowest, the hours whose
    /// step ended at the dead level, the water spilled and the inflow (MWh-equivalent).
    public var reservoirEndLevelMWh: [Double]
    public var reservoirMinLevelMWh: [Double]
    public var reservoirHoursAtDeadLevel: [Double]
    public var reservoirSpilledMWh: [Double]
    public var reservoirInflowMWh: [Double]
    public var fuelBurnT: [Double]
    public var fuelMinStockT: [Double]
    public var fuelReserveDrawT: [Double]
    /// Cargo tonnes that did not fit the storage (lost).
    public var fuelOverflowT: [Double]
    /// Continuous supply not taken because the storage was full (the pipeline or rail delivers less; not a loss).
    public var fuelSupplyNotTakenT: [Double]
    /// Spot cargoes that arrived, and their tonnes.
    public var fuelSpotCargoes: [Double]
    public var fuelSpotT: [Double]
    public var fuelLimitedPlantHours: [Double]
    public var plantGenerationMWh: [Double]
    public var plantFuelLimitedHours: [Double]
    /// Largest violation of a region's energy balance over the run (MW), as a self-check.
    public var maxBalanceResidualMW = 0.0
    /// Steps with a shortfall in any region by (month − 1) × 24 + hour of the day (the loss-of-load heat map;
    /// integers, so a study's sums are exact in any order).
    public var shortfallStepsByMonthHour = [Int](repeating: 0, count: 12 * 24)
    /// Per region and, at index `regionCount`, nationally: the largest load shed in one step (MW, 0 when
    /// none), the step it happened in (−1 when none; the first on ties), and the days with shed load.
    public var largestShortfallMW: [Double]
    public var largestShortfallStep: [Int]
    public var shortfallDays: [Int]
    /// Loss-of-load events: runs of consecutive steps with a shortfall in any region.
    public var lossOfLoadEvents = 0
    /// Whether load was shed in the step of the run's own highest national demand as dispatched (after
    /// the trial's demand factors and TOU response; the first such step on ties).
    public var shortfallAtPeak = false
    /// The run's highest national demand as dispatched, MW (−∞ before the first step).
    public var peakNationalDemandMW = -Double.infinity
    /// Σ over steps and regions of price × demand × step length, USD (the national demand-weighted price's numerator).
    public var nationalPriceTimesDemandUSD = 0.0

    init(scenario s: Scenario) {
        let R = s.regions.count, K = s.demandClasses.count, C = s.corridors.count
        let zeros = { (n: Int) in [Double](repeating: 0, count: n) }
        regionCount = R; classCount = K
        demandMWh = zeros(R); unservedMWh = zeros(R); shortfallHours = zeros(R); shedByClassMWh = zeros(R * K)
        generationMWh = zeros(R); cleanGenerationMWh = zeros(R); emissionsT = zeros(R); generationCostUSD = zeros(R)
        responseCostUSD = zeros(R); mandatoryCostUSD = zeros(R); unservedCostUSD = zeros(R); distributionLossMWh = zeros(R)
        importsReceivedMWh = zeros(R); exportsSentMWh = zeros(R); priceTimesHours = zeros(R)
        peakPricePerMWh = [Double](repeating: -.infinity, count: R)
        curtailedMWh = zeros(R); excessMWh = zeros(R); touShiftedMWh = zeros(R); mandatorySavingsMWh = zeros(R)
        mandatoryHours = zeros(R); programMWh = zeros(R)
        minOperatingReserveMargin = [Double](repeating: .infinity, count: R)
        corridorForwardMWh = zeros(C); corridorBackwardMWh = zeros(C); corridorLossMWh = zeros(C)
        corridorHoursAtLimit = zeros(C); corridorUtilisationHours = zeros(C)
        storageDischargeMWh = zeros(s.storage.count); storageChargeMWh = zeros(s.storage.count)
        let D = s.regions.reduce(0) { $0 + $1.shiftable.count }
        shiftableBorrowedMWh = zeros(D); shiftablePaidBackMWh = zeros(D); shiftableUnpaidMWh = zeros(D)
        let J = s.plants.filter { $0.reservoir != nil }.count
        reservoirEndLevelMWh = zeros(J); reservoirMinLevelMWh = zeros(J); reservoirHoursAtDeadLevel = zeros(J)
        reservoirSpilledMWh = zeros(J); reservoirInflowMWh = zeros(J)
        fuelBurnT = zeros(s.fuels.count); fuelMinStockT = s.fuels.map(\.initialStockT); fuelReserveDrawT = zeros(s.fuels.count)
        fuelOverflowT = zeros(s.fuels.count); fuelSupplyNotTakenT = zeros(s.fuels.count); fuelSpotCargoes = zeros(s.fuels.count); fuelSpotT = zeros(s.fuels.count); fuelLimitedPlantHours = zeros(s.fuels.count)
        plantGenerationMWh = zeros(s.plants.count); plantFuelLimitedHours = zeros(s.plants.count)
        largestShortfallMW = zeros(R + 1); largestShortfallStep = [Int](repeating: -1, count: R + 1)
        shortfallDays = [Int](repeating: 0, count: R + 1)
    }

    /// Zeroes every total in place (no allocation), for a new trial.
    mutating func clear(initialStocks: Doubles) {
        func zero(_ a: inout [Double], _ v: Double = 0) { for i in a.indices { a[i] = v } }
        stepsRun = 0; nationalShortfallHours = 0; minNationalOperatingReserveMargin = .infinity
        maxBalanceResidualMW = 0; lossOfLoadEvents = 0; shortfallAtPeak = false
        peakNationalDemandMW = -.infinity; nationalPriceTimesDemandUSD = 0
        for i in shortfallStepsByMonthHour.indices { shortfallStepsByMonthHour[i] = 0 }
        for r in largestShortfallMW.indices { largestShortfallMW[r] = 0; largestShortfallStep[r] = -1; shortfallDays[r] = 0 }
        zero(&demandMWh); zero(&unservedMWh); zero(&shortfallHours); zero(&shedByClassMWh); zero(&generationMWh)
        zero(&cleanGenerationMWh); zero(&emissionsT); zero(&generationCostUSD); zero(&responseCostUSD); zero(&mandatoryCostUSD)
        zero(&unservedCostUSD); zero(&distributionLossMWh); zero(&importsReceivedMWh); zero(&exportsSentMWh); zero(&priceTimesHours)
        zero(&peakPricePerMWh, -.infinity); zero(&curtailedMWh); zero(&excessMWh); zero(&touShiftedMWh); zero(&mandatorySavingsMWh)
        zero(&mandatoryHours); zero(&programMWh); zero(&minOperatingReserveMargin, .infinity)
        zero(&corridorForwardMWh); zero(&corridorBackwardMWh); zero(&corridorLossMWh); zero(&corridorHoursAtLimit)
        zero(&corridorUtilisationHours); zero(&storageDischargeMWh); zero(&storageChargeMWh); zero(&fuelBurnT)
        zero(&shiftableBorrowedMWh); zero(&shiftablePaidBackMWh); zero(&shiftableUnpaidMWh)
        for f in fuelMinStockT.indices { fuelMinStockT[f] = initialStocks[f] }
        zero(&fuelReserveDrawT); zero(&fuelOverflowT); zero(&fuelSupplyNotTakenT); zero(&fuelSpotCargoes); zero(&fuelSpotT); zero(&fuelLimitedPlantHours); zero(&plantGenerationMWh); zero(&plantFuelLimitedHours)
    }

    /// Totals that follow from each plant's energy (per region: generation, clean generation, emissions,
    /// generation cost), computed once at the end of a run rather than in every step.
    mutating func finish(plan: SimulationPlan) {
        let a = plan.arrays
        for r in 0..<regionCount { generationMWh[r] = 0; cleanGenerationMWh[r] = 0; emissionsT[r] = 0; generationCostUSD[r] = 0 }
        for i in 0..<a.plantRegion.count {
            let r = a.plantRegion[i], e = plantGenerationMWh[i]
            generationMWh[r] += e
            if a.plantClean[i] { cleanGenerationMWh[r] += e }
            emissionsT[r] += e * a.plantEmissionTPerMWh[i]
            generationCostUSD[r] += e * a.plantCostPerMWh[i]
        }
    }

}

/// Hourly series of one run, for the CSV output and for tests. Flat arrays indexed [entity * steps + t].
public struct HourlySeries: Sendable {
    public let steps: Int
    public var regionDemandMW: [Double]
    public var regionShedMW: [Double]
    public var regionResponseMW: [Double]
    public var regionMandatoryMW: [Double]
    public var regionGenerationMW: [Double]
    public var regionReceivedMW: [Double]
    public var regionSentMW: [Double]
    public var regionDischargeMW: [Double]
    public var regionChargeMW: [Double]
    public var regionExcessMW: [Double]
    public var regionPricePerMWh: [Double]
    public var regionCurtailedMW: [Double]
    public var regionTOUShiftMW: [Double]
    public var corridorForwardSentMW: [Double]
    public var corridorBackwardSentMW: [Double]
    public var corridorLossMW: [Double]
    public var storageChargeMW: [Double]
    public var storageDischargeMW: [Double]
    public var storageSOCMWh: [Double]
    public var fuelStockT: [Double]
    public var fuelBurnT: [Double]
    public var plantMW: [Double]
    /// Per shiftable programme (region order): load deferred and paid back (MW), debt after the step and debt
    /// written off in it as unserved (MWh).
    public var shiftableBorrowMW: [Double]
    public var shiftablePaybackMW: [Double]
    public var shiftableDebtMWh: [Double]
    public var shiftableUnpaidMWh: [Double]
    /// Per region: load deferred less load paid back by its shiftable programmes (MW), and their debt written off
    /// as unserved in the step, as MW over the step (shortfall besides `regionShedMW`).
    public var regionShiftedMW: [Double]
    public var regionUnpaidMW: [Double]
    /// Per reservoir with a level (plant order): the level at the end of the step (MWh-equivalent), and the
    /// step's inflow and spill (MW).
    public var reservoirLevelMWh: [Double]
    public var reservoirInflowMW: [Double]
    public var reservoirSpillMW: [Double]

    init(scenario s: Scenario) {
        steps = s.stepCount
        let z = { (n: Int) in [Double](repeating: 0, count: n * s.stepCount) }
        let R = s.regions.count
        regionDemandMW = z(R); regionShedMW = z(R); regionResponseMW = z(R); regionMandatoryMW = z(R); regionGenerationMW = z(R)
        regionReceivedMW = z(R); regionSentMW = z(R); regionDischargeMW = z(R); regionChargeMW = z(R); regionExcessMW = z(R)
        regionPricePerMWh = z(R); regionCurtailedMW = z(R); regionTOUShiftMW = z(R)
        corridorForwardSentMW = z(s.corridors.count); corridorBackwardSentMW = z(s.corridors.count); corridorLossMW = z(s.corridors.count)
        storageChargeMW = z(s.storage.count); storageDischargeMW = z(s.storage.count); storageSOCMWh = z(s.storage.count)
        fuelStockT = z(s.fuels.count); fuelBurnT = z(s.fuels.count)
        plantMW = z(s.plants.count)
        let D = s.regions.reduce(0) { $0 + $1.shiftable.count }
        shiftableBorrowMW = z(D); shiftablePaybackMW = z(D); shiftableDebtMWh = z(D); shiftableUnpaidMWh = z(D)
        regionShiftedMW = z(R); regionUnpaidMW = z(R)
        let J = s.plants.filter { $0.reservoir != nil }.count
        reservoirLevelMWh = z(J); reservoirInflowMW = z(J); reservoirSpillMW = z(J)
    }

    mutating func recordReservoirs(t: Int, levelMWh: Doubles, inflowMW: Doubles, spillMW: Doubles) {
        let n = steps
        for j in 0..<levelMWh.count {
            reservoirLevelMWh[j * n + t] = levelMWh[j]
            reservoirInflowMW[j * n + t] = inflowMW[j]
            reservoirSpillMW[j * n + t] = spillMW[j]
        }
    }

    mutating func record(t: Int, plan: SimulationPlan, result res: DispatchResult, demandMW: Doubles, mandatoryMW: Doubles,
                         plantMaxMW: Doubles, fuelStock: Doubles, storageSOC: Doubles, shiftableDebt: Doubles, shiftableUnpaid: Doubles) {
        let s = plan.scenario
        let n = steps
        for r in 0..<s.regions.count {
            regionDemandMW[r * n + t] = demandMW[r]
            regionMandatoryMW[r * n + t] = mandatoryMW[r]
            regionExcessMW[r * n + t] = res.excessMW[r]
            regionPricePerMWh[r * n + t] = res.priceAtRegionPerMWh[r]
            regionTOUShiftMW[r * n + t] = plan.touShiftedMW[r][t]
        }
        for b in 0..<plan.shedBlocks.count { regionShedMW[plan.shedBlocks[b].region * n + t] += res.shedMW[b] }
        for d in 0..<plan.programs.count { regionResponseMW[plan.programRegion[d] * n + t] += res.responseMW[d] }
        for i in 0..<s.plants.count {
            let r = s.plants[i].region
            plantMW[i * n + t] = res.plantMW[i]
            regionGenerationMW[r * n + t] += res.plantMW[i]
            if s.plants[i].technology.isVariableRenewable { regionCurtailedMW[r * n + t] += max(0, plantMaxMW[i] - res.plantMW[i]) }
        }
        for k in 0..<s.corridors.count {
            let c = s.corridors[k]
            corridorForwardSentMW[k * n + t] = res.corridorForwardSentMW[k]
            corridorBackwardSentMW[k * n + t] = res.corridorBackwardSentMW[k]
            corridorLossMW[k * n + t] = res.corridorLossMW[k]
            regionSentMW[c.from * n + t] += res.corridorForwardSentMW[k]
            regionSentMW[c.to * n + t] += res.corridorBackwardSentMW[k]
            regionReceivedMW[c.to * n + t] += res.corridorForwardSentMW[k] - res.corridorForwardLossMW[k]
            regionReceivedMW[c.from * n + t] += res.corridorBackwardSentMW[k] - res.corridorBackwardLossMW[k]
        }
        for k in 0..<s.storage.count {
            let r = s.storage[k].region
            storageChargeMW[k * n + t] = res.storageChargeMW[k]
            storageDischargeMW[k * n + t] = res.storageDischargeMW[k]
            storageSOCMWh[k * n + t] = storageSOC[k]
            regionChargeMW[r * n + t] += res.storageChargeMW[k]
            regionDischargeMW[r * n + t] += res.storageDischargeMW[k]
        }
        for d in 0..<shiftableDebt.count {
            shiftableBorrowMW[d * n + t] = res.storageDischargeMW[s.storage.count + d]
            shiftablePaybackMW[d * n + t] = res.storageChargeMW[s.storage.count + d]
            shiftableDebtMWh[d * n + t] = shiftableDebt[d]
            shiftableUnpaidMWh[d * n + t] = shiftableUnpaid[d]
            let r = plan.arrays.shiftableRegion[d]
            regionShiftedMW[r * n + t] += shiftableBorrowMW[d * n + t] - shiftablePaybackMW[d * n + t]
            regionUnpaidMW[r * n + t] += shiftableUnpaid[d] / s.stepHours
        }
        for f in 0..<s.fuels.count {
            fuelStockT[f * n + t] = fuelStock[f]
            fuelBurnT[f * n + t] = res.fuelBurnTonnes[f]
        }
    }
}
