import Foundation
import Testing
@testable import GridModel
import GridRandom
import _TestSupport

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
let packageRoot = fixtures.deletingLastPathComponent().deletingLastPathComponent()

func load(_ text: String, file: String = fixtures.appendingPathComponent("inline.yaml").path) -> Result<Scenario, ScenarioErrors> {
    Result { () throws(ScenarioErrors) in try ScenarioLoader.load(text: text, file: file) }
}

func problems(_ text: String) -> [String] {
    switch load(text) {
    case .success: return []
    case .failure(let e): return e.diagnostics.map { d in
        d.description.replacingOccurrences(of: fixtures.path + "/", with: "")
    }
    }
}

let minimal = minimalScenarioText

@Suite("CSV profiles (RFC 4180)")
struct CSVTests {
    func profileScenario(_ csv: String) throws -> (Result<Scenario, ScenarioErrors>, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try csv.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let text = minimalScenarioText.replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 100, profile: {file: p.csv, column: \"load, MW\"}}")
        return (load(text, file: dir.appendingPathComponent("s.yaml").path), dir)
    }

    @Test("Steps of 5, 10, 15, 20, 30 and 60 minutes; hourly profiles held through the hour, or one row per step read step by step")
    func stepLengths() throws {
        for minutes in [5, 10, 15, 20, 30, 60] {
            let text = minimalScenarioText.replacingOccurrences(of: "duration_hours: 24}", with: "duration_hours: 24, step_minutes: \(minutes)}")
            let s = try load(text).get()
            #expect(s.stepCount == 24 * 60 / minutes)
        }
        let seven = minimalScenarioText.replacingOccurrences(of: "duration_hours: 24}", with: "duration_hours: 24, step_minutes: 7}")
        #expect(problems(seven).contains { $0.contains("horizon.step_minutes: 7") }, "\(problems(seven))")
        // Two hours at 20-minute steps: a 2-row hourly profile is held, a 6-row one read per step.
        func twoHours(_ rows: [Double], energy: Bool = false) throws -> Result<Scenario, ScenarioErrors> {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-steps-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try ("t,load\n" + rows.enumerated().map { "\($0),\($1)" }.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
            let text = minimalScenarioText
                .replacingOccurrences(of: "duration_hours: 24}", with: "duration_hours: 2, step_minutes: 20}")
                .replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 100\(energy ? ", annual_energy_mwh: 500000" : ""), profile: {file: p.csv, column: load}}")
            return load(text, file: dir.appendingPathComponent("s.yaml").path)
        }
        #expect(try twoHours([50, 100]).get().regions[0].demandMW == [50, 50, 50, 100, 100, 100])
        #expect(try twoHours([10, 20, 30, 40, 50, 100]).get().regions[0].demandMW == [10, 20, 30, 40, 50, 100])
        guard case .failure(let wrong) = try twoHours([1, 2, 3]) else { Issue.record("3 rows accepted"); return }
        #expect(wrong.description.contains("has 3 rows — 2 rows (one per hour of the horizon), one per 20-minute step (6), or a full year"), "\(wrong)")
        guard case .failure(let both) = try twoHours([10, 20, 30, 40, 50, 100], energy: true) else { Issue.record("energy with a per-step profile accepted"); return }
        #expect(both.description.contains("peak_mw only"), "\(both)")
    }

    @Test("Quoted fields, quoted numbers, commas and doubled quotes inside quotes, CRLF line ends")
    func quoted() throws {
        var rows = "hour,\"load, MW\",\"note \"\"x\"\"\"\r\n"
        for h in 0..<24 { rows += "\(h),\"\(50 + h)\",\"a, \"\"b\"\"\"\r\n" }
        let (result, dir) = try profileScenario(rows)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = try result.get()
        #expect(abs(scenario.regions[0].demandMW.max()! - 100) < 1e-9 && scenario.regions[0].demandMW.count == 24)
    }

