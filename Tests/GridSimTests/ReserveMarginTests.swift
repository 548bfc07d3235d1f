import Foundation
import Testing
import GridModel
@testable import GridSim

@Suite("Regional reserve margins: each MW of firm capacity counted once")
struct ReserveMarginTests {
    /// Regions with flat demand at `peak` and one fully firm plant of `firm` MW each; corridors as
    /// (from, to, limit MW both ways, loss at rated).
    static func plan(_ regions: [(String, Double, Double)], _ corridors: [(String, String, Double, Double)]) throws -> SimulationPlan {
        var y = "name: margins\nhorizon: {start_date: 2030-01-07, duration_hours: 24}\nregions:\n"
        for (name, firm, peak) in regions {
            y += "  - name: \(name)\n    demand: {peak_mw: \(peak)}\n    plants:\n"
            y += "      - {name: firm-\(name), technology: flexible, unit_size_mw: \(firm), marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0, capacity_credit: 1}\n"
        }
        if !corridors.isEmpty { y += "corridors:\n" }
        for (a, b, limit, loss) in corridors {
            y += "  - {name: \(a)-\(b), from: \(a), to: \(b), limit_forward_mw: \(limit), limit_backward_mw: \(limit), loss_fraction_at_rated: \(loss)}\n"
        }
        return SimulationPlan(scenario: try ScenarioLoader.load(text: y, file: fixtures.appendingPathComponent("margins.yaml").path))
    }

