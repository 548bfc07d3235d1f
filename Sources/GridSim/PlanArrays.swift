// The numbers the per-step loop reads, as flat arrays of plain values (structure of arrays), so that the
// hot path never copies model structs (and never retains or releases their arrays).
import GridModel
import CPrefetch
import Foundation

public final class PlanArrays: Sendable {
    // Plants.
    public let plantRegion: FixedArray<Int>
    /// The plants of region r in ascending order: `regionPlants[regionPlantStart[r] ..< regionPlantStart[r + 1]]`
    /// (so that a region's sums are kept in a register, in plant order).
    public let regionPlantStart: FixedArray<Int>
    public let regionPlants: FixedArray<Int>
    public let plantCapacityMW: FixedArray<Double>
    public let plantMinOutputMW: FixedArray<Double>
    /// Must-run MW by plant and month (`[plant * 12 + month − 1]`), and whether a plant is behind the meter.
    public let plantMinOutputByMonthMW: FixedArray<Double>
    public let plantBehindTheMeter: FixedArray<Bool>
    /// 1 for a plant behind the meter, else 0 (read without a branch).
    public let plantBehindTheMeterFactor: FixedArray<Double>
    /// Month − 1 of each step.
    public let stepMonthIndex: FixedArray<Int>
    public let plantCostPerMWh: FixedArray<Double>
    public let plantFuel: FixedArray<Int>
    /// Plants that burn a fuel (plantFuel ≥ 0), in order.
    public let fuelPlants: FixedArray<Int>
    public let plantFuelTonnesPerMWh: FixedArray<Double>
    public let plantIsHydro: FixedArray<Bool>
    public let plantIsVariableRenewable: FixedArray<Bool>
    public let plantEmissionTPerMWh: FixedArray<Double>
    public let plantClean: FixedArray<Bool>
    public let maxPlantCostPerMWh: Double
    /// Available MW of plants whose availability never changes over the horizon (no profile, no monthly
    /// values, no weather factor, no reservoir budget); −1 for the others.
    public let plantConstantAvailableMW: FixedArray<Double>
    /// Indices of the plants whose availability changes over time.
    public let variablePlants: FixedArray<Int>
    /// Per plant, its index among `variablePlants` (−1 for the constant-availability ones).
    public let plantVariableIndex: FixedArray<Int>
    // Regions.
    public let regionDistributionLossFraction: FixedArray<Double>
    public let regionHasMandatory: FixedArray<Bool>
    public let mandatoryCapacityMW: FixedArray<Double>
    public let mandatoryTriggerMW: FixedArray<Double>
    public let mandatoryMaxHours: FixedArray<Double>
    public let mandatoryCostPerMWh: FixedArray<Double>
    // Corridors.
    public let corridorFrom: FixedArray<Int>
    public let corridorTo: FixedArray<Int>
    public let corridorLimitForwardMW: FixedArray<Double>
    public let corridorLimitBackwardMW: FixedArray<Double>
    /// 1 − loss fraction at rated transfer.
    public let corridorKeep: FixedArray<Double>
    // Storage.
    public let storageRegion: FixedArray<Int>
    public let storagePowerMW: FixedArray<Double>
    public let storageMinMWh: FixedArray<Double>
    public let storageMaxMWh: FixedArray<Double>
    public let storageChargeEfficiency: FixedArray<Double>
    public let storageDischargeEfficiency: FixedArray<Double>
    public let storageRoundTrip: FixedArray<Double>
    public let storageEconomic: FixedArray<Bool>
    // Shiftable demand-response programmes (dispatched as the storage columns after the stores': a borrow
    // is a discharge, a payback a charge).
    public let shiftableRegion: FixedArray<Int>
    public let shiftableBorrowMW: FixedArray<Double>
    public let shiftablePaybackMW: FixedArray<Double>
    public let shiftableEnergyMWh: FixedArray<Double>
    public let shiftablePaybackSteps: FixedArray<Int>
    public let shiftableBorrowEfficiency: FixedArray<Double>
    public let shiftablePaybackEfficiency: FixedArray<Double>
    /// Debt growth factor per step, (1 + interest per hour)^(step hours).
    public let shiftableInterestFactor: FixedArray<Double>
    public let shiftableCostPerMWh: FixedArray<Double>
    // Fuels.
    public let fuelCapacityT: FixedArray<Double>
    public let fuelReserveT: FixedArray<Double>
    /// Spot purchases: tonnes per cargo (0: none), the stock that triggers one, and the steps until it arrives.
    public let fuelSpotCargoT: FixedArray<Double>
    public let fuelSpotOrderBelowT: FixedArray<Double>
    public let fuelSpotLeadSteps: FixedArray<Int>
    public let hasSpotPurchases: Bool
    /// Smallest tonnes per MWh of the plants burning each fuel (0 when none).
    public let fuelCheapestTonnesPerMWh: FixedArray<Double>
    // Shed blocks: region, class, share of the region's demand in the block, VOLL.
    public let shedRegion: FixedArray<Int>
    public let shedClass: FixedArray<Int>
    public let shedVOLL: FixedArray<Double>
    /// True when every corridor is lossless (shortfall can then be decided by a max-flow).
    public let losslessNetwork: Bool
    // Programs.
    public let programCapacityMW: FixedArray<Double>
    public let programCostPerMWh: FixedArray<Double>
    public let programMaxHoursPerDay: FixedArray<Double>

