import Foundation
import Testing
import GridModel
import GridSim
import GridStudy
@testable import GridReport

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

@Suite("Reports")
struct ReportTests {
    @Test("Targets: margins are signed in the passing direction")
    func margins() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("shed-by-class.yaml").path)
        let run = try DeterministicRun.run(scenario)
        var targets = scenario.targets
        targets.maxEUEMWh = 700
        targets.maxLOLEHours = 0
        let r = TargetCheck.evaluate(targets: targets, summary: run.summary)
        let byName = Dictionary(uniqueKeysWithValues: r.map { ($0.name, $0) })
        // Firm: 2 × 700 MW × 0.9 = 1,260 MW against a 2,000 MW peak.
        #expect(abs(byName["reserve_margin"]!.value - (-0.37)) < 1e-12 && !byName["reserve_margin"]!.passed)
        #expect(abs(byName["eue"]!.margin - 100) < 1e-6 && byName["eue"]!.passed)
        #expect(byName["lole"]!.margin == -1 && !byName["lole"]!.passed)
        #expect(byName["clean_share"] == nil)
    }

    @Test("JUnit escapes markup in names and messages")
    func escaping() {
        let o = CheckOutcome(scenarioName: "a<b>&\"c\"", file: "x.yaml", results: [], error: "bad <value> & more", seconds: 0)
        let xml = JUnitReport.xml([o])
        #expect(xml.contains("a&lt;b&gt;&amp;&quot;c&quot;"))
        #expect(xml.contains("bad &lt;value&gt; &amp; more"))
    }

    @Test("Atomic writes leave no temporary file and replace the old content")
    func atomic() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.txt").path
        try AtomicFile.write("one", to: path)
        try AtomicFile.write("two", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f.txt"])
    }

    @Test("Number formatting")
    func formatting() {
        #expect(Format.number(1234567.891, decimals: 2) == "1,234,567.89")
        #expect(Format.number(-1500) == "-1,500")
        #expect(Format.percent(0.156) == "15.6 %")
        #expect(Format.number(.infinity) == "∞")
    }

    @Test("Paired differences: identical trials give exactly zero; a shift in one direction is seen against its own small error")
    func pairedDifference() {
        let base: [Double] = (0..<300).map { Double(($0 * 7919) % 1000) }
        let same = PairedDifference(baseline: base, current: base, sign: 1)
        #expect(same.allZero && same.mean == 0 && same.standardError == 0)
        // Every trial 1 % worse: the difference is 1 % of the mean, its error tiny; unpaired, the spread swamps it.
        let worse = PairedDifference(baseline: base, current: base.map { $0 * 1.01 }, sign: 1)
        #expect(worse.mean > 3 * worse.standardError)
        let better = PairedDifference(baseline: base, current: base.map { $0 * 1.01 }, sign: -1)
        #expect(better.mean < 0)
    }

    @Test("A Monte Carlo baseline without per-trial values (an older file) is refused unless --unpaired")
    func oldBaselineRefused() throws {
        let metrics = ["eue_mwh": BaselineMetric(value: 100, standardError: 10)]
        let old = BaselineEntry(mode: "monte_carlo", trials: 300, seed: 5, targets: [:], metrics: metrics, trialValues: nil)
        let now = BaselineEntry(mode: "monte_carlo", trials: 300, seed: 5, targets: [:], metrics: metrics,
                                trialValues: ["eue_mwh": [Double](repeating: 100, count: 300)])
        #expect(throws: BaselineMismatch.self) { try BaselineComparison.compare(scenario: "s", baseline: old, current: now) }
        #expect(try BaselineComparison.compare(scenario: "s", baseline: old, current: now, unpaired: true).isEmpty)
    }
}


@Suite("The Monte Carlo table")
struct MonteCarloTableTests {
    static func estimate(_ name: String, _ unit: String, mean: Double, se: Double, p: (Double, Double, Double), worst: Double,
                         higherIsWorse: Bool = true) -> MetricEstimate {
        MetricEstimate(name: name, unit: unit, description: "", mean: mean, standardError: se, lower95: mean - 1.96 * se,
                       upper95: mean + 1.96 * se, p5: p.0, p50: p.1, p95: p.2, worst5Mean: worst, higherIsWorse: higherIsWorse)
    }

