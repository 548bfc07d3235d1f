// The data of the HTML dashboard: what its charts draw, reduced from a run's hourly series (the peak week
// of each region hour by hour, duration curves at fixed quantiles, daily states), a Monte Carlo result and a
// sweep's table. `--out` writes it as dashboard.json, so `r70 report DIR --html` draws the same report
// without running anything again.
import Foundation
import GridModel
import GridSim
import GridStudy

public struct Dashboard: Codable, Sendable {
    public var format = "r70 dashboard"
    /// 2: fuels report continuous supply not taken and spot cargoes; the margin names its capacity credits.
    public var formatVersion = 2
    public var r70Version = R70Version.string
    public var scenario: String
    /// The deterministic run (absent for a sweep, or a study whose scenario could not be read again).
    public var run: RunCharts?
    /// The Monte Carlo study and the targets judged on it.
    public var study: MonteCarloResult?
    public var studyTargets: [TargetResult]?
    public var sweep: SweepCharts?
    /// Why a part is missing, shown where it would be (e.g. "the scenario file has changed since the study").
    public var notes: [String] = []

    public init(scenario: String, run: RunCharts? = nil, study: MonteCarloResult? = nil, studyTargets: [TargetResult]? = nil, sweep: SweepCharts? = nil) {
        self.scenario = scenario; self.run = run; self.study = study; self.studyTargets = studyTargets; self.sweep = sweep
    }

    public func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try e.encode(self))
    }

    public static func decode(_ data: Data) throws -> Dashboard {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // The header first, so a file of another version is named as such rather than failing on a missing key.
        struct Header: Decodable { var format: String; var formatVersion: Int }
        let header = try d.decode(Header.self, from: data)
        guard header.format == "r70 dashboard", header.formatVersion == 2 else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "format '\(header.format)' version \(header.formatVersion), expected 'r70 dashboard' version 2 (rewrite it with this r70's run --out)"))
        }
        return try d.decode(Dashboard.self, from: data)
    }
}

/// A named series of values (MW, MWh, t …) with the key of its colour.
public struct Series: Codable, Sendable, Equatable {
    public var name: String
    public var colour: String
    public var values: [Double]
}

public struct ReservoirCharts: Codable, Sendable {
    public var name: String
    public var region: String
    public var maxMWh: Double
    public var deadMWh: Double
    public var dailyLevelMWh: [Double]
}

public struct PeakWeek: Codable, Sendable {
    public var region: String
    /// The first step of the week and its timestamp; `hours` apart between values.
    public var firstStep: Int
    public var start: String
    public var stepHours: Double
    /// Supply by source, stacked from the bottom: generation by technology, storage discharge, imports
    /// received, shed load (MW).
    public var supply: [Series]
    /// Demand (after TOU response), and demand with exports and charging (MW).
    public var demandMW: [Double]
    public var useMW: [Double]
    public var peakDemandMW: Double
    public var peakTimestamp: String
}

public struct CorridorCharts: Codable, Sendable {
    public var name: String
    public var from: String
    public var to: String
    public var limitForwardMW: Double
    public var limitBackwardMW: Double
    /// Net flow sent from → to (negative: to → from) at the duration curve's points (highest first).
    public var netFlowDurationMW: [Double]
    public var utilisation: Double
    public var hoursAtLimit: Double
    public var netMWh: Double
}

public struct StorageCharts: Codable, Sendable {
    public var name: String
    public var region: String
    public var energyMWh: Double
    /// State of charge as a fraction of the energy capacity: each day's lowest, mean and highest.
    public var dailyMinimum: [Double]
    public var dailyMean: [Double]
    public var dailyMaximum: [Double]
}

public struct FuelCharts: Codable, Sendable {
    public var name: String
    public var kind: String
    /// Stock at the end of each day, t.
    public var dailyStockT: [Double]
    public var strategicReserveT: Double
    public var storageCapacityT: Double
}

