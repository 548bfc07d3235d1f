// Output files: hourly CSV (regions, plants, corridors, storage, fuels) and a summary JSON. Every file is written
// to a temporary name beside it and renamed into place, so a reader never sees a half-written file.
import Foundation
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
        struct SummaryFile: Encodable { var summary: RunSummary; var targets: [TargetResult] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let json = String(decoding: try encoder.encode(SummaryFile(summary: summary, targets: targets)), as: UTF8.self)
        files.append(("summary.json", json + "\n"))
        return files
    }

    /// Writes a run's output into `directory` (created if missing), each file atomically.
    public static func write(directory: String, files: [(String, String)]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try AtomicFile.write(text, to: URL(fileURLWithPath: directory).appendingPathComponent(name).path)
        }
    }
}
