// Calendar arithmetic without time zones: a scenario's clock is local time in Vietnam (UTC+7, no DST).

public struct CivilDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int  // 1...12
    public var day: Int    // 1...31

    public init(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }

    /// Parses YYYY-MM-DD; nil when malformed or not a real date.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= CivilDate.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    public static func daysIn(month m: Int, year y: Int) -> Int {
        [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }
    public static func daysIn(year y: Int) -> Int { isLeap(y) ? 366 : 365 }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// 0 = Monday … 6 = Sunday.
    public var weekday: Int { ((dayNumber % 7) + 7 + 3) % 7 }
    /// 0-based day of the year.
    public var dayOfYear: Int { dayNumber - CivilDate(year: year, month: 1, day: 1).dayNumber }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }
    public var description: String {
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

public enum DayType: Int, Sendable, CaseIterable {
    case weekday = 0, saturday = 1, sunday = 2
    public init(weekday: Int) { self = weekday == 6 ? .sunday : (weekday == 5 ? .saturday : .weekday) }
    public var key: String { ["weekday", "saturday", "sunday"][rawValue] }
}

/// The clock of every step of a horizon.
public struct StepCalendar: Sendable {
    public let start: CivilDate
    public let stepMinutes: Int
    public let stepCount: Int
    public var stepHours: Double { Double(stepMinutes) / 60 }
    public var stepsPerDay: Int { 1440 / stepMinutes }
    /// Day of the horizon (0-based), month (1…12), minute of the day, day type, hour of the year of each step.
    public let day: [Int32]
    public let month: [Int8]
    public let minuteOfDay: [Int16]
    public let dayType: [DayType]
    public let hourOfYear: [Int32]
    public var dayCount: Int { stepCount == 0 ? 0 : Int(day[stepCount - 1]) + 1 }

    /// The start of step t as YYYY-MM-DDTHH:MM (local time of the scenario).
    public func timestamp(_ t: Int) -> String {
        let m = Int(minuteOfDay[t]), hh = m / 60, mm = m % 60
        return date(ofDay: Int(day[t])).description + "T" + (hh < 10 ? "0" : "") + String(hh) + ":" + (mm < 10 ? "0" : "") + String(mm)
    }

    public init(start: CivilDate, stepMinutes: Int, stepCount: Int) {
        self.start = start; self.stepMinutes = stepMinutes; self.stepCount = stepCount
        var day: [Int32] = [], month: [Int8] = [], minute: [Int16] = [], type: [DayType] = [], hoy: [Int32] = []
        day.reserveCapacity(stepCount)
        var lastDay = -1
        var date = start
        for t in 0..<stepCount {
            let minutes = t * stepMinutes
            let d = minutes / 1440
            if d != lastDay { date = start.adding(days: d); lastDay = d }
            day.append(Int32(d)); month.append(Int8(date.month)); minute.append(Int16(minutes % 1440))
            type.append(DayType(weekday: date.weekday))
            hoy.append(Int32(date.dayOfYear * 24 + (minutes % 1440) / 60))
        }
        self.day = day; self.month = month; self.minuteOfDay = minute; self.dayType = type; self.hourOfYear = hoy
    }

    public func date(ofDay d: Int) -> CivilDate { start.adding(days: d) }
}
