// One deterministic run of a scenario, from the typed model to its summary.
import GridModel

public struct DeterministicRun: Sendable {
    public var plan: SimulationPlan
    public var summary: RunSummary
    public var totals: RunTotals
    public var hourly: HourlySeries?

    /// Simulates the whole horizon (or its first `maxSteps`) with expected availability.
    public static func run(_ scenario: Scenario, recordHourly: Bool = false, maxSteps: Int? = nil) throws(SimulationError) -> DeterministicRun {
        let plan = SimulationPlan(scenario: scenario)
        let sim = Simulator(plan: plan, recordHourly: recordHourly)
        try sim.run(maxSteps: maxSteps)
        return DeterministicRun(plan: plan, summary: RunSummary(plan: plan, totals: sim.totals), totals: sim.totals, hourly: sim.hourly)
    }
}
