// The `values` storage policy: values of stored energy that depend on the store's state of charge and the
// time, computed once per plan by backward recursion on the expected year and used by every trial.
//
// 1. The expected year is simulated once with every store discharging only to avoid shedding (the
//    `reliability` policy). At each step, a copy of the step's dispatch, with the `values` stores taken
//    out, is solved again with each such region's demand lowered by x for 2J + 1 levels of x from −X to +X
//    (X: the region's `values` storage power): the system's cost per hour as a function of what the region's
//    `values` stores inject, C_t(x), corridors, shedding and every other region included.
// 2. Per store (in each region by name; a store sees its region's curve shifted by what the stores before
//    it inject on the expected year), a backward recursion over G + 1 levels of its usable energy (G = 50, or
//    more for a store that a full-power step would move fewer than 5 levels):
//        V_t(i) = min_j [ C_t(x(i → j)) Δt − C_t(0) Δt + V_{t+1}(j) ],  V_n = 0 (nothing owed at the end,
//    as the perfect-foresight LP),
//    with x = −ΔE/(ηc Δt) charging, −ΔE·ηd/Δt discharging, |x| ≤ the store's power. V_t is the cost to go
//    with i levels in store; its slopes are the marginal values of stored energy at step t and each level;
//    the argmin is the level to end the step at.
// 3. Each step of a trial, a store at level s takes the target level of its table (interpolated between the
//    levels) and offers: down to the target, discharge at the marginal value of the energy just above the
//    target (÷ ηd); up to the target, charge bid at the marginal value just below it (× ηc, at most every
//    plant's cost + 1, so nothing scarce charges a store). What lies beyond the target is held back, and
//    released (at the scarcity offer) only if load is shed in the step.
// On the expected year itself, the recursion is the optimum of one store against the system's cost curve,
// up to the grids; the perfect-foresight LP measures the rest (cross-region interactions between stores,
// the grids). Trials differ from the expected year: a store then keeps energy when prices are below its
// value, and the next step's target comes from its actual level.
import Foundation
import GridDispatch
import GridModel

/// The tables of the `values` stores' values (see the file's header).
public struct StorageValueTables: Sendable {
    /// Levels of usable energy per store: G + 1, with G = 50, or more (up to 255: a level fits a byte) where a
    /// step at full power would charge fewer than 5 levels (long stores, short steps; see `levelsOf`).
    static let defaultLevels = 50, maxLevels = 255
    /// Levels of the regional cost curves per side: J (2J + 1 samples).
    public static let curveSidePoints = 8
    /// Steps of the expected year per task of the probe solves (fixed, so that the tables do not depend on
    /// the number of cores that solve them).
    static let probeChunkSteps = 1_024
    /// The most the tables, the cost curves and the inputs waiting for their probes may take (bytes): 4 GB, a
    /// sixth of this project's machine (an assumption). vn-2030-base (a year of hourly steps, four stores in three
    /// regions) takes 8.8 MB of tables, 7.2 MB of curves and about 3 MB of inputs on 2 cores; ten years at 5-minute
    /// steps, 1.3 GB of tables per store of 255 levels and 0.29 GB of curves per region.
    static let maxMemoryBytes = 4_000_000_000
    /// Per store, its slot in the tables, or −1 (no table: not a `values` store, or no power or energy).
    public let slot: [Int]
    /// Per slot: its G, the MWh between two of its levels, and where its tables start.
    let slots: FixedArray<Slot>
    struct Slot: BitwiseCopyable {
        var levels: Int
        var stepMWh: Double
        var targetBase: Int
        var slopeBase: Int
    }
    /// Time-major rows, per slot and step t: the G + 1 levels to end step t at (by level at its start,
    /// `targets[targetBase + t (G + 1) + i]`), and the G marginal values of stored energy at the end of the
    /// step (US$/MWh stored, −ΔV_{t+1}/ΔE between levels j and j + 1, `slopes[slopeBase + t G + j]`). A step
    /// reads one row of each, right after the previous step's (251 bytes per store and step at G = 50).
    let targets: FixedArray<UInt8>
    let slopes: FixedArray<Float>
    /// Why the tables could not be computed (the expected year failed a step), if they could not.
    public let failure: String?

    static let empty = StorageValueTables(slot: [], slots: [], targets: [], slopes: [], failure: nil)

    init(slot: [Int], slots: [Slot], targets: [UInt8], slopes: [Float], failure: String?) {
        self.init(slot: slot, slots: slots, targets: FixedArray(targets), slopes: FixedArray(slopes), failure: failure)
    }
    init(slot: [Int], slots: [Slot], targets: FixedArray<UInt8>, slopes: FixedArray<Float>, failure: String?) {
        self.slot = slot; self.slots = FixedArray(slots)
        self.targets = targets; self.slopes = slopes; self.failure = failure
    }