public struct RunCharts: Codable, Sendable {
    public var summary: RunSummary
    public var targets: [TargetResult]
    /// The targets' limits as the scenario sets them (for the scorecard's reference lines).
    public var startDate: String
    public var stepHours: Double
    public var peakWeeks: [PeakWeek]
    /// Net load (demand − available wind and solar) and demand of each region at the duration curve's
    /// points (highest first), MW.
    public var netLoadDuration: [Series]
    public var durationPoints: [Double]
    public var corridors: [CorridorCharts]
    public var storage: [StorageCharts]
    /// Energy of reservoir and run-of-river hydro by month and region (MWh).
    public var hydroByMonthMWh: [Series]
    /// Each reservoir with a level: its level at the end of each day (nil in dashboards written before levels).
    public var reservoirs: [ReservoirCharts]?
    public var fuels: [FuelCharts]
    /// Hours with shed load in any region by month (rows) and hour of the day (columns).
    public var shortfallHoursByMonthHour: [[Double]]
    /// National demand on the average day, before and after the TOU response (MW, by hour of the day).
    public var averageDayBeforeTOUMW: [Double]
    public var averageDayAfterTOUMW: [Double]
    public var touShiftedMWh: Double
}

public struct SweepCharts: Codable, Sendable {
    public var study: Int64
    public var trials: Int
    public var axes: [String]
    /// True for a Latin hypercube (every axis varies at every point), false for a grid.
    public var latinHypercube: Bool
    /// Each finished point's axis values (text as given) in point order.
    public var points: [[String]]
    public var metrics: [SweepMetricSeries]
}

/// One national metric over a sweep's points: mean and standard error at each point (nil where missing).
public struct SweepMetricSeries: Codable, Sendable {
    public var metric: String
    public var unit: String
    public var mean: [Double?]
    public var standardError: [Double?]
}

extension RunCharts {
    /// Duration curves are drawn at these fractions of the year (0 = the highest value), finer at the ends.
    static let durationFractions: [Double] = {
        var f: [Double] = []
        for i in 0..<40 { f.append(Double(i) * 0.0005) }           // top 2 % in 0.05 % steps
        for i in 0..<96 { f.append(0.02 + Double(i) * 0.01) }       // then 1 % steps
        for i in 0...40 { f.append(0.98 + Double(i) * 0.0005) }     // bottom 2 %
        return f.map { min(1, $0) }
    }()

    /// The value at each duration fraction of `values` sorted from highest to lowest.
    static func duration(_ values: ArraySlice<Double>) -> [Double] {
        let sorted = values.sorted(by: >)
        guard !sorted.isEmpty else { return [] }
        return durationFractions.map { sorted[min(sorted.count - 1, Int(($0 * Double(sorted.count - 1)).rounded()))] }
    }