    @Test("A row with the wrong number of fields, and an unclosed quote, are errors with their lines")
    func malformed() throws {
        var rows = "hour,\"load, MW\"\n"
        for h in 0..<24 { rows += h == 5 ? "5,55,extra\n" : "\(h),\(50 + h)\n" }
        let (result, dir) = try profileScenario(rows)
        defer { try? FileManager.default.removeItem(at: dir) }
        guard case .failure(let e) = result else { Issue.record("accepted a row with an extra field"); return }
        #expect(e.diagnostics.contains { $0.line == 7 && $0.file.hasSuffix("p.csv") && $0.value == "3 fields" && $0.expected.contains("2 fields") }, "\(e.diagnostics)")
        let (open, dir2) = try profileScenario("hour,\"load, MW\"\n0,\"50\n1,51\n")
        defer { try? FileManager.default.removeItem(at: dir2) }
        guard case .failure(let e2) = open else { Issue.record("accepted an unclosed quote"); return }
        #expect(e2.diagnostics.contains { $0.line == 2 && $0.value.contains("without its closing quote") }, "\(e2.diagnostics)")
    }

    @Test("Numbers read from the bytes are bit-identical to Double(String) on 200,000 random and edge-case fields")
    func numbers() {
        var edge = ["0", "-0", "+1", "1.", ".5", "0.1", "1e5", "1E-5", "2.5e+3", "123456789012345", "1234567890123456", "0.0000001",
                    "9007199254740993", "1e22", "1e23", "1e-22", "1e-23", "4.35", "0x1p3", "inf", "nan", "1e", "e5", ".", "-", "+", "1..2",
                    "1e5.5", " 7 ", "  ", "", "1,5", "0.30000000000000004", "179769313486231570000000000000", "00000000000000000012.5"]
        var state: UInt64 = 7
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 17 }
        for _ in 0..<200_000 {
            let digits = Int(next() % 18) + 1, point = Int(next() % UInt64(digits + 2))
            var t = (next() % 4 == 0 ? "-" : "") + String((0..<digits).map { _ in Character(String(next() % 10)) })
            if point < digits { t.insert(".", at: t.index(t.endIndex, offsetBy: -point)) }
            if next() % 3 == 0 { t += "e" + String(Int(next() % 60) - 30) }
            edge.append(t)
        }
        let text = edge.joined(separator: "\n")
        let csv = CSVFile(Array(text.utf8))
        #expect(csv.rowCount == edge.count, "blank rows inside the file are kept")
        var mismatches: [String] = []
        for (r, t) in edge.enumerated() where r < csv.rowCount && !t.contains(",") {
            let trimmed = t.trimmingCharacters(in: [" "])
            let expected = trimmed.isEmpty ? nil : Double(trimmed)
            let got = csv.number(csv.field(row: r, column: 0))
            if got?.bitPattern != expected?.bitPattern || (got == nil) != (expected == nil) { mismatches.append("\(t): \(String(describing: got)) vs \(String(describing: expected))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("Parsing is linear: every cell of a 150-column year is read once")
    func wideFile() {
        var text = "h," + (0..<150).map { "c\($0)" }.joined(separator: ",") + "\n"
        for h in 0..<8784 { text += "\(h)," + [String](repeating: "0.5", count: 150).joined(separator: ",") + "\n" }
        let parsed = CSVFile(Array(text.utf8))
        #expect(parsed.rowCount == 8785 && (0..<parsed.rowCount).allSatisfy { parsed.fieldCount(row: $0) == 151 } && parsed.problems.isEmpty)
        #expect(parsed.lines.last == 8785 && parsed.number(parsed.field(row: 8784, column: 150)) == 0.5 && parsed.text(parsed.field(row: 0, column: 150)) == "c149")
    }
}

@Suite("Scenario input: every problem reported, with file:line, key path, value and expectation")
struct ScenarioInputTests {
    @Test("A key of an earlier version says what to do instead, not 'unknown key'")
    func retiredKey() {
        let found = problems(minimal + "dispatch: {shortfall_sharing_steps: 4}\n")
        #expect(found == ["inline.yaml:8: dispatch.shortfall_sharing_steps: no longer used — remove it: shortfalls are shared by local matching and then in proportion to demand, exactly (README, Shortfall sharing)"], "\(found)")
    }

    @Test("A plant dearer than the lowest value of lost load is refused, with the class it would be shed for")
    func plantAboveVOLL() {
        let text = minimal.replacingOccurrences(of: "marginal_cost_usd_per_mwh: 50}", with: "marginal_cost_usd_per_mwh: 2500}")
        let found = problems(text)
        #expect(found.count == 1)
        #expect(found.first?.contains("regions[0].plants[0].marginal_cost_usd_per_mwh: a marginal cost of 2500 USD/MWh — at most the lowest value of lost load") == true, "\(found)")
    }

    @Test("A forced outage rate a step-by-step chain cannot reach with its repair time is refused, with the repair time it needs")
    func outageChain() {
        // 1-hour repairs in 1-hour steps: at most half the time out.
        let quick = minimal.replacingOccurrences(of: "marginal_cost_usd_per_mwh: 50}", with: "marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0.6, mean_time_to_repair_hours: 1}")
        let found = problems(quick)
        #expect(found == ["inline.yaml:7: regions[0].plants[0].forced_outage_rate: 0.6 — at most 0.5 with mean_time_to_repair_hours 1 h and 60 min steps (a unit out that often must take longer to repair: mean_time_to_repair_hours of at least 1.5 h)"], "\(found)")
        // Two-hour repairs allow up to 2/3.
        let slower = minimal.replacingOccurrences(of: "marginal_cost_usd_per_mwh: 50}", with: "marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0.6, mean_time_to_repair_hours: 2}")
        #expect(problems(slower).isEmpty)
        // Circuits and storage are held to the same rule.
        let circuits = minimal + """
          - name: S
            demand: {peak_mw: 100}
        corridors:
          - {name: c, from: R, to: S, limit_forward_mw: 50, circuit_forced_outage_rate: 0.7, circuit_mean_time_to_repair_hours: 0.5}
        storage:
          - {name: b, region: S, power_mw: 10, energy_mwh: 20, forced_outage_rate: 0.55, mean_time_to_repair_hours: 1}

        """
        let both = problems(circuits)
        #expect(both.count == 2 && both.contains { $0.contains("corridors[0].circuit_forced_outage_rate: 0.7") } && both.contains { $0.contains("storage[0].forced_outage_rate: 0.55") }, "\(both)")
    }

    @Test("Five different mistakes are all reported with their lines")
    func fiveMistakes() throws {
        let path = fixtures.appendingPathComponent("five-mistakes.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let found = problems(text).map { $0.replacingOccurrences(of: "inline.yaml", with: "five-mistakes.yaml") }
        #expect(found == [
            "five-mistakes.yaml:11: regions[0].plants[0].unit_size_mw: -300 — a number in [0, 100000]",
            "five-mistakes.yaml:13: regions[0].plants[0].forced_outage_rate: 1.4 — a number in [0, 1)",
            "five-mistakes.yaml:18: regions[0].plants[1].capacty_credit: unknown key — did you mean 'capacity_credit'? Plant takes: name, technology, units, unit_size_mw, marginal_cost_usd_per_mwh, fuel_price_usd_per_gj, heat_rate_gj_per_mwh, vom_usd_per_mwh, fuel, emission_t_per_mwh, availability, availability_monthly, availability_profile, forced_outage_rate, mean_time_to_repair_hours, capacity_credit, min_output_mw, min_output_monthly_mw, maintenance_fraction_monthly, behind_the_meter, hydro, clean, follows_hydrology",
            "five-mistakes.yaml:20: corridors[0].to: Atlantis — one of the regions: North",
            "bad-profile.csv:3: regions[0].demand.profile.column 'load': \"abc\" — a finite number ≥ 0",
        ])
    }

    @Test("A valid minimal scenario loads with documented defaults")
    func minimalLoads() throws {
        let s = try load(minimal).get()
        #expect(s.stepCount == 24)
        #expect(s.demandClasses == DemandClass.defaults)
        #expect(s.targets.minReserveMargin == 0.15)
        #expect(s.plants[0].capacityCredit == Technology.flexible.defaults.capacityCredit)
        #expect(s.regions[0].demandMW.allSatisfy { $0 == 100 })
    }

    @Test("Bad numbers in a profile CSV are caught", arguments: [
        ("nan", "\"nan\" — a finite number ≥ 0"),
        ("-5", "\"-5\" — a finite number ≥ 0"),
        ("", "(empty) — a finite number ≥ 0"),
        ("1e400", "\"1e400\" — a finite number ≥ 0"),
    ])
    func badCells(cell: String, expected: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "h,v\n0,1\n1,\(cell)\n2,1\n".write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let text = minimal.replacingOccurrences(of: "duration_hours: 24", with: "duration_hours: 3")
            .replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 100, profile: {file: p.csv, column: v}}")
        let r = load(text, file: dir.appendingPathComponent("s.yaml").path)
        guard case .failure(let e) = r else { Issue.record("accepted a bad cell"); return }
        #expect(e.diagnostics.map(\.description) == ["\(dir.path)/p.csv:3: regions[0].demand.profile.column 'v': \(expected)"])
    }

    @Test("A profile with the wrong number of rows is rejected")
    func wrongRowCount() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "h,v\n0,1\n1,2\n".write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let text = minimal.replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 100, profile: {file: p.csv, column: v}}")
        let r = load(text, file: dir.appendingPathComponent("s.yaml").path)
        guard case .failure(let e) = r else { Issue.record("accepted a short profile"); return }
        #expect(e.diagnostics.map(\.description) == ["\(dir.path)/s.yaml:5: regions[0].demand.profile.file: p.csv has 2 rows — 24 rows (one per hour of the horizon) or a full year (8760 or 8784)"])
    }

    @Test("A profile CSV with Windows line ends (CRLF) reads as the same file with Unix line ends")
    func windowsLineEnds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-crlf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = ["hour,load"] + (0..<24).map { "\($0),\(80 + ($0 * 7) % 24)" }
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("lf.csv"), atomically: true, encoding: .utf8)
        try (rows.joined(separator: "\r\n") + "\r\n\r\n").write(to: dir.appendingPathComponent("crlf.csv"), atomically: true, encoding: .utf8)
        func demand(_ file: String) throws -> [Double] {
            let text = minimal.replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 100, profile: {file: \(file), column: load}}")
            return try load(text, file: dir.appendingPathComponent("s.yaml").path).get().regions[0].demandMW
        }
        let unix = try demand("lf.csv"), windows = try demand("crlf.csv")
        #expect(unix.count == 24 && Set(unix).count > 1)
        #expect(windows == unix)
    }

    @Test("Messages for common mistakes, verbatim", arguments: [
        ("name: t\n", ["inline.yaml:1: horizon: (missing) — a required key: a mapping (Horizon)", "inline.yaml:1: regions: (missing) — a required key: a list of mappings (Region)"]),
        (minimal + "targets: {min_reserve_margin: 0.15, min_reserve_margin: 0.2}\n", ["inline.yaml:8: (document): duplicate key 'min_reserve_margin' — each key once in a mapping"]),
        (minimal.replacingOccurrences(of: "technology: flexible", with: "technology: fusion"), ["inline.yaml:7: regions[0].plants[0].technology: fusion — one of coal, domestic_gas, lng, oil, hydro_reservoir, run_of_river, solar, onshore_wind, offshore_wind, biomass, nuclear, imports, flexible"]),
        (minimal.replacingOccurrences(of: "2030-01-07", with: "2030-02-30"), ["inline.yaml:2: horizon.start_date: 2030-02-30 — a date YYYY-MM-DD"]),
        (minimal + "tou: {elasticity: 0.3}\n", ["inline.yaml:8: tou.elasticity: 0.3 — a number in [-2, 0]"]),
        (minimal + "storage:\n  - {name: b, region: Nowhere, power_mw: 10, energy_mwh: 20}\n", ["inline.yaml:9: storage[0].region: Nowhere — one of the regions: R"]),
        ("regions: [\n", ["inline.yaml:2: (document): invalid YAML — well-formed YAML (while parsing a flow node: did not find expected node content)"]),
        (minimal.replacingOccurrences(of: "marginal_cost_usd_per_mwh: 50", with: "fuel: lng-x, heat_rate_gj_per_mwh: 6"), ["inline.yaml:7: regions[0].plants[0].fuel: lng-x — the name of a fuel stock (the scenario has no `fuels`)"]),
    ])
    func verbatim(text: String, expected: [String]) {
        #expect(problems(text) == expected)
    }

    @Test("Energy and peak both hold after stretching the shape")
    func energyAndPeak() throws {
        let text = minimal.replacingOccurrences(of: "duration_hours: 24", with: "duration_days: 365")
            .replacingOccurrences(of: "start_date: 2030-01-07", with: "start_date: 2030-01-01")
            .replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 1000, annual_energy_mwh: 6000000, shape: vn-north}")
        let d = try load(text).get().regions[0].demandMW
        #expect(abs((d.max() ?? 0) - 1000) < 1e-6)
        #expect(abs(d.reduce(0, +) - 6_000_000) < 1e-3)
    }

    @Test("Load factors above one are rejected")
    func loadFactor() {
        let text = minimal.replacingOccurrences(of: "demand: {peak_mw: 100}", with: "demand: {peak_mw: 100, annual_energy_mwh: 1000000}")
        #expect(problems(text) == ["inline.yaml:5: regions[0].demand.annual_energy_mwh: 1000000 — less than peak × hours = 876000 MWh (load factor 1.142 ≥ 1)"])
    }

    @Test("Decision 963 TOU windows give half-hour weighted ratios")
    func touRatios() throws {
        let s = try load(minimal + "tou: {}\n").get()
        let r = try #require(s.tou).priceRatio
        #expect(r[0] == 0.63 && r[5] == 0.63 && r[6] == 1)
        #expect(abs(r[17] - 1.4) < 1e-12 && r[18] == 1.8 && r[21] == 1.8 && abs(r[22] - 1.4) < 1e-12 && r[23] == 1)
    }

    @Test("Deliveries, continuous supply and disruptions add up")
    func deliveries() throws {
        let text = minimal.replacingOccurrences(of: "duration_hours: 24", with: "duration_days: 10") + """
        fuels:
          - name: f
            kind: lng
            energy_content_gj_per_t: 49.5
            price_usd_per_gj: 12
            storage_capacity_t: 500000
            initial_stock_t: 0
            supply_t_per_day: 240
            deliveries: {cargo_t: 70000, interval_days: 2, first_day: 0}
            disruptions:
              - {start_date: 2030-01-09, duration_days: 3, deliveries_lost_fraction: 1, supply_lost_fraction: 0.5}

        """
        let f = try load(text).get().fuels[0]
        // cargoes on days 0,2,4,6,8; those on days 2 and 4 fall in the disruption (days 2–4).
        let expectedArrivals: Double = 3 * 70000 + 2400 - 360
        let expectedLost: Double = 2 * 70000 + 360
        #expect(abs(f.arrivalsT.reduce(0, +) - expectedArrivals) < 1e-6)
        #expect(abs(f.disruptedT - expectedLost) < 1e-6)
    }

    @Test("A delivery programme by month: the next cargo comes the interval of the last cargo's month after it")
    func monthlyIntervals() throws {
        let text = minimal.replacingOccurrences(of: "duration_hours: 24", with: "duration_days: 10")
            .replacingOccurrences(of: "start_date: 2030-01-07", with: "start_date: 2030-01-27") + """
        fuels:
          - name: f
            kind: coal
            energy_content_gj_per_t: 23
            price_usd_per_gj: 4
            storage_capacity_t: 500000
            initial_stock_t: 0
            deliveries: {cargo_t: 1000, interval_days_monthly: [2, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], first_day: 0}

        """
        let f = try load(text).get().fuels[0]
        // 27, 29, 31 January (2 days apart), then 2 February (the interval of January, the last cargo's month), 5 February.
        #expect(f.cargoes.map(\.step) == [0, 2, 4, 6, 9].map { $0 * 24 })
        let both = text.replacingOccurrences(of: "interval_days_monthly: [2,", with: "interval_days: 2, interval_days_monthly: [2,")
        #expect(problems(both) == ["inline.yaml:15: fuels[0].deliveries.interval_days_monthly: (both or neither) — exactly one of interval_days and interval_days_monthly"])
    }

    @Test("The scenario reference in docs/ is generated from the schema the decoder uses")
    func docsMatchSchema() throws {
        let committed = try String(contentsOf: packageRoot.appendingPathComponent("docs/scenario-format.md"), encoding: .utf8)
        let generated = ScenarioSchema.scenario.markdownReference(title: "r70 scenario format", preface: ScenarioSchema.referencePreface)
        #expect(committed == generated, "docs/scenario-format.md is stale: run `make docs`")
    }

    @Test("The JSON Schema is valid JSON and lists every top-level key")
    func jsonSchema() throws {
        let text = ScenarioSchema.scenario.jsonSchema(title: "r70 scenario")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let defs = try #require(json["$defs"] as? [String: Any])
        let scenario = try #require(defs["Scenario"] as? [String: Any])
        let props = try #require(scenario["properties"] as? [String: Any])
        #expect(Set(props.keys) == Set(ScenarioSchema.scenario.fields.map(\.key)))
    }

    @Test("Calendar: weekdays and day arithmetic")
    func calendar() {
        #expect(CivilDate(year: 2030, month: 1, day: 7).weekday == 0)  // a Monday
        #expect(CivilDate(year: 2024, month: 2, day: 29).adding(days: 366) == CivilDate(year: 2025, month: 3, day: 1))
        #expect(CivilDate(parsing: "2023-02-29") == nil)
    }
}

