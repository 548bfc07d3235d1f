import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import _TestSupport
import GridModel
import GridSim
import GridStudy
@testable import GridReport

let scenarioLibrary = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios")

@Suite("Dashboard")
struct DashboardTests {
    /// Each `<svg …>…</svg>` of a page, as text.
    func svgs(_ html: String) -> [Substring] {
        var out: [Substring] = [], rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest[start.lowerBound...].range(of: "</svg>") {
            out.append(rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        return out
    }

    @Test("The charts' data follow from the hourly series: the peak week holds the peak, supply layers add up, duration curves run from the highest to the lowest value, the heat map's hours are the run's")
    func chartData() throws {
        let scenario = try ScenarioLoader.load(path: scenarioLibrary.appendingPathComponent("vn-2030-base.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let h = run.hourly!, H = h.steps
        let charts = RunCharts(plan: run.plan, summary: run.summary, hourly: h, targets: [])
        for (r, week) in charts.peakWeeks.enumerated() {
            #expect(week.demandMW.count == 168)
            let peak = (0..<H).max { h.regionDemandMW[r * H + $0] < h.regionDemandMW[r * H + $1] }!
            #expect((week.firstStep..<(week.firstStep + 168)).contains(peak))
            #expect(week.peakDemandMW == h.regionDemandMW[r * H + peak])
            for i in 0..<168 {
                let t = week.firstStep + i, k = r * H + t
                let supplied = week.supply.reduce(0) { $0 + $1.values[i] }
                let expected = h.regionGenerationMW[k] + h.regionDischargeMW[k] + h.regionReceivedMW[k] + h.regionResponseMW[k] + h.regionMandatoryMW[k] + h.regionShedMW[k]
                // Layers under 0.5 MW over the whole week are left out.
                #expect(abs(supplied - expected) < 0.5 * Double(Technology.allCases.count + 4))
            }
            let demand = charts.netLoadDuration.first { $0.name == scenario.regions[r].name + " demand" }!.values
            let series = (0..<H).map { h.regionDemandMW[r * H + $0] }
            #expect(demand.first == series.max() && demand.last == series.min())
            #expect(zip(demand, demand.dropFirst()).allSatisfy { $0 >= $1 })
        }
        let heatHours = charts.shortfallHoursByMonthHour.flatMap { $0 }.reduce(0, +)
        #expect(abs(heatHours - run.summary.national.shortfallHours) < 1e-9)
        #expect(charts.storage.allSatisfy { s in zip(s.dailyMinimum, s.dailyMaximum).allSatisfy { $0 <= $1 && $0 >= -1e-9 && $1 <= 1 + 1e-9 } })
        // TOU: the average day after the response has the same energy as before (TOU shifts, it does not save).
        let before = charts.averageDayBeforeTOUMW.reduce(0, +), after = charts.averageDayAfterTOUMW.reduce(0, +)
        #expect(abs(before - after) < 1e-6 * before)
    }

    @Test("The Monte Carlo's loss-of-load heat map adds up to its LOLE and merges exactly across shards")
    func studyHeatMap() throws {
        let scenario = try ScenarioLoader.load(path: scenarioLibrary.appendingPathComponent("vn-2030-base.yaml").path)
        let plan = SimulationPlan(scenario: scenario)
        let whole = try MonteCarlo.run(plan: plan, options: MonteCarloOptions(trials: 12, seed: 5, threads: 2))
        let map = try #require(whole.loleByMonthHour)
        #expect(abs(map.flatMap { $0 }.reduce(0, +) - whole.estimate("lole")!.mean) < 1e-9)
        var merged: MonteCarloResult?
        for i in 0..<3 {
            var o = MonteCarloOptions(trials: 12, seed: 5, threads: 1)
            o.shard = (index: i, count: 3)
            let part = try MonteCarlo.run(plan: plan, options: o)
            if merged == nil { merged = part } else { merged!.merge(part) }
        }
        #expect(merged!.shortfallStepsByMonthHour == whole.shortfallStepsByMonthHour)
        #expect(whole.shortfallStepsByMonthHour!.reduce(0, +) > 0)
    }

    @Test("The HTML of vn-2030-base (run and 20 trials) has every section, well-formed SVG, nothing from the network, and is under 2 MB; dashboard.json draws the same page")
    func html() throws {
        let scenario = try ScenarioLoader.load(path: scenarioLibrary.appendingPathComponent("vn-2030-base.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let study = try Study.run(run, options: MonteCarloOptions(trials: 20, seed: 1, threads: 2))
        let charts = RunCharts(plan: run.plan, summary: run.summary, hourly: run.hourly!, targets: study.targets)
        for dashboard in [Dashboard(scenario: scenario.name, run: charts),
                          Dashboard(scenario: scenario.name, run: charts, study: study.result, studyTargets: study.targets)] {
            let page = HTMLReport.render(dashboard)
            #expect(page.utf8.count < 2 * 1024 * 1024)
            for id in ["targets", "network", "dispatch", "duration", "storage", "fuels", "shortfall", "tou"] {
                #expect(page.contains("<section id=\"\(id)\">"), "section \(id)")
            }
            for forbidden in ["http:", "https:", "src=", "<script", "url(", "@import", "<link"] {
                #expect(!page.contains(forbidden), "\(forbidden)")
            }
            let charts = svgs(page)
            #expect(charts.count >= 12)
            for svg in charts {
                #expect(ElementCounter.count(Data(svg.utf8)) != nil, "malformed: \(svg.prefix(120))")
                #expect(svg.contains("class=\"mark\""))
            }
            let again = try Dashboard.decode(Data(try dashboard.encoded()))
            #expect(HTMLReport.render(again) == page)
        }
        let withStudy = HTMLReport.render(Dashboard(scenario: scenario.name, run: charts, study: study.result, studyTargets: study.targets))
        #expect(withStudy.contains("id=\"eue-distribution\"") && withStudy.contains("95 % interval"))
    }

    @Test("A sweep's dashboard: a chart per metric and numeric axis, and a heat map over a two-axis grid")
    func sweep() throws {
        let design = try SweepDesign.make(axes: [try SweepAxis.parse("a=0,1").get(), try SweepAxis.parse("b=10,20,30").get()], lhs: nil, seed: 0).get()
        #expect(design.points == [["0", "10"], ["0", "20"], ["0", "30"], ["1", "10"], ["1", "20"], ["1", "30"]])
        let rows = design.points.indices.flatMap { p in
            [SweepRow(pointIndex: p, parameters: design.points[p], metric: SweepMetric(metric: "eue", region: "", unit: "MWh", mean: Double(p) * 10, standardError: 1)),
             SweepRow(pointIndex: p, parameters: design.points[p], metric: SweepMetric(metric: "eue", region: "North", unit: "MWh", mean: 1, standardError: 1))]
        }
        let charts = SweepCharts(study: 1, trials: 10, design: design, rows: rows)
        #expect(charts.metrics.count == 1 && charts.metrics[0].mean == [0, 10, 20, 30, 40, 50])
        let page = HTMLReport.render(Dashboard(scenario: "s", sweep: charts))
        #expect(page.contains("id=\"sweep-0-0\"") && page.contains("id=\"sweep-0-1\"") && page.contains("id=\"sweep-heat-0\""))
        // The trend in b: the mean over a at b = 10 is (0 + 30) / 2, at b = 30 it is (20 + 50) / 2.
        #expect(page.contains("eue rises from 15.0 to 35.0 MWh as b goes from 10.0 to 30.0"))
        // A Latin hypercube varies every axis at every point: its points are drawn alone, with no trend claimed.
        let lhs = try SweepDesign.make(axes: [try SweepAxis.parse("a=0:1").get(), try SweepAxis.parse("b=10:30").get()], lhs: 5, seed: 3).get()
        let lhsRows = lhs.points.indices.map { SweepRow(pointIndex: $0, parameters: lhs.points[$0], metric: SweepMetric(metric: "eue", region: "", unit: "MWh", mean: Double($0))) }
        let lhsPage = HTMLReport.render(Dashboard(scenario: "s", sweep: SweepCharts(study: 1, trials: 0, design: lhs, rows: lhsRows)))
        #expect(lhsPage.contains("over 5 points of a Latin hypercube") && !lhsPage.contains(" rises ") && !lhsPage.contains(" falls "))
        #expect(!lhsPage.contains("sweep-heat"))
    }

    @Test("A horizon shorter than a year is not called a year, and its hydro chart shows only the months it covers whole")
    func shortHorizon() throws {
        let scenario = try ScenarioLoader.load(path: scenarioLibrary.appendingPathComponent("vn-2023-north-shortage.yaml").path)
        let run = try DeterministicRun.run(scenario, recordHourly: true)
        let charts = RunCharts(plan: run.plan, summary: run.summary, hourly: run.hourly!, targets: [])
        #expect(run.summary.hours < 8760)
        let page = HTMLReport.render(Dashboard(scenario: scenario.name, run: charts))
        #expect(!page.contains("a year") && !page.contains("of the year") && page.contains("days simulated"))
        #expect(HTMLReport.wholeMonths(charts).allSatisfy { (0..<12).contains($0) } && HTMLReport.wholeMonths(charts).count < 12)
    }

    @Test("Small scenarios draw without a crash, whatever they lack (storage, corridors, fuels)")
    func smallScenarios() throws {
        for name in ["two-region-lossy.yaml", "coal-runs-out.yaml", "single-region-week.yaml", "tou-shift.yaml", "storage-arbitrage.yaml"] {
            let scenario = try ScenarioLoader.load(path: fixtures.appendingPathComponent(name).path)
            let run = try DeterministicRun.run(scenario, recordHourly: true)
            let page = HTMLReport.render(Dashboard(scenario: scenario.name, run: RunCharts(plan: run.plan, summary: run.summary, hourly: run.hourly!, targets: [])))
            for svg in svgs(page) { #expect(ElementCounter.count(Data(svg.utf8)) != nil, "\(name): \(svg.prefix(100))") }
        }
    }
}

