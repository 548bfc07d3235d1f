import Foundation
import Testing
import GridModel
import GridSim
import GridRandom
import _TestSupport
@testable import GridStudy

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
let packageRoot = fixtures.deletingLastPathComponent().deletingLastPathComponent()

func plan(_ path: String) throws -> SimulationPlan {
    SimulationPlan(scenario: try ScenarioLoader.load(path: fixtures.appendingPathComponent(path).path))
}

struct Expected: Decodable { var lole: Double; var eue: Double }

@Suite("Monte Carlo validation")
struct MonteCarloValidationTests {
    static let pras: [String: Expected] = {
        let data = try! Data(contentsOf: fixtures.appendingPathComponent("pras/expected.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    @Test("NREL PRAS known-answer systems: LOLE and EUE within 3 standard errors", arguments: [
        ("singlenode_a", 100_000), ("singlenode_b", 100_000), ("test1_2gen_2region", 200_000), ("test2_gen_stor_1region", 200_000),
    ])
    func prasKnownAnswers(system: String, trials: Int) throws {
        let p = try plan("pras/\(system).yaml")
        let result = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: trials, seed: 7, threads: 2))
        let expected = try #require(Self.pras[system])
        let lole = try #require(result.estimate("lole")), eue = try #require(result.estimate("eue"))
        #expect(abs(lole.mean - expected.lole) <= 3 * lole.standardError, "LOLE \(lole.mean) ± \(lole.standardError) vs \(expected.lole)")
        #expect(abs(eue.mean - expected.eue) <= 3 * eue.standardError, "EUE \(eue.mean) ± \(eue.standardError) vs \(expected.eue)")
    }

    @Test("NREL PRAS's demand-response test systems (TestData.jl): LOLE, EUE and the unpaid-DR EUE within 3 standard errors",
          arguments: ["test4_gen_dr_1region", "test5_gen_dr_stor_1region", "threenode_dr"])
    func prasDemandResponse(system: String) throws {
        struct ExpectedDR: Decodable { var lole: Double; var eue: Double; var dr_eue: Double? }
        let all = try JSONDecoder().decode([String: ExpectedDR].self, from: Data(contentsOf: fixtures.appendingPathComponent("pras/expected_dr.json")))
        let expected = try #require(all[system])
        let p = try plan("pras/\(system).yaml")
        let result = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 100_000, seed: 7, threads: 2))
        let lole = try #require(result.estimate("lole")), eue = try #require(result.estimate("eue"))
        #expect(abs(lole.mean - expected.lole) <= 3 * lole.standardError, "LOLE \(lole.mean) ± \(lole.standardError) vs \(expected.lole)")
        #expect(abs(eue.mean - expected.eue) <= 3 * eue.standardError, "EUE \(eue.mean) ± \(eue.standardError) vs \(expected.eue)")
        if let dr = expected.dr_eue {
            let unpaid = try #require(result.estimate("shiftable_unpaid"))
            #expect(abs(unpaid.mean - dr) <= 3 * unpaid.standardError, "unpaid DR \(unpaid.mean) ± \(unpaid.standardError) vs \(dr)")
        }
    }

    @Test("PRAS's singlenode_a at 5-minute steps: LOLE in steps and hours and EUE within 3 standard errors")
    func prasFiveMinutes() throws {
        let p = try plan("pras/singlenode_a_5min.yaml")
        #expect(p.scenario.calendar.stepMinutes == 5 && p.scenario.stepCount == 12)
        // The per-step profile is read step by step (not held hour by hour).
        #expect(p.scenario.regions[0].demandMW == [25, 28, 27, 24, 25, 28, 27, 24, 25, 28, 27, 24])
        let result = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 100_000, seed: 7, threads: 2))
        let steps = try #require(result.estimate("lole_steps")), hours = try #require(result.estimate("lole")), eue = try #require(result.estimate("eue"))
        #expect(abs(steps.mean - 1.065) <= 3 * steps.standardError, "LOLE \(steps.mean) ± \(steps.standardError) steps vs 1.065")
        #expect(abs(hours.mean - 1.065 * 5 / 60) <= 3 * hours.standardError, "LOLE \(hours.mean) h vs 0.08875")
        #expect(abs(steps.mean * 5 / 60 - hours.mean) < 1e-6)   // (to the accumulators' resolution)
        #expect(abs(eue.mean - 0.3975) <= 3 * eue.standardError, "EUE \(eue.mean) ± \(eue.standardError) vs 0.3975 MWh")
        // Hourly scenarios have no step count (their tables are as before).
        #expect(MetricCatalog(plan: try plan("pras/singlenode_a.yaml")).index(of: "lole_steps") == nil)
    }

    @Test("The exact method reproduces PRAS's analytic answers", arguments: ["singlenode_a", "singlenode_b"])
    func exactMatchesPRAS(system: String) throws {
        let r = try ExactAdequacy.compute(plan: try plan("pras/\(system).yaml"))
        let expected = try #require(Self.pras[system])
        #expect(abs(r.lole - expected.lole) < 1e-9 && abs(r.eue - expected.eue) < 1e-9)
    }

    @Test("Monte Carlo agrees with the exact method within 3 standard errors (single region, 20 units, a week)")
    func monteCarloAgreesWithExact() throws {
        let p = try plan("single-region-week.yaml")
        let exact = try ExactAdequacy.compute(plan: p)
        var options = MonteCarloOptions(trials: 4000, seed: 11, threads: 2)
        options.adequacyOnly = true
        let mc = try MonteCarlo.run(plan: p, options: options)
        let lole = try #require(mc.estimate("lole")), eue = try #require(mc.estimate("eue"))
        #expect(exact.lole > 1, "the case should have some shortfall (exact LOLE \(exact.lole))")
        #expect(abs(lole.mean - exact.lole) <= 3 * lole.standardError, "LOLE \(lole.mean) ± \(lole.standardError) vs exact \(exact.lole)")
        #expect(abs(eue.mean - exact.eue) <= 3 * eue.standardError, "EUE \(eue.mean) ± \(eue.standardError) vs exact \(exact.eue)")
    }

    @Test("The adequacy fast path (self-sufficiency and max-flow) gives full dispatch's results on 60 random multi-region systems")
    func fastPathRandomSystems() throws {
        var short = 0
        for seed in UInt64(1)...UInt64(60) { if try Self.fastPathAgrees(seed: seed) { short += 1 } }
        #expect(short >= 40, "only \(short) of 60 systems shed load: the comparison needs shortfalls")
    }

    /// Compares the fast path with full dispatch on random system `seed`; true when the system sheds load.
    static func fastPathAgrees(seed: UInt64) throws -> Bool {
        var rng = SplitMix(state: seed &* 0x2545_F491_4F6C_DD1D)
        let regions = rng.int(2...6)
        let lossless = seed % 5 != 0   // every fifth system has lossy corridors (the max-flow is then skipped)
        var y = "name: random-\(seed)\nhorizon: {start_date: 2030-06-03, duration_days: 5}\n"
        y += "stochastic: {demand_forecast_error_sigma: 0.05, demand_daily_sigma: 0.05, solar_daily_sigma: 0, wind_daily_sigma: 0}\nregions:\n"
        for r in 0..<regions {
            let peak = rng.uniform(200, 3000)
            y += "  - name: R\(r)\n    demand: {peak_mw: \(peak), shape: \(rng.pick(["vn-north", "vn-south", "flat"]))}\n    plants:\n"
            let plants = rng.int(1...4), installed = peak * rng.uniform(0.95, 1.45)
            for k in 0..<plants {
                let units = rng.int(1...8), size = installed / Double(plants * units)
                y += "      - {name: p\(r)-\(k), technology: \(rng.pick(["coal", "lng", "oil"])), units: \(units), unit_size_mw: \(size), "
                y += "marginal_cost_usd_per_mwh: \(rng.chance(0.3) ? 60 : rng.uniform(20, 200)), forced_outage_rate: \(rng.uniform(0.02, 0.2)), mean_time_to_repair_hours: \(rng.uniform(4, 80))}\n"
            }
        }
        y += "corridors:\n"
        var pairs: [(Int, Int)] = (1..<regions).map { (rng.int(0...($0 - 1)), $0) }
        if rng.chance(0.5) { for _ in 0..<rng.int(1...regions) { let a = rng.int(0...(regions - 1)), b = rng.int(0...(regions - 1)); if a != b { pairs.append((a, b)) } } }
        for (i, (a, b)) in pairs.enumerated() {
            y += "  - {name: c\(i), from: R\(a), to: R\(b), limit_forward_mw: \(rng.uniform(0, 1500)), limit_backward_mw: \(rng.uniform(0, 1500)), "
            y += "circuits: \(rng.int(1...3)), circuit_forced_outage_rate: \(rng.uniform(0, 0.05)), loss_fraction_at_rated: \(lossless ? 0 : rng.uniform(0.01, 0.05))}\n"
        }
        let p = SimulationPlan(scenario: try ScenarioLoader.load(text: y, file: fixtures.appendingPathComponent("random.yaml").path))
        var fast = MonteCarloOptions(trials: 24, seed: seed, threads: 1)
        fast.adequacyOnly = true
        let a = try MonteCarlo.run(plan: p, options: fast)
        let b = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 24, seed: seed, threads: 1))
        var names = ["lole", "eue", "lol_events", "lolp_peak"]
        for r in 0..<regions { names += ["region.R\(r).lole", "region.R\(r).eue"] }
        for name in names {
            let x = try #require(a.estimate(name)), z = try #require(b.estimate(name))
            #expect(abs(x.mean - z.mean) <= 1e-6 * max(1, abs(z.mean)), "seed \(seed) \(name): fast \(x.mean) vs full \(z.mean)")
            #expect(abs(x.p95 - z.p95) <= 1e-6 * max(1, abs(z.p95)), "seed \(seed) \(name) p95")
        }
        return (b.estimate("eue")?.mean ?? 0) > 0
    }

    @Test("Equal VOLL classes and outage rates above 0.5: the LP, the fast path and the exact method agree")
    func edgeCasesAgree() throws {
        // Two classes with the same VOLL (shed in shed_order), units out 60 % of the time with 2-hour repairs.
        let text = """
        name: edges
        horizon: {start_date: 2030-06-03, duration_days: 7}
        stochastic: {demand_forecast_error_sigma: 0, demand_daily_sigma: 0, solar_daily_sigma: 0, wind_daily_sigma: 0}
        demand_classes:
          - {name: first, share: 0.4, shed_order: 1, voll_usd_per_mwh: 2000}
          - {name: second, share: 0.6, shed_order: 2, voll_usd_per_mwh: 2000}
        regions:
          - name: R
            distribution_loss_fraction: 0
            demand: {peak_mw: 1000, shape: vn-north}
            plants:
              - {name: base, technology: coal, units: 6, unit_size_mw: 150, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0.08, mean_time_to_repair_hours: 40}
              - {name: flaky, technology: oil, units: 8, unit_size_mw: 60, marginal_cost_usd_per_mwh: 150, forced_outage_rate: 0.6, mean_time_to_repair_hours: 2}

        """
        let p = SimulationPlan(scenario: try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("edges.yaml").path))
        let exact = try ExactAdequacy.compute(plan: p)
        var fast = MonteCarloOptions(trials: 3000, seed: 21, threads: 2)
        fast.adequacyOnly = true
        let a = try MonteCarlo.run(plan: p, options: fast)
        let b = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 3000, seed: 21, threads: 2))
        #expect(exact.lole > 1)
        for (name, value) in [("lole", exact.lole), ("eue", exact.eue)] {
            let x = try #require(a.estimate(name)), z = try #require(b.estimate(name))
            #expect(abs(x.mean - z.mean) <= 1e-6 * max(1, z.mean), "\(name): fast path \(x.mean) vs LP \(z.mean)")
            #expect(abs(z.mean - value) <= 3 * z.standardError, "\(name): Monte Carlo \(z.mean) ± \(z.standardError) vs exact \(value)")
        }
        // Equal VOLL: the class shed first takes the shortfall up to its share before the other is touched.
        let first = try #require(b.estimate("shed.first")), second = try #require(b.estimate("shed.second"))
        #expect(first.mean > 0 && first.mean > second.mean)
    }

    @Test("Hydrological classes: the Monte Carlo agrees with the exact method's class mixture within 3 standard errors")
    func hydrologyClasses() throws {
        // Run-of-river and hydro imports (follows_hydrology set on an imports plant) scaled by the year's
        // class; thermal units with outages; no demand or weather noise, so that the exact method applies.
        let text = """
        name: hydrology
        horizon: {start_date: 2030-06-03, duration_days: 7}
        stochastic: {demand_forecast_error_sigma: 0, demand_daily_sigma: 0, solar_daily_sigma: 0, wind_daily_sigma: 0,
                     hydro_inflow_classes: [{name: dry, probability: 0.3, energy_factor: 0.5}, {name: normal, probability: 0.4, energy_factor: 1}, {name: wet, probability: 0.3, energy_factor: 1.3}]}
        regions:
          - name: R
            distribution_loss_fraction: 0
            demand: {peak_mw: 1000, shape: vn-north}
            plants:
              - {name: river, technology: run_of_river, units: 4, unit_size_mw: 60, availability: 0.7, forced_outage_rate: 0.05, mean_time_to_repair_hours: 20}
              - {name: lao, technology: imports, units: 2, unit_size_mw: 80, marginal_cost_usd_per_mwh: 70, availability: 0.9, forced_outage_rate: 0.03, mean_time_to_repair_hours: 30, follows_hydrology: true}
              - {name: coal, technology: coal, units: 6, unit_size_mw: 120, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0.08, mean_time_to_repair_hours: 40}

        """
        let p = SimulationPlan(scenario: try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("hydrology.yaml").path))
        #expect(p.scenario.plants.map(\.followsHydrology) == [true, true, false])
        let exact = try ExactAdequacy.compute(plan: p)
        var options = MonteCarloOptions(trials: 6000, seed: 8, threads: 2)
        options.adequacyOnly = true
        let mc = try MonteCarlo.run(plan: p, options: options)
        let lole = try #require(mc.estimate("lole")), eue = try #require(mc.estimate("eue"))
        #expect(exact.lole > 1)
        #expect(abs(lole.mean - exact.lole) <= 3 * lole.standardError, "LOLE \(lole.mean) ± \(lole.standardError) vs exact \(exact.lole)")
        #expect(abs(eue.mean - exact.eue) <= 3 * eue.standardError, "EUE \(eue.mean) ± \(eue.standardError) vs exact \(exact.eue)")
        // Without the classes (every year normal) the exact answer is far from the Monte Carlo's.
        let normal = text.replacingOccurrences(of: "energy_factor: 0.5", with: "energy_factor: 1").replacingOccurrences(of: "energy_factor: 1.3", with: "energy_factor: 1")
        let flat = try ExactAdequacy.compute(plan: SimulationPlan(scenario: try ScenarioLoader.load(text: normal, file: fixtures.appendingPathComponent("hydrology.yaml").path)))
        #expect(abs(flat.lole - lole.mean) > 3 * lole.standardError, "the classes should matter here: \(flat.lole) vs \(lole.mean)")
    }

    @Test("The adequacy fast path gives the same estimates as full dispatch")
    func fastPathMatchesFullDispatch() throws {
        let p = try plan("single-region-week.yaml")
        var fast = MonteCarloOptions(trials: 200, seed: 3, threads: 2)
        fast.adequacyOnly = true
        let a = try MonteCarlo.run(plan: p, options: fast)
        let b = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 200, seed: 3, threads: 2))
        for name in ["lole", "eue", "lol_events"] {
            let x = try #require(a.estimate(name)?.mean), y = try #require(b.estimate(name)?.mean)
            #expect(abs(x - y) <= 1e-6 * max(1, abs(y)), "\(name): \(x) vs \(y)")
        }
    }
}

