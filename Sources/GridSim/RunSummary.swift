// The metrics of one run, national and per region, derived from the totals and the plan.
import GridModel

public struct RegionSummary: Codable, Sendable {
    public var name: String
    public var demandMWh: Double
    public var servedMWh: Double
    public var unservedMWh: Double
    public var shortfallHours: Double
    /// The size of the hole: the largest load shed in one step (MW, 0 when none), when it began (nil when
    /// none; the first on ties), and the days with shed load.
    public var largestShortfallMW: Double
    public var largestShortfallTime: String?
    public var shortfallDays: Int
    public var shedByClassMWh: [String: Double]
    public var peakDemandMW: Double
    public var firmCapacityMW: Double
    public var firmImportsMW: Double
    public var planningReserveMargin: Double
    public var minOperatingReserveMargin: Double
    public var generationMWh: Double
    public var cleanShare: Double
    public var emissionsT: Double
    public var generationCostUSD: Double
    public var demandResponseCostUSD: Double
    public var unservedCostUSD: Double
    public var averagePriceUSDPerMWh: Double
    public var peakPriceUSDPerMWh: Double
    public var distributionLossMWh: Double
    public var importsReceivedMWh: Double
    public var exportsSentMWh: Double
    public var curtailedMWh: Double
    public var excessMWh: Double
    public var touShiftedMWh: Double
    public var mandatorySavingsMWh: Double
    public var mandatorySavingsHours: Double
    public var callableResponseMWh: Double
}

public struct CorridorSummary: Codable, Sendable {
    public var name: String
    public var from: String
    public var to: String
    public var forwardMWh: Double
    public var backwardMWh: Double
    public var lossMWh: Double
    /// Mean |net flow| / limit over the run.
    public var utilisation: Double
    public var hoursAtLimit: Double
}

public struct StorageSummary: Codable, Sendable {
    public var name: String
    public var region: String
    public var dischargeMWh: Double
    public var chargeMWh: Double
    /// Full equivalent cycles: energy discharged / usable energy capacity.
    public var cycles: Double
}

/// A shiftable programme over the run: load deferred, paid back, and owed at a deadline or at the end
/// (unserved; part of `unservedMWh`).
public struct ShiftableSummary: Codable, Sendable {
    public var name: String
    public var region: String
    public var borrowedMWh: Double
    public var paidBackMWh: Double
    public var unpaidMWh: Double
}

/// A reservoir with a level over the run (MWh-equivalent).
public struct ReservoirSummary: Codable, Sendable {
    public var name: String
    public var region: String
    public var maxMWh: Double
    public var deadMWh: Double
    public var initialMWh: Double
    public var endMWh: Double
    public var lowestMWh: Double
    /// The lowest level as a fraction of the live storage (0 at the dead level, 1 full).
    public var lowestLiveFraction: Double
    /// Hours whose step ended with the reservoir at its dead level.
    public var hoursAtDeadLevel: Double
    public var inflowMWh: Double
    public var generationMWh: Double
    public var spilledMWh: Double
}

public struct FuelSummary: Codable, Sendable {
    public var name: String
    public var kind: String
    public var burnT: Double
    public var lowestStockT: Double
    /// Lowest stock in days of the run's average consumption (infinite when nothing is burnt).
    public var lowestStockDays: Double
    public var strategicReserveDrawnT: Double
    /// Cargo tonnes lost because they did not fit the storage.
    public var deliveriesLostToFullStorageT: Double
    /// Continuous supply (pipeline gas, coal by rail) not taken because the storage was full: the supply
    /// delivers less, nothing is lost.
    public var supplyNotTakenT: Double
    /// Spot cargoes bought when the stock ran low that arrived, and their tonnes.
    public var spotCargoes: Double
    public var spotT: Double
    public var disruptedT: Double
    /// Plant-hours in which a plant burning this fuel was held back by the stock.
    public var fuelLimitedPlantHours: Double
}

public struct NationalSummary: Codable, Sendable {
    public var demandMWh: Double
    public var servedMWh: Double
    public var unservedMWh: Double
    public var shortfallHours: Double
    /// The largest load shed nationally in one step (MW), when, and the days with shed load in any region.
    public var largestShortfallMW: Double
    public var largestShortfallTime: String?
    public var shortfallDays: Int
    public var shedByClassMWh: [String: Double]
    public var peakDemandMW: Double
    public var firmCapacityMW: Double
    public var planningReserveMargin: Double
    /// The capacity credits the firm capacity and the margin use: "assumed" or "computed" (`targets.capacity_credits`).
    public var capacityCredits: String
    public var minOperatingReserveMargin: Double
    public var generationMWh: Double
    public var storageDischargeMWh: Double
    public var transmissionLossMWh: Double
    public var distributionLossMWh: Double
    public var lossRate: Double
    public var cleanShare: Double
    public var emissionsT: Double
    public var generationCostUSD: Double
    public var demandResponseCostUSD: Double
    public var unservedCostUSD: Double
    public var totalCostUSD: Double
    public var averageGenerationCostUSDPerMWh: Double
    public var averagePriceUSDPerMWh: Double
    public var peakPriceUSDPerMWh: Double
    public var curtailedMWh: Double
    public var touShiftedMWh: Double
    public var mandatorySavingsMWh: Double
    public var callableResponseMWh: Double
}

