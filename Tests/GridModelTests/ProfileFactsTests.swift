// The shipped load profiles against what the data brief states (§8), so that a later change cannot silently
// undo them: where the annual peak falls (month and hour), the daily minimum's hour, the daily min/peak
// ratios, the evening peak, weekends and Tết. Each fact is the brief's, not an outcome of r70.
import Foundation
import Testing
@testable import GridModel

struct ProfileRow {
    var date: CivilDate
    var hour: Int
    var values: [String: Double]
}

func readProfile(_ name: String) throws -> [ProfileRow] {
    let text = try String(contentsOf: packageRoot.appendingPathComponent("scenarios/profiles/\(name)"), encoding: .utf8)
    let lines = text.split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    return lines.dropFirst().map { line in
        let f = line.split(separator: ",").map(String.init)
        let stamp = f[1]
        var values: [String: Double] = [:]
        for (i, name) in header.enumerated() where i >= 2 { values[name] = Double(f[i])! }
        return ProfileRow(date: CivilDate(parsing: String(stamp.prefix(10)))!, hour: Int(stamp.dropFirst(11).prefix(2))!, values: values)
    }
}

@Suite("Load profiles against the brief's facts (§8)")
struct ProfileFactsTests {
    static let tet = ["load-2023.csv": CivilDate(year: 2023, month: 1, day: 22), "load-2025.csv": CivilDate(year: 2025, month: 1, day: 29),
                      "load-2030.csv": CivilDate(year: 2030, month: 2, day: 3)]
    static let fixedHolidays: Set<[Int]> = [[1, 1], [4, 30], [5, 1], [9, 2]]

    func isNormalWeekday(_ d: CivilDate, tet: CivilDate) -> Bool {
        let offset = d.dayNumber - tet.dayNumber
        return d.weekday < 5 && !Self.fixedHolidays.contains([d.month, d.day]) && !(-2...5).contains(offset)
    }

    @Test("Every full-year profile: the annual peak at 13:00–14:59 in the region's peak season (North Jun–Aug, South Apr–Jun), the daily minimum at 03–05 h, weekday min/peak 0.60 North and 0.70 South, the evening peak 0.95–0.98 of the day's, weekends lower, Tết's lowest hour ≈ 50 % of a normal day", arguments: ["load-2023.csv", "load-2025.csv", "load-2030.csv"])
    func facts(_ file: String) throws {
        let rows = try readProfile(file)
        let tet = Self.tet[file]!
        #expect(rows.count == 24 * (CivilDate(year: tet.year + 1, month: 1, day: 1).dayNumber - CivilDate(year: tet.year, month: 1, day: 1).dayNumber))
        let seasons: [String: ClosedRange<Int>] = ["north": 6...8, "central": 5...8, "south": 4...6]
        let minToPeak: [String: Double] = ["north": 0.60, "central": 0.65, "south": 0.70]
        for region in ["north", "central", "south"] {
            let peak = rows.max { $0.values[region]! < $1.values[region]! }!
            #expect(seasons[region]!.contains(peak.date.month), "\(file) \(region): annual peak in month \(peak.date.month)")
            #expect((13...14).contains(peak.hour), "\(file) \(region): annual peak at \(peak.hour):00")
            var days: [Int: [ProfileRow]] = [:]
            for r in rows { days[r.date.dayNumber, default: []].append(r) }
            var sundayToFriday: [Double] = []
            for (_, day) in days {
                let values = day.map { $0.values[region]! }
                let low = day.min { $0.values[region]! < $1.values[region]! }!
                #expect((3...5).contains(low.hour), "\(file) \(region) \(day[0].date): minimum at \(low.hour):00")
                guard isNormalWeekday(day[0].date, tet: tet) else { continue }
                let ratio = values.min()! / values.max()!
                #expect(abs(ratio - minToPeak[region]!) < 0.01, "\(file) \(region) \(day[0].date): min/peak \(ratio)")
                let evening = day.filter { (20...22).contains($0.hour) }.map { $0.values[region]! }.max()! / values.max()!
                #expect(evening >= 0.95 && evening <= 0.98, "\(file) \(region) \(day[0].date): evening peak \(evening) of the day's")
                // The Sunday after this Friday, if it is an ordinary Sunday.
                if day[0].date.weekday == 4, let sunday = days[day[0].date.dayNumber + 2], !(-2...5).contains(sunday[0].date.dayNumber - tet.dayNumber),
                   !Self.fixedHolidays.contains([sunday[0].date.month, sunday[0].date.day]) {
                    sundayToFriday.append(sunday.map { $0.values[region]! }.reduce(0, +) / values.reduce(0, +))
                }
            }
            #expect(sundayToFriday.count > 40 && sundayToFriday.allSatisfy { $0 > 0.86 && $0 < 0.94 }, "\(file) \(region): Sunday/Friday \(sundayToFriday.min() ?? 0)–\(sundayToFriday.max() ?? 0)")
            // Tết: its lowest hour against the mean load of the normal weekdays of the three weeks before it.
            let tetLow = rows.filter { (-2...5).contains($0.date.dayNumber - tet.dayNumber) }.map { $0.values[region]! }.min()!
            let before = rows.filter { (-23 ... -3).contains($0.date.dayNumber - tet.dayNumber) && isNormalWeekday($0.date, tet: tet) }.map { $0.values[region]! }
            let share = tetLow / (before.reduce(0, +) / Double(before.count))
            #expect(share > 0.45 && share < 0.6, "\(file) \(region): Tết's lowest hour \(share) of a normal day's mean")
        }
    }

    @Test("vn-2030-base as loaded (before TOU response): the North's annual peak in May–August and the national peak at 13:00–14:59")
    func scenarioPeaks() throws {
        let s = try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path)
        let north = s.regions.firstIndex { $0.name == "North" }!
        let n = s.stepCount
        let northPeak = (0..<n).max { s.regions[north].demandMW[$0] < s.regions[north].demandMW[$1] }!
        #expect((5...8).contains(Int(s.calendar.month[northPeak])))
        let national = (0..<n).map { t in s.regions.reduce(0) { $0 + $1.demandMW[t] } }
        let peak = national.indices.max { national[$0] < national[$1] }!
        #expect((13 * 60..<15 * 60).contains(Int(s.calendar.minuteOfDay[peak])))
    }
}
