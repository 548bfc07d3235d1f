// Output files: hourly CSV (regions, plants, corridors, storage, fuels) and a summary JSON. Every file is written
// to a temporary name beside it and renamed into place, so a reader never sees a half-written file.
import Foundation
import CFileSwap
import GridModel
import GridSim
import GridStudy

public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try Data(text.utf8).write(to: tmp)
        if rename(tmp.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: tmp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename into \(path): \(String(cString: strerror(code)))"])
        }
    }
}

/// JSON as r70 writes it (summary.json, every `--json`): pretty, keys sorted, and a number with no finite
/// value written as `null`. A null means "not defined": the days a stock lasts when nothing burns it, a
/// margin over no demand, a minimum over no steps, or a standard error of fewer than two trials.
public enum JSONOutput {
    static let sentinels = ["r70-nonfinite-positive", "r70-nonfinite-negative", "r70-nonfinite-nan"]

    public static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: sentinels[0], negativeInfinity: sentinels[1], nan: sentinels[2])
        var text = String(decoding: try encoder.encode(value), as: UTF8.self)
        for s in sentinels { text = text.replacingOccurrences(of: "\"\(s)\"", with: "null") }
        return text
    }
}

public enum OutputWriter {
    /// Each step's timestamp (YYYY-MM-DDTHH:MM) followed by a comma, as bytes, computed once for every file.
    static func timestamps(_ cal: StepCalendar, steps n: Int) -> [[UInt8]] {
        (0..<n).map { Array((cal.timestamp($0) + ",").utf8) }
    }

    /// One CSV file: the header, then a row per step and entity (steps outer): the step, its timestamp,
    /// the entity's label fields (already joined, e.g. "plant,region") and each column's value at
    /// [entity * steps + step].
    static func table(_ header: [String], steps: Int, stamps: [[UInt8]], labels: [String], columns: [[Double]], seriesLength: Int) -> [UInt8] {
        let labelBytes = labels.map { Array(($0 + ",").utf8) }
        var w = CSVWriter(capacity: 64 + steps * labels.count * (24 + (labels.map(\.utf8.count).max() ?? 0) + 12 * columns.count))
        w.text(header.joined(separator: ","))
        w.newline()
        for t in 0..<steps {
            stamps[t].withUnsafeBufferPointer { stamp in
                for e in labels.indices {
                    w.integer(t); w.comma(); w.raw(stamp)
                    labelBytes[e].withUnsafeBufferPointer { w.raw($0) }
                    let k = e * seriesLength + t
                    for c in columns.indices {
                        if c > 0 { w.comma() }
                        w.fixed3(columns[c][k])
                    }
                    w.newline()
                }
            }
        }
        return w.bytes
    }

    /// daily.csv: the size of the hole day by day, per region and nationally (region "national"): unserved
    /// energy, hours with shed load, and the largest load shed in one step.
    static func daily(_ s: Scenario, steps n: Int, hourly h: HourlySeries) -> [UInt8] {
        let cal = s.calendar, R = s.regions.count, H = h.steps, dt = s.stepHours
        let days = n == 0 ? 0 : Int(cal.day[n - 1]) + 1
        var w = CSVWriter(capacity: 64 + days * (R + 1) * 64)
        w.text("day,date,region,unserved_mwh,shortfall_hours,largest_shortfall_mw\n")
        let names = s.regions.map(\.name) + ["national"]
        var t = 0
        for d in 0..<days {
            var unserved = [Double](repeating: 0, count: R + 1), hours = unserved, largest = unserved
            while t < n && Int(cal.day[t]) == d {
                var national = 0.0
                for r in 0..<R {
                    let shed = h.regionShedMW[r * H + t] + h.regionUnpaidMW[r * H + t]   // (shifted load unpaid at its deadline is unserved too)
                    national += shed
                    if shed > 1e-6 { unserved[r] += shed * dt; hours[r] += dt; largest[r] = max(largest[r], shed) }
                }
                if national > 1e-6 { unserved[R] += national * dt; hours[R] += dt; largest[R] = max(largest[R], national) }
                t += 1
            }
            let date = cal.date(ofDay: d).description
            for r in 0...R {
                w.integer(d); w.comma(); w.text(date); w.comma(); w.text(names[r]); w.comma()
                w.fixed3(unserved[r]); w.comma(); w.fixed3(hours[r]); w.comma(); w.fixed3(largest[r]); w.newline()
            }
        }
        return w.bytes
    }

