// The typed, validated model of a scenario. Value types; series are resolved per step of the horizon.

public struct DemandClass: Sendable, Equatable {
    public var name: String
    public var share: Double
    public var shedOrder: Int
    public var vollUSDPerMWh: Double

    /// Defaults (E): large loads are shed first, vulnerable users and basic industry last.
    public static let defaults: [DemandClass] = [
        DemandClass(name: "large_industry", share: 0.35, shedOrder: 1, vollUSDPerMWh: 1_500),
        DemandClass(name: "commercial", share: 0.20, shedOrder: 2, vollUSDPerMWh: 4_000),
        DemandClass(name: "residential", share: 0.35, shedOrder: 3, vollUSDPerMWh: 6_000),
        DemandClass(name: "essential", share: 0.10, shedOrder: 4, vollUSDPerMWh: 20_000),
    ]
}

/// A value for each step of the horizon, stored once when it is the same in every step (most thermal
/// plants: a hostile or large scenario must not hold an hourly array per plant).
public struct StepSeries: Sendable, Equatable {
    public let count: Int
    private let constantValue: Double
    private let values: [Double]?

    public init(constant: Double, count: Int) { self.count = count; constantValue = constant; values = nil }

    /// Stored as a constant when every value is the same.
    public init(_ values: [Double]) {
        count = values.count
        let first = values.first ?? 0
        if values.allSatisfy({ $0 == first }) { constantValue = first; self.values = nil } else { constantValue = 0; self.values = values }
    }

    @inline(__always) public subscript(t: Int) -> Double { values?[t] ?? constantValue }

    /// The value of every step, when they are all the same.
    public var constant: Double? { values == nil ? constantValue : nil }

    public func scaled(by factor: Double) -> StepSeries {
        if let values { return StepSeries(values.map { $0 * factor }) }
        return StepSeries(constant: constantValue * factor, count: count)
    }
}

public struct Plant: Sendable {
    public var name: String
    public var region: Int
    public var technology: Technology
    public var units: Int
    public var unitSizeMW: Double
    public var capacityMW: Double { Double(units) * unitSizeMW }
    public var marginalCostUSDPerMWh: Double
    public var fuel: Int?
    /// Tonnes of `fuel` per MWh generated (heat rate / energy content).
    public var fuelTonnesPerMWh: Double
    public var heatRateGJPerMWh: Double?
    public var emissionTPerMWh: Double
    /// Fraction of capacity available in each step (weather, season), before forced outages.
    public var availability: StepSeries
    public var forcedOutageRate: Double
    public var meanTimeToRepairHours: Double
    public var capacityCredit: Double
    public var minOutputMW: Double
    /// Reservoir energy per month (January first), for `hydro_reservoir`: the month's budget, or with `reservoir`
    /// the month's inflow in the scenario's own (deterministic) year.
    public var hydroMonthlyEnergyMWh: [Double]?
    /// A reservoir with a level (MWh-equivalent) carried between months; nil: monthly budgets that do not carry over.
    public var reservoir: Reservoir? = nil
    public var clean: Bool
    /// Scaled by the trial year's hydrological class: a reservoir's monthly energy, any other plant's
    /// available MW (key `follows_hydrology`).
    public var followsHydrology: Bool
    /// Behind the meter (rooftop solar): its whole available output is taken as negative load, never curtailed
    /// or dispatched (key `behind_the_meter`).
    public var behindTheMeter = false
    /// Must-run MW in each month (January first), while available; `minOutputMW` is their largest.
    public var minOutputMonthlyMW: [Double]? = nil
    /// Fraction of units out for planned maintenance in each month (already applied to `availability`).
    public var maintenanceFractionMonthly: [Double]? = nil

    public init(name: String, region: Int, technology: Technology, units: Int, unitSizeMW: Double, marginalCostUSDPerMWh: Double,
                fuel: Int?, fuelTonnesPerMWh: Double, heatRateGJPerMWh: Double?, emissionTPerMWh: Double, availability: StepSeries,
                forcedOutageRate: Double, meanTimeToRepairHours: Double, capacityCredit: Double, minOutputMW: Double,
                hydroMonthlyEnergyMWh: [Double]?, clean: Bool, followsHydrology: Bool) {
        self.name = name; self.region = region; self.technology = technology; self.units = units; self.unitSizeMW = unitSizeMW
        self.marginalCostUSDPerMWh = marginalCostUSDPerMWh; self.fuel = fuel; self.fuelTonnesPerMWh = fuelTonnesPerMWh
        self.heatRateGJPerMWh = heatRateGJPerMWh; self.emissionTPerMWh = emissionTPerMWh; self.availability = availability
        self.forcedOutageRate = forcedOutageRate; self.meanTimeToRepairHours = meanTimeToRepairHours; self.capacityCredit = capacityCredit
        self.minOutputMW = minOutputMW; self.hydroMonthlyEnergyMWh = hydroMonthlyEnergyMWh; self.clean = clean
        self.followsHydrology = followsHydrology
    }
}

