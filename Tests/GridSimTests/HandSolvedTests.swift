import Foundation
import Testing
import GridModel
@testable import GridSim

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
let packageRoot = fixtures.deletingLastPathComponent().deletingLastPathComponent()

func runFixture(_ name: String) throws -> DeterministicRun {
    let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent(name).path)
    return try DeterministicRun.run(scenario, recordHourly: true)
}

/// Output of plant `name` in each step.
func plantSeries(_ run: DeterministicRun, _ name: String) -> [Double] {
    let h = run.hourly!, i = run.plan.scenario.plants.firstIndex { $0.name == name }!
    return Array(h.plantMW[(i * h.steps)..<((i + 1) * h.steps)])
}

func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite("Hand-solved cases")
struct HandSolvedTests {
    @Test("2 regions × 3 hours: a binding corridor losing 10 % sets the flows, losses and prices")
    func lossyCorridor() throws {
        let run = try runFixture("two-region-lossy.yaml")
        let h = try #require(run.hourly)
        // A's 500 MW at $10 serves its 100 MW and sends the full 150 MW; B receives 135 and makes the rest.
        #expect(close(plantSeries(run, "cheap"), [250, 250, 250]))
        #expect(close(plantSeries(run, "dear"), [65, 165, 265]))
        #expect(close(h.corridorForwardSentMW, [150, 150, 150]))
        #expect(close(h.corridorLossMW, [15, 15, 15]))
        #expect(close(Array(h.regionPricePerMWh[0..<3]), [10, 10, 10]))
        #expect(close(Array(h.regionPricePerMWh[3..<6]), [50, 50, 50]))
        #expect(abs(run.summary.national.generationCostUSD - 32_250) < 1e-6)
        #expect(abs(run.summary.national.transmissionLossMWh - 45) < 1e-6)
    }

