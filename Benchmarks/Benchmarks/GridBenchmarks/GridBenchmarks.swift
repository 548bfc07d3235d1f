// Benchmarks of the dispatch core and the deterministic year. Setup (loading, planning) stays outside
// the measured closures; results go through blackHole.
import Benchmark
import Foundation
import GridDispatch
import GridModel
import GridReport
import GridSim
import GridStudy

/// The package root, found from this file's location.
let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let basePath = root.appendingPathComponent("scenarios/vn-2030-base.yaml").path
let benchPath = root.appendingPathComponent("Benchmarks/scenarios/bench-3region-thermal.yaml").path

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(5))

    let scenario = try! ScenarioLoader.load(path: basePath)
    let plan = SimulationPlan(scenario: scenario)

    // One day of the base's real dispatch inputs (the hours of 15 June), solved in turn with warm starts.
    var day: [DispatchInput] = []
    let recorder = Simulator(plan: plan)
    recorder.dispatchObserver = { t, input in if t >= 165 * 24 && t < 166 * 24 { day.append(input.copy()) } }
    try! recorder.run(maxSteps: 166 * 24)
    let solver = DispatchSolver(structure: plan.structure)

    Benchmark("Dispatch, one step of vn-2030-base (3 regions, 25 plants, 4 storage, 7 fuels), warm start",
              configuration: .init(scalingFactor: .kilo)) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            solver.input.assign(from: day[i % day.count])   // (a copy of ~200 numbers)
            i += 1
            try? solver.solve()
            blackHole(solver.result.priceAtRegionPerMWh[0])
        }
    }

    // The simulator is built once; each iteration resets it (in place) and runs the whole year.
    let simulator = Simulator(plan: plan)
    Benchmark("Deterministic year, vn-2030-base, 8,760 hourly steps (simulator reused)") { benchmark in
        for _ in benchmark.scaledIterations {
            simulator.reset()
            try? simulator.run()
            blackHole(simulator.totals.unservedMWh)
        }
    }

    // Monte Carlo. Throughput is trial-years per second; region-hours per second = that × 8,760 × 3.
    let benchPlan = SimulationPlan(scenario: try! ScenarioLoader.load(path: benchPath))
    for threads in [1, 2] {
        Benchmark("Monte Carlo, bench-3region-thermal, 1,000 trial-years, adequacy, \(threads) thread\(threads == 1 ? "" : "s")",
                  configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(20), maxIterations: 5)) { benchmark in
            for _ in benchmark.scaledIterations {
                var options = MonteCarloOptions(trials: 1000, seed: 1, threads: threads)
                options.adequacyOnly = true
                blackHole(try? MonteCarlo.run(plan: benchPlan, options: options).estimate("eue"))
            }
        }
    }
    for threads in [1, 2] {
        Benchmark("Monte Carlo, vn-2030-base, 64 trial-years, every process on, \(threads) thread\(threads == 1 ? "" : "s")",
                  configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(30), maxIterations: 3)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? MonteCarlo.run(plan: plan, options: MonteCarloOptions(trials: 64, seed: 1, threads: threads)).estimate("eue"))
            }
        }
    }

    // Loading: parse, validate and build the typed model and the simulation plan (issue: under 0.1 s for
    // any shipped scenario or an RTS-GMLC-size case).
    Benchmark("Load, vn-2030-base (YAML + built-in shapes → scenario → plan)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SimulationPlan(scenario: try! ScenarioLoader.load(path: basePath)).scenario.stepCount)
        }
    }
    let widePath = writeWideProfileScenario()
    Benchmark("Load, 153 plants reading one 150-column × 8,760-row CSV (RTS-GMLC size)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SimulationPlan(scenario: try! ScenarioLoader.load(path: widePath)).scenario.stepCount)
        }
    }

    Benchmark("Deterministic year, vn-2030-base, from the typed model (plan + simulator + summary)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? DeterministicRun.run(scenario).summary.national.totalCostUSD)
        }
    }

    // --out (issue: within 3× the run without it): the year with hourly records, its 17 MB of CSV formatted,
    // and the whole directory written beside the target and swapped in.
    let outRun = try! DeterministicRun.run(scenario, recordHourly: true)
    Benchmark("Output, vn-2030-base: format the hourly CSV and summary.json (17 MB)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? OutputWriter.files(plan: outRun.plan, summary: outRun.summary, hourly: outRun.hourly!, targets: []).count)
        }
    }
    let outDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("r70-bench-out-\(getpid())").path
    Benchmark("Output, vn-2030-base: run with hourly records, format and write the --out directory",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput], maxDuration: .seconds(5))) { benchmark in
        for _ in benchmark.scaledIterations {
            let run = try! DeterministicRun.run(scenario, recordHourly: true)
            try! OutputWriter.write(directory: outDirectory, files: OutputWriter.files(plan: run.plan, summary: run.summary, hourly: run.hourly!, targets: []))
        }
    }
}

/// Writes a scenario of 3 regions whose demand and 150 solar plants read columns of one 150-column,
/// 8,760-row CSV (9 MB, like RTS-GMLC's profiles), in a temporary folder; returns the scenario's path.
func writeWideProfileScenario() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-bench-wide-\(getpid())")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var csv = "hour," + (0..<150).map { "c\($0)" }.joined(separator: ",") + "\n"
    var state: UInt64 = 1
    for h in 0..<8760 {
        csv += String(h)
        for _ in 0..<150 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            csv += "," + String(format: "%.4f", Double(state >> 11) / Double(1 << 53))
        }
        csv += "\n"
    }
    try! csv.write(to: dir.appendingPathComponent("profiles.csv"), atomically: true, encoding: .utf8)
    var yaml = "name: wide\nhorizon: {start_date: 2030-01-01, duration_hours: 8760}\nregions:\n"
    for r in 0..<3 {
        yaml += "  - name: R\(r)\n    demand: {peak_mw: 10000, profile: {file: profiles.csv, column: c\(r)}}\n    plants:\n"
        for p in 0..<50 {
            yaml += "      - {name: p\(r)-\(p), technology: solar, unit_size_mw: 100, marginal_cost_usd_per_mwh: 0, availability_profile: {file: profiles.csv, column: c\(r * 50 + p)}}\n"
        }
        yaml += "      - {name: gas\(r), technology: flexible, unit_size_mw: 500, units: 30, marginal_cost_usd_per_mwh: 80}\n"
    }
    let path = dir.appendingPathComponent("wide.yaml").path
    try! yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