/// A reservoir (or cascade) behind a `hydro_reservoir` plant: its level is water counted as the energy it would
/// generate (MWh-equivalent). Inflows (`Plant.hydroMonthlyEnergyMWh`, MWh per month in the deterministic year,
/// scaled by the trial's hydrological class) raise it; generation and spill lower it. Nothing is generated from
/// water below the dead level; what would rise above `maxMWh` is spilled. At least `minReleaseMW` passes the dam
/// (through the turbines when they can take it, otherwise spilled) while the water above the dead level allows.
public struct Reservoir: Sendable, Equatable {
    public var maxMWh: Double
    public var deadMWh: Double
    public var initialMWh: Double
    /// The level the plan aims to hold at the end of the horizon (default: the initial level).
    public var endMWh: Double
    public var minReleaseMW: Double
    public init(maxMWh: Double, deadMWh: Double, initialMWh: Double, endMWh: Double, minReleaseMW: Double) {
        self.maxMWh = maxMWh; self.deadMWh = deadMWh; self.initialMWh = initialMWh; self.endMWh = endMWh; self.minReleaseMW = minReleaseMW
    }
}

public struct CallableProgram: Sendable {
    public var name: String
    public var capacityMW: Double
    public var costUSDPerMWh: Double
    public var maxHoursPerDay: Double
}

public struct MandatorySavings: Sendable {
    public var capacityMW: Double
    public var triggerReserveMW: Double
    public var maxHoursPerYear: Double
    public var costUSDPerMWh: Double
}

/// A shiftable demand-response programme (NREL PRAS's DemandResponse semantics): load deferred ("borrowed")
/// in one step must be paid back within `paybackSteps` steps; what is still owed at that deadline, or at the
/// end of the horizon, is unserved energy. Borrowing only avoids shedding; paying back comes before storage
/// charges (see the scenario reference).
public struct ShiftableProgram: Sendable {
    public var name: String
    public var borrowMW: Double
    public var paybackMW: Double
    /// Most energy owed at once, MWh.
    public var energyMWh: Double
    /// Steps after the first borrow of a debt within which it must be repaid.
    public var paybackSteps: Int
    /// Debt added per MWh borrowed, and debt repaid per MWh paid back, are `borrowEfficiency` and
    /// `1 / paybackEfficiency` (PRAS's convention).
    public var borrowEfficiency: Double
    public var paybackEfficiency: Double
    /// Growth of the debt per hour (PRAS's borrowed-energy interest, per hour instead of per period).
    public var interestPerHour: Double
    public var costUSDPerMWh: Double
    public var forcedOutageRate: Double
    public var meanTimeToRepairHours: Double
    public init(name: String, borrowMW: Double, paybackMW: Double, energyMWh: Double, paybackSteps: Int, borrowEfficiency: Double = 1,
                paybackEfficiency: Double = 1, interestPerHour: Double = 0, costUSDPerMWh: Double = 0, forcedOutageRate: Double = 0,
                meanTimeToRepairHours: Double = 1) {
        self.name = name; self.borrowMW = borrowMW; self.paybackMW = paybackMW; self.energyMWh = energyMWh; self.paybackSteps = paybackSteps
        self.borrowEfficiency = borrowEfficiency; self.paybackEfficiency = paybackEfficiency; self.interestPerHour = interestPerHour
        self.costUSDPerMWh = costUSDPerMWh; self.forcedOutageRate = forcedOutageRate; self.meanTimeToRepairHours = meanTimeToRepairHours
    }
}

public struct Region: Sendable {
    public var name: String
    /// Demand at the grid supply points in each step, MW (before TOU response).
    public var demandMW: [Double]
    public var distributionLossFraction: Double
    /// Share of demand in each class (in `Scenario.demandClasses` order).
    public var classShares: [Double]
    public var programs: [CallableProgram]
    public var mandatorySavings: MandatorySavings?
    public var shiftable: [ShiftableProgram] = []
}

