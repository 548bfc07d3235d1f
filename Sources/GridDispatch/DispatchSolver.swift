// One step's economic dispatch of all regions together, solved exactly.
//
// The LP (MW for power, tonnes for fuel, costs per MWh or per tonne):
//
//   minimise   Σ plant cost·g + Σ hurdle·(1 + loss)·flow + Σ storage costs + Σ shed cost·shed
//              + Σ response cost·response + Σ excess cost·excess + Σ reserve-fuel cost·draw / Δt
//   (all in cost per hour)
//   subject to, for each region r (balance; its dual is the region's marginal price):
//     Σ g(r) + Σ (1 − loss)·flow into r − Σ flow out of r + discharge − charge
//       + Σ shed(r) + Σ response(r) − excess(r) = demand(r)
//   and for each fuel f (stock; Δt = step hours):
//     Σ tonnesPerMWh·Δt·g(f) + slack(f) − draw(f) = available(f)
//   with every variable between finite bounds. `excess` is over-generation that must-run output
//   forces; `draw` takes fuel from a strategic reserve at a premium cost.
//
// Load-shedding blocks of a region all have the same column (one MW in the region's balance) and costs
// that rise with the sharing rule, so the LP holds one shed column per region: the region's cheapest
// block not yet full. Cheaper blocks are full (their MW leave the right-hand side), dearer ones empty.
// After a solve, the blocks' reduced costs (cost − the region's price) are checked; when the next block
// is cheaper than the price, or a full one dearer, the column moves to it and the LP is solved again from
// its basis. The answer is the optimum of the LP with every block as its own column (GLPK tests).
//
// `DispatchSolver` owns all buffers; `solve()` reads `input` and writes `result` without allocating.

/// A fixed-size run of numbers in memory a solver or an input owns: elements can be read and written
/// (bounds-checked), nothing else; no pointer leaves the module. Copies of the view alias the same memory.
@frozen public struct DoubleView: RandomAccessCollection, MutableCollection, @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Double>
    public let count: Int

    init(_ buffer: UnsafeMutableBufferPointer<Double>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!   // (an empty view reads nothing)
        count = buffer.count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable public subscript(i: Int) -> Double {
        get {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "index out of range")
            return base[i]
        }
        nonmutating set {
            precondition(UInt(bitPattern: i) < UInt(bitPattern: count), "index out of range")
            base[i] = newValue
        }
    }

    /// The memory, for this module's loops.
    var buffer: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: base, count: count) }
}

/// Memory for a set of named Double arrays, allocated once; the arrays are views into it.
final class DoubleArena: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    let count: Int
    private var used = 0
    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
        base.initialize(repeating: 0, count: max(1, count))
    }
    deinit { base.deallocate() }
    /// The next `n` doubles, set to `value`.
    func take(_ n: Int, _ value: Double = 0) -> DoubleView {
        precondition(used + n <= count)
        let view = UnsafeMutableBufferPointer(start: base + used, count: n)
        used += n
        view.update(repeating: value)
        return DoubleView(view)
    }
}

/// One step's numbers, owned by this object (a reference: share it, or `copy()` it for an independent
/// one). Each array is a fixed-size, bounds-checked view into that memory; no element access allocates,
/// retains or checks uniqueness, which keeps the simulator's step loop lean.
public final class DispatchInput: @unchecked Sendable {
    let arena: DoubleArena
    public let demandMW: DoubleView
    public let plantMinMW: DoubleView
    public let plantMaxMW: DoubleView
    public let plantCostPerMWh: DoubleView
    /// Transfer limits of each corridor, from → to and to → from, in MW sent.
    public let corridorForwardMW: DoubleView
    public let corridorBackwardMW: DoubleView
    public let storageDischargeMaxMW: DoubleView
    public let storageChargeMaxMW: DoubleView
    public let storageDischargeCostPerMWh: DoubleView
    /// Cost per MWh drawn from the grid to charge (negative: charging is worth something).
    public let storageChargeCostPerMWh: DoubleView
    public let shedMaxMW: DoubleView
    public let shedCostPerMWh: DoubleView
    public let responseMaxMW: DoubleView
    public let responseCostPerMWh: DoubleView
    public let excessCostPerMWh: DoubleView
    /// Fuel above the strategic-reserve floor, and the reserve itself, in tonnes.
    public let fuelAvailableTonnes: DoubleView
    public let fuelReserveTonnes: DoubleView
    public let fuelReserveCostPerTonne: DoubleView

    public init(structure s: DispatchStructure) {
        let R = s.regionCount, P = s.plantCount, C = s.corridors.count, S = s.storageCount
        let arena = DoubleArena(count: 2 * R + 3 * P + 2 * C + 4 * S + 2 * s.shedCount + 2 * s.responseCount + 3 * s.fuelCount)
        self.arena = arena
        demandMW = arena.take(R)
        plantMinMW = arena.take(P); plantMaxMW = arena.take(P); plantCostPerMWh = arena.take(P)
        corridorForwardMW = arena.take(C); corridorBackwardMW = arena.take(C)
        storageDischargeMaxMW = arena.take(S); storageChargeMaxMW = arena.take(S)
        storageDischargeCostPerMWh = arena.take(S); storageChargeCostPerMWh = arena.take(S)
        shedMaxMW = arena.take(s.shedCount); shedCostPerMWh = arena.take(s.shedCount)
        responseMaxMW = arena.take(s.responseCount); responseCostPerMWh = arena.take(s.responseCount)
        excessCostPerMWh = arena.take(R, 1000)
        fuelAvailableTonnes = arena.take(s.fuelCount); fuelReserveTonnes = arena.take(s.fuelCount)
        fuelReserveCostPerTonne = arena.take(s.fuelCount)
    }

