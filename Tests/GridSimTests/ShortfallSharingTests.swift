import Foundation
import Testing
import GridModel
@testable import GridSim
import GridStudy

@Suite("Where a shortfall falls: local matching, then equal shares of class demand, whatever the order")
struct ShortfallSharingTests {
    /// Flat demand for 3 hours; regions as (name, demand MW, firm MW); lossless corridors as (from, to, limit MW).
    static func scenario(_ regions: [(String, Double, Double)], _ corridors: [(String, String, Double)], hurdle: Double = 0) throws -> Scenario {
        var y = "name: sharing\nhorizon: {start_date: 2030-01-07, duration_hours: 3}\ntargets: {min_reserve_margin: 0, max_loss_rate: 1}\nregions:\n"
        for (name, demand, firm) in regions {
            y += "  - name: \(name)\n    distribution_loss_fraction: 0\n    demand: {peak_mw: \(demand)}\n    plants:\n"
            y += "      - {name: gas-\(name), technology: flexible, unit_size_mw: \(firm), marginal_cost_usd_per_mwh: 60, forced_outage_rate: 0}\n"
        }
        y += "corridors:\n"
        for (a, b, limit) in corridors {
            y += "  - {name: \(a)-\(b), from: \(a), to: \(b), limit_forward_mw: \(limit), limit_backward_mw: \(limit), loss_fraction_at_rated: 0, hurdle_cost_usd_per_mwh: \(hurdle)}\n"
        }
        return try ScenarioLoader.load(text: y, file: fixtures.appendingPathComponent("sharing.yaml").path)
    }

    static func unservedMWhPerHour(_ s: Scenario) throws -> [String: Double] {
        let run = try DeterministicRun.run(s)
        return Dictionary(uniqueKeysWithValues: run.summary.regions.map { ($0.name, $0.unservedMWh / 3) })
    }

