// Benchmarks of the dispatch core and the deterministic year. Setup (loading, planning) stays outside
// the measured closures; results go through blackHole.
import Benchmark
import Foundation
import GridDispatch
import GridModel
import GridSim

/// scenarios/vn-2030-base.yaml, found from this file's location.
let basePath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scenarios/vn-2030-base.yaml").path

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], maxDuration: .seconds(5))

    let scenario = try! ScenarioLoader.load(path: basePath)
    let plan = SimulationPlan(scenario: scenario)

    // One day of the base's real dispatch inputs (the hours of 15 June), solved in turn with warm starts.
    var day: [DispatchInput] = []
    let recorder = Simulator(plan: plan)
    recorder.dispatchObserver = { t, input in if t >= 165 * 24 && t < 166 * 24 { day.append(input) } }
    try! recorder.run(maxSteps: 166 * 24)
    let solver = DispatchSolver(structure: plan.structure)

    Benchmark("Dispatch, one step of vn-2030-base (3 regions, 25 plants, 4 storage, 7 fuels), warm start",
              configuration: .init(scalingFactor: .kilo)) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            solver.input = day[i % day.count]
            i += 1
            try? solver.solve()
            blackHole(solver.result.objectivePerHour)
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

    Benchmark("Deterministic year, vn-2030-base, from the typed model (plan + simulator + summary)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? DeterministicRun.run(scenario).summary.national.totalCostUSD)
        }
    }
}