@Suite("Sampler checks at fixed seeds")
struct SamplerTests {
    static let outageScenario = """
    name: outages
    horizon: {start_date: 2030-01-01, duration_days: 365}
    stochastic: {demand_forecast_error_sigma: 0, demand_daily_sigma: 0, hydro_inflow_classes: [{name: dry, probability: 0.2, energy_factor: 0.7}, {name: normal, probability: 0.5, energy_factor: 1}, {name: wet, probability: 0.3, energy_factor: 1.2}]}
    regions:
      - name: R
        demand: {peak_mw: 1000}
        plants:
          - {name: fleet, technology: coal, units: 200, unit_size_mw: 10, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0.08, mean_time_to_repair_hours: 40}

    """

    @Test("Hours out converge to the forced outage rate, outage durations to the mean time to repair")
    func outages() throws {
        let scenario = try ScenarioLoader.load(text: Self.outageScenario, file: fixtures.appendingPathComponent("outages.yaml").path)
        let sim = Simulator(plan: SimulationPlan(scenario: scenario), stochastic: true)
        sim.adequacyOnly = true
        var out = 0.0, outages = 0
        for trial in 0..<3 {
            try sim.runTrial(trial, seed: 5)
            out += sim.sampler!.unitStepsOut[0]
            outages += sim.sampler!.outagesBegun[0]
        }
        let unitHours = 3.0 * 200 * 8760
        #expect(abs(out / unitHours - 0.08) < 0.004, "fraction out \(out / unitHours)")
        #expect(abs(out / Double(outages) - 40) < 2.5, "mean outage duration \(out / Double(outages)) h")
    }