    @Test("Storage: charge 100 MW from the $10 plant before the peak, discharge it at the peak")
    func storageArbitrage() throws {
        let run = try runFixture("storage-arbitrage.yaml")
        let h = try #require(run.hourly)
        // Hours 0 and 1 both price at $10 with the cheap plant to spare: charging in either is optimal (the
        // `values` policy, whose recursion breaks ties towards the smaller move, waits for hour 1).
        #expect(abs(h.storageChargeMW[0] + h.storageChargeMW[1] - 100) < 1e-6 && h.storageChargeMW[2] < 1e-9 && h.storageChargeMW[3] < 1e-9,
                "\(h.storageChargeMW)")
        #expect(close(h.storageDischargeMW, [0, 0, 100, 0]))
        #expect(close(plantSeries(run, "dear"), [0, 0, 0, 0]))
        // 650 MWh from the $10 plant; the $100 plant never runs.
        #expect(abs(run.summary.national.generationCostUSD - 6_500) < 1e-6)
    }

    @Test("A coal stockpile runs out: 150 t at 0.4 t/MWh lasts 3¾ hours, then oil")
    func coalRunsOut() throws {
        let run = try runFixture("coal-runs-out.yaml")
        #expect(close(plantSeries(run, "coal"), [100, 100, 100, 75, 0, 0]))
        #expect(close(plantSeries(run, "oil"), [0, 0, 0, 25, 100, 100]))
        // 3 × 100 × $20 + 75 × $20 + 25 × $150 + 2 × 100 × $150
        #expect(abs(run.summary.national.generationCostUSD - 41_250) < 1e-6)
        #expect(run.summary.fuels[0].lowestStockT < 1e-9)
        #expect(run.summary.fuels[0].fuelLimitedPlantHours == 3)
    }

    @Test("The strategic reserve is burnt only to avoid shedding")
    func strategicReserve() throws {
        let run = try runFixture("strategic-reserve.yaml")
        // 50 t ordinary stock: 100 MW for an hour (40 t), then 25 MW (10 t); the reserve covers what 50 MW
        // of oil cannot: 25 MW in hour 1, then 50 MW (20 t/h).
        #expect(close(plantSeries(run, "coal"), [100, 50, 50, 50, 50, 50]))
        #expect(close(plantSeries(run, "oil"), [0, 50, 50, 50, 50, 50]))
        #expect(abs(run.summary.fuels[0].strategicReserveDrawnT - 90) < 1e-6)
        #expect(run.summary.national.unservedMWh < 1e-9)
    }

    @Test("TOU: Decision 963 hours shift 200 MWh from the evening to the night, keeping the day's energy")
    func touShift() throws {
        let run = try runFixture("tou-shift.yaml")
        let d = run.plan.demandMW[0]
        var expected = [Double](repeating: 1000, count: 24)
        for h in 0..<6 { expected[h] = 1000 + 200.0 / 6 }    // off-peak 00:00–06:00, ratio 0.63
        expected[17] = 980; expected[22] = 980              // half an hour of peak: ratio 1.4
        for h in 18...21 { expected[h] = 960 }              // peak, ratio 1.8: 0.5 × 1000 × 0.1 × 0.8
        #expect(close(d, expected, tolerance: 1e-9))
        #expect(abs(d.reduce(0, +) - 24_000) < 1e-9)
        #expect(abs(run.summary.national.touShiftedMWh - 200) < 1e-9)
    }

    @Test("Shedding by class: 600 MW of large_industry shed, 300 MW in each region, nothing sent between them")
    func shedByClass() throws {
        // Each region is 300 MW short on its own and its neighbour has nothing to spare: each sheds its own
        // 300 MW (local matching). (The old rule shed 337.5 MW in X, the region listed first, and sent 37.5 MW
        // to Y.)
        let run = try runFixture("shed-by-class.yaml")
        let x = run.summary.regions[0], y = run.summary.regions[1]
        #expect(abs(x.shedByClassMWh["large_industry"]! - 300) < 1e-6)
        #expect(abs(y.shedByClassMWh["large_industry"]! - 300) < 1e-6)
        for c in ["commercial", "residential", "essential"] {
            #expect(x.shedByClassMWh[c]! < 1e-9 && y.shedByClassMWh[c]! < 1e-9)
        }
        #expect(abs(run.hourly!.corridorForwardSentMW[0]) < 1e-6 && abs(run.hourly!.corridorBackwardSentMW[0]) < 1e-6)
    }
}

@Suite("Sub-hourly steps")
struct SubHourlyTests {
    @Test("The coal stockpile case gives the same energy and cost with 30- and 15-minute steps", arguments: [30, 15])
    func coalRunsOut(minutes: Int) throws {
        let path = fixtures.appendingPathComponent("coal-runs-out.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "duration_hours: 6}", with: "duration_hours: 6, step_minutes: \(minutes)}")
        let scenario = try ScenarioLoader.load(text: text, file: path)
        #expect(scenario.stepCount == 6 * 60 / minutes)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        #expect(abs(run.summary.national.generationCostUSD - 41_250) < 1e-6)
        #expect(abs(run.summary.national.generationMWh - 600) < 1e-6)
        #expect(abs(run.summary.fuels[0].burnT - 150) < 1e-6)
        // The stock runs out at 3:45: the step containing that moment and every later one are fuel-limited.
        let limitedFrom = minutes == 30 ? 3.5 : 3.75
        #expect(abs(run.summary.fuels[0].fuelLimitedPlantHours - (6 - limitedFrom)) < 1e-9)
    }
}

@Suite("The size of the hole")
struct ShortfallSizeTests {
    @Test("Hand-solved: two regions each short of 300 MW in one hour: 300 MW each, 600 MW nationally, one day")
    func handSolved() throws {
        let run = try runFixture("shed-by-class.yaml")
        let n = run.summary.national
        #expect(abs(n.largestShortfallMW - 600) < 1e-6 && n.largestShortfallTime == "2030-01-07T00:00" && n.shortfallDays == 1)
        for r in run.summary.regions {
            #expect(abs(r.largestShortfallMW - 300) < 1e-6 && r.largestShortfallTime == "2030-01-07T00:00" && r.shortfallDays == 1)
        }
    }

