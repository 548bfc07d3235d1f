// Parameter sweeps: a design of points (a grid, or a Latin hypercube), each point a set of overrides of
// the scenario, each run as `r70 run --set …` would run it, with the same seed at every point (common
// random numbers: differences between points come from the parameters, not from the draws).
import Foundation
import GridModel
import GridSim

/// One varied key: its path, and its values (a grid axis) or its range (a Latin hypercube's).
public struct SweepAxis: Codable, Sendable, Equatable {
    public var path: String
    /// The values of a grid axis, as they would be written after `--set PATH=`.
    public var values: [String]?
    /// The range of a Latin hypercube axis.
    public var lower: Double?
    public var upper: Double?

    /// Parses `PATH=a:b:step` (a grid from a to b), `PATH=v1,v2,…` (listed values) or `PATH=a:b` (a range,
    /// for `--lhs`).
    public static func parse(_ text: String) -> Result<SweepAxis, OverrideError> {
        guard let eq = text.firstIndex(of: "=") else { return .failure(OverrideError(text: text, problem: "expected PATH=a:b:step, PATH=v1,v2,… or PATH=a:b")) }
        let path = text[..<eq].trimmingCharacters(in: .whitespaces), spec = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        if case .failure(let e) = ScenarioOverride.parse(path + "=0") { return .failure(OverrideError(text: text, problem: e.problem)) }
        if spec.contains(":") {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                return .failure(OverrideError(text: text, problem: "'\(spec)' is not a:b:step or a:b with numbers"))
            }
            let a = parts[0]!, b = parts[1]!
            guard a <= b else { return .failure(OverrideError(text: text, problem: "the range \(spec) runs backwards")) }
            if parts.count == 2 { return .success(SweepAxis(path: path, values: nil, lower: a, upper: b)) }
            let step = parts[2]!
            guard step > 0 else { return .failure(OverrideError(text: text, problem: "the step of \(spec) must be above 0")) }
            let n = Int(((b - a) / step * (1 + 1e-12)).rounded(.down)) + 1
            guard n <= 10_000 else { return .failure(OverrideError(text: text, problem: "\(n) values: at most 10,000 per axis")) }
            return .success(SweepAxis(path: path, values: (0..<n).map { format(a + Double($0) * step) }, lower: nil, upper: nil))
        }
        let values = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.isEmpty, values.allSatisfy({ !$0.isEmpty }) else { return .failure(OverrideError(text: text, problem: "no values after '='")) }
        return .success(SweepAxis(path: path, values: values, lower: nil, upper: nil))
    }

    static func format(_ v: Double) -> String {
        let r = (v * 1e9).rounded() / 1e9   // a:b:step in decimal steps gives decimal values (0.1 × 3 = 0.3)
        return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : "\(r)"
    }
}

/// The points of a sweep: for each point, the value of each axis.
public struct SweepDesign: Codable, Sendable, Equatable {
    public var axes: [SweepAxis]
    /// Latin hypercube sample size, or nil for a grid.
    public var latinHypercube: Int?
    public var seed: UInt64
    /// points[i][j]: point i's value of axis j (the text after `--set PATH=`).
    public var points: [[String]]