    /// Sets one plant's bounds and cost (one bounds check for the three numbers: the simulator's per-plant write).
    @inlinable public func setPlant(_ p: Int, minMW: Double, maxMW: Double, costPerMWh: Double) {
        precondition(UInt(bitPattern: p) < UInt(bitPattern: plantMaxMW.count), "plant index out of range")
        plantMinMW.base[p] = minMW
        plantMaxMW.base[p] = maxMW
        plantCostPerMWh.base[p] = costPerMWh
    }

    /// How many numbers an input of this structure holds.
    public var numberCount: Int { arena.count }

    /// Overwrites these numbers with `other`'s (the same structure; no allocation).
    public func assign(from other: DispatchInput) {
        precondition(other.arena.count == arena.count, "inputs of different structures")
        arena.base.update(from: other.arena.base, count: arena.count)
    }

    /// An independent copy of these numbers.
    public func copy() -> DispatchInput {
        DispatchInput(arena: DoubleArena(count: arena.count), copying: self)
    }

    private init(arena: DoubleArena, copying o: DispatchInput) {
        self.arena = arena
        arena.base.update(from: o.arena.base, count: o.arena.count)
        func view(_ v: DoubleView) -> DoubleView {
            DoubleView(UnsafeMutableBufferPointer(start: arena.base + (v.base - o.arena.base), count: v.count))
        }
        demandMW = view(o.demandMW)
        plantMinMW = view(o.plantMinMW); plantMaxMW = view(o.plantMaxMW); plantCostPerMWh = view(o.plantCostPerMWh)
        corridorForwardMW = view(o.corridorForwardMW); corridorBackwardMW = view(o.corridorBackwardMW)
        storageDischargeMaxMW = view(o.storageDischargeMaxMW); storageChargeMaxMW = view(o.storageChargeMaxMW)
        storageDischargeCostPerMWh = view(o.storageDischargeCostPerMWh); storageChargeCostPerMWh = view(o.storageChargeCostPerMWh)
        shedMaxMW = view(o.shedMaxMW); shedCostPerMWh = view(o.shedCostPerMWh)
        responseMaxMW = view(o.responseMaxMW); responseCostPerMWh = view(o.responseCostPerMWh)
        excessCostPerMWh = view(o.excessCostPerMWh)
        fuelAvailableTonnes = view(o.fuelAvailableTonnes); fuelReserveTonnes = view(o.fuelReserveTonnes)
        fuelReserveCostPerTonne = view(o.fuelReserveCostPerTonne)
    }
}

/// A step's answer, owned by the solver and overwritten at each solve: fixed-size, bounds-checked views.
public final class DispatchResult: @unchecked Sendable {
    let arena: DoubleArena
    public let plantMW: DoubleView
    public let corridorForwardSentMW: DoubleView
    public let corridorBackwardSentMW: DoubleView
    /// Power lost on each corridor, both directions together and each direction.
    public let corridorLossMW: DoubleView
    public let corridorForwardLossMW: DoubleView
    public let corridorBackwardLossMW: DoubleView
    public let storageDischargeMW: DoubleView
    public let storageChargeMW: DoubleView
    public let shedMW: DoubleView
    public let responseMW: DoubleView
    public let excessMW: DoubleView
    public let fuelBurnTonnes: DoubleView
    public let fuelReserveDrawTonnes: DoubleView
    /// Marginal price of each region: the dual of its balance (cost per MWh of one more MW for one hour).
    public let priceAtRegionPerMWh: DoubleView
    /// Shadow value of one more tonne of each fuel in stock this step (≥ 0).
    public let fuelValuePerTonne: DoubleView
    let scalars: DoubleView
    /// Pivots the step took.
    public var iterations: Int { Int(scalars[1]) }
    /// Σ over the shed blocks of their positive MW (0 when no block sheds: `shedMW` need not be read).
    public var shedTotalMW: Double { scalars[2] }

    init(structure s: DispatchStructure) {
        let R = s.regionCount, C = s.corridors.count, F = s.fuelCount
        let arena = DoubleArena(count: s.plantCount + 5 * C + 2 * s.storageCount + s.shedCount + s.responseCount + 2 * R + 3 * F + 3)
        self.arena = arena
        plantMW = arena.take(s.plantCount)
        corridorForwardSentMW = arena.take(C); corridorBackwardSentMW = arena.take(C)
        corridorLossMW = arena.take(C); corridorForwardLossMW = arena.take(C); corridorBackwardLossMW = arena.take(C)
        storageDischargeMW = arena.take(s.storageCount); storageChargeMW = arena.take(s.storageCount)
        shedMW = arena.take(s.shedCount); responseMW = arena.take(s.responseCount)
        excessMW = arena.take(R)
        fuelBurnTonnes = arena.take(F); fuelReserveDrawTonnes = arena.take(F)
        priceAtRegionPerMWh = arena.take(R); fuelValuePerTonne = arena.take(F)
        scalars = arena.take(3)
    }
}