    @Test("Inflow classes are drawn with their probabilities")
    func inflowClasses() throws {
        let scenario = try ScenarioLoader.load(text: Self.outageScenario, file: fixtures.appendingPathComponent("outages.yaml").path)
        let plan = SimulationPlan(scenario: scenario)
        let sim = Simulator(plan: plan, stochastic: true)
        let sampler = try #require(sim.sampler)
        let n = 20_000
        var counts = [0, 0, 0]
        for trial in 0..<n {
            sampler.startTrial(seed: 9, trial: UInt64(trial), simulator: sim)
            counts[sampler.inflowClass] += 1
        }
        for (k, p) in [0.2, 0.5, 0.3].enumerated() {
            let se = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(Double(counts[k]) / Double(n) - p) < 4 * se, "class \(k): \(Double(counts[k]) / Double(n)) vs \(p)")
        }
    }
}

@Suite("Reproducibility")
struct ReproducibilityTests {
    @Test("Same seed: identical results with 1, 2 and 3 threads (2030 base, a week, every process on)")
    func threads() throws {
        let scenario = try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path)
        let p = SimulationPlan(scenario: scenario)
        let results = try [1, 2, 3].map { threads in
            try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 20, seed: 42, threads: threads, blockSize: 8, maxSteps: 168))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let encoded = try results.map { try encoder.encode($0) }
        #expect(encoded[0] == encoded[1] && encoded[1] == encoded[2])
        #expect(results[0].trials == 20)
    }

    @Test("Shiftable demand with outages: identical results with 1, 2 and 3 threads (PRAS's three-region DR system)")
    func threadsWithShiftableDemand() throws {
        let p = try plan("pras/threenode_dr.yaml")
        let results = try [1, 2, 3].map { threads in
            try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 500, seed: 42, threads: threads, blockSize: 16))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let encoded = try results.map { try encoder.encode($0) }
        #expect(encoded[0] == encoded[1] && encoded[1] == encoded[2])
        #expect(try #require(results[0].estimate("shiftable_unpaid")).mean > 0)
    }

    @Test("--rel-error sizes the study from a pilot, then reports fresh trials only; any thread count gives the same")
    func relativeError() throws {
        let p = try plan("pras/singlenode_a.yaml")
        var seen: [Int] = []
        let a = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 1_000_000, seed: 1, threads: 2, relativeError: 0.05, minimumTrials: 100),
                                   sample: { k, _ in seen.append(k) })
        #expect(a.stoppedEarly && a.trials < 1_000_000 && a.pilotTrials == 100)
        // The reported trials are the fresh ones after the pilot, in order.
        #expect(seen == Array(100..<(100 + a.trials)))
        let eue = try #require(a.estimate("eue"))
        #expect(eue.standardError / eue.mean < 0.05 * 1.3, "sized from the pilot: near the target")
        let b = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 1_000_000, seed: 1, threads: 1, relativeError: 0.05, minimumTrials: 100))
        #expect(a.trials == b.trials && a.accumulators == b.accumulators)
    }

    @Test("The trial queue hands out each trial once, in order, at most a window ahead of the merge, and stops")
    func trialQueue() {
        let trials = 200, window = 8, block = 4, workers = 4
        let queue = TrialQueue(trials: trials, window: window)
        let lock = NSLock()
        nonisolated(unsafe) var taken: [Int] = []
        nonisolated(unsafe) var tooFarAhead = false
        nonisolated(unsafe) var merged = 0
        let group = DispatchGroup()
        for w in 0..<workers {
            DispatchQueue.global().async(group: group) {
                var spin = UInt64(w + 1)
                while let k = queue.take() {
                    lock.lock()
                    taken.append(k)
                    if k >= merged + window { tooFarAhead = true }
                    lock.unlock()
                    for _ in 0..<Int(spin % 2000) { spin = spin &* 6364136223846793005 &+ 1 }   // uneven work
                    queue.complete(k)
                }
            }
        }
        // Merge blocks in order, then stop part way, as an early stop does.
        var done = 0
        while done < 120 {
            queue.wait(forTrialsBelow: done + block)
            done += block
            lock.lock(); merged = done; lock.unlock()
            queue.merged(upTo: done)
        }
        queue.stop()
        group.wait()
        #expect(!tooFarAhead)
        #expect(Set(taken).count == taken.count, "a trial was handed out twice")
        #expect(taken.sorted() == Array(0..<taken.count), "the trials handed out are not 0 ..< n")
        #expect(taken.count >= 120 && taken.count <= 120 + window)
    }

    @Test("Accumulators merge exactly, whatever the grouping")
    func exactMerge() throws {
        var rng = SplitMix(state: 99)
        let values = (0..<5000).map { _ in rng.chance(0.7) ? 0 : rng.uniform(0, 1e6) * rng.uniform(0, 1) }
        var whole = Accumulator(resolution: 1e-4)
        for v in values { whole.add(v) }
        var merged = Accumulator(resolution: 1e-4)
        var start = 0
        while start < values.count {
            let end = min(values.count, start + 1 + Int(rng.next() % 700))
            var part = Accumulator(resolution: 1e-4)
            for v in values[start..<end].reversed() { part.add(v) }
            merged.merge(part)
            start = end
        }
        #expect(merged == whole)
        // The encoding is canonical and round-trips exactly (shards will rely on it).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let a = try encoder.encode(whole), b = try encoder.encode(merged)
        #expect(a == b)
        #expect(try JSONDecoder().decode(Accumulator.self, from: a) == whole)
    }
}

/// The exact tail definition on raw values: the mean over the worst `tail` share of probability mass.
func exactWorstMean(_ values: [Double], tail: Double, higherIsWorse: Bool) -> Double {
    let sorted = higherIsWorse ? values.sorted(by: >) : values.sorted()
    let wanted = tail * Double(values.count)
    var taken = 0.0, total = 0.0
    for v in sorted where taken < wanted {
        let use = min(1, wanted - taken)
        total += v * use
        taken += use
    }
    return total / wanted
}

