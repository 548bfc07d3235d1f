// The Monte Carlo engine. Trials run on `threads` workers, each worker with its own simulator (and
// streams); trial i always draws from the streams keyed by (seed, i, name). Outcomes are merged in blocks
// of `blockSize`, in trial order, while the workers go on with the next block (up to two blocks ahead),
// and accumulators merge exactly, so every output is bit-identical for any thread count. `--rel-error`
// sizes the study from a pilot and then runs fresh trials (see `MonteCarlo.run`).
import Foundation
import GridModel
import GridSim

public struct MonteCarloOptions: Sendable {
    public var trials: Int
    public var seed: UInt64
    public var threads: Int
    /// Size the study for SE(EUE)/EUE (SE(LOLE)/LOLE when EUE is 0) at this, from a pilot of
    /// `minimumTrials` trials (see `MonteCarlo.run`); `trials` is then the most it runs.
    public var relativeError: Double?
    public var minimumTrials: Int
    public var blockSize: Int
    /// Simulate only the first steps of each year (tests).
    public var maxSteps: Int?
    /// Estimate only the adequacy metrics, skipping the dispatch of hours in which every region covers
    /// its own demand (stateless systems only: no storage, fuel stocks, reservoir energy or DR limits).
    public var adequacyOnly = false
    /// Run only shard `index` of `count` (0-based): trials ⌊index·N/count⌋ ..< ⌊(index+1)·N/count⌋ of the
    /// study's N = `trials`. Each trial draws from its own streams, so the shards' results merge into exactly
    /// the study's. Not with `relativeError`.
    public var shard: (index: Int, count: Int)?

    /// The trials this study (or shard) runs.
    public var trialRange: Range<Int> {
        guard let shard else { return 0..<trials }
        return (shard.index * trials / shard.count)..<((shard.index + 1) * trials / shard.count)
    }

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

    public init(name: String, unit: String, description: String, mean: Double, standardError: Double, lower95: Double, upper95: Double,
                p5: Double, p50: Double, p95: Double, worst5Mean: Double, higherIsWorse: Bool) {
        self.name = name; self.unit = unit; self.description = description; self.mean = mean; self.standardError = standardError
        self.lower95 = lower95; self.upper95 = upper95; self.p5 = p5; self.p50 = p50; self.p95 = p95
        self.worst5Mean = worst5Mean; self.higherIsWorse = higherIsWorse
    }
}

public struct MonteCarloResult: Codable, Sendable {
    public var scenario: String
    public var seed: UInt64
    public var trials: Int
    public var trialsRequested: Int
    /// True when `--rel-error` sized the study below `trialsRequested`.
    public var stoppedEarly: Bool
    /// With `--rel-error`: the pilot's trials (0 ..< pilot), used only to size the study (simulated on top of
    /// the `trials` reported), and the relative standard error aimed at.
    public var pilotTrials: Int?
    public var relativeErrorTarget: Double?

    /// The relative standard error of EUE (of LOLE when EUE is 0) the study reached.
    public var relativeErrorReached: Double? {
        guard let eue = estimate("eue"), let lole = estimate("lole") else { return nil }
        let e = eue.mean > 0 ? eue : lole
        return e.mean > 0 ? e.standardError / e.mean : nil
    }
    /// Length of the simulated horizon of each trial, days.
    public var horizonDays: Double
    /// The first trial of the result (0, or a shard's first; with --rel-error, the first after the pilot).
    public var firstTrial = 0
    public var definitions: [MetricDefinition]
    public var accumulators: [Accumulator]
    /// Steps with shed load in any region, summed over the trials, by (month − 1) × 24 + hour of the day
    /// (nil in files written before it was recorded); `stepHours` converts them to hours.
    public var shortfallStepsByMonthHour: [Int]?
    public var stepHours: Double?