    @Test("Each row is shown in a unit that keeps its significant digits, the estimate to the precision of its error")
    func units() {
        // 9,400 t ± 980 t of fuel: kt, not "0.01 Mt ± 0.00 Mt".
        let fuel = MonteCarloText.Cells(Self.estimate("fuel.gas.lowest_stock", "t", mean: 9400, se: 980, p: (0, 0, 40000), worst: 0, higherIsWorse: false))
        #expect(fuel.unit.name == "kt" && fuel.estimate == "9.40" && fuel.standardError == "0.98" && fuel.p95 == "40.00" && fuel.worst == "0 ↓")
        // 264,686 MWh ± 63,031: GWh, "265 ± 63".
        let eue = MonteCarloText.Cells(Self.estimate("eue", "MWh", mean: 264_686, se: 63_031, p: (2838, 25_515, 1_529_079), worst: 3_584_233))
        #expect(eue.unit.name == "GWh" && eue.estimate == "265" && eue.standardError == "63" && eue.interval == "[141, 388]"
                && eue.p5 == "2.838" && eue.p95 == "1,529" && eue.worst == "3,584 ↑", "\(eue)")
        // A fraction with a tiny error keeps the digits the error resolves.
        let loss = MonteCarloText.Cells(Self.estimate("loss_rate", "fraction", mean: 0.0475902, se: 6.8e-6, p: (0.04741, 0.04758, 0.04774), worst: 0.04777))
        #expect(loss.unit.name == "%" && loss.estimate == "4.7590" && loss.standardError == "0.00068", "\(loss)")
        // Costs: B$ above a billion, M$ below; a zero row stays in the base unit.
        #expect(MonteCarloText.Cells(Self.estimate("total_cost", "USD", mean: 16.57e9, se: 0.19e9, p: (13e9, 16e9, 21e9), worst: 25e9)).unit.name == "B$")
        #expect(MonteCarloText.Cells(Self.estimate("total_cost", "USD", mean: 435.3e6, se: 1.2e6, p: (432e6, 435e6, 440e6), worst: 443e6)).unit.name == "M$")
        #expect(MonteCarloText.Cells(Self.estimate("shed.essential", "MWh", mean: 0, se: 0, p: (0, 0, 0), worst: 0)).unit.name == "MWh")
    }

    @Test("Rows are grouped under headings, fit 100 columns with long names, and --wide has every column")
    func layout() {
        let metrics: [(String, String, Double)] = [
            ("lole", "h", 56.45), ("eue", "MWh", 264_686), ("shed.residential", "MWh", 3578), ("region.A-very-long-region-name-for-a-test.eue", "MWh", 646.2),
            ("total_cost", "USD", 16.57e9), ("fuel.lng.lowest_stock", "t", 9400), ("target.reserve_margin.holds", "probability", 0.5), ("something_new", "h", 3)]
        let estimates = metrics.map { Self.estimate($0.0, $0.1, mean: $0.2, se: 0.21 * $0.2, p: (0.1 * $0.2, $0.2, 3 * $0.2), worst: 5 * $0.2) }
        let text = MonteCarloText.render(estimates: estimates, header: "a study", wide: false)
        for line in text.split(separator: "\n") { #expect(line.count <= 100, "\(line.count): \(line)") }
        for heading in ["Adequacy", "Energy shed by demand class", "By region", "Operations and economics", "Lowest stock of each fuel",
                        "Probability that each target holds", "Other"] {
            #expect(text.contains("\n" + heading), "\(heading) missing:\n\(text)")
        }
        #expect(text.contains("  residential (GWh)") && text.contains("  lng (kt)") && text.contains("  total_cost (B$)") && text.contains("…"), "\(text)")
        let wide = MonteCarloText.render(estimates: estimates, header: "a study", wide: true)
        #expect(wide.contains("region.A-very-long-region-name-for-a-test.eue") && wide.contains("Rel. SE") && wide.contains("Std error"), "\(wide)")
        #expect(wide.split(separator: "\n").contains { $0.count > 100 })
    }
}

