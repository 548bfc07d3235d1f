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

    @Test("Storage: charge 100 MW from the $10 plant in the first hour, discharge it at the peak")
    func storageArbitrage() throws {
        let run = try runFixture("storage-arbitrage.yaml")
        let h = try #require(run.hourly)
        #expect(close(h.storageChargeMW, [100, 0, 0, 0]))
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
