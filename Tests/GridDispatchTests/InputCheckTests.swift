// The dispatch solver rejects inputs it cannot solve (negative or non-finite bounds, a minimum above the
// maximum, a non-finite cost or corridor limit) with `invalidInput`, whichever plant or corridor holds
// them, and a good step after a rejected one still solves.
import Foundation
import Testing
@testable import GridDispatch

@Suite("Dispatch input checks")
struct InputCheckTests {
    /// Two regions, three plants, one corridor with two loss segments each way, one shed block per region.
    static func solver() -> DispatchSolver {
        let segments = [LossSegment(widthFraction: 0.5, lossFraction: 0.01), LossSegment(widthFraction: 0.5, lossFraction: 0.03)]
        let s = DispatchStructure(regionCount: 2, plantRegion: [0, 0, 1], plantFuel: [-1, -1, -1], plantFuelTonnesPerMWh: [0, 0, 0],
                                  corridors: [DispatchCorridor(fromRegion: 0, toRegion: 1, forwardSegments: segments,
                                                               backwardSegments: segments, hurdleCostPerMWh: 0)],
                                  storageRegion: [], shedRegion: [0, 1], responseRegion: [], fuelCount: 0, stepHours: 1)
        let solver = DispatchSolver(structure: s)
        let input = solver.input
        input.demandMW[0] = 300; input.demandMW[1] = 200
        for (p, (hi, cost)) in [(250.0, 20.0), (200, 40), (100, 60)].enumerated() {
            input.plantMinMW[p] = 0; input.plantMaxMW[p] = hi; input.plantCostPerMWh[p] = cost
        }
        input.corridorForwardMW[0] = 150; input.corridorBackwardMW[0] = 150
        for b in 0..<2 { input.shedMaxMW[b] = input.demandMW[b]; input.shedCostPerMWh[b] = 10_000 }
        return solver
    }

    @Test("A good step solves: the cheap plant in region 0 runs full and exports")
    func goodStep() throws {
        let solver = Self.solver()
        try solver.solve()
        #expect(solver.result.plantMW[0] == 250)
        #expect(solver.result.shedTotalMW == 0)
    }

    @Test("Bad plant numbers are rejected, in any plant", arguments: [
        (0, "min", -1.0), (1, "min", 250.0), (2, "max", Double.infinity), (1, "max", .nan),
        (0, "cost", .nan), (2, "cost", -.infinity), (2, "min", .nan),
    ])
    func badPlant(plant: Int, field: String, value: Double) throws {
        let solver = Self.solver()
        let input = solver.input
        switch field {
        case "min": input.plantMinMW[plant] = value
        case "max": input.plantMaxMW[plant] = value
        default: input.plantCostPerMWh[plant] = value
        }
        #expect(throws: DispatchError.self) { try solver.solve() }
        do { try solver.solve(); Issue.record("accepted") } catch {
            guard case .invalidInput(let what) = error else { Issue.record("\(error)"); return }
            #expect(what.hasPrefix("plant \(plant):"))
        }
        // Mended, the step solves again.
        let good = Self.solver().input
        input.plantMinMW[plant] = good.plantMinMW[plant]; input.plantMaxMW[plant] = good.plantMaxMW[plant]
        input.plantCostPerMWh[plant] = good.plantCostPerMWh[plant]
        try solver.solve()
        #expect(solver.result.plantMW[0] == 250)
    }

    @Test("A step rejected after a good one leaves nothing stale: the mended step gives a fresh solver's answer")
    func rejectedAfterGood() throws {
        let solver = Self.solver()
        try solver.solve()
        // A valid change, read before the bad plant after it is found.
        solver.input.plantMaxMW[0] = 120
        solver.input.plantCostPerMWh[2] = .nan
        #expect(throws: DispatchError.self) { try solver.solve() }
        solver.input.plantCostPerMWh[2] = 60
        try solver.solve()
        let fresh = Self.solver()
        fresh.input.plantMaxMW[0] = 120
        try fresh.solve()
        for p in 0..<3 { #expect(abs(solver.result.plantMW[p] - fresh.result.plantMW[p]) <= 1e-9, "plant \(p)") }
        #expect(abs(solver.objectivePerHour - fresh.objectivePerHour) <= 1e-9)
        #expect(solver.result.plantMW[0] <= 120)
    }

    @Test("Bad corridor limits are rejected", arguments: [-5.0, .infinity, .nan])
    func badCorridor(limit: Double) throws {
        for forward in [true, false] {
            let solver = Self.solver()
            if forward { solver.input.corridorForwardMW[0] = limit } else { solver.input.corridorBackwardMW[0] = limit }
            do { try solver.solve(); Issue.record("accepted corridor limit \(limit)") } catch {
                guard case .invalidInput(let what) = error else { Issue.record("\(error)"); continue }
                #expect(what.hasPrefix("corridor 0"))
            }
        }
    }
}

@Suite("Public API")
struct PublicAPITests {
    @Test("GridDispatch and GridSim expose no raw buffers in their public API")
    func noRawBuffers() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var offenders: [String] = []
        for module in ["GridDispatch", "GridSim"] {
            let dir = sources.appendingPathComponent(module)
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains("public") && !line.contains("@usableFromInline") && line.contains("Unsafe") {
                    offenders.append("\(module)/\(file):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "public declarations with raw buffers:\n\(offenders.joined(separator: "\n"))")
    }
}