public enum DispatchError: Error, Equatable, CustomStringConvertible {
    case infeasible
    case iterationLimit(Int)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .infeasible: return "the dispatch LP is infeasible (a bound or demand is inconsistent)"
        case .iterationLimit(let n): return "the dispatch LP did not converge in \(n) pivots"
        case .invalidInput(let what): return "invalid dispatch input: \(what)"
        }
    }
}

public final class DispatchSolver {
    public let structure: DispatchStructure
    /// The next step's numbers: write them in place (`solver.input.demandMW.base[r] = …`), or copy another
    /// input's with `assign(from:)`.
    public let input: DispatchInput
    /// The last step's answer (overwritten by the next solve).
    public let result: DispatchResult

    /// The LP of all rows, and the LP of the regions' rows only (no fuel columns), used in steps where
    /// no fuel row can bind: when every plant of a fuel at full output burns no more than the stock above
    /// its reserve, the fuel row is redundant and dropping it leaves the optimum unchanged. Each keeps its
    /// own warm-start basis; `lp` is the one of the current step.
    let fullLP: BoundedDualSimplex
    let regionalLP: BoundedDualSimplex?
    unowned(unsafe) var lp: BoundedDualSimplex
    let fuelMaxBurn: UnsafeMutablePointer<Double>
    /// Per region, the excess column's upper bound being summed.
    let excessUpperMW: UnsafeMutablePointer<Double>
    /// Per LP (full, then regional): the corridor limits its segment bounds were last set from (forward and
    /// backward per corridor), and per region the MW those segments can deliver into it.
    let corridorLimitsSeen: UnsafeMutablePointer<Double>
    let segmentInflowMW: UnsafeMutablePointer<Double>
    /// Steps solved without the fuel rows (for tests).
    private(set) var regionalSolves = 0
    /// A pivot limit per LP solve below the default (50 (m + n) + 1000; a diagnostic: the r70 command sets
    /// it from R70_MAX_PIVOTS, to exercise the failure path).
    public var maxPivotsPerSolve: Int?
    // Column layout.
    let plantStart: Int
    let segmentStart: Int
    /// For each segment column: corridor index, direction (0 forward, 1 backward), width fraction, loss fraction.
    let segmentCorridor: UnsafeMutablePointer<Int>
    let segmentBackward: UnsafeMutablePointer<Bool>
    let segmentWidth: UnsafeMutablePointer<Double>
    let segmentLoss: UnsafeMutablePointer<Double>
    let segmentCount: Int
    /// Corridor k's forward segments are `corridorSegmentStart[k] ..< corridorBackwardStart[k]`, its backward
    /// ones `corridorBackwardStart[k] ..< corridorSegmentStart[k + 1]`.
    let corridorSegmentStart: UnsafeMutablePointer<Int>
    let corridorBackwardStart: UnsafeMutablePointer<Int>
    // The structure's sizes and per-column facts as raw buffers (the step's loops read no Swift array,
    // so they take no retain and no bounds check).
    let regionCount: Int, plantCount: Int, storageCount: Int, responseCount: Int, fuelCount: Int, corridorCount: Int
    let stepHours: Double
    let plantFuel: UnsafeMutablePointer<Int>
    /// The plants of region r in ascending order: `regionPlants[regionPlantStart[r] ..< regionPlantStart[r + 1]]`.
    let regionPlantStart: UnsafeMutablePointer<Int>
    let regionPlants: UnsafeMutablePointer<Int>
    let plantFuelTonnesPerMWh: UnsafeMutablePointer<Double>
    let storageRegion: UnsafeMutablePointer<Int>
    let responseRegion: UnsafeMutablePointer<Int>
    /// Plants that burn a fuel.
    let fuelPlants: UnsafeMutablePointer<Int>
    let fuelPlantCount: Int
    let dischargeStart: Int
    let chargeStart: Int
    /// One shed column per region (see above).
    let shedStart: Int
    /// Shed blocks of each region in order of cost: `shedOrder[shedFirst[r] ..< shedFirst[r + 1]]`.
    let shedFirst: UnsafeMutablePointer<Int>
    let shedOrder: UnsafeMutablePointer<Int>
    /// Position (within the region's order) of the block the region's column stands for.
    let shedCurrent: UnsafeMutablePointer<Int>
    /// MW of the region's full blocks (before the current one) this solve.
    let shedFullMW: UnsafeMutablePointer<Double>
    /// The costs `shedOrder` was sorted by, and this solve's block widths.
    let shedSortedCost: UnsafeMutablePointer<Double>
    /// Whether `result.shedMW` holds nonzero MW of region r's blocks.
    let shedWritten: UnsafeMutablePointer<Bool>
    var shedMax: UnsafeMutableBufferPointer<Double>
    /// With `structure.shedShareOfDemand`: each block's share and region, and per position of `shedOrder`
    /// the shares of that block and every dearer one of its region (nil: the blocks' MW come from the input).
    let shedShare: UnsafeMutablePointer<Double>?
    let shedBlockRegion: UnsafeMutablePointer<Int>
    let shedSuffixShare: UnsafeMutablePointer<Double>
    let responseStart: Int
    let excessStart: Int
    let slackStart: Int
    let drawStart: Int
    let columnCount: Int
    let rowCount: Int