/// The exact quantile of the definition used: the order statistic of rank ⌈q·n⌉.
func exactQuantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[max(1, Int((q * Double(values.count)).rounded(.up))) - 1]
}

@Suite("Tail statistics")
struct TailStatisticsTests {
    @Test("Worst 5 % mean on hand-computed samples with ties at the boundary, in both directions")
    func handComputed() {
        func acc(_ values: [Double]) -> Accumulator {
            var a = Accumulator(resolution: 1e-6)
            for v in values { a.add(v) }
            return a
        }
        // 50 trials: the worst 5 % is 2.5 trials. Highest: 9, 4, and half of a tied 4 → (9 + 4 + 2) / 2.5 = 6.
        let high = [9.0, 4, 4, 4, 4] + [Double](repeating: 1, count: 45)
        #expect(abs(acc(high).worstMean(tail: 0.05, higherIsWorse: true) - 6) < 1e-9)
        // Lowest of the same: 2.5 trials of 1 → 1.
        #expect(abs(acc(high).worstMean(tail: 0.05, higherIsWorse: false) - 1) < 1e-9)
        // 30 trials (1.5 trials): a margin whose lowest values are 0.2 and a tied 0.5 → (0.2 + 0.25) / 1.5 = 0.3.
        let margins = [0.2, 0.5, 0.5, 0.5] + [Double](repeating: 1, count: 26)
        #expect(abs(acc(margins).worstMean(tail: 0.05, higherIsWorse: false) - 0.3) < 1e-9)
        // Mean of samples strictly beyond the 95 % VaR (0.5 here) would be 0.2; ours keeps 5 % of the mass.
        #expect(abs(acc(margins).worstMean(tail: 0.05, higherIsWorse: true) - 1) < 1e-9)
        // Fewer than 20 trials: the worst value itself.
        #expect(abs(acc([3, 1, 2]).worstMean(tail: 0.05, higherIsWorse: true) - 3) < 1e-9)
        #expect(abs(acc([3, 1, 2]).worstMean(tail: 0.05, higherIsWorse: false) - 1) < 1e-9)
        // Quantiles: rank ⌈q·n⌉.
        func near(_ x: Double, _ y: Double) -> Bool { abs(x - y) < 1e-9 }
        #expect(near(acc(high).quantile(0.95), 4) && near(acc(high).quantile(0.97), 4) && near(acc(high).quantile(0.99), 9))
        #expect(near(acc(margins).quantile(0.05), 0.5) && near(acc(margins).quantile(0.03), 0.2))
    }

    @Test("Percentiles and worst-5 % means match the exact values of the samples within the stated accuracy",
          arguments: ["narrow", "heavy", "zeros", "negative"])
    func accuracy(kind: String) {
        var rng = SplitMix(state: 7)
        let values: [Double] = (0..<3000).map { _ in
            switch kind {
            case "narrow": return 435e6 * (1 + 0.01 * (rng.uniform(-1, 1) + rng.uniform(-1, 1)))  // a cost varying by 1 %
            case "heavy": return exp(rng.uniform(0, 14))                                          // 1 … 1.2e6, log-uniform
            case "zeros": return rng.chance(0.8) ? 0 : rng.uniform(0, 5000)                      // EUE-like
            default: return rng.uniform(-0.3, 0.4)                                               // a margin
            }
        }
        var a = Accumulator(resolution: 1e-6)
        for v in values { a.add(v) }
        let tol = { (x: Double) in Accumulator.relativeAccuracy * abs(x) + 2e-6 }
        for q in [0.05, 0.5, 0.95] {
            let exact = exactQuantile(values, q)
            #expect(abs(a.quantile(q) - exact) <= tol(exact), "\(kind) q\(q): \(a.quantile(q)) vs \(exact)")
        }
        for higher in [true, false] {
            let exact = exactWorstMean(values, tail: 0.05, higherIsWorse: higher)
            #expect(abs(a.worstMean(tail: 0.05, higherIsWorse: higher) - exact) <= tol(exact), "\(kind) worst (higher \(higher))")
        }
    }

    @Test("Each metric declares its worse direction; a study's worst-5 % mean lies beyond p95 or below p5 accordingly")
    func directions() throws {
        let scenario = try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path)
        let p = SimulationPlan(scenario: scenario)
        let catalog = MetricCatalog(plan: p)
        let lower = Set(catalog.definitions.filter { !$0.higherIsWorse }.map(\.name))
        #expect(lower.contains("min_operating_reserve_margin") && lower.contains("clean_share"))
        #expect(lower.contains("fuel.lng-north.lowest_stock") && lower.contains("target.reserve_margin.holds"))
        #expect(!lower.contains("eue") && !lower.contains("total_cost") && !lower.contains("loss_rate"))
        let result = try MonteCarlo.run(plan: p, options: MonteCarloOptions(trials: 40, seed: 3, threads: 2, maxSteps: 24 * 20))
        var checked = 0
        for e in result.estimates where e.p95 > e.p5 {
            if e.higherIsWorse { #expect(e.worst5Mean >= e.p95 - 1e-9 * abs(e.p95), "\(e.name)") }
            else { #expect(e.worst5Mean <= e.p5 + 1e-9 * abs(e.p5), "\(e.name)") }
            checked += 1
        }
        let margin = try #require(result.estimate("min_operating_reserve_margin"))
        #expect(margin.worst5Mean < margin.mean, "the margin's worst years are its lowest")
        #expect(checked >= 5)
    }
}

@Suite("Honest estimators")
struct EstimatorTests {
    /// How often 200 independent studies' 95 % intervals cover the exact LOLE and EUE.
    static func coverage(relativeError: Double?) throws -> (lole: Int, eue: Int) {
        let p = try plan("single-region-week.yaml")
        let exact = try ExactAdequacy.compute(plan: p)
        var lole = 0, eue = 0
        for seed in 1...200 {
            var o = MonteCarloOptions(trials: relativeError == nil ? 400 : 20_000, seed: UInt64(seed), threads: 2, relativeError: relativeError, minimumTrials: 100)
            o.adequacyOnly = true
            let r = try MonteCarlo.run(plan: p, options: o)
            let l = try #require(r.estimate("lole")), e = try #require(r.estimate("eue"))
            if l.lower95 <= exact.lole && exact.lole <= l.upper95 { lole += 1 }
            if e.lower95 <= exact.eue && exact.eue <= e.upper95 { eue += 1 }
        }
        return (lole, eue)
    }

    @Test("Coverage: 200 studies' 95 % intervals hold the exact LOLE and EUE 91–99 % of the time, with and without --rel-error",
          arguments: [nil, 0.05] as [Double?])
    func coverage(relativeError: Double?) throws {
        let (lole, eue) = try Self.coverage(relativeError: relativeError)
        print("coverage of 95 % intervals (--rel-error \(relativeError.map { "\($0)" } ?? "off")): LOLE \(lole)/200, EUE \(eue)/200")
        #expect((182...198).contains(lole), "LOLE covered in \(lole) of 200")
        #expect((182...198).contains(eue), "EUE covered in \(eue) of 200")
    }

