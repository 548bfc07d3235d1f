// The Monte Carlo engine. Trials run on `threads` workers, each worker with its own simulator (and GSL
// stream); trial i always draws from the stream derived from (seed, i). Outcomes are merged in blocks of
// `blockSize`, in trial order, while the workers go on with the next block (up to two blocks ahead), and
// accumulators merge exactly, so every output is bit-identical for any thread count; an early stop
// (`--rel-error`) falls at a block boundary, and trials already begun beyond it are discarded. Memory
// does not grow with the number of trials.
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
    /// Mean of the worst 5 % of probability mass in the metric's worse direction (see
    /// `Accumulator.worstMean`): the highest 5 % for shortfalls and costs, the lowest for margins and stocks.
    public var worst5Mean: Double
    /// Whether higher values are worse (the direction of `worst5Mean`).
    public var higherIsWorse: Bool
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
                              p5: a.quantile(0.05), p50: a.quantile(0.5), p95: a.quantile(0.95),
                              worst5Mean: a.worstMean(tail: 0.05, higherIsWorse: d.higherIsWorse), higherIsWorse: d.higherIsWorse)
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
        var accumulators = defs.map { Accumulator(resolution: $0.resolution) }
        let workers = (0..<min(o.threads, o.trials)).map { _ in
            let sim = Simulator(plan: plan, stochastic: true)
            sim.adequacyOnly = o.adequacyOnly
            return sim
        }
        let block = o.blockSize
        // Trials run ahead of the merge by up to two blocks: a worker that finds the current block handed out
        // goes on with the next one while the others finish theirs (no idle core at block ends). Trial k's
        // outcome lives in slot k mod window until its block is merged.
        let window = 2 * block
        let queue = TrialQueue(trials: o.trials, window: window)
        let outcomes = SlotBuffer<[Double]>(count: window, value: [])
        let failures = SlotBuffer<MonteCarloError?>(count: window, value: nil)
        let group = DispatchGroup()
        for w in workers.indices {
            nonisolated(unsafe) let sim = workers[w]
            DispatchQueue.global().async(group: group) {
                while let k = queue.take() {
                    do throws(SimulationError) {
                        try sim.runTrial(k, seed: o.seed, maxSteps: o.maxSteps)
                        var v: [Double] = []
                        catalog.values(sim.totals, into: &v)
                        outcomes[k % window] = v
                    } catch {
                        failures[k % window] = .simulation(trial: k, error)
                    }
                    queue.complete(k)
                }
            }
        }
        // Whatever ends the study (all trials, an early stop, a failure), no trial is started after it and
        // the workers are gone before the buffers are.
        defer { queue.stop(); group.wait() }
        let start = Date()
        let eueIndex = catalog.index(of: "eue")!, loleIndex = catalog.index(of: "lole")!
        var done = 0
        var stoppedEarly = false
        while done < o.trials {
            let first = done, count = min(block, o.trials - done)
            queue.wait(forTrialsBelow: first + count)
            for k in first..<(first + count) {
                if let f = failures[k % window] { throw f }
                let v = outcomes[k % window]
                for (i, x) in v.enumerated() { accumulators[i].add(x) }
                sample?(k, v)
            }
            done += count
            queue.merged(upTo: done)
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

/// Hands out trial numbers in order to the workers, at most `window` ahead of the trials merged, and tells
/// the merging thread when a run of trials is complete.
final class TrialQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var next = 0
    private var limit: Int
    private var mergedCount = 0
    private let window: Int
    /// Per slot (trial mod window): whether that trial is complete.
    private var complete: [Bool]
    /// Trials complete from `mergedCount` on, without a gap (the merge waits for `contiguous` to pass a block).
    private var contiguous = 0

    init(trials: Int, window: Int) {
        limit = trials
        self.window = window
        complete = [Bool](repeating: false, count: window)
    }

    /// The next trial to run, or nil when none is left (or the study stopped).
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while next < limit && next >= mergedCount + window { condition.wait() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }

    func complete(_ k: Int) {
        condition.lock()
        complete[k % window] = true
        while contiguous < next && complete[contiguous % window] { contiguous += 1 }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every trial below `end` is complete.
    func wait(forTrialsBelow end: Int) {
        condition.lock()
        while contiguous < end { condition.wait() }
        condition.unlock()
    }

    /// The trials below `end` are merged: their slots are free again.
    func merged(upTo end: Int) {
        condition.lock()
        for k in mergedCount..<end { complete[k % window] = false }
        mergedCount = end
        condition.broadcast()
        condition.unlock()
    }

    /// No trial is started after this.
    func stop() {
        condition.lock()
        limit = min(limit, next)
        condition.broadcast()
        condition.unlock()
    }
}

/// Fixed slots that workers write and the merging thread reads, each slot by one thread at a time (the
/// `TrialQueue`'s lock orders a write before the read that follows it).
final class SlotBuffer<Element>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Element>
    private let count: Int
    init(count: Int, value: Element) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: value, count: count)
    }
    deinit { slots.deinitialize(count: count); slots.deallocate() }
    subscript(i: Int) -> Element {
        get { slots[i] }
        set { slots[i] = newValue }
    }
}
