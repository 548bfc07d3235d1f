// The numbers the per-step loop reads, as flat arrays of plain values (structure of arrays), so that the
// hot path never copies model structs (and never retains or releases their arrays).
import GridModel

public final class PlanArrays: Sendable {
    // Plants.
    public let plantRegion: [Int]
    public let plantCapacityMW: [Double]
    public let plantMinOutputMW: [Double]
    public let plantCostPerMWh: [Double]
    public let plantFuel: [Int]
    /// Plants that burn a fuel (plantFuel ≥ 0), in order.
    public let fuelPlants: [Int]
    public let plantFuelTonnesPerMWh: [Double]
    public let plantIsHydro: [Bool]
    public let plantIsVariableRenewable: [Bool]
    public let plantEmissionTPerMWh: [Double]
    public let plantClean: [Bool]
    public let maxPlantCostPerMWh: Double
    /// Available MW of plants whose availability never changes over the horizon (no profile, no monthly
    /// values, no weather factor, no reservoir budget); −1 for the others.
    public let plantConstantAvailableMW: [Double]
    /// Indices of the plants whose availability changes over time.
    public let variablePlants: [Int]
    // Regions.
    public let regionDistributionLossFraction: [Double]
    public let regionHasMandatory: [Bool]
    public let mandatoryCapacityMW: [Double]
    public let mandatoryTriggerMW: [Double]
    public let mandatoryMaxHours: [Double]
    public let mandatoryCostPerMWh: [Double]
    // Corridors.
    public let corridorFrom: [Int]
    public let corridorTo: [Int]
    public let corridorLimitForwardMW: [Double]
    public let corridorLimitBackwardMW: [Double]
    /// 1 − loss fraction at rated transfer.
    public let corridorKeep: [Double]
    // Storage.
    public let storageRegion: [Int]
    public let storagePowerMW: [Double]
    public let storageMinMWh: [Double]
    public let storageMaxMWh: [Double]
    public let storageChargeEfficiency: [Double]
    public let storageDischargeEfficiency: [Double]
    public let storageRoundTrip: [Double]
    public let storageEconomic: [Bool]
    // Fuels.
    public let fuelCapacityT: [Double]
    public let fuelReserveT: [Double]
    /// Smallest tonnes per MWh of the plants burning each fuel (0 when none).
    public let fuelCheapestTonnesPerMWh: [Double]
    // Shed blocks: region, class, share of the region's demand in the block, VOLL.
    public let shedRegion: [Int]
    public let shedClass: [Int]
    public let shedShare: [Double]
    public let shedVOLL: [Double]
    /// True when every corridor is lossless (shortfall can then be decided by a max-flow).
    public let losslessNetwork: Bool
    // Programs.
    public let programCapacityMW: [Double]
    public let programCostPerMWh: [Double]
    public let programMaxHoursPerDay: [Double]