    @Test("LOLP at the peak is the shortfall in each trial's own highest-demand hour")
    func lolpAtOwnPeak() throws {
        // The week with day-to-day demand noise: each trial's peak hour falls on its own day, not always on
        // the deterministic peak's. Checked against the trial's hourly record.
        let path = fixtures.appendingPathComponent("single-region-week.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "demand_daily_sigma: 0,", with: "demand_daily_sigma: 0.04,")
        let p = SimulationPlan(scenario: try ScenarioLoader.load(text: text, file: path))
        let sim = Simulator(plan: p, recordHourly: true, stochastic: true)
        var matched = 0, shortAtPeak = 0, peakSteps = Set<Int>()
        for trial in 0..<60 {
            try sim.runTrial(trial, seed: 17)
            let h = try #require(sim.hourly)
            var peak = 0
            for t in 0..<h.steps where h.regionDemandMW[t] > h.regionDemandMW[peak] { peak = t }
            let expected = h.regionShedMW[peak] > 1e-6
            #expect(sim.totals.shortfallAtPeak == expected, "trial \(trial): peak at step \(peak)")
            if expected { shortAtPeak += 1 }
            if sim.totals.peakNationalDemandMW == h.regionDemandMW[peak] { matched += 1 }
            peakSteps.insert(peak)
        }
        #expect(matched == 60)
        #expect(peakSteps.count > 1, "the trials' peaks should fall in different hours")
        #expect(shortAtPeak > 0, "the case should shed at some trials' peaks")
    }

    @Test("The national average price is demand-weighted hour by hour")
    func nationalPrice() throws {
        // One region, 4 hours of 100, 100, 350, 100 MW; a 250 MW plant at $10 and a dearer one at $100:
        // prices 10, 10, 100, 10. Hour by hour: (3 × 10 × 100 + 100 × 350) / 650 = 58.46 $/MWh; the time
        // average weighted by energy (the old rule) gives 32.5.
        let text = """
        name: price
        horizon: {start_date: 2030-01-07, duration_hours: 4}
        regions:
          - name: R
            distribution_loss_fraction: 0
            demand: {peak_mw: 350, profile: {file: storage.csv, column: load_mw}}
            plants:
              - {name: cheap, technology: flexible, unit_size_mw: 250, marginal_cost_usd_per_mwh: 10, forced_outage_rate: 0}
              - {name: dear, technology: flexible, unit_size_mw: 500, marginal_cost_usd_per_mwh: 100, forced_outage_rate: 0}
        """
        let scenario = try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("price.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        #expect(abs(run.summary.national.averagePriceUSDPerMWh - 38_000.0 / 650) < 1e-9, "\(run.summary.national.averagePriceUSDPerMWh)")
        #expect(abs(run.summary.regions[0].averagePriceUSDPerMWh - 32.5) < 1e-9, "the regional figure is the time average")
    }
}

@Suite("Common random numbers")
struct CommonRandomNumberTests {
    /// Three islanded regions (no corridors) with outages, daily demand and solar noise; `extra` adds plants
    /// (and a battery) to regions A and B.
    static func islands(extra: Bool) -> String {
        let more = extra ? """
              - {name: gas-a2, technology: flexible, units: 3, unit_size_mw: 120, marginal_cost_usd_per_mwh: 70, forced_outage_rate: 0.06, mean_time_to_repair_hours: 30}
        """ : ""
        let moreB = extra ? """
              - {name: coal-b2, technology: coal, units: 7, unit_size_mw: 60, marginal_cost_usd_per_mwh: 35, forced_outage_rate: 0.1, mean_time_to_repair_hours: 60}
        """ : ""
        let storage = extra ? """
        storage:
          - {name: bess-b, region: B, power_mw: 100, energy_mwh: 200, forced_outage_rate: 0.03, mean_time_to_repair_hours: 24}
        """ : ""
        return """
        name: islands
        horizon: {start_date: 2030-05-01, duration_days: 14}
        stochastic: {demand_forecast_error_sigma: 0.03, demand_daily_sigma: 0.04, solar_daily_sigma: 0.3}
        regions:
          - name: A
            demand: {peak_mw: 900}
            plants:
              - {name: coal-a, technology: coal, units: 10, unit_size_mw: 100, marginal_cost_usd_per_mwh: 40, forced_outage_rate: 0.1, mean_time_to_repair_hours: 50}
        \(more)
          - name: B
            demand: {peak_mw: 700}
            plants:
              - {name: coal-b, technology: coal, units: 8, unit_size_mw: 100, marginal_cost_usd_per_mwh: 42, forced_outage_rate: 0.1, mean_time_to_repair_hours: 50}
        \(moreB)
          - name: C
            demand: {peak_mw: 800}
            plants:
              - {name: coal-c, technology: coal, units: 9, unit_size_mw: 100, marginal_cost_usd_per_mwh: 41, forced_outage_rate: 0.12, mean_time_to_repair_hours: 40}
              - {name: solar-c, technology: solar, unit_size_mw: 200, availability_profile: {file: ../../scenarios/profiles/vn-2030-vre.csv, column: solar_north}}
        \(storage)
        """
    }

    @Test("Adding plants and a battery to two islanded regions leaves the third region's every trial identical")
    func islandedRegionUnchanged() throws {
        let file = fixtures.appendingPathComponent("islands.yaml").path
        let base = SimulationPlan(scenario: try ScenarioLoader.load(text: Self.islands(extra: false), file: file))
        let more = SimulationPlan(scenario: try ScenarioLoader.load(text: Self.islands(extra: true), file: file))
        let a = Simulator(plan: base, stochastic: true), b = Simulator(plan: more, stochastic: true)
        let c = 2
        #expect(base.scenario.regions[c].name == "C" && more.scenario.regions[c].name == "C")
        let plantsC = base.scenario.plants.indices.filter { base.scenario.plants[$0].region == c }
        var shortfallTrials = 0, differentElsewhere = 0
        for trial in 0..<40 {
            try a.runTrial(trial, seed: 2024)
            try b.runTrial(trial, seed: 2024)
            let x = a.totals, y = b.totals
            // The draws are identical; the LP's numbers may differ in the last bits (its basis inverse is
            // refactorised after a count of pivots over the whole system), hence 1e-9 relative.
            func same(_ u: Double, _ v: Double) -> Bool { abs(u - v) <= 1e-9 * max(1, abs(u)) }
            #expect(x.shortfallHours[c] == y.shortfallHours[c] && x.demandMWh[c] == y.demandMWh[c], "trial \(trial)")
            #expect(same(x.unservedMWh[c], y.unservedMWh[c]) && same(x.generationCostUSD[c], y.generationCostUSD[c]), "trial \(trial)")
            for i in plantsC {
                let j = try #require(more.scenario.plants.firstIndex { $0.name == base.scenario.plants[i].name })
                #expect(same(x.plantGenerationMWh[i], y.plantGenerationMWh[j]), "trial \(trial), \(base.scenario.plants[i].name)")
                #expect(a.sampler!.unitStepsOut[i] == b.sampler!.unitStepsOut[j], "trial \(trial): outages of \(base.scenario.plants[i].name)")
            }
            if x.unservedMWh[c] > 0 { shortfallTrials += 1 }
            if !same(x.unservedMWh[0], y.unservedMWh[0]) || !same(x.generationCostUSD[1], y.generationCostUSD[1]) { differentElsewhere += 1 }
        }
        // The case is not idle: C sheds in some trials, and A and B do change.
        #expect(shortfallTrials > 0)
        #expect(differentElsewhere > 0)
    }
}

@Suite("Shards")
struct ShardTests {
    @Test("Accumulators survive the partial file exactly, Int128 sums beyond 2⁶⁴ included")
    func int128() throws {
        var a = Accumulator(resolution: 1e-6)
        for x in [9.9e8, 9.7e8, -9.8e8, 1e-6, 0, 123.456789] { a.add(x) }
        #expect(a.sumOfSquares > Int128(UInt64.max))
        let plan = SimulationPlan(scenario: try ScenarioLoader.load(text: minimalScenarioText, file: "/tmp/minimal.yaml"))
        var result = try MonteCarlo.run(plan: plan, options: MonteCarloOptions(trials: 3, seed: 1, threads: 1))
        result.accumulators[0] = a
        var partial = StudyPartial(scenario: plan.scenario, options: MonteCarloOptions(trials: 3, seed: 1), result: result, deterministicTargets: [])
        partial.trialCount = a.count; partial.result.trials = a.count
        for i in result.accumulators.indices.dropFirst() { partial.result.accumulators[i] = a }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("r70-partial-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try partial.encoded().write(to: URL(fileURLWithPath: path))
        let back = try StudyPartial.read(path)
        #expect(back.result.accumulators == partial.result.accumulators)
    }

    @Test("Shards merge into the whole study exactly, in any order of files and any split; gaps, repeats and strangers are refused")
    func merge() throws {
        let scenario = try ScenarioLoader.load(text: minimalScenarioText, file: "/tmp/minimal.yaml")
        let plan = SimulationPlan(scenario: scenario)
        let whole = try MonteCarlo.run(plan: plan, options: MonteCarloOptions(trials: 23, seed: 9, threads: 2))
        func shards(_ k: Int, seed: UInt64 = 9) throws -> [(file: String, partial: StudyPartial)] {
            try (0..<k).map { i in
                var o = MonteCarloOptions(trials: 23, seed: seed, threads: 2)
                o.shard = (i, k)
                let r = try MonteCarlo.run(plan: plan, options: o)
                return ("shard\(i + 1)", StudyPartial(scenario: scenario, options: o, result: r, deterministicTargets: []))
            }
        }
        for k in [1, 2, 5, 30] {
            let merged = try StudyPartial.merge(try shards(k).reversed()).result
            #expect(merged.accumulators == whole.accumulators && merged.trials == 23, "\(k) shards")
        }
        let four = try shards(4)
        #expect(throws: PartialError.self) { try StudyPartial.merge(Array(four.prefix(3))) }
        #expect(throws: PartialError.self) { try StudyPartial.merge(four + [four[1]]) }
        #expect(throws: PartialError.self) { try StudyPartial.merge(Array(four.prefix(3)) + [try shards(4, seed: 10)[3]]) }
        var stranger = four[3]
        stranger.partial.r70Version = "0.0.1"
        #expect(throws: PartialError.self) { try StudyPartial.merge(Array(four.prefix(3)) + [stranger]) }
        var overlapping = four[3]
        overlapping.partial.firstTrial -= 1
        #expect(throws: PartialError.self) { try StudyPartial.merge(Array(four.prefix(3)) + [overlapping]) }
    }
}

@Suite("Slurm job scripts")
struct SlurmScriptTests {
    @Test("The array runs shard i of K per task into parts/, the merge reads every part, submit chains them with afterok; odd paths are quoted")
    func scripts() {
        let job = SlurmJob(r70: "/opt/r70/bin/r70", scenario: "/data/my scenarios/vn 2030.yaml", scenarioName: "vn-2030-base",
                           overrides: ["storage[bess-n].power_mw=6000", "regions[*].demand.peak_mw*=1.1"], trials: 1000, seed: 7, shards: 8,
                           folder: "/scratch/job 1", partition: "long", time: "02:00:00", cpusPerTask: 4)
        let array = job.arrayScript
        #expect(array.hasPrefix("#!/bin/bash\n#SBATCH --job-name=r70-vn-2030-base\n#SBATCH --array=1-8\n"))
        #expect(array.contains("#SBATCH --cpus-per-task=4\n#SBATCH --time=02:00:00\n#SBATCH --output='/scratch/job 1/logs/shard-%a.out'\n#SBATCH --partition=long\n"))
        #expect(array.contains("exec /opt/r70/bin/r70 run '/data/my scenarios/vn 2030.yaml' --trials 1000 --seed 7 --shard \"${SLURM_ARRAY_TASK_ID}/8\" --partial-out \"/scratch/job 1/parts/part-${SLURM_ARRAY_TASK_ID}.json\" --threads 4 --quiet --set 'storage[bess-n].power_mw=6000' --set 'regions[*].demand.peak_mw*=1.1'"), "\(array)")
        let merge = job.mergeScript
        #expect(merge.contains("merge '/scratch/job 1/parts/part-1.json'") && merge.contains("'/scratch/job 1/parts/part-8.json' --json > '/scratch/job 1/result/study.json'.tmp\nmv "), "\(merge)")
        #expect(job.submitScript.contains("sbatch --parsable --dependency=afterok:$array merge.sbatch"))
        // A sweep: one point per task into parts/, recorded by the merge job alone.
        var sweep = job
        sweep.sweep = (["--vary", "storage[bess-n].power_mw=0:8000:4000"], 3, "/scratch/results.sqlite")
        #expect(sweep.arrayScript.contains("#SBATCH --array=1-3\n") && sweep.arrayScript.contains("sweep '/data/my scenarios/vn 2030.yaml' --vary 'storage[bess-n].power_mw=0:8000:4000' --trials 1000 --seed 7 --point \"${SLURM_ARRAY_TASK_ID}\""), "\(sweep.arrayScript)")
        #expect(sweep.mergeScript.contains("--db /scratch/results.sqlite --from-parts '/scratch/job 1/parts'"), "\(sweep.mergeScript)")
    }
}

@Suite("Capacity credit and sizing")
struct CapacityCreditTests {
    /// PRAS's capacity-credit test system: singlenode_a with a fourth 10 MW unit (PRASCapacityCredits.jl's
    /// runtests.jl: sys_before, sys_after).
    static func system() throws -> Scenario {
        var text = try String(contentsOfFile: fixtures.appendingPathComponent("pras/singlenode_a.yaml").path, encoding: .utf8)
        text += "      - {name: \"Gen4\", technology: flexible, unit_size_mw: 10, marginal_cost_usd_per_mwh: 12.5, forced_outage_rate: 0.1, mean_time_to_repair_hours: 1.1111111111111112}\n"
        return try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("pras/singlenode_a.yaml").path)
    }

    @Test("PRAS's test system: EFC on EUE in [8, 9] MW as PRAS publishes, ELCC in [7, 8]; both brackets hold the exact values (8.2376 and 7.3738 MW)")
    func pras() throws {
        let s = try Self.system()
        let options = MonteCarloOptions(trials: 100_000, seed: 1, threads: 2)
        let efc = try CapacityCredit.assess(s, resource: "Gen4", method: .efc, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options)
        #expect(efc.lowerMW == 8 && efc.upperMW == 9, "\(efc.lowerMW)–\(efc.upperMW)")
        let elcc = try CapacityCredit.assess(s, resource: "Gen4", method: .elcc, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options)
        #expect(elcc.lowerMW == 7 && elcc.upperMW == 8, "\(elcc.lowerMW)–\(elcc.upperMW)")
        // Exact: EUE 1.59 MWh without Gen4 and 0.2418 with it (independent hours, enumerated).
        #expect(abs(efc.target - 0.2418) <= 3 * efc.targetStandardError && abs(elcc.target - 1.59) <= 3 * elcc.targetStandardError)
        // A credit above the bracket's top is said to be so, not reported as the top.
        let capped = try CapacityCredit.assess(s, resource: "Gen4", method: .efc, metric: .eue, capacityMaxMW: 4, gapMW: 1, pValue: 0.05,
                                               options: MonteCarloOptions(trials: 20_000, seed: 1, threads: 2))
        #expect(!capped.withinMaximum && capped.stoppedBecause.contains("above the capacity max"))
        #expect(efc.withinMaximum && elcc.withinMaximum)
        #expect(throws: CapacityCreditError.self) { try CapacityCredit.assess(s, resource: "Gen9", method: .efc, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options) }
        // The paired one-sided test that stops the search: equal trials are no evidence; a shift of 3 standard
        // errors is (p = 0.00135).
        #expect(CapacityCredit.pValue(higher: [1, 2, 3], lower: [1, 2, 3]) == 1)
        // Differences 1.5 + (−1, 1, 0, 2, −2, 0, 1, −1): mean 1.5, standard error √(12 / 7 / 8), z = 3.24.
        let base = [3.0, 1, 4, 1, 5, 9, 2, 6], deviation = [-1.0, 1, 0, 2, -2, 0, 1, -1]
        let z = 1.5 / (12.0 / 7 / 8).squareRoot()
        let p = CapacityCredit.pValue(higher: zip(base, deviation).map { $0 + 1.5 + $1 }, lower: base)
        #expect(abs(p - 0.5 * erfc(z / 2.0.squareRoot())) < 1e-12, "\(p)")
        let shifted = CapacityCredit.pValue(higher: [2.1, 2.9, 3.2, 1.8], lower: [1, 2, 2, 1])
        #expect(shifted < 0.01 && CapacityCredit.pValue(higher: [1, 2, 2, 1], lower: [2.1, 2.9, 3.2, 1.8]) > 0.99)
    }

    @Test("PRAS's second test system: threenode, Gen1 5 MW larger: EFC and ELCC in Region A both in [3, 4] MW as PRAS publishes; threenode's own EUE and LOLE within 3 standard errors")
    func prasThreenode() throws {
        let path = fixtures.appendingPathComponent("pras/threenode.yaml").path
        let augmented = try ScenarioLoader.load(path: path, overrides: [try ScenarioOverride.parse("regions[Region A].plants[Gen1].unit_size_mw=15").get()])
        let baseline = try ScenarioLoader.load(path: path)
        let options = MonteCarloOptions(trials: 20_000, seed: 1, threads: 2)
        for method in CapacityCreditMethod.allCases {
            let r = try CapacityCredit.assess(augmented: augmented, baseline: baseline, region: 0, resource: "Gen1 +5 MW", resourceCapacityMW: 5,
                                              method: method, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options)
            #expect(r.lowerMW == 3 && r.upperMW == 4, "\(method): \(r.lowerMW)–\(r.upperMW)")
        }
        // The encoding itself: PRAS's exact EUE 12.12885 MWh and LOLE 1.3756 event-hours.
        var o = options
        o.adequacyOnly = true
        let study = try MonteCarlo.run(plan: SimulationPlan(scenario: baseline), options: o)
        let eue = try #require(study.estimate("eue")), lole = try #require(study.estimate("lole"))
        #expect(abs(eue.mean - 12.12885) <= 3 * eue.standardError && abs(lole.mean - 1.3756) <= 3 * lole.standardError, "\(eue.mean) \(lole.mean)")
    }

    @Test("Sizing by bisection: the planning margin reaches 15 % between the last value that misses and the first that meets")
    func sizing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("r70-size-\(getpid()).yaml").path
        try minimalScenarioText.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try ScenarioSource(path: path)
        let target = try #require(SizingTarget.parse("reserve_margin>=0.15"))
        let r = try Sizing.size(source: source, fixed: [], path: "regions[R].plants[g].unit_size_mw", lower: 50, upper: 400, gap: 0.5,
                                target: target, confidence: 0.95, options: nil)
        let upper = try #require(r.upper)
        #expect(upper - r.lower <= 0.5 && r.atUpper!.metric >= 0.15)
        let missing = r.steps.filter { $0.value <= r.lower }.map(\.metric)
        #expect(missing.allSatisfy { $0 < 0.15 } && r.nonMonotone.isEmpty)
        let never = try Sizing.size(source: source, fixed: [], path: "regions[R].plants[g].unit_size_mw", lower: 50, upper: 60, gap: 0.5,
                                    target: target, confidence: 0.95, options: nil)
        #expect(never.upper == nil)
    }
}

@Suite("Fuel supply as planned (issue 15 part 2)")
struct FuelSupplyPlanTests {
    static func scenario(_ name: String) throws -> Scenario {
        try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/\(name).yaml").path)
    }

