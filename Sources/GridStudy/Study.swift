// A study of a scenario as the command line, sweeps and shards run it: the deterministic run, the Monte
// Carlo, and the targets judged on them; and partial results of shards, written to files and merged
// exactly.
import Foundation
import GridModel
import GridSim

/// This build's version, recorded in partial results (shards of different versions are not merged).
public enum R70Version {
    public static let string = "0.4.0"
}

/// A scenario's deterministic run, its Monte Carlo study, and its targets judged on both.
public struct StudyOutcome: Sendable {
    public var deterministic: DeterministicRun
    public var result: MonteCarloResult
    public var targets: [TargetResult]
}

public enum Study {
    /// Runs the deterministic year (with hourly records when asked) and the Monte Carlo of `options`.
    public static func run(_ scenario: Scenario, options: MonteCarloOptions, recordHourly: Bool = false,
                           progress: ((MonteCarloProgress) -> Void)? = nil,
                           sample: ((Int, [Double]) -> Void)? = nil) throws -> StudyOutcome {
        try run(DeterministicRun.run(scenario, recordHourly: recordHourly), options: options, progress: progress, sample: sample)
    }

    /// The Monte Carlo of `options` on a deterministic run's plan (a caller that needs the plan first, for
    /// the metric names of its samples, runs the deterministic year itself).
    public static func run(_ deterministic: DeterministicRun, options: MonteCarloOptions,
                           progress: ((MonteCarloProgress) -> Void)? = nil,
                           sample: ((Int, [Double]) -> Void)? = nil) throws -> StudyOutcome {
        let result = try MonteCarlo.run(plan: deterministic.plan, options: options, progress: progress, sample: sample)
        return StudyOutcome(deterministic: deterministic, result: result,
                            targets: judge(TargetCheck.evaluate(targets: deterministic.plan.scenario.targets, summary: deterministic.summary), study: result))
    }

    /// Targets judged on a study: the expected value of each metric against its limit (the reserve margin
    /// is a planning quantity and does not vary by trial, so it keeps its deterministic value), with the
    /// probability that it holds in a trial. `deterministic` is the targets evaluated on the deterministic run.
    public static func judge(_ deterministic: [TargetResult], study: MonteCarloResult) -> [TargetResult] {
        var results = deterministic
        for i in results.indices {
            let name = results[i].name
            if let mean = TargetCheck.definition(named: name)?.studyMetric.flatMap({ study.estimate($0)?.mean }) {
                results[i].value = mean
                results[i].margin = results[i].kind == "min" ? mean - results[i].threshold : results[i].threshold - mean
                results[i].passed = results[i].margin >= -1e-12
                results[i].description += " (expected value over \(study.trials) trial years)"
            }
            if let p = study.estimate("target.\(name).holds") {
                results[i].probabilityHolds = p.mean
            }
        }
        return results
    }
}

/// One shard's part of a Monte Carlo study, as `r70 run --shard i/K --partial-out FILE` writes it: what
/// identifies the study (scenario fingerprint, r70 version, seed, trials, mode) and the shard (its index
/// and trial range), the exact accumulators of its trials, and the targets of the deterministic run.
public struct StudyPartial: Codable, Sendable {
    public var format = "r70 partial study"
    public var formatVersion = 1
    public var r70Version: String
    public var scenario: String
    public var scenarioFingerprint: String
    public var seed: UInt64
    /// The whole study's trials, and this shard of `shards`.
    public var trials: Int
    public var shard: Int
    public var shards: Int
    public var adequacyOnly: Bool
    public var firstTrial: Int
    public var trialCount: Int
    public var result: MonteCarloResult
    public var deterministicTargets: [TargetResult]
    /// The scenario file (absolute) and its `--set` overrides, for `r70 merge --out`, which writes the
    /// deterministic run's files as `r70 run --out` does (after checking the fingerprint).
    public var scenarioPath: String?
    public var overrides: [String]?

    public init(scenario: Scenario, options: MonteCarloOptions, result: MonteCarloResult, deterministicTargets: [TargetResult]) {
        r70Version = R70Version.string
        self.scenario = scenario.name
        scenarioFingerprint = scenario.fingerprint
        seed = options.seed
        trials = options.trials
        shard = options.shard?.index ?? 0
        shards = options.shard?.count ?? 1
        adequacyOnly = options.adequacyOnly
        firstTrial = result.firstTrial
        trialCount = result.trials
        self.result = result
        self.deterministicTargets = deterministicTargets
    }

    /// The file's JSON (numbers without a finite value as strings, so that nothing is lost).
    public func encoded() throws -> Data { try PartialJSON.encode(self) }

