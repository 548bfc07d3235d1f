// Benchmarks of the dispatch core and the deterministic year. Setup (loading, planning) stays outside
// the measured closures; results go through blackHole.
import Benchmark
import Foundation
import GridDispatch
import GridModel
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
            solver.input = day[i % day.count]
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

    Benchmark("Deterministic year, vn-2030-base, from the typed model (plan + simulator + summary)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? DeterministicRun.run(scenario).summary.national.totalCostUSD)
        }
    }
}
