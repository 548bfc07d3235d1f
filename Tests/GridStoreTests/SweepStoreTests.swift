import Foundation
import Testing
import GridModel
import GridStudy
@testable import GridStore

@Suite("Sweeps: designs and their SQLite store")
struct SweepStoreTests {
    @Test("A grid is every combination, last axis fastest; a Latin hypercube uses each stratum of each axis once, the same for the same seed")
    func designs() throws {
        let a = try SweepAxis.parse("storage[b].power_mw=0:3000:1000").get(), b = try SweepAxis.parse("corridors[c].limit_forward_mw=5,6").get()
        #expect(a.values == ["0", "1000", "2000", "3000"])
        #expect(try SweepAxis.parse("x.y=0.1:0.3:0.1").get().values == ["0.1", "0.2", "0.3"])
        let grid = try SweepDesign.make(axes: [a, b], lhs: nil, seed: 1).get()
        #expect(grid.points.count == 8 && grid.points[0] == ["0", "5"] && grid.points[1] == ["0", "6"] && grid.points[7] == ["3000", "6"])
        let r1 = try SweepAxis.parse("a.b=0:10").get(), r2 = try SweepAxis.parse("c.d=100:200").get()
        let lhs = try SweepDesign.make(axes: [r1, r2], lhs: 20, seed: 5).get()
        #expect(lhs.points.count == 20)
        for (j, (lo, hi)) in [(0.0, 10.0), (100.0, 200.0)].enumerated() {
            let strata = Set(lhs.points.map { Int((Double($0[j])! - lo) / (hi - lo) * 20) })
            #expect(strata == Set(0..<20), "axis \(j): one point per stratum")
        }
        #expect(try SweepDesign.make(axes: [r1, r2], lhs: 20, seed: 5).get() == lhs)
        #expect(try SweepDesign.make(axes: [r1, r2], lhs: 20, seed: 6).get() != lhs)
        // Mistakes are refused with what was expected.
        if case .success = SweepAxis.parse("a.b=3:1:1") { Issue.record("a backwards range") }
        if case .success = SweepAxis.parse("a.b=1:3:0") { Issue.record("a zero step") }
        if case .success = SweepDesign.make(axes: [r1], lhs: nil, seed: 1) { Issue.record("a range without --lhs") }
        if case .success = SweepDesign.make(axes: [a, a], lhs: nil, seed: 1) { Issue.record("an axis twice") }
    }

    @Test("A study resumes: points are recorded whole, once; a changed design is another study")
    func store() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("r70-sweep-\(getpid()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let design = try SweepDesign.make(axes: [try SweepAxis.parse("a.b=1,2,3").get()], lhs: nil, seed: 1).get()
        let key = SweepStudyKey(scenario: "s", fingerprint: "f", seed: 1, trials: 10, design: design)
        let store = try SweepStore(path: path)
        let study = try store.study(key, command: "r70 sweep")
        let metrics = [SweepMetric(metric: "eue", region: "", unit: "MWh", mean: 5, standardError: 1),
                       SweepMetric(metric: "eue", region: "North", unit: "MWh", mean: 4, standardError: .nan)]
        try store.record(study: study, point: 0, design: design, metrics: metrics, seconds: 0.1)
        try store.record(study: study, point: 2, design: design, metrics: metrics, seconds: 0.1)
        #expect(throws: (any Error).self) { try store.record(study: study, point: 2, design: design, metrics: metrics, seconds: 0.1) }
        let reopened = try SweepStore(path: path)
        #expect(try reopened.study(key, command: "r70 sweep") == study)
        #expect(try reopened.finishedPoints(study: study) == [0, 2])
        let rows = try reopened.rows(study: study)
        #expect(rows.count == 4 && rows.map(\.pointIndex) == [0, 0, 2, 2] && rows[2].parameters == ["3"] && rows[1].metric.standardError == nil)
        var other = key
        other.seed = 2
        #expect(try reopened.study(other, command: "r70 sweep") != study)
    }
}
