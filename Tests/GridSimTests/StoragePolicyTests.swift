import Foundation
import Testing
import GridModel
@testable import GridSim

@Suite("Storage holds back energy for foreseeable shortfalls")
struct StoragePolicyTests {
    @Test("Hand-solved, policy economic: the highest-load hour is not the short one; the battery keeps 30 MWh for it ($22,200, nothing shed)")
    func heldBack() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("held-back.yaml").path,
                                               overrides: [try ScenarioOverride.parse("storage[battery].policy=economic").get()])
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let h = try #require(run.hourly)
        #expect(run.summary.national.unservedMWh < 1e-9)
        #expect(close(Array(h.storageDischargeMW[0..<3]), [70, 30, 0]), "\(Array(h.storageDischargeMW[0..<3]))")
        #expect(abs(run.summary.national.generationCostUSD - 22_200) < 1e-6)
        // The plan's pass: 30 MWh held at the end of hour 0 for hour 1, none after.
        #expect(close(Array(run.plan.storageReserveMWh[0..<3]), [30, 0, 0]))
        let c = try Foresight.compare(scenario)
        #expect(abs(c.gap) < 1e-9)
    }

    @Test("More storage never sheds more on vn-2030-base (North 2-hour battery 0–12 GW), and 12 GW sheds at most half of none")
    func monotoneInStorage() throws {
        var unserved: [Double] = []
        for mw in [0, 2_000, 4_000, 8_000, 12_000] {
            let scenario = try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path, overrides: [
                try ScenarioOverride.parse("storage[bess-n].power_mw=\(mw)").get(),
                try ScenarioOverride.parse("storage[bess-n].energy_mwh=\(2 * mw)").get(),
            ])
            unserved.append(try DeterministicRun.run(scenario).summary.national.unservedMWh)
        }
        print("vn-2030-base, unserved MWh with the North battery at 0, 2, 4, 8, 12 GW: \(unserved)")
        for i in 1..<unserved.count { #expect(unserved[i] <= unserved[i - 1] + 1e-6, "\(unserved)") }
        #expect(unserved[4] <= 0.5 * unserved[0], "\(unserved)")
    }

    @Test("Policy values: the hand-solved cases reach their optimum (held back for the short hour, a foreseeable shortage, a charge-for-the-evening day)",
          arguments: ["held-back", "foreseeable-shortage", "storage-arbitrage"])
    func valuesHandSolved(fixture: String) throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("\(fixture).yaml").path,
                                               overrides: [try ScenarioOverride.parse("storage[battery].policy=values").get()])
        #expect(scenario.storage[0].policy == .values)
        let c = try Foresight.compare(scenario)
        #expect(c.gap < 1e-3, "\(fixture): policy \(c.policyCostUSD) against the optimum \(c.foresight.costUSD)")
        #expect(abs(c.policyUnservedMWh - c.foresight.unservedMWh) < 1e-6)
    }

    @Test("Policy values: on the 3-region benchmark year with a 2 GW / 8 GWh battery, within 1e-4 of perfect foresight (the economic rule is not)")
    func valuesSyntheticYear() throws {
        let path = fixtures.appendingPathComponent("bench-3region-battery.yaml").path
        let values = try Foresight.compare(try ScenarioLoader.load(path: path))
        print("bench-3region-battery, policy values: \(values.policyCostUSD) against \(values.foresight.costUSD), gap \(values.gap)")
        #expect(values.gap < 1e-4 && values.gap > -1e-9, "gap \(values.gap)")
        // The battery cycles: the optimum discharges over 600 GWh, and the policy at least 95 % of that.
        let optimum = values.foresight.storageDischargedMWh[0]
        #expect(optimum > 600_000)
        #expect(values.run.summary.storage[0].dischargeMWh > 0.95 * optimum)
        let economic = try Foresight.compare(try ScenarioLoader.load(path: path, overrides: [try ScenarioOverride.parse("storage[bess-n].policy=economic").get()]))
        #expect(economic.gap > 1e-4, "the economic rule's gap \(economic.gap)")
    }

    @Test("Policy values: two stores in one region give the same results listed in either order (the recursion takes them by name)")
    func valuesOrderIndependent() throws {
        var scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("perfect-foresight-week.yaml").path)
        var second = scenario.storage[0]
        second.name = "a-battery"
        second.powerMW = 300
        second.energyMWh = 600
        scenario.storage.append(second)
        let forward = try DeterministicRun.run(scenario)
        scenario.storage.reverse()
        let reversed = try DeterministicRun.run(scenario)
        // Within 1e-9 (the dispatch LP's sums run in column order), as the other order tests.
        #expect(abs(forward.summary.national.generationCostUSD - reversed.summary.national.generationCostUSD) <= 1e-9 * forward.summary.national.generationCostUSD)
        for st in forward.summary.storage {
            let other = try #require(reversed.summary.storage.first { $0.name == st.name })
            #expect(abs(st.dischargeMWh - other.dischargeMWh) <= 1e-9 * st.dischargeMWh && abs(st.chargeMWh - other.chargeMWh) <= 1e-9 * st.chargeMWh,
                    "\(st.name): \(st.dischargeMWh) / \(st.chargeMWh) against \(other.dischargeMWh) / \(other.chargeMWh)")
        }
        // Both stores work: each discharges.
        #expect(forward.summary.storage.allSatisfy { $0.dischargeMWh > 100 }, "\(forward.summary.storage.map(\.dischargeMWh))")
    }

    @Test("Where policy values fails: two stores in regions joined by a free corridor each take the same $100 spread (139.5 MWh discharged for 100 needed, 1.4 % above the optimum)")
    func valuesTwoRegionsOneSpread() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("two-stores-one-spread.yaml").path)
        let c = try Foresight.compare(scenario)
        let discharged = c.run.summary.storage.reduce(0) { $0 + $1.dischargeMWh }
        // The optimum discharges the 100 MWh that keep B's $100 plant off; each store's recursion sees its own
        // region's curve with the other store absent, so together they discharge what the cheap plant could give.
        #expect(abs(c.foresight.storageDischargedMWh.reduce(0, +) - 100) < 1e-6)
        #expect(abs(discharged - 139.5) < 1e-6, "\(discharged)")
        #expect(c.gap > 0.01 && c.gap < 0.02, "gap \(c.gap)")
    }

    @Test("Policy values at short steps: a 4-hour battery gets levels enough to charge at 15- and 5-minute steps (within 1 % of the optimum)",
          arguments: [15, 5])
    func valuesShortSteps(minutes: Int) throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("perfect-foresight-week.yaml").path,
                                               overrides: [try ScenarioOverride.parse("horizon.step_minutes=\(minutes)").get()])
        let plan = SimulationPlan(scenario: scenario)
        // 50 levels would leave a full-power step less than one level at 5 minutes (it could never charge).
        let q = try #require(plan.storageValues.slot.first)
        #expect(q >= 0)
        let c = try Foresight.compare(scenario)
        print("perfect-foresight-week at \(minutes) min: G = \(plan.storageValues.levels(slot: q)), gap \(c.gap)")
        #expect(c.run.summary.storage[0].chargeMWh > 0.9 * c.foresight.storageChargedMWh[0])
        #expect(c.gap < 0.01, "gap \(c.gap)")
    }

    @Test("Policy values: tables that would take more than the memory limit are not computed (the stores then act as reliability stores; r70 warns)")
    func valuesMemoryLimit() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("foreseeable-shortage.yaml").path)
        let plan = SimulationPlan(scenario: scenario)
        #expect(plan.storageValues.failure == nil && plan.storageValues.slot.contains { $0 >= 0 })
        let limited = StorageValueTables.compute(plan, maxMemoryBytes: 100)
        let why = try #require(limited.failure)
        #expect(why.contains("would take") && why.contains("at most"), "\(why)")
        #expect(limited.slot.isEmpty)
        // Within the limit: the same tables as the plan's.
        let again = StorageValueTables.compute(plan)
        #expect(again.failure == nil && again.slot == plan.storageValues.slot)
        #expect(Array(again.targets) == Array(plan.storageValues.targets) && Array(again.slopes) == Array(plan.storageValues.slopes))
    }
}