    @Test("A year of vn-2030-base: the largest shortfall, its time and the days with shortfall follow from the hourly shed")
    func fromHourly() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/vn-2030-base.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let h = run.hourly!, H = h.steps, cal = scenario.calendar, R = scenario.regions.count
        func check(_ shed: (Int) -> Double, _ largest: Double, _ time: String?, _ days: Int) {
            var best = 0.0, bestStep = -1, shortDays = Set<Int32>()
            for t in 0..<H where shed(t) > 1e-6 {
                if shed(t) > best { best = shed(t); bestStep = t }
                shortDays.insert(cal.day[t])
            }
            #expect(largest == best && time == (bestStep >= 0 ? cal.timestamp(bestStep) : nil) && days == shortDays.count)
        }
        for (r, region) in run.summary.regions.enumerated() {
            check({ h.regionShedMW[r * H + $0] }, region.largestShortfallMW, region.largestShortfallTime, region.shortfallDays)
        }
        let n = run.summary.national
        check({ t in (0..<R).reduce(0) { $0 + h.regionShedMW[$1 * H + t] } }, n.largestShortfallMW, n.largestShortfallTime, n.shortfallDays)
        #expect(n.shortfallDays > 0)
    }
}

@Suite("Firm credit of storage follows its energy")
struct StorageCreditTests {
    @Test("Hand-solved: a 4,000 MW battery's firm capacity is its credit of what its energy sustains for 4 h; zero energy, zero credit")
    func creditFollowsEnergy() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/vn-2030-base.yaml").path,
                                               overrides: [try ScenarioOverride.parse("storage[bess-n].energy_mwh=0").get()])
        let base = try ScenarioLoader.load(path: fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/vn-2030-base.yaml").path)
        let north = base.regions.firstIndex { $0.name == "North" }!
        let bess = base.storage.first { $0.name == "bess-n" }!
        // bess-n: 4,000 MW, 8,000 MWh, floor 10 %, 85 % round trip: 7,200 MWh × √0.85 / 4 h = 1,659.5 MW sustained; × 0.75.
        #expect(abs(bess.sustainedPowerMW - 7200 * 0.85.squareRoot() / 4) < 1e-9 && abs(bess.firmCapacityMW - 0.75 * 7200 * 0.85.squareRoot() / 4) < 1e-9)
        let withEnergy = SimulationPlan(scenario: base).firmCapacityMW[north], without = SimulationPlan(scenario: scenario).firmCapacityMW[north]
        #expect(abs(withEnergy - without - bess.firmCapacityMW) < 1e-6)
        #expect(scenario.storage.first { $0.name == "bess-n" }!.firmCapacityMW == 0)
        // A long store is capped at its power: 16 h of energy gives the credit of its full power.
        var long = bess
        long.energyMWh = 64_000
        #expect(long.firmCapacityMW == 0.75 * 4000)
    }
}

