// The Monte Carlo engine. Trials run in blocks of `blockSize` on `threads` workers, each worker with its
// own simulator (and GSL stream); trial i always draws from the stream derived from (seed, i). A block's
// outcomes are merged in trial order, and accumulators merge exactly, so every output is bit-identical
// for any thread count. Memory does not grow with the number of trials.
import Foundation
import GridModel
import GridSim

public struct MonteCarloOptions: Sendable {
    public var trials: Int
    public var seed: UInt64
    public var threads: Int
    /// Stop once SE(EUE)/EUE (SE(LOLE)/LOLE when EUE is 0) falls below this, after `minimumTrials`.
    public var relativeError: Double?
    public var minimumTrials: Int
    public var blockSize: Int
    /// Simulate only the first steps of each year (tests).
    public var maxSteps: Int?
    /// Estimate only the adequacy metrics, skipping the dispatch of hours in which every region covers
    /// its own demand (stateless systems only: no storage, fuel stocks, reservoir energy or DR limits).
    public var adequacyOnly = false

    public init(trials: Int, seed: UInt64 = 1, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                relativeError: Double? = nil, minimumTrials: Int = 100, blockSize: Int = 64, maxSteps: Int? = nil) {
        self.trials = trials; self.seed = seed; self.threads = max(1, threads); self.relativeError = relativeError
        self.minimumTrials = minimumTrials; self.blockSize = max(1, blockSize); self.maxSteps = maxSteps
    }
}

public struct MonteCarloProgress: Sendable {
    public var trialsDone: Int
    public var trialsPlanned: Int
    public var seconds: Double
    public var lole: Double
    public var eue: Double
}

public struct MetricEstimate: Codable, Sendable {
    public var name: String
    public var unit: String
    public var description: String
    public var mean: Double
    public var standardError: Double
    public var lower95: Double
    public var upper95: Double
    public var p5: Double
    public var p50: Double
    public var p95: Double
    /// Mean of the worst 5 % of trials.
    public var cvar95: Double
}

public struct MonteCarloResult: Codable, Sendable {
    public var scenario: String
    public var seed: UInt64
    public var trials: Int
    public var trialsRequested: Int
    public var stoppedEarly: Bool
    /// Length of the simulated horizon of each trial, days.
    public var horizonDays: Double
    public var definitions: [MetricDefinition]
    public var accumulators: [Accumulator]

    public func estimate(_ name: String) -> MetricEstimate? {
        guard let i = definitions.firstIndex(where: { $0.name == name }) else { return nil }
        return estimate(i)
    }

    public func estimate(_ i: Int) -> MetricEstimate {
        let d = definitions[i], a = accumulators[i]
        let se = a.standardError
        return MetricEstimate(name: d.name, unit: d.unit, description: d.description, mean: a.mean, standardError: se,
                              lower95: a.nonNegative ? max(0, a.mean - 1.959964 * se) : a.mean - 1.959964 * se,
                              upper95: a.mean + 1.959964 * se,
                              p5: a.quantile(0.05), p50: a.quantile(0.5), p95: a.quantile(0.95), cvar95: a.conditionalValueAtRisk(tail: 0.05))
    }

    public var estimates: [MetricEstimate] { definitions.indices.map(estimate) }

    /// Exact merge of two results over disjoint trials of the same scenario and metrics.
    public mutating func merge(_ other: MonteCarloResult) {
        precondition(definitions == other.definitions)
        for i in accumulators.indices { accumulators[i].merge(other.accumulators[i]) }
        trials += other.trials
    }
}

public enum MonteCarloError: Error, CustomStringConvertible {
    case simulation(trial: Int, SimulationError)
    public var description: String {
        switch self { case .simulation(let trial, let e): return "trial \(trial): \(e)" }
    }
}

public enum MonteCarlo {
    /// Runs the study. `progress` is called after each block; `sample` with each trial's metric values,
    /// in trial order.
    public static func run(plan: SimulationPlan, options o: MonteCarloOptions,
                           progress: ((MonteCarloProgress) -> Void)? = nil,
                           sample: ((Int, [Double]) -> Void)? = nil) throws -> MonteCarloResult {
        let catalog = MetricCatalog(plan: plan, adequacyOnly: o.adequacyOnly)
        let defs = catalog.definitions
        var accumulators = defs.map { Accumulator(resolution: $0.resolution, histogramScale: $0.histogramScale) }
        let workers = (0..<min(o.threads, o.trials)).map { _ in
            let sim = Simulator(plan: plan, stochastic: true)
            sim.adequacyOnly = o.adequacyOnly
            return sim
        }
        let block = o.blockSize
        var outcomes = [[Double]](repeating: [], count: block)
        var failures = [MonteCarloError?](repeating: nil, count: block)
        // Worker w only ever touches workers[w]; the block's trial counter is shared under a lock.
        let pool = WorkerPool(workers)
        let start = Date()
        let eueIndex = catalog.index(of: "eue")!, loleIndex = catalog.index(of: "lole")!
        var done = 0
        var stoppedEarly = false
        while done < o.trials {
            let first = done, count = min(block, o.trials - done)
            pool.startBlock()
            // Each worker takes the block's next trial until none is left.
            outcomes.withUnsafeMutableBufferPointer { out in
                failures.withUnsafeMutableBufferPointer { fail in
                    nonisolated(unsafe) let out = out, fail = fail
                    DispatchQueue.concurrentPerform(iterations: workers.count) { w in
                        let sim = pool.simulator(w)
                        while true {
                            let k = pool.nextTrial()
                            if k >= count { break }
                            do throws(SimulationError) {
                                try sim.runTrial(first + k, seed: o.seed, maxSteps: o.maxSteps)
                                var v: [Double] = []
                                catalog.values(sim.totals, into: &v)
                                out[k] = v
                            } catch {
                                fail[k] = .simulation(trial: first + k, error)
                            }
                        }
                    }
                }
            }
            for k in 0..<count {
                if let f = failures[k] { throw f }
                for (i, v) in outcomes[k].enumerated() { accumulators[i].add(v) }
                sample?(first + k, outcomes[k])
            }
            done += count
            let eue = accumulators[eueIndex], lole = accumulators[loleIndex]
            progress?(MonteCarloProgress(trialsDone: done, trialsPlanned: o.trials, seconds: Date().timeIntervalSince(start),
                                         lole: lole.mean, eue: eue.mean))
            if let target = o.relativeError, done >= o.minimumTrials, done < o.trials {
                let a = eue.mean > 0 ? eue : lole
                if a.mean > 0 && a.standardError / a.mean < target { stoppedEarly = true; break }
            }
        }
        return MonteCarloResult(scenario: plan.scenario.name, seed: o.seed, trials: done, trialsRequested: o.trials,
                                stoppedEarly: stoppedEarly,
                                horizonDays: Double(o.maxSteps.map { min($0, plan.scenario.stepCount) } ?? plan.scenario.stepCount) * plan.scenario.stepHours / 24,
                                definitions: defs, accumulators: accumulators)
    }
}

/// The simulators of a study's workers and the counter of the block's next trial.
final class WorkerPool: @unchecked Sendable {
    private let simulators: [Simulator]
    private let lock = NSLock()
    private var next = 0
    init(_ simulators: [Simulator]) { self.simulators = simulators }
    func simulator(_ w: Int) -> Simulator { simulators[w] }
    func startBlock() { lock.lock(); next = 0; lock.unlock() }
    func nextTrial() -> Int {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        return next - 1
    }
}