    public static func read(_ path: String) throws(PartialError) -> StudyPartial {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PartialError(file: path, problem: "is a directory, not a partial study file (r70 run --partial-out FILE)")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw PartialError(file: path, problem: "cannot be read (\(error.localizedDescription))")
        }
        let partial: StudyPartial
        do { partial = try PartialJSON.decoder.decode(StudyPartial.self, from: data) } catch {
            throw PartialError(file: path, problem: "not a partial study written by r70 run --partial-out (\(error))")
        }
        guard partial.format == "r70 partial study", partial.formatVersion == 1 else {
            throw PartialError(file: path, problem: "format '\(partial.format)' version \(partial.formatVersion), expected 'r70 partial study' version 1")
        }
        guard partial.result.trials == partial.trialCount, partial.result.firstTrial == partial.firstTrial,
              partial.result.accumulators.count == partial.result.definitions.count,
              partial.result.accumulators.allSatisfy({ $0.count == partial.trialCount }) else {
            throw PartialError(file: path, problem: "its trial counts do not agree with its accumulators (a damaged file)")
        }
        return partial
    }

    /// Merges the shards of one study into the study's result and targets, exactly: the output is the
    /// unsharded run's. Refuses, naming the file: another scenario, version, seed, trial count, shard count
    /// or mode; a shard given twice or missing; trial ranges that overlap or leave a gap.
    public static func merge(_ parts: [(file: String, partial: StudyPartial)]) throws(PartialError) -> (result: MonteCarloResult, targets: [TargetResult]) {
        guard let (firstFile, first) = parts.first else { throw PartialError(file: "(none)", problem: "no partial files to merge") }
        for (file, p) in parts.dropFirst() {
            func differs(_ what: String, _ mine: String, _ theirs: String) -> PartialError {
                PartialError(file: file, problem: "\(what) \(mine), but \(firstFile) has \(theirs): not shards of one study")
            }
            if p.scenarioFingerprint != first.scenarioFingerprint || p.scenario != first.scenario {
                throw differs("scenario", "'\(p.scenario)' (fingerprint \(p.scenarioFingerprint))", "'\(first.scenario)' (\(first.scenarioFingerprint))")
            }
            if p.r70Version != first.r70Version { throw differs("written by r70", p.r70Version, first.r70Version) }
            if p.seed != first.seed { throw differs("seed", "\(p.seed)", "\(first.seed)") }
            if p.trials != first.trials { throw differs("a study of", "\(p.trials) trials", "\(first.trials)") }
            if p.shards != first.shards { throw differs("one of", "\(p.shards) shards", "\(first.shards)") }
            if p.adequacyOnly != first.adequacyOnly { throw differs("mode", p.adequacyOnly ? "adequacy" : "full", first.adequacyOnly ? "adequacy" : "full") }
            if p.result.definitions != first.result.definitions { throw differs("metrics", "\(p.result.definitions.count)", "\(first.result.definitions.count)") }
        }
        var byShard: [Int: String] = [:]
        for (file, p) in parts {
            if let other = byShard[p.shard] { throw PartialError(file: file, problem: "shard \(p.shard + 1)/\(p.shards) is also \(other)") }
            guard p.shard >= 0 && p.shard < p.shards else { throw PartialError(file: file, problem: "shard \(p.shard + 1) of \(p.shards) does not exist") }
            byShard[p.shard] = file
        }
        let ordered = parts.sorted { ($0.partial.firstTrial, $0.partial.shard) < ($1.partial.firstTrial, $1.partial.shard) }
        var next = 0
        for (file, p) in ordered where p.trialCount > 0 {   // (more shards than trials leaves some empty)
            if p.firstTrial < next { throw PartialError(file: file, problem: "trials \(p.firstTrial) ..< \(p.firstTrial + p.trialCount) overlap trials before \(next)") }
            if p.firstTrial > next { throw PartialError(file: file, problem: "trials \(next) ..< \(p.firstTrial) are in no file given (a missing shard)") }
            next = p.firstTrial + p.trialCount
        }
        if next != first.trials || byShard.count != first.shards {
            let missing = (0..<first.shards).filter { byShard[$0] == nil }.map { "\($0 + 1)/\(first.shards)" }
            throw PartialError(file: ordered.last!.file, problem: "shards \(missing.joined(separator: ", ")) are missing"
                               + (next < first.trials ? ": trials \(next) ..< \(first.trials) are in no file given" : ""))
        }
        var result = ordered[0].partial.result
        for (_, p) in ordered.dropFirst() { result.merge(p.result) }
        result.trialsRequested = first.trials
        result.stoppedEarly = false
        result.firstTrial = 0
        return (result, Study.judge(first.deterministicTargets, study: result))
    }
}

/// A partial file that cannot be read or merged, with the file it concerns.
public struct PartialError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problem: String
    public init(file: String, problem: String) { self.file = file; self.problem = problem }
    public var description: String { "\(file): \(problem)" }
}

/// The JSON of partial files: sorted keys, and numbers without a finite value as strings.
enum PartialJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try e.encode(value)
    }
    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