public struct RunSummary: Codable, Sendable {
    public var scenario: String
    /// Demand classes in shedding order (first shed first).
    public var demandClasses: [String]
    public var hours: Double
    public var steps: Int
    public var national: NationalSummary
    public var regions: [RegionSummary]
    public var corridors: [CorridorSummary]
    public var storage: [StorageSummary]
    public var shiftable: [ShiftableSummary]
    public var reservoirs: [ReservoirSummary]
    public var fuels: [FuelSummary]
    public var maxBalanceResidualMW: Double

    public init(plan: SimulationPlan, totals t: RunTotals) {
        let s = plan.scenario
        let hours = Double(t.stepsRun) * s.stepHours
        let margins = plan.planningReserveMargin
        let firm = plan.firmCapacityMW
        let (peaks, nationalPeak) = plan.peakDemandMW
        let classNames = s.demandClasses.map(\.name)
        func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
        func time(_ step: Int) -> String? { step >= 0 && step < s.stepCount ? s.calendar.timestamp(step) : nil }
        var regions: [RegionSummary] = []
        for (r, region) in s.regions.enumerated() {
            var byClass: [String: Double] = [:]
            for (k, name) in classNames.enumerated() { byClass[name] = t.shedByClassMWh[r * t.classCount + k] }
            regions.append(RegionSummary(
                name: region.name, demandMWh: t.demandMWh[r], servedMWh: t.demandMWh[r] - t.unservedMWh[r] - t.programMWh[r],
                unservedMWh: t.unservedMWh[r], shortfallHours: t.shortfallHours[r],
                largestShortfallMW: t.largestShortfallMW[r], largestShortfallTime: time(t.largestShortfallStep[r]),
                shortfallDays: t.shortfallDays[r], shedByClassMWh: byClass,
                peakDemandMW: peaks[r], firmCapacityMW: firm[r], firmImportsMW: margins.firmImportsMW[r],
                planningReserveMargin: margins.regions[r], minOperatingReserveMargin: t.minOperatingReserveMargin[r],
                generationMWh: t.generationMWh[r], cleanShare: ratio(t.cleanGenerationMWh[r], t.generationMWh[r]),
                emissionsT: t.emissionsT[r], generationCostUSD: t.generationCostUSD[r],
                demandResponseCostUSD: t.responseCostUSD[r] + t.mandatoryCostUSD[r], unservedCostUSD: t.unservedCostUSD[r],
                averagePriceUSDPerMWh: ratio(t.priceTimesHours[r], hours), peakPriceUSDPerMWh: t.peakPricePerMWh[r],
                distributionLossMWh: t.distributionLossMWh[r], importsReceivedMWh: t.importsReceivedMWh[r],
                exportsSentMWh: t.exportsSentMWh[r], curtailedMWh: t.curtailedMWh[r], excessMWh: t.excessMWh[r],
                touShiftedMWh: t.touShiftedMWh[r], mandatorySavingsMWh: t.mandatorySavingsMWh[r],
                mandatorySavingsHours: t.mandatoryHours[r], callableResponseMWh: t.programMWh[r]))
        }
        self.regions = regions
        corridors = s.corridors.enumerated().map { k, c in
            CorridorSummary(name: c.name, from: s.regions[c.from].name, to: s.regions[c.to].name, forwardMWh: t.corridorForwardMWh[k],
                            backwardMWh: t.corridorBackwardMWh[k], lossMWh: t.corridorLossMWh[k],
                            utilisation: ratio(t.corridorUtilisationHours[k], hours), hoursAtLimit: t.corridorHoursAtLimit[k])
        }
        storage = s.storage.enumerated().map { k, st in
            let usable = st.energyMWh * (st.maxSOCFraction - st.minSOCFraction)
            return StorageSummary(name: st.name, region: s.regions[st.region].name, dischargeMWh: t.storageDischargeMWh[k],
                                  chargeMWh: t.storageChargeMWh[k], cycles: ratio(t.storageDischargeMWh[k], usable))
        }
        shiftable = s.regions.flatMap { region in region.shiftable.map { (region.name, $0.name) } }.enumerated().map { d, p in
            ShiftableSummary(name: p.1, region: p.0, borrowedMWh: t.shiftableBorrowedMWh[d], paidBackMWh: t.shiftablePaidBackMWh[d],
                             unpaidMWh: t.shiftableUnpaidMWh[d])
        }
        reservoirs = plan.reservoirs.plants.enumerated().map { j, i in
            let p = s.plants[i], r = p.reservoir!
            return ReservoirSummary(name: p.name, region: s.regions[p.region].name, maxMWh: r.maxMWh, deadMWh: r.deadMWh,
                                    initialMWh: r.initialMWh, endMWh: t.reservoirEndLevelMWh[j], lowestMWh: t.reservoirMinLevelMWh[j],
                                    lowestLiveFraction: ratio(t.reservoirMinLevelMWh[j] - r.deadMWh, r.maxMWh - r.deadMWh),
                                    hoursAtDeadLevel: t.reservoirHoursAtDeadLevel[j], inflowMWh: t.reservoirInflowMWh[j],
                                    generationMWh: t.plantGenerationMWh[i], spilledMWh: t.reservoirSpilledMWh[j])
        }
        fuels = s.fuels.enumerated().map { f, fuel in
            let perDay = hours > 0 ? t.fuelBurnT[f] / (hours / 24) : 0
            return FuelSummary(name: fuel.name, kind: fuel.kind, burnT: t.fuelBurnT[f], lowestStockT: t.fuelMinStockT[f],
                               lowestStockDays: perDay > 0 ? t.fuelMinStockT[f] / perDay : .infinity,
                               strategicReserveDrawnT: t.fuelReserveDrawT[f], deliveriesLostToFullStorageT: t.fuelOverflowT[f],
                               supplyNotTakenT: t.fuelSupplyNotTakenT[f], spotCargoes: t.fuelSpotCargoes[f], spotT: t.fuelSpotT[f],
                               disruptedT: fuel.disruptedT, fuelLimitedPlantHours: t.fuelLimitedPlantHours[f])
        }
        let sum = { (xs: [Double]) in xs.reduce(0, +) }
        var nationalByClass: [String: Double] = [:]
        for (k, name) in classNames.enumerated() {
            nationalByClass[name] = (0..<t.regionCount).reduce(0) { $0 + t.shedByClassMWh[$1 * t.classCount + k] }
        }
        let generation = sum(t.generationMWh)
        let discharge = sum(t.storageDischargeMWh)
        let transmission = sum(t.corridorLossMWh)
        let distribution = sum(t.distributionLossMWh)
        let demand = sum(t.demandMWh)
        let genCost = sum(t.generationCostUSD), drCost = sum(t.responseCostUSD) + sum(t.mandatoryCostUSD), unservedCost = sum(t.unservedCostUSD)
        let served = demand - sum(t.unservedMWh) - sum(t.programMWh)
        // Demand-weighted average price, hour by hour: Σ price × demand × Δt / Σ demand × Δt.
        let weightedPrice = t.nationalPriceTimesDemandUSD
        national = NationalSummary(
            demandMWh: demand, servedMWh: served, unservedMWh: sum(t.unservedMWh), shortfallHours: t.nationalShortfallHours,
            largestShortfallMW: t.largestShortfallMW[t.regionCount], largestShortfallTime: time(t.largestShortfallStep[t.regionCount]),
            shortfallDays: t.shortfallDays[t.regionCount],
            shedByClassMWh: nationalByClass, peakDemandMW: nationalPeak, firmCapacityMW: sum(firm),
            planningReserveMargin: margins.national, capacityCredits: s.targets.capacityCredits, minOperatingReserveMargin: t.minNationalOperatingReserveMargin,
            generationMWh: generation, storageDischargeMWh: discharge, transmissionLossMWh: transmission,
            distributionLossMWh: distribution, lossRate: ratio(transmission + distribution, generation + discharge),
            cleanShare: ratio(sum(t.cleanGenerationMWh), generation), emissionsT: sum(t.emissionsT),
            generationCostUSD: genCost, demandResponseCostUSD: drCost, unservedCostUSD: unservedCost,
            totalCostUSD: genCost + drCost + unservedCost, averageGenerationCostUSDPerMWh: ratio(genCost, generation),
            averagePriceUSDPerMWh: ratio(weightedPrice, demand), peakPriceUSDPerMWh: t.peakPricePerMWh.max() ?? 0,
            curtailedMWh: sum(t.curtailedMWh), touShiftedMWh: sum(t.touShiftedMWh), mandatorySavingsMWh: sum(t.mandatorySavingsMWh),
            callableResponseMWh: sum(t.programMWh))
        scenario = s.name
        demandClasses = s.demandClasses.sorted { $0.shedOrder < $1.shedOrder }.map(\.name)
        self.hours = hours
        steps = t.stepsRun
        maxBalanceResidualMW = t.maxBalanceResidualMW
    }
}
