import Foundation
import Testing
import GridModel
import GridSim
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