    /// A grid (every combination of the axes' values, the last axis varying fastest) or, with `lhs`, a Latin
    /// hypercube of that many points over the axes' ranges (each range cut in `lhs` equal strata, each
    /// stratum used once per axis; the strata's order and the place within each stratum drawn from `seed`).
    public static func make(axes: [SweepAxis], lhs: Int?, seed: UInt64) -> Result<SweepDesign, OverrideError> {
        guard !axes.isEmpty else { return .failure(OverrideError(text: "--vary", problem: "give at least one --vary PATH=…")) }
        if let dup = Dictionary(grouping: axes, by: \.path).first(where: { $0.value.count > 1 }) {
            return .failure(OverrideError(text: dup.key, problem: "varied twice"))
        }
        if let k = lhs {
            guard k >= 1 && k <= 100_000 else { return .failure(OverrideError(text: "--lhs \(k)", problem: "a sample size from 1 to 100,000")) }
            if let grid = axes.first(where: { $0.lower == nil }) {
                return .failure(OverrideError(text: grid.path, problem: "--lhs samples ranges: give it as PATH=a:b"))
            }
            var rng = SplitMix(seed: seed ^ 0x4c48_5300_0000_0000)
            var columns: [[String]] = []
            for axis in axes {
                var strata = Array(0..<k)
                for i in stride(from: k - 1, to: 0, by: -1) { strata.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
                let integers = ScenarioOverride.takesIntegers(axis.path)   // (whole values, rounded, for integer keys)
                columns.append(strata.map { s in
                    let u = Double(rng.next() >> 11) / Double(1 << 53)
                    let v = axis.lower! + (Double(s) + u) / Double(k) * (axis.upper! - axis.lower!)
                    return integers ? String(Int64(v.rounded())) : "\(v)"
                })
            }
            return .success(SweepDesign(axes: axes, latinHypercube: k, seed: seed, points: (0..<k).map { i in columns.map { $0[i] } }))
        }
        if let range = axes.first(where: { $0.values == nil }) {
            return .failure(OverrideError(text: range.path, problem: "a range a:b needs --lhs K (or give a step: a:b:step)"))
        }
        var points: [[String]] = [[]]
        for axis in axes { points = points.flatMap { p in axis.values!.map { p + [$0] } } }
        guard points.count <= 100_000 else { return .failure(OverrideError(text: "--vary", problem: "\(points.count) points: at most 100,000")) }
        return .success(SweepDesign(axes: axes, latinHypercube: nil, seed: seed, points: points))
    }

    /// Point i's overrides.
    public func overrides(_ i: Int) -> [ScenarioOverride] {
        axes.indices.map { j in try! ScenarioOverride.parse(axes[j].path + "=" + points[i][j]).get() }
    }
}

/// One metric of one sweep point: a Monte Carlo estimate, or (without trials) a deterministic value with
/// no error. `region` is empty for national metrics.
public struct SweepMetric: Codable, Sendable, Equatable {
    public var metric: String
    public var region: String
    public var unit: String
    public var mean: Double
    public var standardError: Double?
    public var lower95: Double?
    public var upper95: Double?
    public var p5: Double?
    public var p50: Double?
    public var p95: Double?
    public var worst5Mean: Double?

    public init(metric: String, region: String, unit: String, mean: Double, standardError: Double? = nil, lower95: Double? = nil,
                upper95: Double? = nil, p5: Double? = nil, p50: Double? = nil, p95: Double? = nil, worst5Mean: Double? = nil) {
        self.metric = metric; self.region = region; self.unit = unit; self.mean = mean; self.standardError = standardError
        self.lower95 = lower95; self.upper95 = upper95; self.p5 = p5; self.p50 = p50; self.p95 = p95; self.worst5Mean = worst5Mean
    }

    /// A study's estimates: `region.NAME.metric` becomes (metric, NAME).
    public static func from(_ result: MonteCarloResult) -> [SweepMetric] {
        result.estimates.map { e in
            var metric = e.name, region = ""
            if e.name.hasPrefix("region."), let dot = e.name.dropFirst(7).lastIndex(of: ".") {
                region = String(e.name[e.name.index(e.name.startIndex, offsetBy: 7)..<dot])
                metric = String(e.name[e.name.index(after: dot)...])
            }
            return SweepMetric(metric: metric, region: region, unit: e.unit, mean: e.mean, standardError: e.standardError,
                               lower95: e.lower95, upper95: e.upper95, p5: e.p5, p50: e.p50, p95: e.p95, worst5Mean: e.worst5Mean)
        }
    }