@Suite("GSL wrapper")
struct RandomStreamTests {
    @Test("Streams are reproducible; trials and named streams differ")
    func reproducible() {
        let a = RandomStream(seed: 42), b = RandomStream(seed: 42)
        #expect((0..<100).map { _ in a.uniform() } == (0..<100).map { _ in b.uniform() })
        let id = StreamID(kind: "unit", name: "coal-n", index: 1)
        let t0 = RandomStream(seed: 1, trial: 0, stream: id), t1 = RandomStream(seed: 1, trial: 1, stream: id)
        #expect((0..<8).map { _ in t0.next32() } != (0..<8).map { _ in t1.next32() })
        // Trials 2³² apart: the old 32-bit seeding made such pairs share a stream.
        let u0 = RandomStream(seed: 1, trial: 5, stream: id), u1 = RandomStream(seed: 1, trial: 5 + (1 << 32), stream: id)
        #expect((0..<8).map { _ in u0.next32() } != (0..<8).map { _ in u1.next32() })
        // Re-setting a stream restarts it.
        t0.set(seed: 1, trial: 0, stream: id)
        let first = (0..<9).map { _ in t0.next32() }
        t0.set(seed: 1, trial: 0, stream: id)
        #expect((0..<9).map { _ in t0.next32() } == first)
        #expect(t0.blocksUsed == 3)
    }