public struct Corridor: Sendable {
    public enum Direction: Sendable { case forward, backward }
    public struct Segment: Sendable, Equatable {
        public var widthFraction: Double
        public var lossFraction: Double
    }
    public var name: String
    public var from: Int
    public var to: Int
    public var limitForwardMW: Double
    public var limitBackwardMW: Double
    public var circuits: Int
    /// Marginal loss segments (same both ways).
    public var segments: [Segment]
    public var hurdleCostUSDPerMWh: Double
    public var circuitForcedOutageRate: Double
    public var circuitMeanTimeToRepairHours: Double
    /// Loss fraction at the rated (full) transfer.
    public var lossFractionAtRated: Double {
        segments.reduce(0) { $0 + $1.widthFraction * $1.lossFraction }
    }
}

public struct Storage: Sendable {
    public enum Policy: String, Sendable { case economic, reliability, values }
    public var name: String
    public var region: Int
    public var technology: String
    public var powerMW: Double
    public var energyMWh: Double
    public var roundTripEfficiency: Double
    public var chargeEfficiency: Double { roundTripEfficiency.squareRoot() }
    public var dischargeEfficiency: Double { roundTripEfficiency.squareRoot() }
    public var minSOCFraction: Double
    public var maxSOCFraction: Double
    public var initialSOCFraction: Double
    public var capacityCredit: Double
    public var forcedOutageRate: Double
    public var meanTimeToRepairHours: Double
    public var policy: Policy

    /// Hours a store must sustain its firm power over the peak for the planning margin (E: the 4-hour rule of
    /// US resource-adequacy programmes such as CAISO's and NYISO's; the brief's evening peak window,
    /// 20:00–23:00, is 3 h, §8).
    public static let firmDurationHours = 4.0

    /// The power its usable energy sustains for `firmDurationHours` (energy between the floor and the
    /// ceiling of charge, after discharge losses), at most its power.
    public var sustainedPowerMW: Double {
        min(powerMW, max(0, energyMWh * (maxSOCFraction - minSOCFraction)) * dischargeEfficiency / Storage.firmDurationHours)
    }

    /// Firm capacity for the planning margin: the capacity credit of the power its energy sustains over the
    /// peak, so a store's credit follows its energy (zero energy, zero credit).
    public var firmCapacityMW: Double { capacityCredit * sustainedPowerMW }
}

public struct Fuel: Sendable {
    public var name: String
    public var kind: String
    public var energyContentGJPerT: Double
    public var priceUSDPerGJ: Double
    public var storageCapacityT: Double
    public var initialStockT: Double
    public var strategicReserveT: Double
    /// Tonnes arriving in each step (cargoes and continuous supply, after disruptions).
    public var arrivalsT: [Double]
    /// Tonnes of cargo lost to disruptions over the horizon.
    public var disruptedT: Double
    /// Scheduled cargoes (step, tonnes) before disruptions, and continuous supply per step after them.
    public var cargoes: [Cargo]
    public var supplyPerStepT: [Double]
    public var risk: SupplyRisk
    /// Spot cargoes bought when the stock runs low (nil: none).
    public var spot: SpotPurchase? = nil
    /// Fraction of a cargo arriving in each step that scheduled disruptions stop (spot cargoes too); empty: none.
    public var cargoLostFractionByStep: [Double] = []
}

/// Spot cargoes: when the stock falls to `orderBelowT` and no spot cargo is on its way, one is bought; it arrives
/// `leadTimeDays` later unless a disruption stops it (then it is lost, and another may be bought).
public struct SpotPurchase: Sendable, Equatable {
    public var cargoT: Double
    public var orderBelowT: Double
    public var leadTimeDays: Double
}

public struct Cargo: Sendable, Equatable {
    public var step: Int
    public var tonnes: Double
    /// Fraction lost to a scheduled disruption.
    public var lostFraction: Double
}

/// Random supply risks of a fuel (Monte Carlo).
public struct SupplyRisk: Sendable, Equatable {
    public var cargoDelayProbability: Double
    public var cargoMeanDelayDays: Double
    public var cargoCancellationProbability: Double
    public var supplyShortfallProbabilityPerDay: Double
    public var supplyShortfallFraction: Double
    public var disruptionRatePerYear: Double
    public var disruptionMeanDurationDays: Double
}