    init(scenario s: Scenario, shedBlocks: [ShedBlock]) {
        plantRegion = s.plants.map(\.region)
        plantCapacityMW = s.plants.map(\.capacityMW)
        plantMinOutputMW = s.plants.map(\.minOutputMW)
        plantCostPerMWh = s.plants.map(\.marginalCostUSDPerMWh)
        plantFuel = s.plants.map { $0.fuel ?? -1 }
        fuelPlants = s.plants.indices.filter { s.plants[$0].fuel != nil }
        plantFuelTonnesPerMWh = s.plants.map(\.fuelTonnesPerMWh)
        plantIsHydro = s.plants.map { $0.hydroMonthlyEnergyMWh != nil }
        plantIsVariableRenewable = s.plants.map(\.technology.isVariableRenewable)
        plantEmissionTPerMWh = s.plants.map(\.emissionTPerMWh)
        plantClean = s.plants.map(\.clean)
        maxPlantCostPerMWh = s.plants.map(\.marginalCostUSDPerMWh).max() ?? 0
        let constant = s.plants.map { p -> Double in
            let a0 = p.availability.first ?? 1
            let fixed = p.hydroMonthlyEnergyMWh == nil && ![.solar, .onshoreWind, .offshoreWind, .runOfRiver].contains(p.technology)
                && p.availability.allSatisfy { $0 == a0 }
            return fixed ? min(p.capacityMW, a0 * p.capacityMW) : -1
        }
        plantConstantAvailableMW = constant
        variablePlants = constant.indices.filter { constant[$0] < 0 }
        regionDistributionLossFraction = s.regions.map(\.distributionLossFraction)
        regionHasMandatory = s.regions.map { $0.mandatorySavings != nil }
        mandatoryCapacityMW = s.regions.map { $0.mandatorySavings?.capacityMW ?? 0 }
        mandatoryTriggerMW = s.regions.map { $0.mandatorySavings?.triggerReserveMW ?? 0 }
        mandatoryMaxHours = s.regions.map { $0.mandatorySavings?.maxHoursPerYear ?? 0 }
        mandatoryCostPerMWh = s.regions.map { $0.mandatorySavings?.costUSDPerMWh ?? 0 }
        corridorFrom = s.corridors.map(\.from)
        corridorTo = s.corridors.map(\.to)
        corridorLimitForwardMW = s.corridors.map(\.limitForwardMW)
        corridorLimitBackwardMW = s.corridors.map(\.limitBackwardMW)
        corridorKeep = s.corridors.map { 1 - $0.lossFractionAtRated }
        losslessNetwork = s.corridors.allSatisfy { $0.segments.allSatisfy { $0.lossFraction == 0 } }
        storageRegion = s.storage.map(\.region)
        storagePowerMW = s.storage.map(\.powerMW)
        storageMinMWh = s.storage.map { $0.minSOCFraction * $0.energyMWh }
        storageMaxMWh = s.storage.map { $0.maxSOCFraction * $0.energyMWh }
        storageChargeEfficiency = s.storage.map(\.chargeEfficiency)
        storageDischargeEfficiency = s.storage.map(\.dischargeEfficiency)
        storageRoundTrip = s.storage.map(\.roundTripEfficiency)
        storageEconomic = s.storage.map { $0.policy == .economic }
        fuelCapacityT = s.fuels.map(\.storageCapacityT)
        fuelReserveT = s.fuels.map(\.strategicReserveT)
        fuelCheapestTonnesPerMWh = s.fuels.indices.map { f in
            s.plants.filter { $0.fuel == f }.map(\.fuelTonnesPerMWh).min() ?? 0
        }
        let sharing = Double(s.dispatch.shortfallSharingSteps)
        shedRegion = shedBlocks.map(\.region)
        shedClass = shedBlocks.map(\.demandClass)
        shedShare = shedBlocks.map { s.regions[$0.region].classShares[$0.demandClass] / sharing }
        shedVOLL = shedBlocks.map { s.demandClasses[$0.demandClass].vollUSDPerMWh }
        let programs = s.regions.flatMap(\.programs)
        programCapacityMW = programs.map(\.capacityMW)
        programCostPerMWh = programs.map(\.costUSDPerMWh)
        programMaxHoursPerDay = programs.map(\.maxHoursPerDay)
    }
}

/// A fixed-size array of Doubles owned by a simulator (made by its `DoublesPool` in `init`, freed with
/// it): element access in the step loop neither retains nor checks uniqueness, as an array property of
/// a class would.
public typealias Doubles = UnsafeMutableBufferPointer<Double>

/// Makes `Doubles` and frees every one it made when it goes, so an owner cannot forget one.
final class DoublesPool {
    private var made: [Doubles] = []
    func make(_ count: Int, _ value: Double) -> Doubles {
        let b = Doubles.allocate(capacity: count)
        b.initialize(repeating: value)
        made.append(b)
        return b
    }
    func make(_ values: [Double]) -> Doubles {
        let b = Doubles.allocate(capacity: values.count)
        _ = b.initialize(from: values)
        made.append(b)
        return b
    }
    deinit { for b in made { b.deallocate() } }
}