    @Test("Philox4x32-10 reproduces Random123's published known-answer vectors (kat_vectors)")
    func philoxKnownAnswers() {
        // Random123 1.09, tests/kat_vectors: "philox4x32 10" counter[4] key[2] → output[4].
        let cases: [([UInt32], [UInt32], [UInt32])] = [
            ([0, 0, 0, 0], [0, 0], [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8]),
            ([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], [0xFFFF_FFFF, 0xFFFF_FFFF],
             [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD]),
            ([0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344], [0xA409_3822, 0x299F_31D0],
             [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1]),
        ]
        for (counter, key, expected) in cases { #expect(Philox.block(counter: counter, key: key) == expected) }
        // The GSL generator hands out the block's four words in order, then the next block's.
        let seed: UInt64 = 0x299F_31D0_A409_3822, trial: UInt64 = 77, stream = StreamID(raw: 0xAB_CDEF_0123)
        let r = RandomStream(seed: seed, trial: trial, stream: stream)
        let key: [UInt32] = [0xA409_3822, 0x299F_31D0]
        let expected = Philox.block(counter: Philox.counter(trial: trial, stream: stream.value, block: 0), key: key)
            + Philox.block(counter: Philox.counter(trial: trial, stream: stream.value, block: 1), key: key)
        #expect((0..<8).map { _ in r.next32() } == expected)
    }

    @Test("The key derivation is one to one: (seed, trial, stream, block) is recovered from (key, counter)")
    func keyDerivation() {
        // The key is the seed itself (64 bits, one to one); the counter packs the trial (64 bits), the
        // stream id (40 bits) and the block (24 bits) into 128 bits without overlap. Decoding the counter
        // gives back every field at the edges of each range, so no two (trial, stream, block) share one.
        func decode(_ c: [UInt32]) -> (trial: UInt64, stream: UInt64, block: UInt32) {
            (UInt64(c[2]) | UInt64(c[3]) << 32, UInt64(c[0] >> 24) | UInt64(c[1]) << 8, c[0] & 0xFF_FFFF)
        }
        let trials: [UInt64] = [0, 1, 0xFFFF_FFFF, 1 << 32, (1 << 32) + 1, 1 << 63, UInt64.max - 1, UInt64.max]
        let streams: [UInt64] = [0, 1, 0xFF, 0x100, 0xFFFF_FFFF, 1 << 39, (1 << 40) - 1]
        let blocks: [UInt32] = [0, 1, 0xFF_FFFF]
        var seen = Set<[UInt32]>()
        for t in trials {
            for st in streams {
                for b in blocks {
                    let c = Philox.counter(trial: t, stream: st, block: b)
                    let d = decode(c)
                    #expect(d.trial == t && d.stream == st && d.block == b)
                    seen.insert(c)
                }
            }
        }
        #expect(seen.count == trials.count * streams.count * blocks.count)
        // Every bit of each field lands on its own counter bit (the packing is a bijection of 128 bits).
        var used = [UInt32](repeating: 0, count: 4)
        for bit in 0..<64 { for (i, w) in Philox.counter(trial: 1 << UInt64(bit), stream: 0, block: 0).enumerated() { #expect(used[i] & w == 0); used[i] |= w } }
        for bit in 0..<40 { for (i, w) in Philox.counter(trial: 0, stream: 1 << UInt64(bit), block: 0).enumerated() { #expect(used[i] & w == 0); used[i] |= w } }
        for bit in 0..<24 { for (i, w) in Philox.counter(trial: 0, stream: 0, block: 1 << UInt32(bit)).enumerated() { #expect(used[i] & w == 0); used[i] |= w } }
        #expect(used == [UInt32.max, UInt32.max, UInt32.max, UInt32.max])
        // Stream ids come from names, not positions, and differ between names.
        #expect(StreamID(kind: "unit", name: "coal-n", index: 1) == StreamID(kind: "unit", name: "coal-n", index: 1))
        #expect(StreamID(kind: "unit", name: "coal-n", index: 1).value != StreamID(kind: "unit", name: "coal-n", index: 2).value)
        #expect(StreamID(kind: "unit", name: "coal-n").value != StreamID(kind: "storage", name: "coal-n").value)
        #expect(StreamID(kind: "unit", name: "x").value >> 40 == 0)
    }

    @Test("Sample moments converge to the distributions' (within 4 standard errors)")
    func moments() {
        let r = RandomStream(seed: 7)
        let n = 200_000
        let u = (0..<n).map { _ in r.uniform() }
        #expect(abs(Statistics.mean(u) - 0.5) < 4 * (1 / 12.0).squareRoot() / Double(n).squareRoot())
        let e = (0..<n).map { _ in r.exponential(mean: 3) }
        #expect(abs(Statistics.mean(e) - 3) < 4 * 3 / Double(n).squareRoot())
        let g = (0..<n).map { _ in r.gaussian(sigma: 2) }
        #expect(abs(Statistics.standardDeviation(g) - 2) < 0.02)
        #expect(abs(Statistics.quantile([1, 2, 3, 4, 5], 0.5) - 3) < 1e-12)
        #expect(abs(Statistics.normalQuantile(0.975) - 1.959964) < 1e-6)
    }
}

@Suite("--set: scenario keys overridden by path, checked like the file")
struct OverrideTests {
    func overridden(_ text: String, _ sets: [String]) -> Result<Scenario, ScenarioErrors> {
        let overrides = sets.map { try! ScenarioOverride.parse($0).get() }
        return Result { () throws(ScenarioErrors) in try ScenarioLoader.load(text: text, file: fixtures.appendingPathComponent("inline.yaml").path, overrides: overrides) }
    }
    static let twoPlants = minimal.replacingOccurrences(of: "      - {name: g, technology: flexible, unit_size_mw: 200, marginal_cost_usd_per_mwh: 50}",
                                                         with: "      - {name: g, technology: flexible, unit_size_mw: 200, marginal_cost_usd_per_mwh: 50}\n      - {name: h, technology: flexible, unit_size_mw: 300, marginal_cost_usd_per_mwh: 60}")

    @Test("Values by name, by * and by scale, including a key the file leaves at its default; the same as editing the file")
    func values() throws {
        let s = try overridden(Self.twoPlants, ["regions[R].plants[h].unit_size_mw=450", "regions[*].demand.peak_mw*=1.5",
                                                "regions[R].plants[*].marginal_cost_usd_per_mwh*=2", "regions[R].distribution_loss_fraction*=2"]).get()
        #expect(s.plants.map(\.capacityMW) == [200, 450])
        #expect(s.plants.map(\.marginalCostUSDPerMWh) == [100, 120])
        #expect(abs(s.regions[0].demandMW.max()! - 150) < 1e-9)
        let edited = try ScenarioLoader.load(text: Self.twoPlants.replacingOccurrences(of: "unit_size_mw: 300", with: "unit_size_mw: 450"),
                                             file: fixtures.appendingPathComponent("inline.yaml").path)
        let viaSet = try overridden(Self.twoPlants, ["regions[R].plants[h].unit_size_mw=450"]).get()
        #expect(edited.plants.map(\.capacityMW) == viaSet.plants.map(\.capacityMW))
        // distribution_loss_fraction is not in the file: its default (0.045) was scaled.
        #expect(abs(s.regions[0].distributionLossFraction - 0.09) < 1e-12)
    }

    @Test("A bad path or value: the override is named, with the value and what was expected, and 'did you mean'")
    func problems() {
        func messages(_ sets: [String]) -> [String] {
            guard case .failure(let e) = overridden(Self.twoPlants, sets) else { return [] }
            return e.diagnostics.map(\.description)
        }
        #expect(messages(["regions[R].plants[hh].unit_size_mw=1"]) == ["--set regions[R].plants[hh].unit_size_mw=1: regions[0].plants[hh]: no item named 'hh' — did you mean 'h'? the names in plants: g, h"])
        #expect(messages(["regions[R].plants[h].unit_sise_mw=1"]).first?.contains("unknown key — did you mean 'unit_size_mw'?") == true)
        #expect(messages(["regions[R].plants[h].unit_size_mw=-1"]).first?.hasPrefix("--set regions[R].plants[h].unit_size_mw=-1: regions[0].plants[1].unit_size_mw: -1 — ") == true)
        #expect(messages(["regions[R].plants[h].technology=fusion"]).first?.contains("one of") == true)
        #expect(messages(["regions[R].name=Q"]).first?.contains("a numeric or enumerated key") == true)
        #expect(messages(["horizon[x].start_date=1"]).first?.contains("not a list") == true)
        if case .success = ScenarioOverride.parse("regions[R].demand.peak_mw") { Issue.record("accepted an override without '='") }
        if case .success = ScenarioOverride.parse("a.b*=x") { Issue.record("accepted a factor that is not a number") }
    }
}