    func expectMargins(_ p: SimulationPlan, _ expected: [Double], imports: [Double]? = nil, _ comment: Comment) {
        let m = p.planningReserveMargin
        for (r, e) in expected.enumerated() {
            #expect(abs(m.regions[r] - e) < 1e-7, "\(comment): region \(r) margin \(m.regions[r]) vs \(e)")
        }
        if let imports {
            for (r, e) in imports.enumerated() { #expect(abs(m.firmImportsMW[r] - e) < 1e-4, "\(comment): region \(r) imports \(m.firmImportsMW[r]) vs \(e)") }
        }
    }

    @Test("Three-region chain, hand-solved: the exporter's 200 MW surplus is pooled once")
    func chain() throws {
        // A 1,200 / 1,000, B 900 / 1,000, C 950 / 1,000, lossless 500 MW links A–B–C. Total 3,050 MW over
        // 3,000 MW of peaks: every region reaches 50 / 3,000 = 1.667 %. A sends 183.3 MW, B keeps 116.7 and
        // passes 66.7 to C. (The old rule gave A 20 %, B 10 %, C −5 %: A's surplus counted for A and B.)
        let p = try Self.plan([("A", 1200, 1000), ("B", 900, 1000), ("C", 950, 1000)], [("A", "B", 500, 0), ("B", "C", 500, 0)])
        expectMargins(p, [1.0 / 60, 1.0 / 60, 1.0 / 60], imports: [-550.0 / 3, 350.0 / 3, 200.0 / 3], "chain")
        // A 50 MW link to C binds: C is held at (800 + 50 − 1,000) / 1,000 = −15 %; A and B then share
        // 1,500 + 900 − 50 over 2,000 MW of peaks: 17.5 % each.
        let q = try Self.plan([("A", 1500, 1000), ("B", 900, 1000), ("C", 800, 1000)], [("A", "B", 1000, 0), ("B", "C", 50, 0)])
        expectMargins(q, [0.175, 0.175, -0.15], imports: [-325, 275, 50], "chain with a binding link")
        #expect(abs(q.planningReserveMargin.national - 0.2 / 3) < 1e-12, "the national margin does not use imports")
    }

    @Test("A lossy corridor delivers 90 % of what it carries")
    func lossy() throws {
        // A 1,300 / 1,000 sends x, B 800 / 1,000 receives 0.9 x: (300 − x) = (−200 + 0.9 x) → x = 500 / 1.9.
        let p = try Self.plan([("A", 1300, 1000), ("B", 800, 1000)], [("A", "B", 1000, 0.1)])
        let x = 500 / 1.9
        expectMargins(p, [(300 - x) / 1000, (300 - x) / 1000], imports: [-x, 0.9 * x], "lossy")
    }

    @Test("Meshed triangle, hand-solved, with and without a binding cut")
    func meshed() throws {
        // A 1,600 / 1,000, B 800 / 1,000, C 700 / 1,000; A–B 100 MW, A–C and B–C 1,000 MW. All reach
        // 100 / 3,000 = 3.33 %: A sends 100 to B and 466.7 to C, which passes 133.3 on to B.
        // (The old rule: A 60 %, B −10 %, C +30 %, with 700 MW of imports against A's 600 MW surplus.)
        let p = try Self.plan([("A", 1600, 1000), ("B", 800, 1000), ("C", 700, 1000)],
                              [("A", "B", 100, 0), ("A", "C", 1000, 0), ("B", "C", 1000, 0)])
        expectMargins(p, [1.0 / 30, 1.0 / 30, 1.0 / 30], imports: [-1700.0 / 3, 700.0 / 3, 1000.0 / 3], "meshed")
        // B–C at 50 MW: B can receive at most 150 → −5 %; A and C share 1,600 + 700 − 150 over 2,000: 7.5 %.
        let q = try Self.plan([("A", 1600, 1000), ("B", 800, 1000), ("C", 700, 1000)],
                              [("A", "B", 100, 0), ("A", "C", 1000, 0), ("B", "C", 50, 0)])
        expectMargins(q, [0.075, -0.05, 0.075], imports: [-525, 150, 375], "meshed with a binding cut")
        // Listing the regions and corridors in another order gives the same margins.
        let r = try Self.plan([("C", 700, 1000), ("B", 800, 1000), ("A", 1600, 1000)],
                              [("B", "C", 50, 0), ("A", "C", 1000, 0), ("A", "B", 100, 0)])
        expectMargins(r, [0.075, -0.05, 0.075], "reordered")
    }

    @Test("Shipped scenarios: imports never exceed what exporters can spare, and regions keep their own peaks")
    func shipped() throws {
        for name in ["vn-2030-base", "vn-2030-6region", "vn-2025-reference"] {
            let s = try ScenarioLoader.load(path: packageRoot.appendingPathComponent("scenarios/\(name).yaml").path)
            let p = SimulationPlan(scenario: s)
            let firm = p.firmCapacityMW, peaks = p.peakDemandMW.regions, m = p.planningReserveMargin
            let received = m.firmImportsMW.filter { $0 > 0 }.reduce(0, +)
            let surplus = zip(firm, peaks).map { max(0, $0 - $1) }.reduce(0, +)
            #expect(received <= surplus + 1e-6, "\(name): \(received) MW of imports against \(surplus) MW of surplus")
            // Pooling only moves capacity (less losses): Σ (firm + imports) ≤ Σ firm.
            #expect(zip(firm, m.firmImportsMW).map { $0 + $1 }.reduce(0, +) <= firm.reduce(0, +) + 1e-6, "\(name)")
            for r in firm.indices where firm[r] > peaks[r] { #expect(m.regions[r] >= -1e-9, "\(name): an exporter gave away its own peak") }
            for r in firm.indices where firm[r] <= peaks[r] { #expect(m.firmImportsMW[r] >= -1e-6, "\(name): a region short of its peak exported") }
        }
    }
}

@Suite("Operating reserve: imports count only what neighbours can spare in the hour")
struct OperatingReserveTests {
    static func summary(_ yaml: String) throws -> RunSummary {
        try DeterministicRun.run(try ScenarioLoader.load(text: yaml, file: fixtures.appendingPathComponent("operating.yaml").path)).summary
    }

    static let header = "name: operating\nhorizon: {start_date: 2030-01-07, duration_hours: 24}\nregions:\n"
    static func region(_ name: String, peak: Double, firm: Double?) -> String {
        var y = "  - name: \(name)\n    demand: {peak_mw: \(peak)}\n"
        if let firm { y += "    plants:\n      - {name: firm-\(name), technology: flexible, unit_size_mw: \(firm), marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0}\n" }
        return y
    }

    @Test("Hand-solved chain A–B–C: a neighbour without plants lends nothing, and a neighbour lends only its surplus")
    func chain() throws {
        // A 1,200 MW / 1,000 MW, B no plants / 500 MW, C 300 MW / 1,000 MW (flat demand); 1,000 MW lossless
        // corridors A–B and B–C. A: (1,200 + min(1,000, B's spare 0) − 1,000) / 1,000 = 20 %; B: (0 + A's
        // spare 200 + C's 0 − 500) / 500 = −60 %; C: (300 + 0 − 1,000) / 1,000 = −70 %. (Counting corridor
        // limits whatever the neighbours have gave A 120 %, B 300 % and C 30 %.)
        let corridors = "corridors:\n  - {name: a-b, from: A, to: B, limit_forward_mw: 1000, limit_backward_mw: 1000, loss_fraction_at_rated: 0}\n"
            + "  - {name: b-c, from: B, to: C, limit_forward_mw: 1000, limit_backward_mw: 1000, loss_fraction_at_rated: 0}\n"
        let s = try Self.summary(Self.header + Self.region("A", peak: 1000, firm: 1200) + Self.region("B", peak: 500, firm: nil)
                                 + Self.region("C", peak: 1000, firm: 300) + corridors)
        let margins = s.regions.map(\.minOperatingReserveMargin)
        for (got, expected) in zip(margins, [0.2, -0.6, -0.7]) { #expect(abs(got - expected) < 1e-9, "\(margins)") }
        // A 10 %-lossy, 100 MW link from A to B: B counts min(100, 200) × 0.9 = 90 MW: (90 − 500) / 500 = −82 %.
        let lossy = "corridors:\n  - {name: a-b, from: A, to: B, limit_forward_mw: 100, limit_backward_mw: 100, loss_fraction_at_rated: 0.1}\n"
        let t = try Self.summary(Self.header + Self.region("A", peak: 1000, firm: 1200) + Self.region("B", peak: 500, firm: nil) + lossy)
        #expect(abs(t.regions[1].minOperatingReserveMargin - (-0.82)) < 1e-9, "\(t.regions[1].minOperatingReserveMargin)")
        // No plants anywhere: no region imports anything, every margin is −100 %.
        let none = try Self.summary(Self.header + Self.region("A", peak: 1000, firm: nil) + Self.region("B", peak: 500, firm: nil)
                                    + Self.region("C", peak: 1000, firm: nil) + corridors)
        for r in none.regions { #expect(abs(r.minOperatingReserveMargin + 1) < 1e-12, "\(r.name): \(r.minOperatingReserveMargin)") }
    }
}