    public init(plan: SimulationPlan, summary: RunSummary, hourly h: HourlySeries, targets: [TargetResult]) {
        let s = plan.scenario, cal = s.calendar, n = summary.steps, H = h.steps
        self.summary = summary
        self.targets = targets
        startDate = cal.start.description
        stepHours = s.stepHours
        durationPoints = Self.durationFractions
        let stamp = cal.timestamp
        // Peak weeks: the 7 days starting 3 days before the day of the region's highest demand.
        let perDay = cal.stepsPerDay, weekSteps = min(n, 7 * perDay)
        let available = s.plants.indices.map { plan.plantAvailableMW[$0] }
        var weeks: [PeakWeek] = [], netLoad: [Series] = []
        for (r, region) in s.regions.enumerated() {
            let demand = h.regionDemandMW[(r * H)..<(r * H + n)]
            var peakStep = 0
            for t in 0..<n where demand[r * H + t] > demand[r * H + peakStep] { peakStep = t }
            let first = max(0, min(n - weekSteps, (peakStep / perDay - 3) * perDay))
            let range = first..<(first + weekSteps)
            var supply: [Series] = []
            for tech in Technology.allCases {
                let plants = s.plants.indices.filter { s.plants[$0].region == r && s.plants[$0].technology == tech }
                guard !plants.isEmpty else { continue }
                let values = range.map { t in plants.reduce(0.0) { $0 + h.plantMW[$1 * H + t] } }
                if values.contains(where: { $0 > 0.5 }) { supply.append(Series(name: tech.rawValue, colour: tech.rawValue, values: values)) }
            }
            let discharge = range.map { h.regionDischargeMW[r * H + $0] }
            if discharge.contains(where: { $0 > 0.5 }) { supply.append(Series(name: "storage discharge", colour: "storage", values: discharge)) }
            let received = range.map { h.regionReceivedMW[r * H + $0] }
            if received.contains(where: { $0 > 0.5 }) { supply.append(Series(name: "imports over corridors", colour: "corridor", values: received)) }
            let response = range.map { h.regionResponseMW[r * H + $0] + h.regionMandatoryMW[r * H + $0] }
            if response.contains(where: { $0 > 0.5 }) { supply.append(Series(name: "demand response", colour: "response", values: response)) }
            let shifted = range.map { max(0, h.regionShiftedMW[r * H + $0]) }
            if shifted.contains(where: { $0 > 0.5 }) { supply.append(Series(name: "load deferred", colour: "response", values: shifted)) }
            let shed = range.map { h.regionShedMW[r * H + $0] + h.regionUnpaidMW[r * H + $0] }   // (with shifted load unpaid at its deadline)
            if shed.contains(where: { $0 > 0.5 }) { supply.append(Series(name: "shed load", colour: "shed", values: shed)) }
            weeks.append(PeakWeek(region: region.name, firstStep: first, start: stamp(first), stepHours: s.stepHours, supply: supply,
                                  demandMW: range.map { h.regionDemandMW[r * H + $0] + h.regionMandatoryMW[r * H + $0] },
                                  useMW: range.map { h.regionDemandMW[r * H + $0] + h.regionMandatoryMW[r * H + $0] + h.regionSentMW[r * H + $0] + h.regionChargeMW[r * H + $0] + max(0, -h.regionShiftedMW[r * H + $0]) },
                                  peakDemandMW: demand[r * H + peakStep], peakTimestamp: stamp(peakStep)))
            // Net load: demand less the wind and solar available (before curtailment).
            let vre = s.plants.indices.filter { s.plants[$0].region == r && s.plants[$0].technology.isVariableRenewable }
            var net = [Double](repeating: 0, count: n)
            for t in 0..<n { net[t] = h.regionDemandMW[r * H + t] - vre.reduce(0.0) { $0 + available[$1][t] } }
            netLoad.append(Series(name: region.name + " net load", colour: "region\(r)", values: Self.duration(net[...])))
            netLoad.append(Series(name: region.name + " demand", colour: "region\(r)", values: Self.duration(demand)))
        }
        peakWeeks = weeks
        netLoadDuration = netLoad
        corridors = s.corridors.enumerated().map { k, c in
            let net = (0..<n).map { h.corridorForwardSentMW[k * H + $0] - h.corridorBackwardSentMW[k * H + $0] }
            let cs = summary.corridors[k]
            return CorridorCharts(name: c.name, from: s.regions[c.from].name, to: s.regions[c.to].name, limitForwardMW: c.limitForwardMW,
                                  limitBackwardMW: c.limitBackwardMW, netFlowDurationMW: Self.duration(net[...]), utilisation: cs.utilisation,
                                  hoursAtLimit: cs.hoursAtLimit, netMWh: cs.forwardMWh - cs.backwardMWh)
        }
        let days = n == 0 ? 0 : Int(cal.day[n - 1]) + 1
        func daily(_ base: Int, _ series: [Double], _ reduce: (ArraySlice<Double>) -> Double) -> [Double] {
            (0..<days).map { d in
                let lo = d * perDay, hi = min(n, lo + perDay)
                return lo < hi ? reduce(series[(base + lo)..<(base + hi)]) : .nan
            }
        }
        storage = s.storage.enumerated().map { k, st in
            let scale = st.energyMWh > 0 ? 1 / st.energyMWh : 0
            let soc = (0..<n).map { h.storageSOCMWh[k * H + $0] * scale }
            return StorageCharts(name: st.name, region: s.regions[st.region].name, energyMWh: st.energyMWh,
                                 dailyMinimum: daily(0, soc) { $0.min()! }, dailyMean: daily(0, soc) { $0.reduce(0, +) / Double($0.count) },
                                 dailyMaximum: daily(0, soc) { $0.max()! })
        }
        var hydro: [Series] = []
        for (r, region) in s.regions.enumerated() {
            var byMonth = [Double](repeating: 0, count: 12)
            for i in s.plants.indices where s.plants[i].region == r && (s.plants[i].technology == .hydroReservoir || s.plants[i].technology == .runOfRiver) {
                for t in 0..<n { byMonth[Int(cal.month[t]) - 1] += h.plantMW[i * H + t] * s.stepHours }
            }
            if byMonth.contains(where: { $0 > 0 }) { hydro.append(Series(name: region.name, colour: "region\(r)", values: byMonth)) }
        }
        hydroByMonthMWh = hydro
        reservoirs = plan.reservoirs.plants.enumerated().map { j, i in
            let r = s.plants[i].reservoir!
            return ReservoirCharts(name: s.plants[i].name, region: s.regions[s.plants[i].region].name, maxMWh: r.maxMWh, deadMWh: r.deadMWh,
                                   dailyLevelMWh: daily(j * H, h.reservoirLevelMWh) { $0.last! })
        }
        fuels = s.fuels.enumerated().map { f, fuel in
            FuelCharts(name: fuel.name, kind: fuel.kind, dailyStockT: daily(f * H, h.fuelStockT) { $0.last! },
                       strategicReserveT: fuel.strategicReserveT, storageCapacityT: fuel.storageCapacityT)
        }
        var lol = Array(repeating: [Double](repeating: 0, count: 24), count: 12)
        for t in 0..<n where (0..<s.regions.count).contains(where: { h.regionShedMW[$0 * H + t] + h.regionUnpaidMW[$0 * H + t] > 1e-6 }) {
            lol[Int(cal.month[t]) - 1][Int(cal.minuteOfDay[t]) / 60] += s.stepHours
        }
        shortfallHoursByMonthHour = lol
        // The average day, nationally, before and after TOU (hour-of-day means over the horizon).
        var before = [Double](repeating: 0, count: 24), after = [Double](repeating: 0, count: 24), count = [Double](repeating: 0, count: 24)
        for t in 0..<n {
            let hour = Int(cal.minuteOfDay[t]) / 60
            count[hour] += 1
            for r in s.regions.indices { before[hour] += s.regions[r].demandMW[t]; after[hour] += plan.demandMW[r][t] }
        }
        averageDayBeforeTOUMW = (0..<24).map { count[$0] > 0 ? before[$0] / count[$0] : 0 }
        averageDayAfterTOUMW = (0..<24).map { count[$0] > 0 ? after[$0] / count[$0] : 0 }
        touShiftedMWh = summary.national.touShiftedMWh
    }
}