    /// Slot q's G.
    public func levels(slot q: Int) -> Int { slots[q].levels }

    /// G for a store whose full-power step charges `chargeMWh` of `usableMWh`: 50, or enough levels for a
    /// full-power step to charge 5 of them, at most 255; nil when even 255 levels leave it less than one (a
    /// store of over ~235 steps' duration: it is dispatched as a `reliability` store).
    static func levelsOf(usableMWh: Double, chargeMWh: Double) -> Int? {
        if chargeMWh * Double(defaultLevels) / usableMWh >= 5 { return defaultLevels }
        let g = Int((5 * usableMWh / chargeMWh).rounded(.up))
        if g <= maxLevels { return g }
        return chargeMWh * Double(maxLevels) / usableMWh >= 1 + 1e-9 ? maxLevels : nil
    }

    /// The offer of slot q's store at step t from level `levelMWh` above its floor: the level to end the step
    /// at (above the floor, MWh), and the marginal value of stored energy just above and just below it
    /// (US$/MWh stored). Between two levels whose targets differ, the energy above the target is valued as
    /// above the lower level's target, the energy below it as below the upper level's. Also the level at or
    /// below the target (0 ..< G), where the next step's rows will be read.
    @inline(__always)
    func offer(slot q: Int, t: Int, aboveFloorMWh: Double) -> (target: Double, valueAbove: Double, valueBelow: Double, targetLevel: Int) {
        let sl = slots[q]
        let G = sl.levels
        let pos = min(Double(G), max(0, aboveFloorMWh / sl.stepMWh))
        let i0 = min(G - 1, Int(pos)), f = pos - Double(i0)
        let row = sl.targetBase + t * (G + 1) + i0
        let a0 = Int(targets[row]), a1 = Int(targets[row + 1])
        let target = (1 - f) * Double(a0) + f * Double(a1)
        let values = sl.slopeBase + t * G
        let above = f < 1 ? a0 : a1, below = f > 0 ? a1 : a0
        return (target * sl.stepMWh, Double(slopes[values + min(G - 1, above)]), Double(slopes[values + max(0, below - 1)]), min(G - 1, Int(target)))
    }

    /// Hints that slot q's rows of step t will be read soon, around level i (0 ..< G).
    @inline(__always)
    func prefetch(slot q: Int, t: Int, level i: Int) {
        let sl = slots[q]
        let G = sl.levels
        targets.prefetch(sl.targetBase + t * (G + 1) + i)
        slopes.prefetch(sl.slopeBase + t * G + i)
    }

