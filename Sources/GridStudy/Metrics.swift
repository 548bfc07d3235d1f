// The metrics a Monte Carlo study estimates, each with its resolution (for exact sums) and its value
// in one trial, read from the simulator's totals.
import GridModel
import GridSim

public struct MetricDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var unit: String
    public var description: String
    public var resolution: Double
    public var histogramScale: Double
}

/// The catalogue of metrics of a scenario, in a fixed order.
public struct MetricCatalog: Sendable {
    public let definitions: [MetricDefinition]
    let plan: SimulationPlan
    let targetNames: [String]

    public init(plan: SimulationPlan) {
        self.plan = plan
        let s = plan.scenario
        var d: [MetricDefinition] = []
        func add(_ name: String, _ unit: String, _ description: String, _ resolution: Double, _ scale: Double) {
            d.append(MetricDefinition(name: name, unit: unit, description: description, resolution: resolution, histogramScale: scale))
        }
        add("lole", "h/yr", "loss-of-load expectation: hours with shed load in any region", 1e-6, 0.1)
        add("lol_events", "1/yr", "loss-of-load events: runs of consecutive hours with shed load", 1e-6, 0.1)
        add("eue", "MWh/yr", "expected unserved energy", 1e-4, 1)
        add("neue", "ppm", "normalised EUE: unserved / demand energy × 10⁶", 1e-6, 0.1)
        add("lolp_peak", "probability", "probability of shed load in the hour of peak demand", 1e-9, 0.01)
        for c in s.demandClasses.sorted(by: { $0.shedOrder < $1.shedOrder }) {
            add("shed.\(c.name)", "MWh/yr", "energy shed from class \(c.name)", 1e-4, 1)
        }
        for r in s.regions {
            add("region.\(r.name).lole", "h/yr", "hours with shed load in \(r.name)", 1e-6, 0.1)
            add("region.\(r.name).eue", "MWh/yr", "unserved energy in \(r.name)", 1e-4, 1)
        }
        add("min_operating_reserve_margin", "fraction", "lowest hourly national operating reserve margin", 1e-9, 0.01)
        add("loss_rate", "fraction", "(transmission + distribution losses) / energy injected", 1e-9, 0.01)
        add("clean_share", "fraction", "clean generation / generation", 1e-9, 0.01)
        add("emissions", "t", "CO2 emissions", 1e-3, 1e3)
        add("total_cost", "USD", "generation + demand response + unserved energy at VOLL", 1e-2, 1e6)
        for f in s.fuels {
            add("fuel.\(f.name).lowest_stock_days", "days", "lowest stock of \(f.name) in days of average use", 1e-6, 1)
        }
        targetNames = TargetCheck.evaluate(targets: s.targets, summary: nil).map(\.name)
        for name in targetNames { add("target.\(name).holds", "probability", "probability that the \(name) target holds in a year", 1e-9, 0.01) }
        definitions = d
    }

    public func index(of name: String) -> Int? { definitions.firstIndex { $0.name == name } }

    /// The metrics of one finished trial, in catalogue order.
    public func values(_ totals: RunTotals, into out: inout [Double]) {
        let summary = RunSummary(plan: plan, totals: totals)
        let n = summary.national
        var v: [Double] = [n.shortfallHours, Double(totals.lossOfLoadEvents), n.unservedMWh,
                           n.demandMWh > 0 ? n.unservedMWh / n.demandMWh * 1e6 : 0, totals.shortfallAtPeak ? 1 : 0]
        for c in summary.demandClasses { v.append(n.shedByClassMWh[c] ?? 0) }
        for r in summary.regions { v.append(r.shortfallHours); v.append(r.unservedMWh) }
        v.append(n.minOperatingReserveMargin.isFinite ? n.minOperatingReserveMargin : 0)
        v += [n.lossRate, n.cleanShare, n.emissionsT, n.totalCostUSD]
        for f in summary.fuels { v.append(f.lowestStockDays.isFinite ? f.lowestStockDays : 1e6) }
        for r in TargetCheck.evaluate(targets: plan.scenario.targets, summary: summary) { v.append(r.passed ? 1 : 0) }
        precondition(v.count == definitions.count)
        out = v
    }
}