@Suite("Fuel supply: spot cargoes, full storage")
struct FuelSupplyTests {
    /// The coal-runs-out fixture (100 MW of demand, 0.4 t/MWh, 150 t in stock) with `pile` edited.
    func run(pile: String) throws -> DeterministicRun {
        let path = fixtures.appendingPathComponent("coal-runs-out.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "storage_capacity_t: 1000, initial_stock_t: 150}", with: pile + "}")
        return try DeterministicRun.run(try ScenarioLoader.load(text: text, file: path), recordHourly: true)
    }

    @Test("Hand-solved: the stock falls to 70 t (≤ 80) in hour 2, a spot cargo of 100 t bought then arrives 3 h later")
    func spotCargo() throws {
        let r = try run(pile: "storage_capacity_t: 1000, initial_stock_t: 150, spot: {cargo_t: 100, order_below_t: 80, lead_time_days: 0.125}")
        // 150 → 110 → 70 (order at the start of hour 2, due in hour 5) → 30 → 0 (75 MW) → empty → +100 in hour 5.
        #expect(close(plantSeries(r, "coal"), [100, 100, 100, 75, 0, 100]))
        #expect(close(plantSeries(r, "oil"), [0, 0, 0, 25, 100, 0]))
        #expect(r.summary.fuels[0].spotCargoes == 1 && abs(r.summary.fuels[0].spotT - 100) < 1e-9)
        #expect(abs(r.summary.national.generationCostUSD - (475 * 20 + 125 * 150)) < 1e-6)
    }

    @Test("A disruption stops the spot cargo as it stops contracted ones")
    func disruptionStopsSpot() throws {
        let r = try run(pile: "storage_capacity_t: 1000, initial_stock_t: 150, spot: {cargo_t: 100, order_below_t: 80, lead_time_days: 0.125}, "
                            + "disruptions: [{start_date: 2030-01-07, duration_days: 1}]")
        #expect(close(plantSeries(r, "coal"), [100, 100, 100, 75, 0, 0]))
        #expect(r.summary.fuels[0].spotCargoes == 0 && r.summary.fuels[0].spotT == 0)
    }

    @Test("Full storage: continuous supply not taken is not a loss; the rest of a cargo is lost")
    func fullStorage() throws {
        // 100 t of room, full; in hour 0, 10 t of supply and a 50 t cargo arrive: 10 t not taken, 50 t lost.
        let r = try run(pile: "storage_capacity_t: 100, initial_stock_t: 100, supply_t_per_day: 240, delivery_dates: [{date: 2030-01-07, cargo_t: 50}]")
        let f = r.summary.fuels[0]
        #expect(abs(f.supplyNotTakenT - 10) < 1e-9)
        #expect(abs(f.deliveriesLostToFullStorageT - 50) < 1e-9)
        // Afterwards the burn (40 t/h) exceeds the supply (10 t/h): nothing more is turned away.
        #expect(abs(f.burnT - (100 + 5 * 10)) < 1e-9)
    }
}