    @Test("No fuel loses cargoes to full storage in the 2030 scenarios' deterministic years")
    func noCargoLost() throws {
        for name in ["vn-2030-base", "vn-2030-dry-year", "vn-2030-high-demand", "vn-2030-storage-pilots", "vn-2030-6region"] {
            let run = try DeterministicRun.run(try Self.scenario(name))
            for f in run.summary.fuels {
                #expect(f.deliveriesLostToFullStorageT == 0, "\(name): \(f.name) loses \(f.deliveriesLostToFullStorageT) t of cargo")
            }
        }
    }

    @Test("The LNG disruption raises the Monte Carlo's unserved energy by more than its standard error, and its cost")
    func disruptionMatters() throws {
        let options = MonteCarloOptions(trials: 100, seed: 5, threads: 2)
        let base = try MonteCarlo.run(plan: SimulationPlan(scenario: try Self.scenario("vn-2030-base")), options: options)
        let cut = try MonteCarlo.run(plan: SimulationPlan(scenario: try Self.scenario("vn-2030-lng-disruption")), options: options)
        let a = try #require(base.estimate("eue")), b = try #require(cut.estimate("eue"))
        let se = (a.standardError * a.standardError + b.standardError * b.standardError).squareRoot()
        #expect(b.mean - a.mean > se, "eue: \(b.mean) ± \(b.standardError) with the disruption vs \(a.mean) ± \(a.standardError)")
        // The cost: both studies draw the same streams (keyed by device names), so their difference is the disruption's.
        // (Since reservoirs carry water, the South's hydro covers much of the month, and the cost rises by less than
        // the trials' spread.)
        let costA = try #require(base.estimate("total_cost")), costB = try #require(cut.estimate("total_cost"))
        #expect(costB.mean > costA.mean, "total cost \(costB.mean) with the disruption vs \(costA.mean)")
    }
}

@Suite("Hot days (issue 15 part 1)")
struct HotDayTests {
    static let scenario = """
    name: heat
    horizon: {start_date: 2030-01-01, duration_days: 365}
    stochastic:
      demand_forecast_error_sigma: 0
      demand_daily_sigma: 0
      hot_days: {probability_monthly: [0, 0, 0, 0.1, 0.3, 0.35, 0.35, 0.25, 0.05, 0, 0, 0], mean_spell_days: 4, demand_uplift_fraction: 0.05}
    regions:
      - name: A
        demand: {peak_mw: 1000}
        plants: [{name: a, technology: flexible, unit_size_mw: 2000, marginal_cost_usd_per_mwh: 10}]
      - name: B
        demand: {peak_mw: 500}
        plants: [{name: b, technology: flexible, unit_size_mw: 2000, marginal_cost_usd_per_mwh: 10}]

    """

