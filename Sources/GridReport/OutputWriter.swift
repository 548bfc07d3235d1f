// Output files: hourly CSV (regions, plants, corridors, storage, fuels) and a summary JSON. Every file is written
// to a temporary name beside it and renamed into place, so a reader never sees a half-written file.
import Foundation
import CFileSwap
import GridModel
import GridSim

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
    static func timestamp(_ cal: StepCalendar, _ t: Int) -> String {
        let d = cal.date(ofDay: Int(cal.day[t]))
        let m = Int(cal.minuteOfDay[t])
        return String(format: "%@T%02d:%02d", d.description, m / 60, m % 60)
    }

    static func csv(_ header: [String], rows: Int, _ row: (Int) -> [String]) -> String {
        var out = header.joined(separator: ",") + "\n"
        out.reserveCapacity(rows * header.count * 10)
        for i in 0..<rows { out += row(i).joined(separator: ",") + "\n" }
        return out
    }

    static func f(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.3f", x) }

    /// summary.json and `run --json` (deterministic): the run's summary and its targets.
    public struct SummaryFile: Encodable {
        public var summary: RunSummary
        public var targets: [TargetResult]
        public init(summary: RunSummary, targets: [TargetResult]) { self.summary = summary; self.targets = targets }
    }

    /// The file contents of a run's output, by file name (computed before anything is written).
    public static func files(plan: SimulationPlan, summary: RunSummary, hourly h: HourlySeries, targets: [TargetResult]) throws -> [(String, String)] {
        let s = plan.scenario
        let cal = s.calendar
        let n = summary.steps
        var files: [(String, String)] = []
        let R = s.regions.count
        files.append(("regions.csv", csv(["step", "timestamp", "region", "demand_mw", "shed_mw", "callable_response_mw", "mandatory_savings_mw",
                                          "generation_mw", "received_mw", "sent_mw", "discharge_mw", "charge_mw", "excess_mw",
                                          "curtailed_mw", "tou_shift_mw", "price_usd_per_mwh"], rows: n * R) { i in
            let t = i / R, r = i % R, k = r * h.steps + t
            return [String(t), timestamp(cal, t), s.regions[r].name, f(h.regionDemandMW[k]), f(h.regionShedMW[k]), f(h.regionResponseMW[k]),
                    f(h.regionMandatoryMW[k]), f(h.regionGenerationMW[k]), f(h.regionReceivedMW[k]), f(h.regionSentMW[k]),
                    f(h.regionDischargeMW[k]), f(h.regionChargeMW[k]), f(h.regionExcessMW[k]), f(h.regionCurtailedMW[k]),
                    f(h.regionTOUShiftMW[k]), f(h.regionPricePerMWh[k])]
        }))
        let P = s.plants.count
        if P > 0 {
            files.append(("plants.csv", csv(["step", "timestamp", "plant", "region", "output_mw"], rows: n * P) { i in
                let t = i / P, p = i % P
                return [String(t), timestamp(cal, t), s.plants[p].name, s.regions[s.plants[p].region].name, f(h.plantMW[p * h.steps + t])]
            }))
        }
        let C = s.corridors.count
        if C > 0 {
            files.append(("corridors.csv", csv(["step", "timestamp", "corridor", "forward_sent_mw", "backward_sent_mw", "loss_mw"], rows: n * C) { i in
                let t = i / C, c = i % C, k = c * h.steps + t
                return [String(t), timestamp(cal, t), s.corridors[c].name, f(h.corridorForwardSentMW[k]), f(h.corridorBackwardSentMW[k]), f(h.corridorLossMW[k])]
            }))
        }
        let S = s.storage.count
        if S > 0 {
            files.append(("storage.csv", csv(["step", "timestamp", "storage", "charge_mw", "discharge_mw", "soc_mwh"], rows: n * S) { i in
                let t = i / S, c = i % S, k = c * h.steps + t
                return [String(t), timestamp(cal, t), s.storage[c].name, f(h.storageChargeMW[k]), f(h.storageDischargeMW[k]), f(h.storageSOCMWh[k])]
            }))
        }
        let F = s.fuels.count
        if F > 0 {
            files.append(("fuels.csv", csv(["step", "timestamp", "fuel", "stock_t", "burn_t"], rows: n * F) { i in
                let t = i / F, c = i % F, k = c * h.steps + t
                return [String(t), timestamp(cal, t), s.fuels[c].name, f(h.fuelStockT[k]), f(h.fuelBurnT[k])]
            }))
        }
        let json = try JSONOutput.string(SummaryFile(summary: summary, targets: targets))
        files.append(("summary.json", json + "\n"))
        return files
    }

    /// The files an `--out` directory may hold: r70 replaces such a directory whole, and refuses one that
    /// holds anything else (it is someone's directory, not a previous output).
    public static let outputNames: Set<String> = ["regions.csv", "plants.csv", "corridors.csv", "storage.csv", "fuels.csv", "summary.json"]

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
    public static func write(directory: String, files: [(String, String)]) throws {
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
            for (name, text) in files { try Data(text.utf8).write(to: temporary.appendingPathComponent(name)) }
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

    /// Removes `prefix<pid>` directories whose process is gone (a run killed while writing).
    static func removeStaleTemporaries(in parent: URL, prefix: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: parent.appendingPathComponent(name)) }
        }
    }
}