    init(scenario s: Scenario, shedBlocks: [ShedBlock]) {
        plantRegion = FixedArray(s.plants.map(\.region))
        var starts = [0], members: [Int] = []
        for r in s.regions.indices {
            members += s.plants.indices.filter { s.plants[$0].region == r }
            starts.append(members.count)
        }
        regionPlantStart = FixedArray(starts)
        regionPlants = FixedArray(members)
        plantCapacityMW = FixedArray(s.plants.map(\.capacityMW))
        plantMinOutputMW = FixedArray(s.plants.map(\.minOutputMW))
        // A reservoir's minimum release is must-run through its turbines (the rest is spilled: `Simulator`).
        plantMinOutputByMonthMW = FixedArray(s.plants.flatMap { p in
            (p.minOutputMonthlyMW ?? [Double](repeating: p.minOutputMW, count: 12)).map { max($0, min(p.reservoir?.minReleaseMW ?? 0, p.capacityMW)) }
        })
        plantBehindTheMeter = FixedArray(s.plants.map(\.behindTheMeter))
        plantBehindTheMeterFactor = FixedArray(s.plants.map { $0.behindTheMeter ? 1 : 0 })
        stepMonthIndex = FixedArray((0..<s.stepCount).map { Int(s.calendar.month[$0]) - 1 })
        plantCostPerMWh = FixedArray(s.plants.map(\.marginalCostUSDPerMWh))
        plantFuel = FixedArray(s.plants.map { $0.fuel ?? -1 })
        fuelPlants = FixedArray(s.plants.indices.filter { s.plants[$0].fuel != nil })
        plantFuelTonnesPerMWh = FixedArray(s.plants.map(\.fuelTonnesPerMWh))
        plantIsHydro = FixedArray(s.plants.map { $0.hydroMonthlyEnergyMWh != nil })
        plantIsVariableRenewable = FixedArray(s.plants.map(\.technology.isVariableRenewable))
        plantEmissionTPerMWh = FixedArray(s.plants.map(\.emissionTPerMWh))
        plantClean = FixedArray(s.plants.map(\.clean))
        maxPlantCostPerMWh = s.plants.map(\.marginalCostUSDPerMWh).max() ?? 0
        let constant = s.plants.map { p -> Double in
            let a0 = p.availability.constant ?? 1
            let fixed = p.hydroMonthlyEnergyMWh == nil && ![.solar, .onshoreWind, .offshoreWind, .runOfRiver].contains(p.technology)
                && p.availability.constant != nil && !p.followsHydrology
            return fixed ? min(p.capacityMW, a0 * p.capacityMW) : -1
        }
        plantConstantAvailableMW = FixedArray(constant)
        variablePlants = FixedArray(constant.indices.filter { constant[$0] < 0 })
        var index = [Int](repeating: -1, count: s.plants.count)
        for (v, i) in variablePlants.enumerated() { index[i] = v }
        plantVariableIndex = FixedArray(index)
        regionDistributionLossFraction = FixedArray(s.regions.map(\.distributionLossFraction))
        regionHasMandatory = FixedArray(s.regions.map { $0.mandatorySavings != nil })
        mandatoryCapacityMW = FixedArray(s.regions.map { $0.mandatorySavings?.capacityMW ?? 0 })
        mandatoryTriggerMW = FixedArray(s.regions.map { $0.mandatorySavings?.triggerReserveMW ?? 0 })
        mandatoryMaxHours = FixedArray(s.regions.map { $0.mandatorySavings?.maxHoursPerYear ?? 0 })
        mandatoryCostPerMWh = FixedArray(s.regions.map { $0.mandatorySavings?.costUSDPerMWh ?? 0 })
        corridorFrom = FixedArray(s.corridors.map(\.from))
        corridorTo = FixedArray(s.corridors.map(\.to))
        corridorLimitForwardMW = FixedArray(s.corridors.map(\.limitForwardMW))
        corridorLimitBackwardMW = FixedArray(s.corridors.map(\.limitBackwardMW))
        corridorKeep = FixedArray(s.corridors.map { 1 - $0.lossFractionAtRated })
        losslessNetwork = s.corridors.allSatisfy { $0.segments.allSatisfy { $0.lossFraction == 0 } }
        storageRegion = FixedArray(s.storage.map(\.region))
        storagePowerMW = FixedArray(s.storage.map(\.powerMW))
        storageMinMWh = FixedArray(s.storage.map { $0.minSOCFraction * $0.energyMWh })
        storageMaxMWh = FixedArray(s.storage.map { $0.maxSOCFraction * $0.energyMWh })
        storageChargeEfficiency = FixedArray(s.storage.map(\.chargeEfficiency))
        storageDischargeEfficiency = FixedArray(s.storage.map(\.dischargeEfficiency))
        storageRoundTrip = FixedArray(s.storage.map(\.roundTripEfficiency))
        storageEconomic = FixedArray(s.storage.map { $0.policy == .economic })
        let shiftable = s.regions.enumerated().flatMap { r, region in region.shiftable.map { (r, $0) } }
        shiftableRegion = FixedArray(shiftable.map(\.0))
        shiftableBorrowMW = FixedArray(shiftable.map(\.1.borrowMW))
        shiftablePaybackMW = FixedArray(shiftable.map(\.1.paybackMW))
        shiftableEnergyMWh = FixedArray(shiftable.map(\.1.energyMWh))
        shiftablePaybackSteps = FixedArray(shiftable.map(\.1.paybackSteps))
        shiftableBorrowEfficiency = FixedArray(shiftable.map(\.1.borrowEfficiency))
        shiftablePaybackEfficiency = FixedArray(shiftable.map(\.1.paybackEfficiency))
        shiftableInterestFactor = FixedArray(shiftable.map { Foundation.pow(1 + $0.1.interestPerHour, s.stepHours) })
        shiftableCostPerMWh = FixedArray(shiftable.map(\.1.costUSDPerMWh))
        fuelCapacityT = FixedArray(s.fuels.map(\.storageCapacityT))
        fuelReserveT = FixedArray(s.fuels.map(\.strategicReserveT))
        fuelSpotCargoT = FixedArray(s.fuels.map { $0.spot?.cargoT ?? 0 })
        fuelSpotOrderBelowT = FixedArray(s.fuels.map { $0.spot?.orderBelowT ?? 0 })
        fuelSpotLeadSteps = FixedArray(s.fuels.map { Int((($0.spot?.leadTimeDays ?? 0) * Double(s.calendar.stepsPerDay)).rounded()) })
        hasSpotPurchases = s.fuels.contains { $0.spot != nil }
        fuelCheapestTonnesPerMWh = FixedArray(s.fuels.indices.map { f in
            s.plants.filter { $0.fuel == f }.map(\.fuelTonnesPerMWh).min() ?? 0
        })
        shedRegion = FixedArray(shedBlocks.map(\.region))
        shedClass = FixedArray(shedBlocks.map(\.demandClass))
        shedVOLL = FixedArray(shedBlocks.map { s.demandClasses[$0.demandClass].vollUSDPerMWh })
        let programs = s.regions.flatMap(\.programs)
        programCapacityMW = FixedArray(programs.map(\.capacityMW))
        programCostPerMWh = FixedArray(programs.map(\.costUSDPerMWh))
        programMaxHoursPerDay = FixedArray(programs.map(\.maxHoursPerDay))
    }
}