public struct InflowClass: Sendable, Equatable {
    public var name: String
    public var probability: Double
    public var energyFactor: Double
    /// The factor by month (January first) for reservoirs' monthly energy and inflows; nil: `energyFactor` every month.
    public var energyFactorMonthly: [Double]? = nil
    public init(name: String, probability: Double, energyFactor: Double, energyFactorMonthly: [Double]? = nil) {
        self.name = name; self.probability = probability; self.energyFactor = energyFactor; self.energyFactorMonthly = energyFactorMonthly
    }
    /// The factor of month `m` (0 = January).
    public func factor(month m: Int) -> Double { energyFactorMonthly?[m] ?? energyFactor }
}

/// Heat waves: a national two-state chain over days (hot or not), the same day in every region. In month m a day is
/// hot with stationary probability `probabilityMonthly[m]`, spells last `meanSpellDays` on average, and a hot day's
/// demand is `1 + demandUpliftFraction` times the profile's; the month's other days are lowered so that the month's
/// expected energy is the profile's (the profile already holds the season's average heat).
public struct HotDays: Sendable, Equatable {
    public var probabilityMonthly: [Double]
    public var meanSpellDays: Double
    public var demandUpliftFraction: Double
    public init(probabilityMonthly: [Double], meanSpellDays: Double, demandUpliftFraction: Double) {
        self.probabilityMonthly = probabilityMonthly; self.meanSpellDays = meanSpellDays; self.demandUpliftFraction = demandUpliftFraction
    }
    /// Demand factors of a hot day and of another day in a month whose hot-day probability is p (mean 1).
    public func factors(probability p: Double) -> (hot: Double, other: Double) {
        (1 + demandUpliftFraction, p < 1 ? 1 - demandUpliftFraction * p / (1 - p) : 1)
    }
}

public struct StochasticOptions: Sendable {
    public var forcedOutages: Bool
    public var demandForecastErrorSigma: Double
    public var demandDailySigma: Double
    public var solarDailySigma: Double
    public var windDailySigma: Double
    public var regionalCorrelation: Double
    public var heatSolarCorrelation: Double
    public var inflowClasses: [InflowClass]
    /// Hot days (heat waves) raising demand in the Monte Carlo; nil: none.
    public var hotDays: HotDays? = nil

    public static let defaultInflowClasses = [
        InflowClass(name: "dry", probability: 0.25, energyFactor: 0.7),
        InflowClass(name: "normal", probability: 0.5, energyFactor: 1.0),
        InflowClass(name: "wet", probability: 0.25, energyFactor: 1.2),
    ]
}

public struct MonteCarloSettings: Sendable, Equatable {
    public var trials: Int
    public var seed: UInt64
    public var relError: Double?
}

public struct TOUResponse: Sendable {
    public var participatingFraction: Double
    public var elasticity: Double
    public var savingFraction: Double
    /// Price ratio (to the normal tariff) of each step.
    public var priceRatio: [Double]
}

public struct Targets: Sendable, Equatable {
    public var minReserveMargin: Double?
    public var maxLossRate: Double?
    public var maxLOLEHours: Double?
    public var maxEUEMWh: Double?
    public var minCleanShare: Double?
    public var maxEmissionsT: Double?
    /// The capacity credits the planning reserve margin uses: "assumed" (each plant's and store's
    /// `capacity_credit`) or "computed" (the scenario's `computed_capacity_credits`).
    public var capacityCredits = "assumed"
}

public struct DispatchOptions: Sendable {
    public var lookaheadHours: Int
    public var excessPenaltyUSDPerMWh: Double
    public var storageReliabilityFractionOfVOLL: Double
    public var strategicReserveFractionOfVOLL: Double
    public var derateForcedOutages: Bool
}

public struct Scenario: Sendable {
    public var name: String
    public var description: String
    /// The scenario file, for messages.
    public var file: String
    public var calendar: StepCalendar
    public var regions: [Region]
    public var plants: [Plant]
    public var corridors: [Corridor]
    public var storage: [Storage]
    public var fuels: [Fuel]
    public var demandClasses: [DemandClass]
    public var tou: TOUResponse?
    public var targets: Targets
    public var dispatch: DispatchOptions
    public var stochastic: StochasticOptions
    public var monteCarlo: MonteCarloSettings?
    /// A hash of everything the scenario was read from: the file's text, the `--set` overrides and the
    /// bytes of every profile file (FNV-1a, 128 bits in hex). Partial results of a study carry it, so
    /// shards of different inputs are not merged.
    public var fingerprint: String = ""

    public var stepCount: Int { calendar.stepCount }
    public var stepHours: Double { calendar.stepHours }
}
