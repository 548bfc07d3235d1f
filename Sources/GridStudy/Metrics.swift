// The metrics a Monte Carlo study estimates, each with its resolution (for exact sums) and its value
// in one trial, read from the simulator's totals.
import GridModel
import GridSim

public struct MetricDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var unit: String
    public var description: String
    public var resolution: Double
    /// The direction in which the metric gets worse (for its worst-5 % mean): true for shortfalls, costs,
    /// losses and emissions; false for margins, the clean share, fuel stocks and P(target holds).
    public var higherIsWorse: Bool
}

enum Worse { case higher, lower }

/// The catalogue of metrics of a scenario, in a fixed order.
public struct MetricCatalog: Sendable {
    public let definitions: [MetricDefinition]
    let plan: SimulationPlan
    let targetNames: [String]

    let adequacyOnly: Bool
    /// Steps shorter than an hour: LOLE is also counted in steps.
    let subHourly: Bool
    /// Some region has a shiftable programme (its unpaid debt is a metric).
    let hasShiftable: Bool
    /// Demand classes in shedding order (indices into the scenario's classes).
    let classOrder: [Int]

    /// With `adequacyOnly`, only the shortfall metrics (LOLE, events, EUE, NEUE, LOLP at the peak, shed
    /// by class and by region).
    public init(plan: SimulationPlan, adequacyOnly: Bool = false) {
        self.plan = plan
        self.adequacyOnly = adequacyOnly
        let classes = plan.scenario.demandClasses
        classOrder = classes.indices.sorted { classes[$0].shedOrder < classes[$1].shedOrder }
        let s = plan.scenario
        var d: [MetricDefinition] = []
        func add(_ name: String, _ unit: String, _ description: String, _ resolution: Double, worse: Worse) {
            d.append(MetricDefinition(name: name, unit: unit, description: description, resolution: resolution, higherIsWorse: worse == .higher))
        }
        add("lole", "h", "loss-of-load expectation: hours with shed load in any region", 1e-6, worse: .higher)
        subHourly = s.calendar.stepMinutes < 60
        if subHourly {
            add("lole_steps", "steps", "loss-of-load expectation counted in steps (\(s.calendar.stepMinutes)-minute steps with shed load in any region; PRAS's LOLE in periods)", 1e-6, worse: .higher)
        }
        add("lol_events", "events", "loss-of-load events: runs of consecutive hours with shed load", 1e-6, worse: .higher)
        add("eue", "MWh", "expected unserved energy", 1e-4, worse: .higher)
        add("neue", "ppm", "normalised EUE: unserved / demand energy × 10⁶", 1e-6, worse: .higher)
        add("lolp_peak", "probability", "probability of shed load in the hour of the trial's own highest national demand (as dispatched: after the trial's demand factors and TOU response)", 1e-9, worse: .higher)
        add("largest_shortfall", "MW", "the size of the hole: the largest load shed nationally in one step of the year (0 in a year without shortfall)", 1e-3, worse: .higher)
        add("shortfall_days", "days", "days with shed load in any region", 1, worse: .higher)
        hasShiftable = s.regions.contains { !$0.shiftable.isEmpty }
        if hasShiftable {
            add("shiftable_unpaid", "MWh", "shifted load still owed at its payback deadline (or at the end of the horizon): unserved, part of EUE (PRAS's DemandResponseShortfall)", 1e-4, worse: .higher)
        }
        for c in s.demandClasses.sorted(by: { $0.shedOrder < $1.shedOrder }) {
            add("shed.\(c.name)", "MWh", "energy shed from class \(c.name)", 1e-4, worse: .higher)
        }
        for r in s.regions {
            add("region.\(r.name).lole", "h", "hours with shed load in \(r.name)", 1e-6, worse: .higher)
            add("region.\(r.name).eue", "MWh", "unserved energy in \(r.name)", 1e-4, worse: .higher)
            add("region.\(r.name).largest_shortfall", "MW", "the largest load shed in \(r.name) in one step", 1e-3, worse: .higher)
        }
        if adequacyOnly {
            targetNames = []
            definitions = d
            return
        }
        add("min_operating_reserve_margin", "fraction", "lowest hourly national operating reserve margin", 1e-9, worse: .lower)
        add("loss_rate", "fraction", "(transmission + distribution losses) / energy injected", 1e-9, worse: .higher)
        add("clean_share", "fraction", "clean generation / generation", 1e-9, worse: .lower)
        add("emissions", "t", "CO2 emissions", 1e-3, worse: .higher)
        add("total_cost", "USD", "generation + demand response + unserved energy at VOLL", 1e-2, worse: .higher)
        for f in s.fuels {
            add("fuel.\(f.name).lowest_stock", "t", "lowest stock of \(f.name)", 1e-3, worse: .lower)
        }
        for i in plan.reservoirs.plants {
            let name = s.plants[i].name
            add("reservoir.\(name).lowest_level", "MWh", "lowest level of reservoir \(name) (MWh-equivalent)", 1e-3, worse: .lower)
            add("reservoir.\(name).hours_at_dead_level", "h", "hours reservoir \(name) ended at its dead level", 1e-6, worse: .higher)
            add("reservoir.\(name).spilled", "MWh", "water spilled from reservoir \(name) (MWh-equivalent)", 1e-3, worse: .higher)
        }
        targetNames = TargetCheck.evaluate(targets: s.targets, summary: nil).map(\.name)
        for name in targetNames { add("target.\(name).holds", "probability", "probability that the \(name) target holds in a trial", 1e-9, worse: .lower) }
        definitions = d
    }

