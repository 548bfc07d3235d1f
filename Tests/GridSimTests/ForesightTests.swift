import Foundation
import Testing
import GridModel
import LPOracle
@testable import GridSim

@Suite("Perfect-foresight reference (r70 run --foresight)")
struct ForesightTests {
    func load(_ name: String, overrides: [ScenarioOverride] = []) throws -> Scenario {
        try ScenarioLoader.load(path: fixtures.appendingPathComponent(name).path, overrides: overrides)
    }

    @Test("Hand-solved: a battery keeps the energy a foreseeable shortage needs ($31,000, nothing shed)")
    func foreseeableShortage() throws {
        let c = try Foresight.compare(try load("foreseeable-shortage.yaml"))
        // (The loader's least corridor hurdle, 1e-4 $/MWh, on the 300 MWh sent: 3 cents.)
        #expect(abs(c.foresight.costUSD - 31_000) < 0.05)
        #expect(abs(c.foresight.unservedMWh) < 1e-9)
        // At least 50 of the battery's 100 MWh are still there for the last hour.
        #expect(c.foresight.storageSOCMWh[0][1] >= 50 - 1e-9)
        #expect(abs(c.foresight.storageDischargedMWh[0] - 100) < 1e-6)
        #expect(c.policyCostUSD >= c.foresight.costUSD - 1e-6)
    }

    @Test("Nothing carried over from step to step: the optimum is the run's own cost (the hourly LP is exact)")
    func statelessEqualsRun() throws {
        for name in ["two-region-lossy.yaml", "single-region-week.yaml"] {
            let c = try Foresight.compare(try load(name))
            #expect(c.run.plan.isStateless, "\(name)")
            #expect(abs(c.gap) < 1e-9, "\(name): gap \(c.gap)")
            #expect(abs(c.policyUnservedMWh - c.foresight.unservedMWh) < 1e-6, "\(name)")
            // The run's cost counted as the LP counts it is the summary's generation and unserved cost (and
            // the corridors' hurdles, at most 1e-4 $/MWh here).
            let national = c.run.summary.national
            #expect(abs(c.policyCostUSD - national.generationCostUSD - national.unservedCostUSD) <= 1e-5 * c.policyCostUSD, "\(name)")
        }
    }

    @Test("CLP and GLPK solve the same perfect-foresight LP to the same objective, prices and storage values")
    func clpAgainstGLPK() throws {
        let scenario = try load("perfect-foresight-week.yaml")
        let clp = try Foresight.compare(scenario, solver: ClpSolver.solve).foresight
        let glpk = try Foresight.compare(scenario, solver: LPOracle.solve).foresight
        #expect(abs(clp.costUSD - glpk.costUSD) <= 1e-7 * glpk.costUSD)
        // Duals: the regions' prices and the battery's value of energy in every hour.
        var worstPrice = 0.0, worstValue = 0.0
        for t in 0..<scenario.stepCount {
            worstPrice = max(worstPrice, abs(clp.priceAtRegionPerMWh[0][t] - glpk.priceAtRegionPerMWh[0][t]))
            worstValue = max(worstValue, abs(clp.storageValuePerMWh[0][t] - glpk.storageValuePerMWh[0][t]))
        }
        #expect(worstPrice < 1e-6, "largest price difference \(worstPrice) $/MWh")
        #expect(worstValue < 1e-6, "largest storage-value difference \(worstValue) $/MWh")
        // Values are of energy held: never negative here (no surplus to spill), and the price in an hour the
        // battery discharges without being at a limit is its value / ηd.
        #expect(clp.storageValuePerMWh[0].allSatisfy { $0 >= -1e-9 })
    }

    @Test("Rolling windows are never below the whole horizon's optimum, and long windows reach it")
    func windows() throws {
        let scenario = try load("perfect-foresight-week.yaml")
        let whole = try Foresight.compare(scenario).foresight
        let daily = try Foresight.compare(scenario, options: ForesightOptions(windowSteps: 24, overlapSteps: 0)).foresight
        let withLookAhead = try Foresight.compare(scenario, options: ForesightOptions(windowSteps: 24, overlapSteps: 24)).foresight
        let single = try Foresight.compare(scenario, options: ForesightOptions(windowSteps: 168, overlapSteps: 24)).foresight
        #expect(daily.windows == 7 && withLookAhead.windows == 7 && single.windows == 1)
        #expect(daily.costUSD >= whole.costUSD - 1e-6 * whole.costUSD)
        #expect(withLookAhead.costUSD >= whole.costUSD - 1e-6 * whole.costUSD)
        #expect(withLookAhead.costUSD <= daily.costUSD + 1e-6 * whole.costUSD, "looking ahead cannot make the windows worse here")
        #expect(abs(single.costUSD - whole.costUSD) <= 1e-9 * whole.costUSD)
    }

    @Test("Fuel stocks, the strategic reserve, reservoirs, TOU and classes: the optimum is at most the run's cost, within every limit")
    func belowRun() throws {
        let reference = try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/vn-2025-reference.yaml").path,
                                                overrides: [try ScenarioOverride.parse("horizon.duration_days=10").get()])
        let cases = try ["coal-runs-out.yaml", "strategic-reserve.yaml", "tou-shift.yaml", "shed-by-class.yaml", "perfect-foresight-week.yaml"]
            .map { ($0, try load($0)) } + [("vn-2025-reference, 10 days", reference)]
        for (name, scenario) in cases {
            let c = try Foresight.compare(scenario)
            #expect(c.foresight.costUSD <= c.policyCostUSD * (1 + 1e-9), "\(name): optimum \(c.foresight.costUSD) above the run's \(c.policyCostUSD)")
            #expect(c.foresight.costUSD > 0, "\(name)")
            #expect(c.foresight.minimumNotMetMWh == 0, "\(name)")
            for (k, st) in scenario.storage.enumerated() {
                let lo = st.minSOCFraction * st.energyMWh, hi = st.maxSOCFraction * st.energyMWh
                #expect(c.foresight.storageSOCMWh[k].allSatisfy { $0 >= lo - 1e-6 && $0 <= hi + 1e-6 }, "\(name): \(st.name)")
            }
            print("\(name): run \(c.policyCostUSD) $, optimum \(c.foresight.costUSD) $, gap \(c.gap)")
        }
    }
}