    /// Computes the tables for `plan` (empty when it has no `values` store with power and energy).
    static func compute(_ plan: SimulationPlan, maxMemoryBytes: Int = StorageValueTables.maxMemoryBytes) -> StorageValueTables {
        let s = plan.scenario, a = plan.arrays
        let n = s.stepCount, dt = s.stepHours, J = curveSidePoints, W = 2 * J + 1
        func levels(_ k: Int) -> Int? {
            levelsOf(usableMWh: a.storageMaxMWh[k] - a.storageMinMWh[k], chargeMWh: a.storagePowerMW[k] * dt * a.storageChargeEfficiency[k])
        }
        let stores = s.storage.indices.filter { k in
            s.storage[k].policy == .values && a.storagePowerMW[k] > 0 && a.storageMaxMWh[k] - a.storageMinMWh[k] > 1e-9 && levels(k) != nil
        }
        guard !stores.isEmpty else { return .empty }
        // Regions with `values` stores, and their power.
        var regionPowerMW: [Int: Double] = [:]
        for k in stores { regionPowerMW[a.storageRegion[k], default: 0] += a.storagePowerMW[k] }
        let regions = regionPowerMW.keys.sorted()
        var curveIndex = [Int](repeating: -1, count: s.regions.count)
        for (i, r) in regions.enumerated() { curveIndex[r] = i }

        // The memory the tables, the curves and the inputs waiting for their probes take; beyond the limit the
        // `values` stores act as reliability stores (a horizon of many years at short steps: see `maxMemoryBytes`).
        // A batch of whole chunks per core, at most 256 MB of inputs (each chunk is solved alike in any batch).
        let inputBytes = probeChunkSteps * DispatchInput(structure: plan.structure).numberCount * MemoryLayout<Double>.size
        let batch = probeChunkSteps * max(1, min(ProcessInfo.processInfo.activeProcessorCount, 256_000_000 / inputBytes))
        let tableBytes = stores.reduce(0) { sum, k in sum + (5 * levels(k)! + 1) * n }
        let memoryBytes = tableBytes + 2 * regions.count * n * W * MemoryLayout<Double>.size + batch / probeChunkSteps * inputBytes
        if memoryBytes > maxMemoryBytes {
            let gb = { (b: Int) in String(format: "%.1f GB", Double(b) / 1e9) }
            return StorageValueTables(slot: [], slots: [], targets: [], slopes: [], failure:
                "they would take \(gb(memoryBytes)) for \(n) steps (at most \(gb(maxMemoryBytes))); shorten the horizon or lengthen the steps")
        }

        // 1. The expected year, and each step's cost curves: the probe solves, in chunks of `probeChunkSteps`
        //    solved in parallel as the year goes on (each chunk warm-starts a solver of its own from the chunk's
        //    first step; the chunks, and so the curves, do not depend on the number of cores).
        let curveCount = regions.count * n * W
        let curveBuffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * curveCount)
        defer { curveBuffer.deallocate() }
        nonisolated(unsafe) let curve = curveBuffer.baseAddress!, price = curveBuffer.baseAddress! + curveCount
        let sim = Simulator(plan: plan)
        sim.reliabilityStorageOnly = true
        let structure = sim.solver.structure, storesInProbe = stores, powerOfRegion = regionPowerMW
        // The inputs of the steps not yet probed.
        let pending = (0..<min(n, batch)).map { _ in DispatchInput(structure: structure) }
        var batchStart = 0
        func probeBatch(steps count: Int) {
            let first = batchStart, inputs = pending
            DispatchQueue.concurrentPerform(iterations: (count + probeChunkSteps - 1) / probeChunkSteps) { c in
                let probe = DispatchSolver(structure: structure)
                for i in (c * probeChunkSteps)..<min(count, (c + 1) * probeChunkSteps) {
                    let input = inputs[i], t = first + i
                    probe.input.assign(from: input)
                    for k in storesInProbe { probe.input.storageDischargeMaxMW[k] = 0; probe.input.storageChargeMaxMW[k] = 0 }
                    for (ri, r) in regions.enumerated() {
                        let demand = input.demandMW[r], X = powerOfRegion[r]!
                        for j in 0..<W {
                            probe.input.demandMW[r] = demand - X * Double(j - J) / Double(J)
                            var cost = Double.infinity, marginal = 0.0
                            do { try probe.solve(); cost = probe.objectivePerHour; marginal = probe.result.priceAtRegionPerMWh[r] } catch {}
                            curve[(ri * n + t) * W + j] = cost
                            price[(ri * n + t) * W + j] = marginal
                        }
                        probe.input.demandMW[r] = demand
                    }
                }
            }
            batchStart += count
        }
        sim.solvedObserver = { t, input, _ in
            pending[t - batchStart].assign(from: input)
            if t - batchStart + 1 == batch { probeBatch(steps: batch) }
        }
        var failure: String? = nil
        do { try sim.run() } catch { failure = "the expected year with reliability storage failed: \(error)" }
        sim.solvedObserver = nil
        if failure != nil { return StorageValueTables(slot: [], slots: [], targets: [], slopes: [], failure: failure) }
        if batchStart < n { probeBatch(steps: n - batchStart) }

