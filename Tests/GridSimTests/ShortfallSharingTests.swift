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

    @Test("Hand-solved: local matching caps each region, what remains is shared in proportion to demand, whatever the order")
    func handSolved() throws {
        let orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [0, 2, 1]]
        func split(_ regions: [(String, Double, Double)], _ corridors: [(String, String, Double)], order: [Int]) throws -> [String: Double] {
            try Self.unservedMWhPerHour(Self.scenario(order.map { regions[$0] }, order.count == 3 && order[0] == 2 ? corridors.reversed() : corridors))
        }
        for order in orders {
            // A 1,000 MW with 700 MW (short 300 on its own), B 500 MW with 800 MW (300 spare), C 1,000 MW with
            // 900 MW (short 100); lossless A–B and B–C of 1,000 MW. 100 MW must be shed. Counting B's spare,
            // neither A nor C is short (no tier 0); both are short on their own (tier 1): the 100 MW are shared
            // in proportion to demand, 50 MW each (B sends 250 MW to A and 50 to C). B, which covers its own
            // demand, sheds nothing. (The old rule put all 100 MW on A, the region listed first.)
            let even = try split([("A", 1000, 700), ("B", 500, 800), ("C", 1000, 900)], [("A", "B", 1000), ("B", "C", 1000)], order: order)
            #expect(abs(even["A"]! - 50) < 1e-9 && abs(even["C"]! - 50) < 1e-9 && even["B"]! == 0, "\(order): \(even)")
            // C short by only 20 MW, B with 200 MW spare: 120 MW must be shed. Even with all of B's spare A is
            // 100 MW short: its cap, shed first (tier 0). The other 20 MW are shared in proportion to demand
            // between A and C, both short on their own: A 110, C 10.
            let capped = try split([("A", 1000, 700), ("B", 500, 700), ("C", 1000, 980)], [("A", "B", 1000), ("B", "C", 1000)], order: order)
            #expect(abs(capped["A"]! - 110) < 1e-9 && abs(capped["C"]! - 10) < 1e-9 && capped["B"]! == 0, "\(order): \(capped)")
            // A binding corridor: B–C carries at most 30 MW, so C (short 100) can count on 30 MW of B's spare: its
            // first 70 MW are tier 0. The other 30 MW are shared by demand between A and C: C 85, A 15.
            let bound = try split([("A", 1000, 700), ("B", 500, 800), ("C", 1000, 900)], [("B", "C", 30), ("A", "B", 1000)], order: order)
            #expect(abs(bound["A"]! - 15) < 1e-9 && abs(bound["C"]! - 85) < 1e-9 && bound["B"]! == 0, "\(order): \(bound)")
        }
    }

    @Test("Class order comes before local matching, even with close VOLLs; mandatory savings free capacity a neighbour can count on")
    func classesAndSavings() throws {
        // Two classes 0.01 % apart in VOLL, half of each region's demand each. A (1,000 MW, 400 MW of plants) is
        // 600 MW short; B covers its own 1,000 MW exactly. c1 goes first everywhere: A's 500 MW of c1, then
        // 100 MW of B's c1 (B sending 100 MW to A), so that A sheds none of its dearer c2.
        var y = "name: classes\nhorizon: {start_date: 2030-01-07, duration_hours: 1}\ntargets: {min_reserve_margin: 0, max_loss_rate: 1}\n"
        y += "demand_classes:\n  - {name: c1, share: 0.5, voll_usd_per_mwh: 1000, shed_order: 1}\n  - {name: c2, share: 0.5, voll_usd_per_mwh: 1000.1, shed_order: 2}\nregions:\n"
        for (name, firm) in [("A", 400), ("B", 1000)] {
            y += "  - name: \(name)\n    distribution_loss_fraction: 0\n    demand: {peak_mw: 1000}\n"
            y += "    plants:\n      - {name: g\(name), technology: flexible, unit_size_mw: \(firm), marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0}\n"
        }
        y += "corridors:\n  - {name: a-b, from: A, to: B, limit_forward_mw: 1000, limit_backward_mw: 1000, loss_fraction_at_rated: 0}\n"
        let summary = try DeterministicRun.run(ScenarioLoader.load(text: y, file: fixtures.appendingPathComponent("classes.yaml").path)).summary
        let a = summary.regions[0].shedByClassMWh, b = summary.regions[1].shedByClassMWh
        #expect(abs(a["c1"]! - 500) < 1e-9 && abs(a["c2"]!) < 1e-9 && abs(b["c1"]! - 100) < 1e-9 && abs(b["c2"]!) < 1e-9, "A \(a), B \(b)")

        // A chain B–A–C–D of 1,000 MW regions: B covers itself exactly and saves 200 MW (mandatory savings,
        // triggered by its zero reserve), A is 200 MW short, C 300, D has 200 spare. With B's savings A can
        // count on 200 MW from B: it is not short with its neighbours; C can count on D's 200: 100 MW short.
        // 100 MW must be shed, all in C's tier 0. (Counting B's spare before its savings put 50 on A.)
        var m = "name: savings\nhorizon: {start_date: 2030-01-07, duration_hours: 1}\ntargets: {min_reserve_margin: 0, max_loss_rate: 1}\nregions:\n"
        for (name, firm) in [("A", 800), ("B", 1000), ("C", 700), ("D", 1200)] {
            m += "  - name: \(name)\n    distribution_loss_fraction: 0\n    demand: {peak_mw: 1000}\n"
            if name == "B" { m += "    demand_response: {mandatory_savings: {capacity_mw: 200, trigger_reserve_mw: 50}}\n" }
            m += "    plants:\n      - {name: g\(name), technology: flexible, unit_size_mw: \(firm), marginal_cost_usd_per_mwh: 50, forced_outage_rate: 0}\n"
        }
        m += "corridors:\n"
        for (from, to) in [("B", "A"), ("A", "C"), ("C", "D")] {
            m += "  - {name: \(from)-\(to), from: \(from), to: \(to), limit_forward_mw: 1000, limit_backward_mw: 1000, loss_fraction_at_rated: 0}\n"
        }
        let saving = try DeterministicRun.run(ScenarioLoader.load(text: m, file: fixtures.appendingPathComponent("savings.yaml").path)).summary
        let shed = Dictionary(uniqueKeysWithValues: saving.regions.map { ($0.name, $0.unservedMWh) })
        #expect(abs(shed["C"]! - 100) < 1e-9 && shed["A"]! == 0 && shed["B"]! == 0 && shed["D"]! == 0, "\(shed)")
    }
    /// Three areas of 12 units each (the same costs in every area, distinct outage rates), a week of hourly
    /// demand at `scale` × the areas' own peaks, a meshed lossless triangle (one side without a hurdle cost)
    /// and a lossy parallel corridor; regions and plants listed in `order`.
    static func areas(order regionOrder: [Int], reversePlants: Bool, scale: Double) throws -> Scenario {
        let names = ["Area1", "Area2", "Area3"], shapes = ["vn-north", "vn-central", "vn-south"], peaks = [3000.0, 2500.0, 2800.0]
        var y = "name: areas\nhorizon: {start_date: 2030-06-03, duration_hours: 168}\ntargets: {min_reserve_margin: 0, max_loss_rate: 1}\n"
        y += "monte_carlo: {trials: 40, seed: 11}\nregions:\n"
        for a in regionOrder {
            y += "  - name: \(names[a])\n    distribution_loss_fraction: 0\n    demand: {peak_mw: \(peaks[a] * scale), shape: \(shapes[a])}\n    plants:\n"
            var plants: [String] = []
            for u in 0..<12 {
                // Units of the same rank cost the same in every area: the regional split of generation is decided
                // by the corridors' minimum hurdle, not by the order.
                let size = 180.0 + Double((u * 37 + a * 11) % 90), cost = 20.0 + Double(u) * 7.5
                let fo = 0.04 + Double((u + a) % 5) * 0.02
                plants.append("      - {name: u\(a)-\(u), technology: flexible, unit_size_mw: \(size), marginal_cost_usd_per_mwh: \(cost), forced_outage_rate: \(fo), mean_time_to_repair_hours: 30}\n")
            }
            y += (reversePlants ? plants.reversed() : plants).joined()
        }
        y += "corridors:\n"
        y += "  - {name: c12, from: Area1, to: Area2, limit_forward_mw: 500, limit_backward_mw: 500, loss_fraction_at_rated: 0, hurdle_cost_usd_per_mwh: 0}\n"
        y += "  - {name: c23, from: Area2, to: Area3, limit_forward_mw: 400, limit_backward_mw: 400, loss_fraction_at_rated: 0}\n"
        y += "  - {name: c13, from: Area1, to: Area3, limit_forward_mw: 300, limit_backward_mw: 300, loss_fraction_at_rated: 0, hurdle_cost_usd_per_mwh: 0}\n"
        y += "  - {name: c13b, from: Area3, to: Area1, limit_forward_mw: 200, limit_backward_mw: 200, loss_fraction_at_rated: 0.02}\n"
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