    @Test("Hot days come with their monthly frequency and spell length, in every region at once, and keep each month's expected demand")
    func frequencyAndMean() throws {
        let scenario = try ScenarioLoader.load(text: Self.scenario, file: fixtures.appendingPathComponent("heat.yaml").path)
        let sim = Simulator(plan: SimulationPlan(scenario: scenario), stochastic: true)
        let sampler = try #require(sim.sampler)
        let p = scenario.stochastic.hotDays!.probabilityMonthly, days = 365
        let month = (0..<days).map { scenario.calendar.date(ofDay: $0).month - 1 }
        var hot = [Double](repeating: 0, count: 12), count = [Double](repeating: 0, count: 12), factor = [Double](repeating: 0, count: 12)
        var spells = 0.0, spellDays = 0.0
        let trials = 2000
        for trial in 0..<trials {
            sampler.startTrial(seed: 3, trial: UInt64(trial), simulator: sim)
            for d in 0..<days {
                let m = month[d]
                count[m] += 1
                if sampler.hotDay[d] { hot[m] += 1; spellDays += 1; if d == 0 || !sampler.hotDay[d - 1] { spells += 1 } }
                factor[m] += sampler.demandDayFactor[d]
                // National: region B's factor is region A's.
                #expect(sampler.demandDayFactor[days + d] == sampler.demandDayFactor[d])
            }
        }
        for m in [5, 6] {   // June and July: a whole month at 0.35 after a month at 0.3
            let share = hot[m] / count[m]
            #expect(abs(share - p[m]) < 0.01, "month \(m + 1): \(share) hot vs \(p[m])")
            #expect(abs(factor[m] / count[m] - 1) < 0.001, "month \(m + 1): mean demand factor \(factor[m] / count[m])")
        }
        #expect(hot[0] == 0 && hot[11] == 0)
        #expect(abs(spellDays / spells - 4) < 0.3, "mean spell \(spellDays / spells) days")
    }