        // 2. The recursion, store by store: in each region by name, on the curve shifted by the earlier stores
        //    (regions in parallel: a region's stores see only its own curve).
        var slot = [Int](repeating: -1, count: s.storage.count)
        let ordered = stores.sorted { (a.storageRegion[$0], s.storage[$0].name) < (a.storageRegion[$1], s.storage[$1].name) }
        var slots: [Slot] = [], targetCount = 0, slopeCount = 0
        for (q, k) in ordered.enumerated() {
            let G = levels(k)!, lo = a.storageMinMWh[k]
            slots.append(Slot(levels: G, stepMWh: (a.storageMaxMWh[k] - lo) / Double(G), targetBase: targetCount, slopeBase: slopeCount))
            slot[k] = q
            targetCount += (G + 1) * n
            slopeCount += G * n
        }
        // Written in place, then handed to the tables (no copy).
        nonisolated(unsafe) let targets = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, targetCount))
        nonisolated(unsafe) let slopeTable = UnsafeMutablePointer<Float>.allocate(capacity: max(1, slopeCount))
        let slotsOfRegion = regions.map { r in ordered.indices.filter { a.storageRegion[ordered[$0]] == r } }
        let storesInOrder = ordered, slotTable = slots
        DispatchQueue.concurrentPerform(iterations: regions.count) { ri in
            var injectedMW = [Double](repeating: 0, count: n)
            for q in slotsOfRegion[ri] {
                let k = storesInOrder[q]
                let G = slotTable[q].levels, step = slotTable[q].stepMWh, targetBase = slotTable[q].targetBase, slopeBase = slotTable[q].slopeBase
                var V = [Double](repeating: 0, count: 2 * (G + 1))   // V_{t+1} and V_t
                let X = powerOfRegion[a.storageRegion[k]]!
                let lo = a.storageMinMWh[k]
                let ec = a.storageChargeEfficiency[k], ed = a.storageDischargeEfficiency[k], P = a.storagePowerMW[k]
                let up = min(G, Int((P * dt * ec / step + 1e-9).rounded(.down)))
                let down = min(G, Int((P * dt / ed / step + 1e-9).rounded(.down)))
                // C_t(x) between two samples: the higher of their tangents (slope −price: lowering demand by dx saves
                // the price), at most the chord. Exact where one price change lies between them; a convex C_t is never
                // above the chord nor below a tangent. (Clamped to the sampled range.)
                func cost(_ t: Int, _ x: Double) -> Double {
                    let pos = min(Double(2 * J), max(0, (x / X + 1) * Double(J)))
                    let j0 = min(2 * J - 1, Int(pos)), f = pos - Double(j0)
                    let b = (ri * n + t) * W + j0
                    let c0 = curve[b], c1 = curve[b + 1]
                    if f == 0 || !c0.isFinite || !c1.isFinite { return f == 0 ? c0 : (1 - f) * c0 + f * c1 }
                    let h = X / Double(J), u = f * h
                    let chord = (1 - f) * c0 + f * c1
                    let tangents = max(c0 - price[b] * u, c1 + price[b + 1] * (h - u))
                    return min(chord, tangents)
                }
                var move = [Double](repeating: 0, count: up + down + 1)
                for t in stride(from: n - 1, through: 0, by: -1) {
                    // Costs relative to staying (or, if the probe failed there, to the cheapest sample); a move whose
                    // cost is not finite is never taken.
                    let y = injectedMW[t]
                    var c0 = cost(t, y)
                    if !c0.isFinite { c0 = (0..<W).map { curve[(ri * n + t) * W + $0] }.filter(\.isFinite).min() ?? 0 }
                    for d in -down...up {
                        let x = d > 0 ? -Double(d) * step / (ec * dt) : -Double(d) * step * ed / dt
                        let m = (cost(t, y + x) - c0) * dt
                        move[d + down] = m.isFinite ? m : .infinity
                    }
                    // The values of the energy held at the end of step t: V_{t+1}'s slopes.
                    for i in 0..<G { slopeTable[slopeBase + t * G + i] = Float(-(V[i + 1] - V[i]) / step) }
                    let to = G + 1
                    move.withUnsafeBufferPointer { m in
                        V.withUnsafeMutableBufferPointer { v in
                            for i in 0...G {
                                // Ties go to the smaller move (no needless cycling): a move is taken only below the
                                // best so far by more than 1e-9 of it, the moves scanned from the largest discharge.
                                var best = m[down] + v[i], arg = i
                                var bar = best - 1e-9 * max(1, abs(best))
                                for d in max(-down, -i)...min(up, G - i) where d != 0 {
                                    let value = m[d + down] + v[i + d]
                                    if value < bar { best = value; arg = i + d; bar = best - 1e-9 * max(1, abs(best)) }
                                }
                                if !best.isFinite { best = v[i]; arg = i }   // no finite move: stay
                                v[to + i] = best
                                targets[targetBase + t * (G + 1) + i] = UInt8(arg)
                            }
                            for i in 0...G { v[i] = v[to + i] }
                        }
                    }
                }
                // The store's injection on the expected year, from its initial level, for the stores after it.
                var level = min(Double(G), max(0, (s.storage[k].initialSOCFraction * s.storage[k].energyMWh - lo) / step))
                for t in 0..<n {
                    let i0 = min(G - 1, Int(level)), f = level - Double(i0)
                    let at = targetBase + t * (G + 1) + i0
                    let target = (1 - f) * Double(targets[at]) + f * Double(targets[at + 1])
                    let delta = (target - level) * step
                    injectedMW[t] += delta > 0 ? -delta / (ec * dt) : -delta * ed / dt
                    level = target
                }
            }
        }
        return StorageValueTables(slot: slot, slots: slots, targets: FixedArray(adopting: targets, count: targetCount),
                                  slopes: FixedArray(adopting: slopeTable, count: slopeCount), failure: nil)
    }
}