    /// summary.json and `run --json` (deterministic): the run's summary and its targets.
    public struct SummaryFile: Encodable {
        public var summary: RunSummary
        public var targets: [TargetResult]
        public init(summary: RunSummary, targets: [TargetResult]) { self.summary = summary; self.targets = targets }
    }

    /// The file contents of a run's output, by file name (computed before anything is written). Quantities
    /// are written with three decimals ("0" when exactly zero).
    /// With `study`, dashboard.json holds the Monte Carlo result and its targets beside the deterministic run.
    public static func files(plan: SimulationPlan, summary: RunSummary, hourly h: HourlySeries, targets: [TargetResult],
                             study: (result: MonteCarloResult, targets: [TargetResult])? = nil) throws -> [(String, [UInt8])] {
        let s = plan.scenario
        let n = summary.steps
        let stamps = timestamps(s.calendar, steps: n)
        var files: [(String, [UInt8])] = []
        let H = h.steps
        // With shiftable programmes, two more columns: load deferred less load paid back (in the balance beside
        // shed and callable response), and debt written off at its deadline (unserved, MW over the step).
        let shifting = s.regions.contains { !$0.shiftable.isEmpty }
        files.append(("regions.csv", table(["step", "timestamp", "region", "demand_mw", "shed_mw", "callable_response_mw", "mandatory_savings_mw",
                                            "generation_mw", "received_mw", "sent_mw", "discharge_mw", "charge_mw", "excess_mw",
                                            "curtailed_mw", "tou_shift_mw", "price_usd_per_mwh"] + (shifting ? ["shifted_mw", "unpaid_shifted_mw"] : []),
                                           steps: n, stamps: stamps, labels: s.regions.map(\.name),
                                           columns: [h.regionDemandMW, h.regionShedMW, h.regionResponseMW, h.regionMandatoryMW, h.regionGenerationMW,
                                                     h.regionReceivedMW, h.regionSentMW, h.regionDischargeMW, h.regionChargeMW, h.regionExcessMW,
                                                     h.regionCurtailedMW, h.regionTOUShiftMW, h.regionPricePerMWh]
                                                    + (shifting ? [h.regionShiftedMW, h.regionUnpaidMW] : []), seriesLength: H)))
        if !s.plants.isEmpty {
            files.append(("plants.csv", table(["step", "timestamp", "plant", "region", "output_mw"], steps: n, stamps: stamps,
                                              labels: s.plants.map { $0.name + "," + s.regions[$0.region].name }, columns: [h.plantMW], seriesLength: H)))
        }
        if !s.corridors.isEmpty {
            files.append(("corridors.csv", table(["step", "timestamp", "corridor", "forward_sent_mw", "backward_sent_mw", "loss_mw"], steps: n, stamps: stamps,
                                                 labels: s.corridors.map(\.name),
                                                 columns: [h.corridorForwardSentMW, h.corridorBackwardSentMW, h.corridorLossMW], seriesLength: H)))
        }
        if !s.storage.isEmpty {
            files.append(("storage.csv", table(["step", "timestamp", "storage", "charge_mw", "discharge_mw", "soc_mwh"], steps: n, stamps: stamps,
                                               labels: s.storage.map(\.name),
                                               columns: [h.storageChargeMW, h.storageDischargeMW, h.storageSOCMWh], seriesLength: H)))
        }
        let shiftable = s.regions.flatMap { region in region.shiftable.map { $0.name + "," + region.name } }
        if !shiftable.isEmpty {
            files.append(("shiftable.csv", table(["step", "timestamp", "programme", "region", "borrow_mw", "payback_mw", "debt_mwh", "unpaid_mwh"],
                                                 steps: n, stamps: stamps, labels: shiftable,
                                                 columns: [h.shiftableBorrowMW, h.shiftablePaybackMW, h.shiftableDebtMWh, h.shiftableUnpaidMWh], seriesLength: H)))
        }
        let reservoirs = plan.reservoirs.plants
        if !reservoirs.isEmpty {
            // Levels at the end of each step; generation is the plant's output (as in plants.csv).
            var generation: [Double] = []
            generation.reserveCapacity(reservoirs.count * H)
            for i in reservoirs { generation += h.plantMW[(i * H)..<((i + 1) * H)] }
            files.append(("reservoirs.csv", table(["step", "timestamp", "reservoir", "region", "level_mwh", "inflow_mw", "generation_mw", "spill_mw"],
                                                  steps: n, stamps: stamps, labels: reservoirs.map { s.plants[$0].name + "," + s.regions[s.plants[$0].region].name },
                                                  columns: [h.reservoirLevelMWh, h.reservoirInflowMW, generation, h.reservoirSpillMW], seriesLength: H)))
        }
        if !s.fuels.isEmpty {
            files.append(("fuels.csv", table(["step", "timestamp", "fuel", "stock_t", "burn_t"], steps: n, stamps: stamps,
                                             labels: s.fuels.map(\.name), columns: [h.fuelStockT, h.fuelBurnT], seriesLength: H)))
        }
        files.append(("daily.csv", daily(s, steps: n, hourly: h)))
        let json = try JSONOutput.string(SummaryFile(summary: summary, targets: targets))
        files.append(("summary.json", Array((json + "\n").utf8)))
        let dashboard = Dashboard(scenario: s.name, run: RunCharts(plan: plan, summary: summary, hourly: h, targets: targets),
                                  study: study?.result, studyTargets: study?.targets)
        files.append(("dashboard.json", try dashboard.encoded()))
        return files
    }