    @Test("Hand-solved: two short regions share what remains equally; a region that covers its own demand sheds nothing")
    func handSolved() throws {
        // A 1,000 MW with 700 MW (short 300 on its own), B 500 MW with 800 MW (300 spare), C 1,000 MW with
        // 900 MW (short 100); lossless A–B and B–C of 1,000 MW. 100 MW must be shed. Counting B's spare, neither
        // A nor C is short (tier 0 is empty); both are short on their own (tier 1): the 100 MW are shared at
        // equal shares of demand, 50 MW each (B sends 250 MW to A and 50 to C). B, which covers its own
        // demand, sheds nothing. (The old rule put all 100 MW on A, the region listed first.)
        let split = try Self.unservedMWhPerHour(Self.scenario([("A", 1000, 700), ("B", 500, 800), ("C", 1000, 900)], [("A", "B", 1000), ("B", "C", 1000)]))
        #expect(abs(split["A"]! - 50) < 1e-6 && abs(split["C"]! - 50) < 1e-6 && abs(split["B"]!) < 1e-9, "\(split)")
        // C short by only 20 MW, B with 200 MW spare: 120 MW must be shed. A cannot be covered even with all of
        // B's spare: its first 100 MW are tier 0 and shed first. The other 20 MW fall in tier 1 of A and C;
        // A already sheds 10 % of its demand, so C's 20 MW (2 %) go first: A 100 MW, C 20 MW.
        let capped = try Self.unservedMWhPerHour(Self.scenario([("A", 1000, 700), ("B", 500, 700), ("C", 1000, 980)], [("A", "B", 1000), ("B", "C", 1000)]))
        #expect(abs(capped["A"]! - 100) < 1e-6 && abs(capped["C"]! - 20) < 1e-6 && abs(capped["B"]!) < 1e-9, "\(capped)")
        // A binding corridor: B–C carries at most 30 MW, so C (short 100) can count on 30 of B's spare: its
        // first 70 MW are tier 0 and shed first. The other 30 MW fall in tier 1 of A and C; A sheds 3 % of its
        // demand against C's 7 %, so A takes them: C 70, A 30. Listed in any order, the same.
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let regions = [("A", 1000.0, 700.0), ("B", 500.0, 800.0), ("C", 1000.0, 900.0)]
            let bound = try Self.unservedMWhPerHour(Self.scenario(order.map { regions[$0] }, [("B", "C", 30), ("A", "B", 1000)]))
            #expect(abs(bound["A"]! - 30) < 1e-6 && abs(bound["C"]! - 70) < 1e-6 && abs(bound["B"]!) < 1e-9, "\(order): \(bound)")
        }
    }

    /// Three areas of 12 units each (distinct costs and outage rates), a week of hourly demand at `scale` ×
    /// the areas' own peaks, two lossless corridors and one lossy one; regions and plants listed in `order`.
    static func areas(order regionOrder: [Int], reversePlants: Bool, scale: Double) throws -> Scenario {
        let names = ["Area1", "Area2", "Area3"], shapes = ["vn-north", "vn-central", "vn-south"], peaks = [3000.0, 2500.0, 2800.0]
        var y = "name: areas\nhorizon: {start_date: 2030-06-03, duration_hours: 168}\ntargets: {min_reserve_margin: 0, max_loss_rate: 1}\n"
        y += "monte_carlo: {trials: 40, seed: 11}\nregions:\n"
        for a in regionOrder {
            y += "  - name: \(names[a])\n    distribution_loss_fraction: 0\n    demand: {peak_mw: \(peaks[a] * scale), shape: \(shapes[a])}\n    plants:\n"
            var plants: [String] = []
            for u in 0..<12 {
                let size = 180.0 + Double((u * 37 + a * 11) % 90), cost = 20.0 + Double(u) * 7.5 + Double(a) * 1.25
                let fo = 0.04 + Double((u + a) % 5) * 0.02
                plants.append("      - {name: u\(a)-\(u), technology: flexible, unit_size_mw: \(size), marginal_cost_usd_per_mwh: \(cost), forced_outage_rate: \(fo), mean_time_to_repair_hours: 30}\n")
            }
            y += (reversePlants ? plants.reversed() : plants).joined()
        }
        y += "corridors:\n"
        y += "  - {name: c12, from: Area1, to: Area2, limit_forward_mw: 500, limit_backward_mw: 500, loss_fraction_at_rated: 0}\n"
        y += "  - {name: c23, from: Area2, to: Area3, limit_forward_mw: 400, limit_backward_mw: 400, loss_fraction_at_rated: 0}\n"
        y += "  - {name: c13, from: Area1, to: Area3, limit_forward_mw: 300, limit_backward_mw: 300, loss_fraction_at_rated: 0.02}\n"
        return try ScenarioLoader.load(text: y, file: fixtures.appendingPathComponent("areas.yaml").path)
    }

    @Test("Listing regions and plants in another order leaves every regional result unchanged, deterministic and Monte Carlo")
    func permutation() throws {
        func regional(_ s: Scenario) throws -> [String: [Double]] {
            let summary = try DeterministicRun.run(s).summary
            return Dictionary(uniqueKeysWithValues: summary.regions.map { r in
                (r.name, [r.unservedMWh, r.shortfallHours, r.servedMWh, r.generationMWh, r.importsReceivedMWh, r.exportsSentMWh,
                          r.generationCostUSD, r.unservedCostUSD, r.averagePriceUSDPerMWh, r.minOperatingReserveMargin] + r.shedByClassMWh.keys.sorted().map { r.shedByClassMWh[$0]! })
            })
        }
        func close(_ a: [String: [Double]], _ b: [String: [Double]], _ tolerance: Double) -> Bool {
            a.keys == b.keys && a.keys.allSatisfy { k in zip(a[k]!, b[k]!).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0), abs($1)) } }
        }
        let base = try regional(Self.areas(order: [0, 1, 2], reversePlants: false, scale: 1.12))
        #expect(base.values.filter { $0[0] > 0 }.count >= 2, "at least two areas shed: \(base)")
        for (order, reverse) in [([2, 1, 0], false), ([1, 2, 0], true), ([0, 2, 1], true)] {
            let other = try regional(Self.areas(order: order, reversePlants: reverse, scale: 1.12))
            #expect(close(base, other, 1e-9), "\(order) reversed plants \(reverse):\n\(base)\n\(other)")
        }
        // The Monte Carlo: each device draws from its own stream, keyed by its name, so the trials are the same
        // draws in any order; the regional LOLE and EUE agree within the accumulators' resolution.
        func study(_ s: Scenario) throws -> [String: Double] {
            let plan = SimulationPlan(scenario: s)
            let result = try MonteCarlo.run(plan: plan, options: MonteCarloOptions(trials: 40, seed: 11, threads: 2))
            return Dictionary(uniqueKeysWithValues: result.estimates.filter { $0.name.hasPrefix("region.") || $0.name.hasPrefix("shed.") }.map { ($0.name, $0.mean) })
        }
        let mc = try study(Self.areas(order: [0, 1, 2], reversePlants: false, scale: 1.05))
        #expect((mc["region.Area2.eue"] ?? 0) > 0 && (mc["region.Area3.eue"] ?? 0) > 0, "\(mc)")
        let permuted = try study(Self.areas(order: [2, 0, 1], reversePlants: true, scale: 1.05))
        for (name, value) in mc { #expect(abs(value - permuted[name]!) <= 1e-6 * max(1, abs(value)), "\(name): \(value) vs \(permuted[name]!)") }
    }
}