/// A fixed-size array of Doubles owned by a simulator (made by its `DoublesPool` in `init`, freed with
/// it): element access in the step loop neither retains nor checks uniqueness, as an array property of
/// a class would.
typealias Doubles = UnsafeMutableBufferPointer<Double>

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

/// An immutable array of plain values in memory of its own, read in the step loop without a bounds
/// check (checked by `assert` in debug builds) and without touching a reference count.
public struct FixedArray<Element: BitwiseCopyable>: RandomAccessCollection, @unchecked Sendable {
    /// Keeps the memory alive as long as a copy of the array exists.
    private let owner: FixedStorage
    private let base: UnsafePointer<Element>
    public let count: Int

    public init(_ values: [Element]) {
        let p = UnsafeMutablePointer<Element>.allocate(capacity: Swift.max(1, values.count))
        p.initialize(from: values, count: values.count)
        owner = FixedStorage(UnsafeMutableRawPointer(p))
        base = UnsafePointer(p)
        count = values.count
    }

    /// Takes over `count` initialised elements at `p` (allocated with `UnsafeMutablePointer.allocate`): no copy.
    init(adopting p: UnsafeMutablePointer<Element>, count: Int) {
        owner = FixedStorage(UnsafeMutableRawPointer(p))
        base = UnsafePointer(p)
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    @inline(__always) public subscript(i: Int) -> Element {
        assert(i >= 0 && i < count, "index \(i) out of range 0..<\(count)")
        return base[i]
    }
    /// Hints that element i (clamped to the array) will be read soon.
    @inline(__always) func prefetch(_ i: Int) {
        if count > 0 { r70_prefetch(base + Swift.min(i, count - 1)) }
    }
}

final class FixedStorage: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }
    deinit { raw.deallocate() }
}