    @Test("Heat waves draw from their own stream: without them, every day's demand factor is the same one divided by that day's hot or other factor")
    func ownStream() throws {
        let on = try ScenarioLoader.load(text: Self.scenario.replacingOccurrences(of: "demand_daily_sigma: 0", with: "demand_daily_sigma: 0.02"),
                                         file: fixtures.appendingPathComponent("heat.yaml").path)
        let off = try ScenarioLoader.load(text: Self.scenario.replacingOccurrences(of: "demand_daily_sigma: 0", with: "demand_daily_sigma: 0.02")
                                            .replacingOccurrences(of: "  hot_days: {probability_monthly: [0, 0, 0, 0.1, 0.3, 0.35, 0.35, 0.25, 0.05, 0, 0, 0], mean_spell_days: 4, demand_uplift_fraction: 0.05}\n", with: ""),
                                          file: fixtures.appendingPathComponent("heat.yaml").path)
        let a = Simulator(plan: SimulationPlan(scenario: on), stochastic: true), b = Simulator(plan: SimulationPlan(scenario: off), stochastic: true)
        let h = on.stochastic.hotDays!
        for trial in 0..<20 {
            a.sampler!.startTrial(seed: 8, trial: UInt64(trial), simulator: a)
            b.sampler!.startTrial(seed: 8, trial: UInt64(trial), simulator: b)
            #expect(off.stochastic.hotDays == nil && a.sampler!.hotDay.contains(true))
            for d in 0..<365 {
                let f = h.factors(probability: h.probabilityMonthly[on.calendar.date(ofDay: d).month - 1])
                let expected = b.sampler!.demandDayFactor[d] * (a.sampler!.hotDay[d] ? f.hot : f.other)
                #expect(abs(a.sampler!.demandDayFactor[d] - expected) <= 1e-12 * expected)
            }
        }
    }
}

@Suite("Capacity credits that agree with the model (issue 15 part 5)")
struct ComputedCreditTests {
    @Test("A technology's credit is the credit of all its plants together: on PRAS's system with Gen4 made an oil unit, --technology oil is --resource Gen4 (ELCC in [7, 8] MW)")
    func technologyIsItsPlants() throws {
        var text = try String(contentsOfFile: fixtures.appendingPathComponent("pras/singlenode_a.yaml").path, encoding: .utf8)
        text += "      - {name: \"Gen4\", technology: oil, unit_size_mw: 10, marginal_cost_usd_per_mwh: 12.5, forced_outage_rate: 0.1, mean_time_to_repair_hours: 1.1111111111111112}\n"
        let s = try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("pras/singlenode_a.yaml").path)
        let options = MonteCarloOptions(trials: 100_000, seed: 1, threads: 2)
        let byTechnology = try CapacityCredit.assess(s, technology: "oil", method: .elcc, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options)
        let byResource = try CapacityCredit.assess(s, resource: "Gen4", method: .elcc, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options)
        #expect(byTechnology.lowerMW == 7 && byTechnology.upperMW == 8 && byTechnology.resourceCapacityMW == 10)
        #expect(byTechnology.lowerMW == byResource.lowerMW && byTechnology.upperMW == byResource.upperMW && byTechnology.target == byResource.target)
        #expect(throws: CapacityCreditError.self) { try CapacityCredit.assess(s, technology: "nuclear", method: .elcc, metric: .eue, capacityMaxMW: 10, gapMW: 1, pValue: 0.05, options: options) }
        // Load and firm capacity for a national fleet are spread by the regions' shares of the national peak.
        let two = try ScenarioLoader.load(text: """
        name: two
        horizon: {start_date: 2030-01-07, duration_hours: 2}
        regions:
          - {name: A, demand: {peak_mw: 300}, plants: [{name: a, technology: coal, unit_size_mw: 400, marginal_cost_usd_per_mwh: 10}]}
          - {name: B, demand: {peak_mw: 100}, plants: [{name: b, technology: coal, unit_size_mw: 400, marginal_cost_usd_per_mwh: 10}]}
        """, file: fixtures.appendingPathComponent("two.yaml").path)
        #expect(CapacityCredit.peakShares(two) == [0.75, 0.25])
        let loaded = CapacityCredit.withAddedLoad(two, weights: [0.75, 0.25], mw: 40)
        #expect(loaded.regions[0].demandMW[0] == 330 && loaded.regions[1].demandMW[0] == 110)
        let (without, capacity) = try CapacityCredit.without(two, technology: "coal")
        #expect(without.plants.isEmpty && capacity == 800)
    }

    @Test("targets.capacity_credits chooses the credits the margin counts, and the summary names them")
    func chosenCredits() throws {
        let path = packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path
        let assumed = try ScenarioLoader.load(path: path)
        let computed = try ScenarioLoader.load(path: path, overrides: [try ScenarioOverride.parse("targets.capacity_credits=computed").get()])
        #expect(assumed.targets.capacityCredits == "assumed" && computed.targets.capacityCredits == "computed")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("computed_capacity_credits:"), "vn-2030-base.yaml has no computed credits (scenarios/tools/make_credits.py)")
        // Every plant of a listed technology counts the computed credit; the margin follows.
        let coal = try #require(computed.plants.first { $0.technology == .coal })
        let coalAssumed = try #require(assumed.plants.first { $0.technology == .coal })
        #expect(coalAssumed.capacityCredit == 0.85 && coal.capacityCredit != coalAssumed.capacityCredit)
        let a = try DeterministicRun.run(assumed), c = try DeterministicRun.run(computed)
        #expect(a.summary.national.capacityCredits == "assumed" && c.summary.national.capacityCredits == "computed")
        // Firm capacity with the computed credits, by hand from the file's list: each plant of a listed technology
        // (rooftops behind the meter keep none) at its technology's ELCC fraction, each store at ELCC fraction × power.
        var credit: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("  - {technology: ") {
            let fields = line.dropFirst("  - {technology: ".count).split(separator: ",")
            let value = fields[1].split(separator: ":")[1].trimmingCharacters(in: .whitespaces)
            credit[String(fields[0])] = Double(value)
        }
        #expect(credit.count >= 10 && credit["coal"] != nil)
        var firm = 0.0
        for p in assumed.plants { firm += p.capacityMW * (p.behindTheMeter ? p.capacityCredit : credit[p.technology.rawValue] ?? p.capacityCredit) }
        for st in assumed.storage { firm += credit[st.technology].map { $0 * st.powerMW } ?? st.firmCapacityMW }
        #expect(abs(c.summary.national.firmCapacityMW - firm) < 1e-6 * firm, "\(c.summary.national.firmCapacityMW) vs \(firm)")
        #expect(c.summary.national.firmCapacityMW != a.summary.national.firmCapacityMW)
        // `computed` without a list is refused.
        let bare = "name: t\nhorizon: {start_date: 2030-01-07, duration_hours: 2}\ntargets: {capacity_credits: computed}\nregions:\n  - {name: R, demand: {peak_mw: 10}, plants: [{name: g, technology: coal, unit_size_mw: 20, marginal_cost_usd_per_mwh: 1}]}\n"
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(text: bare, file: fixtures.appendingPathComponent("bare.yaml").path) }
    }
}