@Suite("CSV output")
struct CSVOutputTests {
    func formatted(_ x: Double) -> String {
        var w = CSVWriter(capacity: 32)
        w.fixed3(x)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    func printf(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.3f", x) }

    @Test("The fixed-point formatter writes what printf's %.3f writes, ties and carries included")
    func fixedPoint() {
        var cases: [Double] = [0, -0.0, 1, -1, 0.0005, 0.0015, 0.0025, 1.0005, 2.0625, 0.0625, 0.1875, 999.9995, 9.9995, 0.9995,
                               -0.0004, -0.0005, -0.0006, 1e-300, -1e-300, 123456789.0125, 999_999_999_999_999.9, 1e15, -1e15, 1e300,
                               .infinity, -.infinity, .nan, .ulpOfOne, 4503599627370495.5, 0.1, 0.7, 1234.5675, 1234.5665]
        // Exact halves at the fourth decimal in binary (multiples of 1/16, 1/32, 1/2048 …), and their neighbours.
        for k in 0..<5000 {
            let x = Double(k) / 2048
            cases += [x, x.nextUp, x.nextDown, -x, x + 1e6, (x + 1e6).nextUp]
        }
        // Decimal halves (k + 0.5) / 1000, which binary cannot hold: rounding goes by the stored value.
        for k in 0..<20000 { let x = (Double(k) + 0.5) / 1000; cases += [x, x.nextUp, x.nextDown, x * 1000 + 0.0005] }
        var state: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<200_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u = Double(state >> 11) / Double(1 << 53)
            let magnitude = Double(Int(state & 0xFF) % 19 - 6)
            cases.append((state & 0x100 == 0 ? 1 : -1) * u * pow(10, magnitude))
        }
        var mismatches: [String] = []
        for x in cases where formatted(x) != printf(x) { mismatches.append("\(x): \(formatted(x)) vs \(printf(x))") }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("--out files: hourly rows as the series hold them, with timestamps, and the directory replaced whole")
    func outputFiles() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent("storage-arbitrage.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let files = try OutputWriter.files(plan: run.plan, summary: run.summary, hourly: run.hourly!, targets: [])
        let regions = String(decoding: files.first { $0.0 == "regions.csv" }!.1, as: UTF8.self).split(separator: "\n")
        #expect(regions.count == 1 + run.summary.steps * scenario.regions.count)
        let h = run.hourly!
        for (i, line) in regions.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let t = i / scenario.regions.count, r = i % scenario.regions.count
            #expect(fields.count == 16 && fields[0] == String(t) && fields[2] == scenario.regions[r].name)
            #expect(fields[3] == printf(h.regionDemandMW[r * h.steps + t]) && fields[15] == printf(h.regionPricePerMWh[r * h.steps + t]))
        }
        #expect(regions[1].split(separator: ",")[1].count == 16)   // YYYY-MM-DDTHH:MM
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("r70-out-test-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try OutputWriter.write(directory: dir, files: files)
        try OutputWriter.write(directory: dir, files: files.filter { $0.0 != "storage.csv" })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == files.map(\.0).filter { $0 != "storage.csv" }.sorted())
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/regions.csv")) == Data(files.first { $0.0 == "regions.csv" }!.1))
    }
}

@Suite("daily.csv")
struct DailyOutputTests {
    @Test("daily.csv: a row per day and region and nationally, adding up to the run's unserved energy, hours and days with shortfall")
    func daily() throws {
        let scenario = try ScenarioLoader.load(path: fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/vn-2030-base.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let files = try OutputWriter.files(plan: run.plan, summary: run.summary, hourly: run.hourly!, targets: [])
        let lines = String(decoding: files.first { $0.0 == "daily.csv" }!.1, as: UTF8.self).split(separator: "\n")
        #expect(lines[0] == "day,date,region,unserved_mwh,shortfall_hours,largest_shortfall_mw")
        #expect(lines.count == 1 + 365 * (scenario.regions.count + 1))
        var unserved: [String: Double] = [:], hours: [String: Double] = [:], days: [String: Int] = [:], largest: [String: Double] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            unserved[f[2], default: 0] += Double(f[3])!
            hours[f[2], default: 0] += Double(f[4])!
            if Double(f[3])! > 0 { days[f[2], default: 0] += 1 }
            largest[f[2]] = max(largest[f[2]] ?? 0, Double(f[5])!)
        }
        let n = run.summary.national
        // Three decimals per day: within 0.0005 MWh a day.
        #expect(abs(unserved["national"]! - n.unservedMWh) < 0.2 && hours["national"] == n.shortfallHours && days["national"] == n.shortfallDays)
        #expect(abs(largest["national"]! - n.largestShortfallMW) < 5e-4)
        for r in run.summary.regions {
            #expect(abs(unserved[r.name]! - r.unservedMWh) < 0.2 && hours[r.name] == r.shortfallHours && (days[r.name] ?? 0) == r.shortfallDays)
        }
    }
}