    /// A deterministic run's key figures, nationally and per region, named as the Monte Carlo names them.
    public static func from(_ s: RunSummary) -> [SweepMetric] {
        func m(_ name: String, _ region: String, _ unit: String, _ v: Double) -> SweepMetric {
            SweepMetric(metric: name, region: region, unit: unit, mean: v)
        }
        let n = s.national
        var out = [m("lole", "", "h", n.shortfallHours), m("eue", "", "MWh", n.unservedMWh),
                   m("reserve_margin", "", "fraction", n.planningReserveMargin),
                   m("min_operating_reserve_margin", "", "fraction", n.minOperatingReserveMargin),
                   m("total_cost", "", "USD", n.totalCostUSD), m("emissions", "", "t", n.emissionsT),
                   m("clean_share", "", "fraction", n.cleanShare), m("loss_rate", "", "fraction", n.lossRate)]
        for r in s.regions {
            out += [m("lole", r.name, "h", r.shortfallHours), m("eue", r.name, "MWh", r.unservedMWh),
                    m("reserve_margin", r.name, "fraction", r.planningReserveMargin),
                    m("min_operating_reserve_margin", r.name, "fraction", r.minOperatingReserveMargin),
                    m("total_cost", r.name, "USD", r.generationCostUSD + r.demandResponseCostUSD + r.unservedCostUSD)]
        }
        return out
    }
}

/// One row of a sweep's tidy table: a point's parameters (in axis order) and one of its metrics.
public struct SweepRow: Sendable {
    public var pointIndex: Int
    public var parameters: [String]
    public var metric: SweepMetric
    public init(pointIndex: Int, parameters: [String], metric: SweepMetric) {
        self.pointIndex = pointIndex; self.parameters = parameters; self.metric = metric
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// One point of a sweep run on its own (`r70 sweep … --point i --partial-out FILE`, a Slurm array task):
/// what identifies the sweep, the point, and its metrics. `r70 sweep … --from-parts` records such files
/// into the database, the only process that writes it.
public struct SweepPointPartial: Codable, Sendable {
    public var format = "r70 sweep point"
    public var formatVersion = 1
    public var r70Version: String
    public var scenario: String
    public var scenarioFingerprint: String
    public var seed: UInt64
    public var trials: Int
    public var design: SweepDesign
    public var point: Int
    public var seconds: Double
    public var metrics: [SweepMetric]

    public init(scenario: Scenario, seed: UInt64, trials: Int, design: SweepDesign, point: Int, seconds: Double, metrics: [SweepMetric]) {
        r70Version = R70Version.string
        self.scenario = scenario.name
        scenarioFingerprint = scenario.fingerprint
        self.seed = seed; self.trials = trials; self.design = design; self.point = point; self.seconds = seconds; self.metrics = metrics
    }

    public func encoded() throws -> Data { try PartialJSON.encode(self) }

    public static func read(_ path: String) throws(PartialError) -> SweepPointPartial {
        do {
            let p = try PartialJSON.decoder.decode(SweepPointPartial.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard p.format == "r70 sweep point", p.formatVersion == 1 else { throw PartialError(file: path, problem: "format '\(p.format)' \(p.formatVersion)") }
            return p
        } catch let e as PartialError {
            throw e
        } catch {
            throw PartialError(file: path, problem: "not a sweep point written by r70 sweep --point (\(error.localizedDescription))")
        }
    }
}

public enum SweepRun {
    /// One point's metrics: its Monte Carlo of `options` (with the planning reserve margin of its deterministic
    /// run, which does not vary by trial), or, without options, its deterministic run's figures. A point never
    /// sizes itself by `rel_error`: every point runs the same trials.
    public static func metrics(_ scenario: Scenario, options: MonteCarloOptions?, progress: ((MonteCarloProgress) -> Void)? = nil) throws -> [SweepMetric] {
        guard var o = options else { return SweepMetric.from(try DeterministicRun.run(scenario).summary) }
        o.relativeError = nil
        let outcome = try Study.run(scenario, options: o, progress: progress)
        return SweepMetric.from(outcome.result) + SweepMetric.from(outcome.deterministic.summary).filter { $0.metric == "reserve_margin" }
    }
}

extension SweepPointPartial {
    /// Why this point file is not a point of the sweep of `scenario`, `seed`, `trials` and `design` (nil when it is).
    public func mismatch(scenario: Scenario, seed: UInt64, trials: Int, design: SweepDesign) -> String? {
        guard scenarioFingerprint == scenario.fingerprint, self.seed == seed, self.trials == trials, self.design == design, r70Version == R70Version.string else {
            return "a point of another sweep (scenario, seed, trials, design or r70 version differ)"
        }
        guard design.points.indices.contains(point) else { return "point \(point + 1) of a sweep of \(design.points.count) points (a damaged file)" }
        return nil
    }
}