@Suite("What planners expect the scenarios to contain (issue 15 part 6)")
struct PlannerInputTests {
    func run(_ text: String) throws -> DeterministicRun {
        try DeterministicRun.run(try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("inline.yaml").path), recordHourly: true)
    }
    func oneRegion(demandMW: Double, plants: String, classes: String = "") -> String {
        """
        name: t
        horizon: {start_date: 2030-01-07, duration_hours: 2}
        \(classes)
        regions:
          - name: R
            distribution_loss_fraction: 0
            demand: {peak_mw: \(demandMW)}
            plants:
        \(plants)
        """
    }

    @Test("Rooftop solar behind the meter is taken whole: dearer than the grid's plant, and beyond the load (excess), never curtailed; no firm credit")
    func behindTheMeter() throws {
        let plants = """
              - {name: roof, technology: solar, unit_size_mw: 50, availability: 1, marginal_cost_usd_per_mwh: 100, forced_outage_rate: 0, behind_the_meter: true}
              - {name: g, technology: flexible, unit_size_mw: 200, marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0}
        """
        let a = try run(oneRegion(demandMW: 100, plants: plants))
        #expect(close(plantSeries(a, "roof"), [50, 50]) && close(plantSeries(a, "g"), [50, 50]))
        #expect(a.plan.scenario.plants[0].capacityCredit == 0)
        let b = try run(oneRegion(demandMW: 30, plants: plants))
        #expect(close(plantSeries(b, "roof"), [50, 50]) && close(plantSeries(b, "g"), [0, 0]))
        #expect(abs(b.summary.regions[0].excessMWh - 40) < 1e-6)
        // Without the flag the grid would dispatch the cheaper plant first.
        let c = try run(oneRegion(demandMW: 100, plants: plants.replacingOccurrences(of: ", behind_the_meter: true", with: "")))
        #expect(close(plantSeries(c, "roof"), [0, 0]))
    }

    @Test("Planned maintenance takes its fraction of units out in its month; must-run by month holds a dear plant on")
    func maintenanceAndMustRun() throws {
        var january = [Double](repeating: 0, count: 12); january[0] = 0.2
        let list = { (x: [Double]) in "[" + x.map { "\($0)" }.joined(separator: ", ") + "]" }
        let short = try run(oneRegion(demandMW: 1000, plants: """
              - {name: coal, technology: coal, units: 10, unit_size_mw: 50, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0, maintenance_fraction_monthly: \(list(january))}
        """))
        #expect(close(plantSeries(short, "coal"), [400, 400]))   // 500 MW with 20 % of units in maintenance
        var floor = [Double](repeating: 0, count: 12); floor[0] = 60
        let held = try run(oneRegion(demandMW: 100, plants: """
              - {name: cheap, technology: flexible, unit_size_mw: 200, marginal_cost_usd_per_mwh: 10, forced_outage_rate: 0}
              - {name: coal, technology: coal, unit_size_mw: 200, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0, min_output_monthly_mw: \(list(floor))}
        """))
        #expect(close(plantSeries(held, "coal"), [60, 60]) && close(plantSeries(held, "cheap"), [40, 40]))
        floor[0] = 0; floor[1] = 60   // a February floor does not bind in January
        let free = try run(oneRegion(demandMW: 100, plants: """
              - {name: cheap, technology: flexible, unit_size_mw: 200, marginal_cost_usd_per_mwh: 10, forced_outage_rate: 0}
              - {name: coal, technology: coal, unit_size_mw: 200, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0, min_output_monthly_mw: \(list(floor))}
        """))
        #expect(close(plantSeries(free, "coal"), [0, 0]))
    }

    @Test("Hand-solved rotation: classes sharing a shed_order are shed pro-rata to their demand, each at its own VOLL")
    func rotation() throws {
        let classes = """
        demand_classes:
          - {name: industry, share: 0.4, shed_order: 1, voll_usd_per_mwh: 1500}
          - {name: homes, share: 0.5, shed_order: 1, voll_usd_per_mwh: 3000}
          - {name: essential, share: 0.1, shed_order: 2, voll_usd_per_mwh: 20000}
        """
        let r = try run(oneRegion(demandMW: 1000, plants: """
              - {name: g, technology: flexible, unit_size_mw: 700, marginal_cost_usd_per_mwh: 10, forced_outage_rate: 0}
        """, classes: classes))
        // 300 MW short for 2 h = 600 MWh, split 4:5 between industry and homes; nothing from the essential class.
        let shed = r.summary.regions[0].shedByClassMWh
        #expect(abs(shed["industry"]! - 600 * 4 / 9) < 1e-6 && abs(shed["homes"]! - 600 * 5 / 9) < 1e-6 && shed["essential"]! < 1e-9)
        #expect(abs(r.summary.national.unservedCostUSD - (600 * 4 / 9 * 1500 + 600 * 5 / 9 * 3000)) < 1e-3)
        // A class after the rotation may not be valued below any class in it.
        let bad = classes.replacingOccurrences(of: "shed_order: 2, voll_usd_per_mwh: 20000", with: "shed_order: 2, voll_usd_per_mwh: 2000")
        var problems: [String] = []
        do { _ = try ScenarioLoader.load(text: oneRegion(demandMW: 1000, plants: "      - {name: g, technology: flexible, unit_size_mw: 700, marginal_cost_usd_per_mwh: 10}", classes: bad), file: "inline.yaml") }
        catch { problems = error.diagnostics.map(\.description) }
        #expect(problems.contains { $0.contains("demand_classes[2].voll_usd_per_mwh: 2000 — at least 3000 (the VOLL of 'homes', shed before it)") }, "\(problems)")
    }
}