    /// Expected hours with shed load per trial year by month (rows) and hour of the day (columns).
    public var loleByMonthHour: [[Double]]? {
        guard let steps = shortfallStepsByMonthHour, steps.count == 288, let h = stepHours, trials > 0 else { return nil }
        return (0..<12).map { m in (0..<24).map { Double(steps[m * 24 + $0]) * h / Double(trials) } }
    }

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
        if let mine = shortfallStepsByMonthHour, let theirs = other.shortfallStepsByMonthHour, mine.count == theirs.count {
            shortfallStepsByMonthHour = zip(mine, theirs).map(+)
        } else {
            shortfallStepsByMonthHour = nil
        }
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
    /// Runs the study. `progress` is called after each block; `sample` with each reported trial's metric
    /// values, in trial order.
    ///
    /// With `relativeError`, the study is sized by a pilot: trials 0 ..< P (P = `minimumTrials`, at most
    /// `trials`) estimate the relative standard error r of EUE (of LOLE when the pilot has no EUE), and the
    /// study then runs N = ⌈1.2 P (r / target)²⌉ fresh trials (P ..< P + N, at least P, at most `trials`) and
    /// reports those alone. The number of trials depends only on the pilot, which is independent of the
    /// trials reported, so the estimate is unbiased and its interval keeps its coverage (a rule that stops
    /// on the trials it reports does neither). A pilot with no shortfall at all runs `trials`.
    public static func run(plan: SimulationPlan, options o: MonteCarloOptions,
                           progress: ((MonteCarloProgress) -> Void)? = nil,
                           sample: ((Int, [Double]) -> Void)? = nil) throws -> MonteCarloResult {
        let catalog = MetricCatalog(plan: plan, adequacyOnly: o.adequacyOnly)
        let defs = catalog.definitions
        // Workers: at most one per trial and four per core (each holds a simulator); results do not depend on it.
        let workers = (0..<min(o.threads, o.trials, 4 * ProcessInfo.processInfo.activeProcessorCount)).map { _ in
            let sim = Simulator(plan: plan, stochastic: true)
            sim.adequacyOnly = o.adequacyOnly
            return sim
        }
        let start = Date()
        precondition(o.shard == nil || o.relativeError == nil, "a shard has no pilot")
        var first = o.trialRange.lowerBound, count = o.trialRange.count, pilot: Int? = nil
        if let target = o.relativeError, o.trials > 1 {
            let p = max(2, min(o.minimumTrials, o.trials))
            let (pilotResult, _) = try runRange(catalog: catalog, workers: workers, options: o, first: 0, count: p, start: start,
                                           planned: o.trials, progress: progress, sample: nil)
            let eue = pilotResult[catalog.index(of: "eue")!], lole = pilotResult[catalog.index(of: "lole")!]
            let a = eue.mean > 0 ? eue : lole
            if a.mean > 0 && a.standardError.isFinite {
                let r = a.standardError / a.mean
                // 20 % more than the pilot's estimate asks for, so that the target is usually reached.
                let wanted = (1.2 * Double(p) * (r / target) * (r / target)).rounded(.up)
                count = Int(min(Double(o.trials), max(Double(p), wanted)))
            }
            first = p
            pilot = p
        }
        let (accumulators, byMonthHour) = try runRange(catalog: catalog, workers: workers, options: o, first: first, count: count, start: start,
                                                       planned: count, progress: progress, sample: sample)
        var result = MonteCarloResult(scenario: plan.scenario.name, seed: o.seed, trials: count, trialsRequested: o.trials,
                                      stoppedEarly: o.shard == nil && count < o.trials, pilotTrials: pilot,
                                      relativeErrorTarget: pilot == nil ? nil : o.relativeError,
                                      horizonDays: Double(o.maxSteps.map { min($0, plan.scenario.stepCount) } ?? plan.scenario.stepCount) * plan.scenario.stepHours / 24,
                                      definitions: defs, accumulators: accumulators)
        result.firstTrial = first
        result.shortfallStepsByMonthHour = byMonthHour
        result.stepHours = plan.scenario.stepHours
        return result
    }

    /// Runs trials first ..< first + count on the workers and merges them in trial order.
    static func runRange(catalog: MetricCatalog, workers: [Simulator], options o: MonteCarloOptions, first: Int, count: Int,
                         start: Date, planned: Int, progress: ((MonteCarloProgress) -> Void)?,
                         sample: ((Int, [Double]) -> Void)?) throws -> ([Accumulator], [Int]) {
        var accumulators = catalog.definitions.map { Accumulator(resolution: $0.resolution) }
        let metricCount = catalog.definitions.count
        var byMonthHour = [Int](repeating: 0, count: 288)
        let block = o.blockSize
        // Trials run ahead of the merge by up to two blocks: a worker that finds the current block handed out
        // goes on with the next one while the others finish theirs (no idle core at block ends). The k-th
        // trial of the range lives in slot k mod window until its block is merged.
        let window = 2 * block
        let queue = TrialQueue(trials: count, window: window)
        let outcomes = SlotBuffer<[Double]>(count: window, value: [])
        let failures = SlotBuffer<MonteCarloError?>(count: window, value: nil)
        let group = DispatchGroup()
        for w in workers.indices.prefix(count) {
            nonisolated(unsafe) let sim = workers[w]
            DispatchQueue.global().async(group: group) {
                while let k = queue.take() {
                    do throws(SimulationError) {
                        try sim.runTrial(first + k, seed: o.seed, maxSteps: o.maxSteps)
                        var v: [Double] = []
                        catalog.values(sim.totals, into: &v)
                        // The trial's shortfall steps by month and hour ride after its metrics (exact integers).
                        v += sim.totals.shortfallStepsByMonthHour.map(Double.init)
                        outcomes[k % window] = v
                    } catch {
                        failures[k % window] = .simulation(trial: first + k, error)
                    }
                    queue.complete(k)
                }
            }
        }
        // Whatever ends the range (all trials, a failure), no trial is started after it and the workers are
        // gone before the buffers are.
        defer { queue.stop(); group.wait() }
        let eueIndex = catalog.index(of: "eue")!, loleIndex = catalog.index(of: "lole")!
        var done = 0
        while done < count {
            let blockStart = done, n = min(block, count - done)
            queue.wait(forTrialsBelow: blockStart + n)
            for k in blockStart..<(blockStart + n) {
                if let f = failures[k % window] { throw f }
                let v = outcomes[k % window]
                for i in 0..<metricCount { accumulators[i].add(v[i]) }
                for i in 0..<288 { byMonthHour[i] += Int(v[metricCount + i]) }
                sample?(first + k, Array(v[0..<metricCount]))
            }
            done += n
            queue.merged(upTo: done)
            progress?(MonteCarloProgress(trialsDone: done, trialsPlanned: planned, seconds: Date().timeIntervalSince(start),
                                         lole: accumulators[loleIndex].mean, eue: accumulators[eueIndex].mean))
        }
        return (accumulators, byMonthHour)
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