    public init(structure s: DispatchStructure) {
        precondition(s.problems().isEmpty, "invalid dispatch structure: \(s.problems())")
        structure = s
        input = DispatchInput(structure: s)
        result = DispatchResult(structure: s)
        var corridorOf: [Int] = [], backward: [Bool] = [], width: [Double] = [], loss: [Double] = []
        var segmentStarts: [Int] = [], backwardStarts: [Int] = []
        for (k, c) in s.corridors.enumerated() {
            segmentStarts.append(corridorOf.count)
            for seg in c.forwardSegments { corridorOf.append(k); backward.append(false); width.append(seg.widthFraction); loss.append(seg.lossFraction) }
            backwardStarts.append(corridorOf.count)
            for seg in c.backwardSegments { corridorOf.append(k); backward.append(true); width.append(seg.widthFraction); loss.append(seg.lossFraction) }
        }
        segmentStarts.append(corridorOf.count)
        func buffer<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
            p.initialize(from: values, count: values.count)
            return p
        }
        segmentCorridor = buffer(corridorOf); segmentBackward = buffer(backward)
        segmentWidth = buffer(width); segmentLoss = buffer(loss)
        segmentCount = corridorOf.count
        corridorSegmentStart = buffer(segmentStarts); corridorBackwardStart = buffer(backwardStarts)
        regionCount = s.regionCount; plantCount = s.plantCount; storageCount = s.storageCount
        responseCount = s.responseCount; fuelCount = s.fuelCount; corridorCount = s.corridors.count
        stepHours = s.stepHours
        plantFuel = buffer(s.plantFuel); plantFuelTonnesPerMWh = buffer(s.plantFuelTonnesPerMWh)
        var starts = [0], members: [Int] = []
        for r in 0..<s.regionCount {
            members += (0..<s.plantCount).filter { s.plantRegion[$0] == r }
            starts.append(members.count)
        }
        regionPlantStart = buffer(starts); regionPlants = buffer(members)
        storageRegion = buffer(s.storageRegion); responseRegion = buffer(s.responseRegion)
        let burning = (0..<s.plantCount).filter { s.plantFuel[$0] >= 0 }
        fuelPlants = buffer(burning); fuelPlantCount = burning.count
        plantStart = 0
        segmentStart = s.plantCount
        dischargeStart = segmentStart + corridorOf.count
        chargeStart = dischargeStart + s.storageCount
        shedStart = chargeStart + s.storageCount
        responseStart = shedStart + s.regionCount
        excessStart = responseStart + s.responseCount
        slackStart = excessStart + s.regionCount
        drawStart = slackStart + s.fuelCount
        columnCount = drawStart + s.fuelCount
        rowCount = s.regionCount + s.fuelCount
        fullLP = BoundedDualSimplex(rows: rowCount, columns: columnCount)
        regionalLP = s.fuelCount > 0 ? BoundedDualSimplex(rows: s.regionCount, columns: slackStart) : nil
        lp = fullLP
        fuelMaxBurn = .allocate(capacity: max(1, s.fuelCount))
        excessUpperMW = .allocate(capacity: max(1, s.regionCount))
        corridorLimitsSeen = .allocate(capacity: max(1, 4 * s.corridors.count))
        corridorLimitsSeen.initialize(repeating: .nan, count: max(1, 4 * s.corridors.count))
        segmentInflowMW = .allocate(capacity: 2 * s.regionCount)
        segmentInflowMW.initialize(repeating: 0, count: 2 * s.regionCount)
        for lp in [fullLP, regionalLP].compactMap({ $0 }) {
            let withFuel = lp.m > s.regionCount
            for p in 0..<s.plantCount {
                let f = s.plantFuel[p]
                if f >= 0 && withFuel {
                    lp.setColumn(plantStart + p, row: s.plantRegion[p], value: 1,
                                 row: s.regionCount + f, value: s.plantFuelTonnesPerMWh[p] * s.stepHours)
                } else {
                    lp.setColumn(plantStart + p, row: s.plantRegion[p], value: 1)
                }
            }
            for i in 0..<corridorOf.count {
                let c = s.corridors[corridorOf[i]]
                let (from, to) = backward[i] ? (c.toRegion, c.fromRegion) : (c.fromRegion, c.toRegion)
                lp.setColumn(segmentStart + i, row: from, value: -1, row: to, value: 1 - loss[i])
            }
            for k in 0..<s.storageCount {
                lp.setColumn(dischargeStart + k, row: s.storageRegion[k], value: 1)
                lp.setColumn(chargeStart + k, row: s.storageRegion[k], value: -1)
            }
            for r in 0..<s.regionCount { lp.setColumn(shedStart + r, row: r, value: 1) }
            for b in 0..<s.responseCount { lp.setColumn(responseStart + b, row: s.responseRegion[b], value: 1) }
            for r in 0..<s.regionCount {
                lp.setColumn(excessStart + r, row: r, value: -1)
                lp.setCrashColumn(row: r, column: excessStart + r)
            }
        }
        shedFirst = .allocate(capacity: s.regionCount + 1)
        shedOrder = .allocate(capacity: max(1, s.shedCount))
        shedCurrent = .allocate(capacity: s.regionCount)
        shedFullMW = .allocate(capacity: s.regionCount)
        shedMax = input.shedMaxMW.buffer
        shedSortedCost = .allocate(capacity: max(1, s.shedCount))
        shedWritten = .allocate(capacity: s.regionCount)
        shedWritten.initialize(repeating: false, count: s.regionCount)
        shedShare = s.shedShareOfDemand.map { buffer($0) }
        shedBlockRegion = buffer(s.shedRegion)
        shedSuffixShare = .allocate(capacity: max(1, s.shedCount))
        shedSuffixShare.initialize(repeating: 0, count: max(1, s.shedCount))
        shedSortedCost.initialize(repeating: .nan, count: max(1, s.shedCount))
        var next = 0
        for r in 0..<s.regionCount {
            shedFirst[r] = next
            for b in 0..<s.shedCount where s.shedRegion[b] == r { shedOrder[next] = b; next += 1 }
            shedCurrent[r] = 0
            shedFullMW[r] = 0
        }
        shedFirst[s.regionCount] = next
        // Bounds and costs that do not change from step to step.
        for lp in [fullLP, regionalLP].compactMap({ $0 }) {
            for i in 0..<corridorOf.count {
                // The hurdle is scaled by (1 + loss fraction): when energy is free the less lossy segment
                // still fills first, so the flow pattern is unique.
                lp.set(segmentStart + i, lower: 0, upper: 0, cost: s.corridors[corridorOf[i]].hurdleCostPerMWh * (1 + loss[i]))
            }
            for j in dischargeStart..<slackStart { lp.set(j, lower: 0, upper: lp.upper[j], cost: lp.cost[j]) }
        }
        for f in 0..<s.fuelCount {
            fullLP.setColumn(slackStart + f, row: s.regionCount + f, value: 1)
            fullLP.setColumn(drawStart + f, row: s.regionCount + f, value: -1)
            fullLP.setCrashColumn(row: s.regionCount + f, column: slackStart + f)
        }
    }

    deinit {
        shedFirst.deallocate(); shedOrder.deallocate(); shedCurrent.deallocate(); shedFullMW.deallocate()
        shedShare?.deallocate(); shedBlockRegion.deallocate(); shedSuffixShare.deallocate()
        fuelMaxBurn.deallocate(); excessUpperMW.deallocate(); corridorLimitsSeen.deallocate(); segmentInflowMW.deallocate(); shedSortedCost.deallocate(); shedWritten.deallocate()
        segmentCorridor.deallocate(); segmentBackward.deallocate(); segmentWidth.deallocate(); segmentLoss.deallocate()
        corridorSegmentStart.deallocate(); corridorBackwardStart.deallocate()
        plantFuel.deallocate(); plantFuelTonnesPerMWh.deallocate(); regionPlantStart.deallocate(); regionPlants.deallocate(); storageRegion.deallocate(); responseRegion.deallocate()
        fuelPlants.deallocate()
    }

    /// Cost of the full shed blocks of the last solve (their MW are not LP columns).
    private var fullShedCost = 0.0

    /// The last solve's objective: the cost per hour of the step's decisions (computed when asked, as the
    /// simulator does not need it).
    public var objectivePerHour: Double { lp.objective() + fullShedCost }

    /// Solves that revisited only the columns whose numbers changed (for tests).
    var incrementalSolves: Int { fullLP.incrementalSolves + (regionalLP?.incrementalSolves ?? 0) }

    /// Forgets the warm-start basis (the next solve starts from the crash basis).
    /// Per region, the shed block its shed column stands at (for a failed step's record).
    public var shedPositions: [Int] { (0..<structure.regionCount).map { shedCurrent[$0] } }

    // MARK: The last solve's corridor segments and shed blocks (for a second stage that chooses among
    // equally cheap optima: GridSim's shortfall sharing)

    /// Loss segments of all corridors, both directions.
    public var corridorSegmentCount: Int { segmentCount }

    /// Segment i of the last solve: its corridor and direction, loss fraction, width (MW, at this step's
    /// limit), flow sent (MW), and reduced cost (cost per MWh beyond what the prices at its ends pay for it:
    /// 0 when it could carry more or less at no change of the objective).
    public func corridorSegment(_ i: Int) -> (corridor: Int, backward: Bool, lossFraction: Double, widthMW: Double, sentMW: Double, reducedCost: Double) {
        precondition(i >= 0 && i < segmentCount)
        let k = segmentCorridor[i], backward = segmentBackward[i]
        let limit = backward ? input.corridorBackwardMW.base[k] : input.corridorForwardMW.base[k]
        let c = structure.corridors[k]
        let from = backward ? c.toRegion : c.fromRegion, to = backward ? c.fromRegion : c.toRegion
        let price = result.priceAtRegionPerMWh.base
        let reduced = c.hurdleCostPerMWh * (1 + segmentLoss[i]) + price[from] - (1 - segmentLoss[i]) * price[to]
        return (k, backward, segmentLoss[i], max(0, limit * segmentWidth[i]), lp.x[segmentStart + i], reduced)
    }

    /// Shed block b's width this step (MW).
    public func shedBlockWidthMW(_ b: Int) -> Double {
        precondition(b >= 0 && b < structure.shedCount)
        return shedWidth(b)
    }

    /// Replaces shed block b's MW in `result` with a second stage's choice among optima of the same cost
    /// (the caller keeps each region's balance, writing the corridors' MW in `result` to match).
    public func setShedMW(_ b: Int, _ mw: Double) {
        precondition(b >= 0 && b < structure.shedCount && mw >= 0)
        result.shedMW.base[b] = mw
        shedWritten[structure.shedRegion[b]] = true   // the next step's extract clears it
    }

    public func resetWarmStart() {
        fullLP.reset()
        regionalLP?.reset()
        for r in 0..<structure.regionCount { shedCurrent[r] = 0 }
    }

    /// Solves the step in `input`; the answer is in `result`.
    public func solve() throws(DispatchError) {
        // The regional LP when no fuel row can bind this step.
        lp = fullLP
        if let regionalLP {
            for f in 0..<fuelCount { fuelMaxBurn[f] = 0 }
            let plantMax = input.plantMaxMW.base
            for i in 0..<fuelPlantCount {
                let p = fuelPlants[i]
                fuelMaxBurn[plantFuel[p]] += max(0, plantMax[p]) * plantFuelTonnesPerMWh[p] * stepHours
            }
            var fuelsThatCanBind = 0   // (counted without `||`, which would branch at every fuel)
            let available = input.fuelAvailableTonnes.base
            for f in 0..<fuelCount { fuelsThatCanBind |= fuelMaxBurn[f] <= max(0, available[f]) ? 0 : 1 }
            if fuelsThatCanBind == 0 { lp = regionalLP }
        }
        let regional = lp !== fullLP
        if regional { regionalSolves += 1 }
        let lp = self.lp
        var changes = lp.beginChanges()
        // Excess can at most absorb everything that could be injected into the region: its bound is the
        // sum of the upper bounds of the region's injecting columns (plants, then segments, storage, shed,
        // response, and the demand's magnitude + 1). It never binds; only its being finite matters.
        let excessUpper = self.excessUpperMW
        let plantMin = input.plantMinMW.base, plantMax = input.plantMaxMW.base, plantCost = input.plantCostPerMWh.base
        // Checked without a branch per plant: `probe` stays 0 while every number is finite (∞ · 0 and
        // NaN · 0 are NaN), and `least` is the smallest of the minimums and of the ranges max − min. The
        // first bad plant is looked up only when the check fails (or a finite sum overflowed).
        var probe = 0.0, least = 0.0
        let entries = lp.entries
        for r in 0..<regionCount {
            var injectable = 0.0   // the region's plants' upper bounds, summed in a register in plant order
            for n in regionPlantStart[r]..<regionPlantStart[r + 1] {
                let p = regionPlants[n]
                let lo = plantMin[p], hi = plantMax[p], c = plantCost[p]
                probe += (lo + hi + c) * 0
                least = min(least, min(lo, hi - lo))
                lp.set(plantStart + p, lower: lo, upper: hi, cost: c, &changes)
                injectable += hi
            }
            excessUpper[r] = injectable
        }
        if !(probe == 0 && least >= 0) {
            for p in 0..<plantCount {
                let lo = plantMin[p], hi = plantMax[p], c = plantCost[p]
                guard lo >= 0, hi >= lo, hi.isFinite, c.isFinite else {
                    throw .invalidInput("plant \(p): min \(lo), max \(hi), cost \(c)")
                }
            }
        }
        // Segment bounds change only with the corridors' limits (outages): they are set again, and what they
        // can deliver into each region summed again, only when a limit changed since this LP last saw them.
        let corridorForward = input.corridorForwardMW.base, corridorBackward = input.corridorBackwardMW.base
        let seen = corridorLimitsSeen + (regional ? 2 * corridorCount : 0)
        let inflow = segmentInflowMW + (regional ? regionCount : 0)
        var limitBitsChanged: UInt64 = 0
        for k in 0..<corridorCount {
            let f = corridorForward[k], b = corridorBackward[k]
            probe += (f + b) * 0
            least = min(least, min(f, b))
            limitBitsChanged |= (f.bitPattern ^ seen[2 * k].bitPattern) | (b.bitPattern ^ seen[2 * k + 1].bitPattern)
            seen[2 * k] = f; seen[2 * k + 1] = b
        }
        if limitBitsChanged != 0 {
            for r in 0..<regionCount { inflow[r] = 0 }
            for i in 0..<segmentCount {
                let k = segmentCorridor[i]
                let limit = segmentBackward[i] ? corridorBackward[k] : corridorForward[k]
                let hi = limit * segmentWidth[i]
                lp.set(segmentStart + i, upper: hi, &changes)    // lower bounds and costs are set once (see `init`)
                let e = entries[segmentStart + i]
                inflow[Int(e.row1)] += e.value1 * hi
            }
        }
        for r in 0..<regionCount { excessUpper[r] += inflow[r] }
        if !(probe == 0 && least >= 0) {
            for k in 0..<corridorCount {
                for limit in [corridorForward[k], corridorBackward[k]] where !(limit >= 0 && limit.isFinite) {
                    throw .invalidInput("corridor \(k) limit \(limit)")
                }
            }
        }
        for k in 0..<storageCount {
            let hi = max(0, input.storageDischargeMaxMW.base[k])
            lp.set(dischargeStart + k, upper: hi, cost: input.storageDischargeCostPerMWh.base[k], &changes)
            lp.set(chargeStart + k, upper: max(0, input.storageChargeMaxMW.base[k]), cost: input.storageChargeCostPerMWh.base[k], &changes)
            excessUpper[storageRegion[k]] += hi
        }
        shedMax = input.shedMaxMW.buffer
        sortShedBlocks()
        for r in 0..<regionCount {
            setShedColumn(r, &changes)
            excessUpper[r] += lp.upper[shedStart + r]
        }
        for b in 0..<responseCount {
            let hi = max(0, input.responseMaxMW.base[b])
            lp.set(responseStart + b, upper: hi, cost: input.responseCostPerMWh.base[b], &changes)
            excessUpper[responseRegion[b]] += hi
        }
        for r in 0..<regionCount {
            let demand = input.demandMW.base[r]
            guard demand.isFinite else { throw .invalidInput("region \(r) demand \(demand)") }
            lp.rhs[r] = demand - shedFullMW[r]
            excessUpper[r] += abs(demand) + 1
            lp.set(excessStart + r, upper: excessUpper[r], cost: input.excessCostPerMWh.base[r], &changes)
        }
        for f in 0..<fuelCount where !regional {
            let avail = max(0, input.fuelAvailableTonnes.base[f]), reserve = max(0, input.fuelReserveTonnes.base[f])
            lp.rhs[regionCount + f] = avail
            lp.set(slackStart + f, lower: 0, upper: avail + reserve, cost: 0, &changes)
            lp.set(drawStart + f, lower: 0, upper: reserve, cost: input.fuelReserveCostPerTonne.base[f] / stepHours, &changes)
        }
        // Fuel rows must be feasible with every plant at its minimum: the simulator lowers minimum
        // output of plants whose fuel is short before calling.
        lp.endChanges(changes)
        var pivots = 0
        var rounds = 0
        while true {
            var status = lp.solve(maxIterations: maxPivotsPerSolve)
            if status != .optimal {
                // A warm start gone bad (numerically) is retried once from the crash basis.
                lp.reset()
                status = lp.solve(maxIterations: maxPivotsPerSolve)
            }
            pivots += lp.lastIterations
            switch status {
            case .optimal: break
            case .infeasible: throw .infeasible
            case .iterationLimit: throw .iterationLimit(lp.lastIterations)
            }
            if !moveShedColumns() { break }
            rounds += 1
            if rounds > 4 * (structure.shedCount + 1) { throw .iterationLimit(pivots) }
        }
        extract(pivots: pivots)
    }

    /// Keeps each region's blocks in order of cost (insertion sort, when the costs changed).
    private func sortShedBlocks() {
        let cost = input.shedCostPerMWh.buffer
        let n = cost.count
        // Bitwise comparison without branches (the costs are usually the same as last step's).
        var difference: UInt64 = 0
        for b in 0..<n { difference |= cost[b].bitPattern ^ shedSortedCost[b].bitPattern }
        guard difference != 0 else { return }
        shedSortedCost.update(from: cost.baseAddress!, count: n)
        for r in 0..<regionCount {
            let first = shedFirst[r], end = shedFirst[r + 1]
            guard end - first > 1 else { continue }
            for i in (first + 1)..<end {
                let b = shedOrder[i]
                var k = i
                while k > first && (cost[shedOrder[k - 1]] > cost[b] || (cost[shedOrder[k - 1]] == cost[b] && shedOrder[k - 1] > b)) {
                    shedOrder[k] = shedOrder[k - 1]; k -= 1
                }
                shedOrder[k] = b
            }
        }
        if let shedShare {
            for r in 0..<regionCount {
                var sum = 0.0
                for i in stride(from: shedFirst[r + 1] - 1, through: shedFirst[r], by: -1) {
                    sum += shedShare[shedOrder[i]]
                    shedSuffixShare[i] = sum
                }
            }
        }
    }

    /// Block b's MW this step.
    @inline(__always) private func shedWidth(_ b: Int) -> Double {
        if let shedShare { return max(0, input.demandMW.base[shedBlockRegion[b]]) * shedShare[b] }
        return max(0, shedMax[b])
    }

    /// Sets region r's shed column to its current block: its cost, and as its bound the MW of that block
    /// and every dearer one (so that the LP stays feasible; MW beyond the block move the column on).
    /// Blocks of zero MW are passed over. Also sets the MW of the full blocks before it.
    private func setShedColumn(_ r: Int, _ changes: inout BoundedDualSimplex.Changes) {
        let first = shedFirst[r], count = shedFirst[r + 1] - first
        let j = shedStart + r
        guard count > 0 else {
            lp.set(j, lower: 0, upper: 0, cost: 0, &changes)
            shedFullMW[r] = 0
            return
        }
        // Local copies of the pointers, so that the loops below keep them in registers.
        let order = shedOrder + first
        var k = min(shedCurrent[r], count - 1)
        if shedWidth(order[k]) == 0 {
            var forward = k + 1
            while forward < count && shedWidth(order[forward]) == 0 { forward += 1 }
            if forward < count { k = forward } else {
                var back = k - 1
                while back >= 0 && shedWidth(order[back]) == 0 { back -= 1 }
                if back >= 0 { k = back }
            }
        }
        shedCurrent[r] = k
        var full = 0.0, rest = 0.0
        for i in 0..<k { full += shedWidth(order[i]) }
        if shedShare != nil {
            rest = max(0, input.demandMW.base[r]) * shedSuffixShare[first + k]
        } else {
            let widths = shedMax.baseAddress!
            for i in k..<count { rest += max(0, widths[order[i]]) }
        }
        shedFullMW[r] = full
        lp.set(j, upper: rest, cost: input.shedCostPerMWh.base[shedOrder[first + k]], &changes)   // lower 0 (set in `init`)
    }

    /// After a solve: moves a region's shed column to the next block (of nonzero MW) when the column sheds
    /// more than its block, or when its block is full and the next is cheaper than the region's price; back
    /// when it sheds nothing and the full block before it is dearer than the price. Returns whether any
    /// column moved (the LP must then be solved again).
    private func moveShedColumns() -> Bool {
        var moved = false
        let tolerance = 1e-9
        for r in 0..<regionCount {
            let first = shedFirst[r], count = shedFirst[r + 1] - first
            guard count > 1 else { continue }
            let price = lp.y[r]
            let k = shedCurrent[r]
            let x = lp.x[shedStart + r]
            let width = shedWidth(shedOrder[first + k])
            // The usual cases: the block is not full, and it is the first block, or it sheds some MW, or the
            // blocks before it are all empty (no MW before it: the usual step, with tiers of 0 MW first).
            // Neither move below can apply.
            if x < width - tolerance * (1 + width) && (k == 0 || x > tolerance * (1 + width) || shedFullMW[r] == 0) { continue }
            var next = k + 1
            while next < count && shedWidth(shedOrder[first + next]) == 0 { next += 1 }
            var previous = k - 1
            while previous >= 0 && shedWidth(shedOrder[first + previous]) == 0 { previous -= 1 }
            var target = k
            if next < count {
                let c = input.shedCostPerMWh.base[shedOrder[first + next]]
                if x > width + tolerance * (1 + width)
                    || (x >= width - tolerance * (1 + width) && price > c + tolerance * (1 + abs(c))) {
                    target = next
                }
            }
            if target == k && previous >= 0 && x <= tolerance * (1 + width) {
                let c = input.shedCostPerMWh.base[shedOrder[first + previous]]
                if price < c - tolerance * (1 + abs(c)) { target = previous }
            }
            if target != k {
                shedCurrent[r] = target
                let oldFull = shedFullMW[r]
                var changes = lp.beginChanges()
                setShedColumn(r, &changes)
                lp.endChanges(changes)
                lp.rhs[r] += oldFull - shedFullMW[r]
                moved = true
            }
        }
        return moved
    }

    private func extract(pivots: Int) {
        let x = lp.x
        for p in 0..<plantCount { result.plantMW.base[p] = x[plantStart + p] }
        for k in 0..<corridorCount {
            // Each direction's segments in order, summed in registers.
            var sent = 0.0, lost = 0.0
            for i in corridorSegmentStart[k]..<corridorBackwardStart[k] {
                let v = x[segmentStart + i]
                sent += v; lost += v * segmentLoss[i]
            }
            result.corridorForwardSentMW.base[k] = sent; result.corridorForwardLossMW.base[k] = lost
            let forwardLost = lost
            sent = 0; lost = 0
            for i in corridorBackwardStart[k]..<corridorSegmentStart[k + 1] {
                let v = x[segmentStart + i]
                sent += v; lost += v * segmentLoss[i]
            }
            result.corridorBackwardSentMW.base[k] = sent; result.corridorBackwardLossMW.base[k] = lost
            result.corridorLossMW.base[k] = forwardLost + lost
        }
        for k in 0..<storageCount {
            result.storageDischargeMW.base[k] = x[dischargeStart + k]
            result.storageChargeMW.base[k] = x[chargeStart + k]
        }
        var fullCost = 0.0, shedTotal = 0.0
        for r in 0..<regionCount {
            shedTotal += shedFullMW[r] + max(0, x[shedStart + r])
            let first = shedFirst[r], end = shedFirst[r + 1]
            let k = first + shedCurrent[r]
            // Most steps shed nothing: the blocks' MW are written only when some are (or were) nonzero.
            let shedsNothing = k == first && x[shedStart + r] == 0
            if shedsNothing && !shedWritten[r] { continue }
            shedWritten[r] = !shedsNothing
            for i in first..<end {
                let b = shedOrder[i]
                let mw = i < k ? shedWidth(b) : (i == k ? x[shedStart + r] : 0)
                result.shedMW.base[b] = mw
                if i < k { fullCost += mw * input.shedCostPerMWh.base[b] }
            }
        }
        for b in 0..<responseCount { result.responseMW.base[b] = x[responseStart + b] }
        for r in 0..<regionCount {
            result.excessMW.base[r] = x[excessStart + r]
            result.priceAtRegionPerMWh.base[r] = lp.y[r]
        }
        let regional = lp !== fullLP
        for f in 0..<fuelCount {
            result.fuelBurnTonnes.base[f] = 0
            result.fuelReserveDrawTonnes.base[f] = regional ? 0 : x[drawStart + f]
            // The row's slack is bounded by available + reserve, a bound implied by the other columns' bounds.
            // When the slack sits at it (nothing burnt or drawn), the row's dual is not unique and can come out
            // negative; 0 is then a valid dual of the ≤ row (its slack is positive), and the one reported.
            result.fuelValuePerTonne.base[f] = regional ? 0 : max(0, -lp.y[regionCount + f] * stepHours)
        }
        for i in 0..<fuelPlantCount {
            let p = fuelPlants[i]
            result.fuelBurnTonnes.base[plantFuel[p]] += x[plantStart + p] * plantFuelTonnesPerMWh[p] * stepHours
        }
        fullShedCost = fullCost
        result.scalars[1] = Double(pivots)
        result.scalars[2] = shedTotal
    }
}