extension SweepCharts {
    /// A sweep's national metrics by point, from its stored rows (`SweepStore.rows`), metrics in the order
    /// first recorded.
    public init(study: Int64, trials: Int, design: SweepDesign, rows: [SweepRow]) {
        self.study = study
        self.trials = trials
        axes = design.axes.map(\.path)
        latinHypercube = design.latinHypercube != nil
        let pointIndices = Array(Set(rows.map(\.pointIndex))).sorted()
        let position = Dictionary(uniqueKeysWithValues: pointIndices.enumerated().map { ($1, $0) })
        points = pointIndices.map { design.points[$0] }
        var order: [String] = [], series: [String: SweepMetricSeries] = [:]
        for r in rows where r.metric.region.isEmpty {
            let m = r.metric
            if series[m.metric] == nil {
                order.append(m.metric)
                series[m.metric] = SweepMetricSeries(metric: m.metric, unit: m.unit, mean: Array(repeating: nil, count: pointIndices.count),
                                                     standardError: Array(repeating: nil, count: pointIndices.count))
            }
            let p = position[r.pointIndex]!
            series[m.metric]!.mean[p] = m.mean.isFinite ? m.mean : nil
            series[m.metric]!.standardError[p] = m.standardError.flatMap { $0.isFinite ? $0 : nil }
        }
        metrics = order.map { series[$0]! }
    }
}