    public func index(of name: String) -> Int? { definitions.firstIndex { $0.name == name } }

    /// The metrics of one finished trial, in catalogue order.

    public func values(_ totals: RunTotals, into out: inout [Double]) {
        // The adequacy metrics straight from the totals (no summary is built for them).
        let R = totals.regionCount, K = totals.classCount
        var unserved = 0.0, demand = 0.0
        for r in 0..<R { unserved += totals.unservedMWh[r]; demand += totals.demandMWh[r] }
        var v: [Double] = [totals.nationalShortfallHours, Double(totals.lossOfLoadEvents), unserved,
                           demand > 0 ? unserved / demand * 1e6 : 0, totals.shortfallAtPeak ? 1 : 0,
                           totals.largestShortfallMW[R], Double(totals.shortfallDays[R])]
        if subHourly { v.insert((totals.nationalShortfallHours / plan.scenario.stepHours).rounded(), at: 1) }
        v.reserveCapacity(definitions.count)
        if hasShiftable { v.append(totals.shiftableUnpaidMWh.reduce(0, +)) }
        for k in classOrder {
            var shed = 0.0
            for r in 0..<R { shed += totals.shedByClassMWh[r * K + k] }
            v.append(shed)
        }
        for r in 0..<R { v.append(totals.shortfallHours[r]); v.append(totals.unservedMWh[r]); v.append(totals.largestShortfallMW[r]) }
        if adequacyOnly {
            out = v
            return
        }
        let summary = RunSummary(plan: plan, totals: totals)
        let n = summary.national
        v.append(n.minOperatingReserveMargin.isFinite ? n.minOperatingReserveMargin : 0)
        v += [n.lossRate, n.cleanShare, n.emissionsT, n.totalCostUSD]
        for f in summary.fuels { v.append(f.lowestStockT) }
        for j in plan.reservoirs.plants.indices {
            v += [totals.reservoirMinLevelMWh[j], totals.reservoirHoursAtDeadLevel[j], totals.reservoirSpilledMWh[j]]
        }
        for r in TargetCheck.evaluate(targets: plan.scenario.targets, summary: summary) { v.append(r.passed ? 1 : 0) }
        precondition(v.count == definitions.count)
        out = v
    }
}