    /// The files an `--out` directory may hold: r70 replaces such a directory whole, and refuses one that
    /// holds anything else (it is someone's directory, not a previous output).
    public static let outputNames: Set<String> = ["regions.csv", "plants.csv", "corridors.csv", "storage.csv", "shiftable.csv", "reservoirs.csv", "fuels.csv", "summary.json", "dashboard.json", "daily.csv"]

    /// Checks, before anything runs, that `directory` can receive a run's output: its parent exists, and it
    /// is missing or a directory holding only r70's output files. Returns the problem, or nil.
    public static func problem(withTarget directory: String) -> String? {
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        if let problem = parentProblem(of: url.path) { return problem }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return "it exists and is not a directory" }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let foreign = entries.filter { !outputNames.contains($0) }.sorted()
        if !foreign.isEmpty {
            return "it holds files r70 did not write (\(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")); r70 replaces an output directory whole, so name a new or empty one"
        }
        return nil
    }

    /// Why nothing can be created at `path`: its directory is missing or not writable; nil when it can.
    public static func parentProblem(of path: String) -> String? {
        let parent = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "its directory \(parent) does not exist"
        }
        guard access(parent, W_OK) == 0 else { return "its directory \(parent) is not writable" }
        return nil
    }

    /// Writes a run's output as a whole directory: every file goes into a temporary directory beside the
    /// target, which then takes the target's place (an atomic exchange where the system has one), so the
    /// target is always the old set or the new one, never a mix. Temporary directories that a killed run
    /// left behind are removed first.
    public static func write(directory: String, files: [(String, [UInt8])]) throws {
        if let problem = problem(withTarget: directory) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot write to \(directory): \(problem)"])
        }
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent).tmp-"
        removeStaleTemporaries(in: parent, prefix: prefix)
        let temporary = parent.appendingPathComponent(prefix + String(getpid()))
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            for (name, bytes) in files { try writeBytes(bytes, to: temporary.appendingPathComponent(name).path) }
            if FileManager.default.fileExists(atPath: target.path) {
                // renameat2(RENAME_EXCHANGE): the two directories swap names in one step.
                if r70_exchange_paths(temporary.path, target.path) != 0 {
                    // No exchange on this file system: move the old set aside, then the new one in.
                    let aside = parent.appendingPathComponent(prefix + String(getpid()) + "-old")
                    try FileManager.default.moveItem(at: target, to: aside)
                    try FileManager.default.moveItem(at: temporary, to: target)
                    try? FileManager.default.removeItem(at: aside)
                    return
                }
                try? FileManager.default.removeItem(at: temporary)   // now the old set
            } else {
                try FileManager.default.moveItem(at: temporary, to: target)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Writes bytes to a new file with one system call per chunk (no copy into a Data).
    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw posixError("cannot create \(path)") }
        defer { close(fd) }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; throw posixError("cannot write \(path)") }
                offset += n
            }
        }
    }

    static func posixError(_ what: String) -> Error {
        CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }

    /// Removes `prefix<pid>` directories whose process is gone (a run killed while writing).
    static func removeStaleTemporaries(in parent: URL, prefix: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: parent.appendingPathComponent(name)) }
        }
    }
}
