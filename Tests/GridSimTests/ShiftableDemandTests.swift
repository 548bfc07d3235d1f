import Foundation
import Testing
import GridModel
@testable import GridSim

/// Hand-solved cases of shiftable demand response (NREL PRAS's DemandResponse semantics; the fixture's
/// header has the arithmetic). PRAS's own DR test systems are in the Monte Carlo suite.
@Suite("Shiftable demand: deferred load paid back within its deadline")
struct ShiftableDemandTests {
    /// The fixture with its load column, peak and programme edited.
    func scenario(column: String = "repaid", peakMW: Int = 110, paybackHours: Int = 2, storage: String? = nil, programme: String = "",
                  dispatch: String = "", stepMinutes: Int = 60) throws -> Scenario {
        let path = fixtures.appendingPathComponent("shiftable.yaml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "column: repaid", with: "column: \(column)")
            .replacingOccurrences(of: "peak_mw: 110", with: "peak_mw: \(peakMW)")
            .replacingOccurrences(of: "payback_hours: 2", with: "payback_hours: \(paybackHours)\(programme)")
            .replacingOccurrences(of: "duration_hours: 4}", with: "duration_hours: 4, step_minutes: \(stepMinutes)}")
        if let storage { text += "storage:\n  - \(storage)\n" }
        if !dispatch.isEmpty { text += "dispatch: {\(dispatch)}\n" }
        return try ScenarioLoader.load(text: text, file: path)
    }

    @Test("Deferred in the short hour, paid back from the next hour's spare capacity: nothing unserved ($3,800 + $200)")
    func repaid() throws {
        let run = try DeterministicRun.run(try scenario(), recordHourly: true)
        let h = try #require(run.hourly)
        #expect(close(h.regionDemandMW, [90, 110, 90, 90]))
        #expect(close(h.shiftableBorrowMW, [0, 10, 0, 0]), "\(h.shiftableBorrowMW)")
        #expect(close(h.shiftablePaybackMW, [0, 0, 10, 0]), "\(h.shiftablePaybackMW)")
        #expect(close(h.shiftableDebtMWh, [0, 10, 0, 0]), "\(h.shiftableDebtMWh)")
        #expect(run.summary.national.unservedMWh < 1e-9)
        #expect(run.summary.national.shortfallHours == 0)
        #expect(abs(run.summary.national.generationCostUSD - 3_800) < 1e-6)
        #expect(abs(run.summary.national.demandResponseCostUSD - 200) < 1e-6)
        #expect(run.summary.maxBalanceResidualMW < 1e-6)
        let p = try #require(run.summary.shiftable.first)
        #expect(abs(p.borrowedMWh - 10) < 1e-9 && abs(p.paidBackMWh - 10) < 1e-9 && p.unpaidMWh == 0)
    }

    @Test("A 1-hour deadline with no spare capacity: the debt (10 MWh, plus 5 borrowed in the deadline hour) is unserved in hour 2, one hour of shortfall")
    func deadlinePasses() throws {
        let run = try DeterministicRun.run(try scenario(column: "deadline", paybackHours: 1), recordHourly: true)
        let h = try #require(run.hourly)
        #expect(close(h.shiftableBorrowMW, [0, 10, 5, 0]), "\(h.shiftableBorrowMW)")
        #expect(close(h.shiftablePaybackMW, [0, 0, 0, 0]), "\(h.shiftablePaybackMW)")
        #expect(close(h.shiftableUnpaidMWh, [0, 0, 15, 0]), "\(h.shiftableUnpaidMWh)")
        #expect(close(h.regionShedMW, [0, 0, 0, 0]))
        #expect(abs(run.summary.national.unservedMWh - 15) < 1e-9)
        #expect(run.summary.national.shortfallHours == 1)
        #expect(run.summary.national.largestShortfallTime == run.summary.regions[0].largestShortfallTime)
        #expect(abs(run.summary.national.unservedCostUSD - 15 * run.plan.minVOLL) < 1e-6)
        #expect(abs(run.summary.shiftable[0].unpaidMWh - 15) < 1e-9)
    }

    @Test("At 15-minute steps a 1-hour deadline is 4 steps, counted from the first step of debt: 11.25 MWh unpaid in hour 2's first step, 3.75 MWh in hour 3's second")
    func deadlineAtQuarterHours() throws {
        // Hour 1 is 10 MW short: 2.5 MWh borrowed in each of its steps 4–7 (the counter starts at step 5, with debt
        // owed). Step 8 is the deadline: hour 2 is 5 MW short, 1.25 MWh more is borrowed, and the 11.25 MWh owed is
        // unserved. The debt starts again at step 9 (1.25 MWh a step to step 11; hour 3 has no spare capacity to repay
        // it) and is due at step 13: 3.75 MWh. The energy is the hourly case's 15 MWh, in two steps of shortfall.
        let quarter = try scenario(column: "deadline", paybackHours: 1, stepMinutes: 15)
        #expect(quarter.stepCount == 16)
        let run = try DeterministicRun.run(quarter, recordHourly: true)
        let h = try #require(run.hourly)
        var borrowed = [Double](repeating: 0, count: 16), unpaid = [Double](repeating: 0, count: 16)
        for t in 4..<8 { borrowed[t] = 10 }
        for t in 8..<12 { borrowed[t] = 5 }
        unpaid[8] = 11.25
        unpaid[13] = 3.75
        #expect(close(h.shiftableBorrowMW, borrowed), "\(h.shiftableBorrowMW)")
        #expect(close(h.shiftablePaybackMW, [Double](repeating: 0, count: 16)), "\(h.shiftablePaybackMW)")
        #expect(close(h.shiftableUnpaidMWh, unpaid), "\(h.shiftableUnpaidMWh)")
        #expect(abs(run.summary.national.unservedMWh - 15) < 1e-9)
        #expect(abs(run.summary.national.shortfallHours - 0.5) < 1e-12)
        #expect(abs(run.summary.shiftable[0].unpaidMWh - 15) < 1e-9)
    }

    @Test("Debt left at the end of the horizon is unserved in the last hour")
    func endOfHorizon() throws {
        let run = try DeterministicRun.run(try scenario(column: "end_short"), recordHourly: true)
        let h = try #require(run.hourly)
        #expect(close(h.shiftableBorrowMW, [0, 0, 0, 10]))
        #expect(close(h.shiftableUnpaidMWh, [0, 0, 0, 10]), "\(h.shiftableUnpaidMWh)")
        #expect(abs(run.summary.national.unservedMWh - 10) < 1e-9)
        #expect(run.summary.national.shortfallHours == 1)
    }

    @Test("Storage discharges before borrowing, and debt is repaid before a store charges")
    func storageBeforeBorrowingAndRepaymentBeforeCharging() throws {
        let s = try scenario(column: "storage_first", peakMW: 115,
                             storage: "{name: b, region: R, power_mw: 5, energy_mwh: 5, round_trip_efficiency: 1, initial_soc_fraction: 1, policy: reliability}")
        let run = try DeterministicRun.run(s, recordHourly: true)
        let h = try #require(run.hourly)
        #expect(close(h.storageDischargeMW, [0, 5, 0, 0]), "\(h.storageDischargeMW)")
        #expect(close(h.shiftableBorrowMW, [0, 10, 0, 0]), "\(h.shiftableBorrowMW)")
        // Hour 3's 10 MW spare repays the debt (its deadline hour); the empty store waits.
        #expect(close(h.shiftablePaybackMW, [0, 0, 0, 10]), "\(h.shiftablePaybackMW)")
        #expect(close(h.storageChargeMW, [0, 0, 0, 0]), "\(h.storageChargeMW)")
        #expect(run.summary.national.unservedMWh < 1e-9)
    }

    @Test("A store with energy left repays debt in its deadline step (as PRAS does at any time), and waits while the debt is not yet due")
    func storageRepaysDebtWhenDue() throws {
        let store = "{name: b, region: R, power_mw: 10, energy_mwh: 20, round_trip_efficiency: 1, initial_soc_fraction: 1, policy: reliability}"
        // Due in hour 2 (1-hour deadline): hour 1 takes the store's 10 MW, then defers 5; in hour 2 (load = the
        // plant) the store repays the 5; hour 3 refills it.
        let due = try DeterministicRun.run(try scenario(column: "storage_first", peakMW: 115, paybackHours: 1, storage: store), recordHourly: true)
        let h = try #require(due.hourly)
        #expect(close(h.storageDischargeMW, [0, 10, 5, 0]), "\(h.storageDischargeMW)")
        #expect(close(h.shiftableBorrowMW, [0, 5, 0, 0]), "\(h.shiftableBorrowMW)")
        #expect(close(h.shiftablePaybackMW, [0, 0, 5, 0]), "\(h.shiftablePaybackMW)")
        #expect(close(h.storageChargeMW, [0, 0, 0, 10]), "\(h.storageChargeMW)")
        #expect(due.summary.national.unservedMWh < 1e-9)
        // Due in hour 3 (2-hour deadline): the store keeps its energy in hour 2; hour 3's spare 10 MW repays the 5
        // first and charges the store with the rest.
        let later = try DeterministicRun.run(try scenario(column: "storage_first", peakMW: 115, paybackHours: 2, storage: store), recordHourly: true)
        let g = try #require(later.hourly)
        #expect(close(g.storageDischargeMW, [0, 10, 0, 0]), "\(g.storageDischargeMW)")
        #expect(close(g.shiftablePaybackMW, [0, 0, 0, 5]), "\(g.shiftablePaybackMW)")
        #expect(close(g.storageChargeMW, [0, 0, 0, 5]), "\(g.storageChargeMW)")
        #expect(later.summary.national.unservedMWh < 1e-9)
    }

    @Test("Perfect foresight: the optimum repays where generation is cheap and defers load for economy ($10,100); the policy defers only in scarcity and repays at once ($11,700)")
    func foresight() throws {
        // `dear_now` (90, 160, 120, 60) with a second plant of 50 MW at $100/MWh. The policy defers 10 MWh in
        // hour 1 and repays them in hour 2 from the peaker: 900 + 6,000 + 4,000 + 600 + $200 deferral = $11,700.
        // The optimum also defers 10 MWh in hour 2 (at $20 instead of the peaker's $100) and repays all 20 in
        // hour 3 from the $10 plant: 900 + 6,200 + 2,200 + 800 = $10,100.
        let path = fixtures.appendingPathComponent("shiftable.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "column: repaid", with: "column: dear_now")
            .replacingOccurrences(of: "peak_mw: 110", with: "peak_mw: 160")
            .replacingOccurrences(of: "      - {name: plant,", with: "      - {name: peaker, technology: flexible, unit_size_mw: 50, marginal_cost_usd_per_mwh: 100, forced_outage_rate: 0}\n      - {name: plant,")
        let c = try Foresight.compare(try ScenarioLoader.load(text: text, file: path))
        // The policy's own run: it repays in hour 2 (the optimum's $10,100 is only reachable by repaying in hour 3).
        let policy = try #require(try DeterministicRun.run(try ScenarioLoader.load(text: text, file: path), recordHourly: true).hourly)
        #expect(close(policy.shiftablePaybackMW, [0, 0, 10, 0]), "\(policy.shiftablePaybackMW)")
        #expect(abs(c.policyCostUSD - 11_700) < 1e-6, "\(c.policyCostUSD)")
        #expect(abs(c.foresight.costUSD - 10_100) < 1e-4, "\(c.foresight.costUSD)")
        #expect(c.foresight.unservedMWh < 1e-9)
        // Paid back in time: equal. Debt that cannot be repaid: the optimum sheds that load (at the lowest VOLL)
        // rather than defer it for $20/MWh and default; the policy defers it (its gap is the $20/MWh).
        for (column, hours, unpaid) in [("repaid", 2, 0.0), ("deadline", 1, 15.0), ("end_short", 2, 10.0)] {
            let other = try Foresight.compare(try scenario(column: column, paybackHours: hours))
            #expect(abs(other.policyCostUSD - other.foresight.costUSD - 20 * unpaid) < 1, "\(column): \(other.foresight.costUSD) vs \(other.policyCostUSD)")
            #expect(abs(other.foresight.unservedMWh - other.policyUnservedMWh) < 1e-6, "\(column)")
        }
    }

    @Test("The merit order: repaying early is worth just more than every plant and a reliability store's charge, less than storage's scarcity offer; repaying when due more than that, less than the strategic reserve and borrowing; borrowing costs less than shedding")
    func meritOrder() throws {
        let plan = SimulationPlan(scenario: try scenario())
        let borrowCheapest = plan.shiftableBorrowCostPerMWh(counter: Double(plan.shiftableMaxPaybackSteps - 1))
        let borrowDearest = plan.shiftableBorrowCostPerMWh(counter: -1)
        let early = plan.shiftablePaybackValuePerMWh(counter: Double(plan.shiftableMaxPaybackSteps - 1))
        let due = plan.shiftablePaybackValuePerMWh(counter: 0)
        #expect(plan.arrays.maxPlantCostPerMWh + 1 < early && early < plan.reliabilityCostPerMWh)
        #expect(plan.reliabilityCostPerMWh < due && due < plan.strategicReserveCostPerMWh && plan.strategicReserveCostPerMWh < borrowCheapest)
        #expect(borrowCheapest < borrowDearest && borrowDearest < plan.minVOLL)
    }

    @Test("Interest grows the debt each hour, debt above the energy limit is unserved at once; efficiencies follow PRAS's convention")
    func interestAndEfficiencies() throws {
        // Interest 0.5/h, at most 12 MWh owed: hour 1 defers 10; hour 2 starts owing 15, 3 above the limit are
        // unserved, 10 of the 12 are repaid; hour 3 starts owing 3 and repays them.
        let grown = try DeterministicRun.run(try scenario(programme: ", interest_per_hour: 0.5").replacingEnergy(12), recordHourly: true)
        let g = try #require(grown.hourly)
        #expect(close(g.shiftableBorrowMW, [0, 10, 0, 0]), "\(g.shiftableBorrowMW)")
        #expect(close(g.shiftablePaybackMW, [0, 0, 10, 3]), "\(g.shiftablePaybackMW)")
        #expect(close(g.shiftableUnpaidMWh, [0, 0, 3, 0]), "\(g.shiftableUnpaidMWh)")
        #expect(close(g.shiftableDebtMWh, [0, 10, 2, 0]), "\(g.shiftableDebtMWh)")
        #expect(abs(grown.summary.national.unservedMWh - 3) < 1e-9 && grown.summary.national.shortfallHours == 1)
        // Borrow and payback efficiencies 0.5: 10 MWh deferred owe 5; repaying 2.5 MWh clears them.
        let lossy = try DeterministicRun.run(try scenario(programme: ", borrow_efficiency: 0.5, payback_efficiency: 0.5"), recordHourly: true)
        let l = try #require(lossy.hourly)
        #expect(close(l.shiftableDebtMWh, [0, 5, 0, 0]), "\(l.shiftableDebtMWh)")
        #expect(close(l.shiftablePaybackMW, [0, 0, 2.5, 0]), "\(l.shiftablePaybackMW)")
        #expect(lossy.summary.national.unservedMWh < 1e-9)
    }

    @Test("Rolling windows settle their debt: with a look-ahead as long as the deadline they reach the whole horizon's optimum")
    func foresightWindows() throws {
        let s = try scenario()
        let whole = try Foresight.compare(s)
        let windows = try Foresight.compare(s, options: ForesightOptions(windowSteps: 1, overlapSteps: 2))
        #expect(abs(windows.foresight.costUSD - whole.foresight.costUSD) < 1e-6, "\(windows.foresight.costUSD) vs \(whole.foresight.costUSD)")
        #expect(windows.foresight.unservedMWh < 1e-9)
        // Interest compounding beyond 10⁶ over the deadline is refused with its reason.
        let steep = try scenario(paybackHours: 40, programme: ", interest_per_hour: 0.9")
        #expect(throws: ForesightError.self) { try Foresight.compare(steep) }
    }

    @Test("With the strategic reserve offered below storage's scarcity offer, due debt is not repaid from the reserve, and borrowing stays after it")
    func meritOrderOtherFractions() throws {
        let plan = SimulationPlan(scenario: try scenario(dispatch: "storage_reliability_fraction_of_voll: 0.5, strategic_reserve_fraction_of_voll: 0.3"))
        let due = plan.shiftablePaybackValuePerMWh(counter: 0), early = plan.shiftablePaybackValuePerMWh(counter: 1)
        #expect(early < due && due < plan.strategicReserveCostPerMWh)
        let borrowCheapest = plan.shiftableBorrowCostPerMWh(counter: Double(plan.shiftableMaxPaybackSteps - 1))
        #expect(plan.strategicReserveCostPerMWh + plan.arrays.maxPlantCostPerMWh < borrowCheapest && plan.reliabilityCostPerMWh < borrowCheapest)
        #expect(plan.shiftableBorrowCostPerMWh(counter: -1) < plan.minVOLL)
    }

    @Test("Two programmes with one name are refused (the name keys the random stream), and so is an unreachable outage rate")
    func loaderChecks() throws {
        let path = fixtures.appendingPathComponent("shiftable.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let twice = text.replacingOccurrences(of: "        - {name: dr, borrow_mw: 20, energy_mwh: 20, payback_hours: 2, cost_usd_per_mwh: 20}",
                                              with: "        - {name: dr, borrow_mw: 20, energy_mwh: 20, payback_hours: 2}\n        - {name: dr, borrow_mw: 5, energy_mwh: 5, payback_hours: 2}")
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(text: twice, file: path) }
        do {
            _ = try ScenarioLoader.load(text: twice, file: path)
        } catch {
            #expect(error.description.contains("regions[0].demand_response.shiftable[1].name: dr"), "\(error.description)")
        }
        let flaky = text.replacingOccurrences(of: "cost_usd_per_mwh: 20}", with: "forced_outage_rate: 0.6}")
        do {
            _ = try ScenarioLoader.load(text: flaky, file: path)
            Issue.record("an outage rate of 0.6 with 1-hour repairs was accepted")
        } catch {
            #expect(error.description.contains("shiftable[0].forced_outage_rate: 0.6"), "\(error.description)")
        }
    }
}

extension Scenario {
    /// This scenario with its first region's first shiftable programme holding at most `mwh` of debt.
    func replacingEnergy(_ mwh: Double) -> Scenario {
        var s = self
        s.regions[0].shiftable[0].energyMWh = mwh
        return s
    }
}
