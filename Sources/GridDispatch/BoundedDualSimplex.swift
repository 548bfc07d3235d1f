// A bounded-variable dual simplex for small equality-constrained LPs whose columns have at most two
// nonzeros and whose variables all have finite bounds:
//
//     minimise c·x  subject to  A x = b,  l ≤ x ≤ u.
//
// Why this algorithm: a dispatch step has one row per region and one per fuel stock (m ≈ 3–20) and a
// few hundred columns. With every variable boxed, any basis is made dual feasible by putting each
// nonbasic variable at the bound its reduced cost points to, so the dual simplex can start from the
// previous step's basis whatever changed (bounds, right-hand side, costs). Consecutive hours share
// most of their optimal basis, so a step usually costs a handful of pivots. The basis inverse is kept
// explicitly (m × m, row-major) and updated in product form; it is rebuilt from scratch every
// `refactorInterval` pivots. All storage is allocated once in `init`: `solve()` allocates nothing.
//
// Between solves most of the data stays as it was (a thermal plant's bounds change only with an outage,
// most costs never), and so do the duals. Bounds and costs are therefore set through `set(_:…)`, which
// lists the columns whose numbers changed, and the residual b − N x_N is kept from solve to solve
// (updated at every pivot and bound flip): a solve that starts from the basis inverse the last one
// ended with, with the same costs of the basic columns (so the same duals), revisits only the listed
// columns. Otherwise, and after every refactorisation, everything is recomputed, so rounding cannot
// build up.

/// A column's two entries in one record (the pivot-row scan reads one base pointer, not four).
struct ColumnEntries {
    var row0: Int32
    var row1: Int32
    var value0: Double
    var value1: Double
}

/// An eligible column of the ratio test: |α|, the ratio |d|/|α| of its reduced cost's slack |d| and its
/// Harris bound (|d| + tolerance)/|α|, and the column. (Its infeasibility range |α|·(u − l) is computed
/// only if it falls in a breakpoint group.)
struct RatioCandidate {
    var absAlpha: Double
    var ratio: Double
    var bound: Double
    var column: Int
}

@usableFromInline
final class BoundedDualSimplex {
    enum Status: Equatable { case optimal, infeasible, iterationLimit }

    let m: Int
    let n: Int
    /// Column structure: two (row, value) entries per column, one record each. A column with one entry
    /// has `row1 == m`, a padding row whose value is 0 and whose entries of y, the pivot row and the work
    /// vector are 0, so the hot loops need no branch on the number of entries.
    let entries: UnsafeMutablePointer<ColumnEntries>
    /// For each row, a column that is the unit vector of that row times ±1 (the crash basis).
    let crashColumn: UnsafeMutablePointer<Int32>

    // Problem data, set by the caller before each `solve()`: bounds and costs through `set(_:…)` (so
    // that changed columns are listed), the right-hand side directly.
    private let costs: UnsafeMutablePointer<Double>
    private let lowers: UnsafeMutablePointer<Double>
    private let uppers: UnsafeMutablePointer<Double>
    var cost: UnsafePointer<Double> { UnsafePointer(costs) }
    var lower: UnsafePointer<Double> { UnsafePointer(lowers) }
    var upper: UnsafePointer<Double> { UnsafePointer(uppers) }
    let rhs: UnsafeMutablePointer<Double>

    // Solution and state, kept between solves for warm starts.
    let x: UnsafeMutablePointer<Double>
    let y: UnsafeMutablePointer<Double>
    let head: UnsafeMutablePointer<Int32>
    let position: UnsafeMutablePointer<Int32>
    /// Per column: bit 0 set when a nonbasic column sits at its upper bound, bit 1 set when basic, bit 2
    /// set when a nonbasic column is fixed in this solve (lower = upper: it can neither move nor enter).
    /// So `state >= basicBit` exactly when a column cannot enter the basis.
    let state: UnsafeMutablePointer<UInt8>
    static let atUpperBit: UInt8 = 1
    static let basicBit: UInt8 = 2
    static let fixedBit: UInt8 = 4
    /// The state of a nonbasic column at its upper bound or not, with `fixedBit` when lower = upper.
    @inline(__always) static func nonbasicState(atUpper: Bool, lower: Double, upper: Double) -> UInt8 {
        (atUpper ? atUpperBit : 0) | (lower != upper ? 0 : fixedBit)
    }
    /// Per column, its state as the ratio test's factor: +1 at the upper bound, −1 at the lower one, 0 when it
    /// cannot enter (basic or fixed). A pivot-row entry α times it, times −1 when the leaving variable goes
    /// to its upper bound, is positive exactly when the column is eligible; −1 times it turns the reduced
    /// cost into its slack. Kept with `state` by `setState`, through which every state is written.
    let side: UnsafeMutablePointer<Double>
    /// `side`'s value for each state (indexed by the state's bits).
    let sideOfState: UnsafeMutablePointer<Double>
    @inline(__always) func setState(_ j: Int, _ st: UInt8) {
        state[j] = st
        side[j] = sideOfState[Int(st)]
    }
    let binv: UnsafeMutablePointer<Double>
    // Work space.
    let work: UnsafeMutablePointer<Double>
    /// b − N x_N for the current basis and nonbasic values (m + 1 entries, the padding row's 0 last);
    /// valid while `residualValid`.
    let residual: UnsafeMutablePointer<Double>
    var residualValid = false
    /// The columns whose bounds or cost changed since the last solve (a column may be listed more than
    /// once; a full list stops growing and makes the next solve recompute everything). A column whose
    /// numbers are as they were keeps its side and value when the duals are as they were too.
    let changed: UnsafeMutablePointer<Int32>
    var changedCount = 0
    let changedCapacity: Int
    /// Per column, 1 when it is in the movable list (`active`).
    let listed: UnsafeMutablePointer<UInt8>
    /// The right-hand side of the last solve, and the costs of its final basic columns: while the basis
    /// inverse is the one that solve ended with (`residualValid`), equal costs mean equal duals.
    let savedRhs: UnsafeMutablePointer<Double>
    let savedBasicCost: UnsafeMutablePointer<Double>
    /// Solves that revisited only the changed columns (for tests).
    private(set) var incrementalSolves = 0
    let column: UnsafeMutablePointer<Double>
    let dense: UnsafeMutablePointer<Double>
    /// The pivot row of B⁻¹ with the padding row's 0 (m + 1 entries).
    let rho: UnsafeMutablePointer<Double>
    /// The columns with lower < upper in this solve, and the ratio test's eligible columns.
    let active: UnsafeMutablePointer<Int32>
    var activeCount = 0
    /// Lists of the columns with an entry in a set of rows, in column order:
    /// `rowColumns[rowStart[k] ..< rowStart[k + 1]]`. With at most `maskRows` rows, list k is that of the
    /// rows in the bit set k (every set but the empty and the full one); with more, list k is row k's. A
    /// pivot scans only the columns of the rows where its row of B⁻¹ is nonzero (the others have α = 0),
    /// or the movable list when that is every row; fixed columns in a list are not eligible (`side` 0).
    /// Rebuilt after `setColumn`.
    let rowStart: UnsafeMutablePointer<Int>
    let rowColumns: UnsafeMutablePointer<Int32>
    /// Beside `rowColumns`, in the lists of one row: the column's entry in that row; in the lists of two
    /// rows a < b: its entries in a and in b (0 where it has none); unused in lists of more rows. When ρ is
    /// nonzero in one or two rows only (more than 80 % of the pivots), α_j is then ρ_a · value_a
    /// (+ ρ_b · value_b), and the scan reads neither the column's record nor ρ per column.
    let rowValues: UnsafeMutablePointer<Double>
    let rowValuesB: UnsafeMutablePointer<Double>
    var rowListsStale = true
    static let maskRows = 4
    let candidates: UnsafeMutablePointer<RatioCandidate>
    let flipped: UnsafeMutablePointer<Int32>

    var hasBasis = false
    var pivotsSinceRefactor = 0
    /// Pivots of the last solve.
    private(set) var lastIterations = 0

    let refactorInterval = 64
    let primalTolerance = 1e-9
    let dualTolerance = 1e-9
    /// Relative pivot tolerance: a column is eligible when |α_j| > pivotTolerance · ‖ρ‖∞ (column entries are
    /// at most about 1 in magnitude: ±1 and 1 − loss in the balance rows, t/MWh · Δt in the fuel rows), so
    /// badly scaled bases do not admit tiny pivots.
    let pivotTolerance = 1e-9
    /// Consecutive dual-degenerate pivots (|d_q| within the dual tolerance, so θ_D ≈ 0) after which a solve switches to Bland's rule (smallest
    /// index leaving row and entering column, plain ratio test): the dual simplex then cannot cycle.
    var degenerateLimit = 64
    /// Solves that switched to Bland's rule (diagnostic).
    private(set) var blandSolves = 0

    init(rows m: Int, columns n: Int) {
        precondition(m >= 1 && n >= m, "an LP needs at least one row and as many columns as rows")
        self.m = m
        self.n = n
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            p.initialize(repeating: value, count: max(count, 1))
            return p
        }
        crashColumn = buffer(m, -1)
        costs = buffer(n, 0); lowers = buffer(n, 0); uppers = buffer(n, 0); rhs = buffer(m, 0)
        x = buffer(n, 0); y = buffer(m + 1, 0)
        head = buffer(m, -1); position = buffer(n, -1); state = buffer(n, 0)
        side = buffer(n, -1)
        sideOfState = buffer(8, 0)
        sideOfState[0] = -1; sideOfState[Int(Self.atUpperBit)] = 1   // every state with the basic or fixed bit: 0
        entries = buffer(n, ColumnEntries(row0: 0, row1: Int32(m), value0: 0, value1: 0))
        candidates = buffer(n, RatioCandidate(absAlpha: 0, ratio: 0, bound: 0, column: 0))
        binv = buffer(m * m, 0)
        work = buffer(m + 1, 0); residual = buffer(m + 1, 0); column = buffer(m, 0); dense = buffer(m * m, 0); rho = buffer(m + 1, 0)
        active = buffer(n, 0); flipped = buffer(n, 0)
        let lists = m <= Self.maskRows ? 1 << m : m
        rowStart = buffer(lists + 1, 0); rowColumns = buffer(m <= Self.maskRows ? lists * n : 2 * n, 0)
        rowValues = buffer(m <= Self.maskRows ? lists * n : 2 * n, 0)
        rowValuesB = buffer(m <= Self.maskRows ? lists * n : 1, 0)
        changedCapacity = 4 * n + 16
        changed = buffer(changedCapacity + 1, 0)
        listed = buffer(n, 0)
        savedRhs = buffer(m, .nan); savedBasicCost = buffer(m, .nan)
    }

    deinit {
        for p in [crashColumn, head, position, active, flipped, changed] as [UnsafeMutablePointer<Int32>] { p.deallocate() }
        for p in [costs, lowers, uppers, rhs, x, y, binv, work, residual, column, dense, rho, savedRhs, savedBasicCost, rowValues, rowValuesB, side, sideOfState] { p.deallocate() }
        state.deallocate(); listed.deallocate(); entries.deallocate(); candidates.deallocate(); rowStart.deallocate(); rowColumns.deallocate()
    }

    /// Sets column `j` to have `value0` in `r0` and, optionally, `value1` in `r1`.
    func setColumn(_ j: Int, row r0: Int, value value0: Double, row r1: Int = -1, value value1: Double = 0) {
        precondition(j >= 0 && j < n && r0 >= 0 && r0 < m && r1 < m && r1 != r0)
        entries[j] = ColumnEntries(row0: Int32(r0), row1: Int32(r1 >= 0 ? r1 : m), value0: value0, value1: r1 >= 0 ? value1 : 0)
        hasBasis = false
        residualValid = false
        rowListsStale = true
    }

    /// The columns changed while the caller sets a step's numbers: a local value (so that it stays in
    /// registers), from `beginChanges()` and handed back with `endChanges(_:)` before `solve()`.
    struct Changes {
        var count: Int
    }
    /// A batch that was begun and never ended (the caller threw part way) may have set numbers it did not
    /// list: the next solve then recomputes everything.
    func beginChanges() -> Changes {
        if batchOpen { residualValid = false }
        batchOpen = true
        return Changes(count: changedCount)
    }
    func endChanges(_ changes: Changes) { changedCount = changes.count; batchOpen = false }
    private var batchOpen = false

    /// Sets column j's bounds and cost for the next solve (lower ≤ upper, both finite), listing the column
    /// when any of them changed. No branch on the numbers: the list grows by 0 or 1, an integer computed
    /// from the bits (a condition would be compiled into branches, which mispredict as the plants change).
    @inline(__always) func set(_ j: Int, lower lo: Double, upper hi: Double, cost c: Double, _ changes: inout Changes) {
        let oldLo = lowers[j], oldHi = uppers[j], oldC = costs[j]
        let difference = (oldLo.bitPattern ^ lo.bitPattern) | (oldHi.bitPattern ^ hi.bitPattern) | (oldC.bitPattern ^ c.bitPattern)
        lowers[j] = lo; uppers[j] = hi; costs[j] = c
        changed[changes.count] = Int32(truncatingIfNeeded: j)
        let changedOne = Int(truncatingIfNeeded: (difference | (0 &- difference)) >> 63)   // 1 when difference ≠ 0
        changes.count = min(changes.count &+ changedOne, changedCapacity)
    }
    /// Sets column j's upper bound (lower and cost as they are).
    @inline(__always) func set(_ j: Int, upper hi: Double, _ changes: inout Changes) {
        set(j, upper: hi, cost: costs[j], &changes)
    }
    /// Sets column j's upper bound and cost (lower as it is). A new upper bound alone is not listed when
    /// the column is not at it and stays free: its side and value are as they were (a basic column's
    /// bounds are read where they are needed). Shed and excess columns, whose bounds follow demand but
    /// which sit at 0, are so not revisited every step.
    @inline(__always) func set(_ j: Int, upper hi: Double, cost c: Double, _ changes: inout Changes) {
        let lo = lowers[j], oldHi = uppers[j], oldC = costs[j]
        let harmless = oldHi == hi || (state[j] & Self.atUpperBit == 0 && lo != hi && lo != oldHi)
        let same = oldC.bitPattern == c.bitPattern && harmless
        uppers[j] = hi; costs[j] = c
        changed[changes.count] = Int32(truncatingIfNeeded: j)
        changes.count = same ? changes.count : min(changes.count &+ 1, changedCapacity)
    }
    /// Sets one column outside a step's batch.
    func set(_ j: Int, lower lo: Double, upper hi: Double, cost c: Double) {
        var changes = beginChanges()
        set(j, lower: lo, upper: hi, cost: c, &changes)
        endChanges(changes)
    }

    /// Lists the columns of each set of rows (or of each row) in column order (see `rowStart`).
    private func buildRowLists() {
        var count = 0
        if m <= Self.maskRows {
            let full = (1 << m) - 1
            for mask in 0...full {
                rowStart[mask] = count
                guard mask != 0 && mask != full else { continue }
                // The mask's lowest row, and its other row when it has two.
                let a = mask.trailingZeroBitCount, b = (mask & (mask - 1)).trailingZeroBitCount
                for j in 0..<n {
                    let e = entries[j]
                    let rows = (1 << Int(e.row0)) | (Int(e.row1) < m ? 1 << Int(e.row1) : 0)
                    if rows & mask != 0 {
                        rowColumns[count] = Int32(j)
                        func value(inRow row: Int) -> Double { Int(e.row0) == row ? e.value0 : (Int(e.row1) == row ? e.value1 : 0) }
                        rowValues[count] = value(inRow: a)
                        rowValuesB[count] = mask.nonzeroBitCount == 2 ? value(inRow: b) : 0
                        count += 1
                    }
                }
            }
            rowStart[full + 1] = count
        } else {
            for i in 0..<m {
                rowStart[i] = count
                for j in 0..<n where Int(entries[j].row0) == i || Int(entries[j].row1) == i {
                    rowColumns[count] = Int32(j)
                    rowValues[count] = Int(entries[j].row0) == i ? entries[j].value0 : entries[j].value1
                    count += 1
                }
            }
            rowStart[m] = count
        }
        rowListsStale = false
    }

    /// Declares column `j` as the crash-basis column of row `r` (it must be ±1 in row `r` only).
    func setCrashColumn(row r: Int, column j: Int) {
        precondition(Int(entries[j].row1) == m && Int(entries[j].row0) == r && abs(entries[j].value0) == 1)
        crashColumn[r] = Int32(j)
        hasBasis = false
    }

    /// Forgets the warm-start basis.
    func reset() { hasBasis = false; residualValid = false }

    private func installCrashBasis() {
        for j in 0..<n { position[j] = -1; setState(j, 0) }
        for i in 0..<(m * m) { binv[i] = 0 }
        for r in 0..<m {
            let j = Int(crashColumn[r])
            precondition(j >= 0, "row \(r) has no crash column")
            head[r] = Int32(j)
            position[j] = Int32(r)
            setState(j, Self.basicBit)
            binv[r * m + r] = 1 / entries[j].value0
        }
        hasBasis = true
        pivotsSinceRefactor = 0
        residualValid = false
    }

    /// Rebuilds the basis inverse from the basic columns (Gauss–Jordan, partial pivoting).
    /// Returns false when the basis is numerically singular.
    private func refactor() -> Bool {
        // dense = B, binv = I
        for i in 0..<(m * m) { dense[i] = 0; binv[i] = 0 }
        for k in 0..<m {
            let j = Int(head[k])
            let e = entries[j]
            dense[Int(e.row0) * m + k] = e.value0
            if Int(e.row1) < m { dense[Int(e.row1) * m + k] = e.value1 }
            binv[k * m + k] = 1
        }
        for col in 0..<m {
            var pivotRow = col
            var best = abs(dense[col * m + col])
            for r in (col + 1)..<m where abs(dense[r * m + col]) > best {
                best = abs(dense[r * m + col]); pivotRow = r
            }
            if best < 1e-12 { return false }
            if pivotRow != col {
                for k in 0..<m {
                    swap(&dense[col * m + k], &dense[pivotRow * m + k])
                    swap(&binv[col * m + k], &binv[pivotRow * m + k])
                }
            }
            let inv = 1 / dense[col * m + col]
            for k in 0..<m { dense[col * m + k] *= inv; binv[col * m + k] *= inv }
            for r in 0..<m where r != col {
                let f = dense[r * m + col]
                if f != 0 {
                    for k in 0..<m {
                        dense[r * m + k] -= f * dense[col * m + k]
                        binv[r * m + k] -= f * binv[col * m + k]
                    }
                }
            }
        }
        pivotsSinceRefactor = 0
        residualValid = false
        return true
    }

    /// y = c_B B⁻¹ (the row duals). Reduced costs are not stored: d_j = c_j − y·A_j is computed when
    /// needed, and y is updated in O(m) per pivot, so no pass over the columns keeps d current.
    private func computeDuals() {
        for i in 0...m { y[i] = 0 }
        for k in 0..<m {
            let cb = cost[Int(head[k])]
            if cb != 0 {
                let row = binv + k * m
                for i in 0..<m { y[i] += cb * row[i] }
            }
        }
    }

    /// Puts every nonbasic variable at the bound its reduced cost asks for, computes x_B, and lists the
    /// columns that can move (lower < upper) for the ratio tests of this solve. Recomputes the residual
    /// b − N x_N in full (and saves the right-hand side it used).
    private func computePrimal() {
        if rowListsStale { buildRowLists() }
        let residual = self.residual
        for i in 0..<m { residual[i] = rhs[i]; savedRhs[i] = rhs[i] }
        residual[m] = 0
        let lower = self.lower, upper = self.upper, state = self.state, entries = self.entries
        let x = self.x, active = self.active, listed = self.listed
        var movable = 0
        for j in 0..<n {
            let lo = lower[j], hi = upper[j]
            active[movable] = Int32(j)
            listed[j] = lo != hi ? 1 : 0
            movable &+= lo != hi ? 1 : 0
            let st = state[j]
            if st & Self.basicBit != 0 { continue }
            let e = entries[j]
            let v = placeAtBound(j, lower: lo, upper: hi, state: st, entries: e)
            x[j] = v
            residual[Int(e.row0)] -= e.value0 * v
            residual[Int(e.row1)] -= e.value1 * v
        }
        activeCount = movable
        residualValid = true
        changedCount = 0
        computeBasicValues()
    }

    /// As `computePrimal`, when the duals are those the last solve ended with and the residual is valid:
    /// only the columns whose bounds or cost changed are put at their bound again (a column whose numbers
    /// and reduced cost are unchanged is where that solve left it), and the residual moves by their
    /// change and by the right-hand side's. A column that became fixed or free leaves or joins the movable
    /// list in its place (the list stays in column order, as `computePrimal` builds it).
    private func updatePrimal() {
        let residual = self.residual
        for i in 0..<m { residual[i] += rhs[i] - savedRhs[i]; savedRhs[i] = rhs[i] }
        let lower = self.lower, upper = self.upper, state = self.state, entries = self.entries
        let x = self.x, changed = self.changed, listed = self.listed
        for c in 0..<changedCount {
            let j = Int(changed[c])
            let lo = lower[j], hi = upper[j]
            if (listed[j] != 0) != (lo != hi) { moveInActiveList(j, movable: lo != hi) }
            let st = state[j]
            if st & Self.basicBit != 0 { continue }
            let e = entries[j]
            let v = placeAtBound(j, lower: lo, upper: hi, state: st, entries: e)
            let delta = v - x[j]
            x[j] = v
            residual[Int(e.row0)] -= e.value0 * delta
            residual[Int(e.row1)] -= e.value1 * delta
        }
        changedCount = 0
        incrementalSolves &+= 1
        computeBasicValues()
    }

    /// Inserts column j into the movable list at its place in column order (`movable`), or removes it.
    private func moveInActiveList(_ j: Int, movable: Bool) {
        if movable {
            var k = activeCount
            while k > 0 && Int(active[k - 1]) > j { active[k] = active[k - 1]; k -= 1 }
            active[k] = Int32(j)
            activeCount += 1
        } else {
            var k = 0
            while k < activeCount && Int(active[k]) != j { k += 1 }
            precondition(k < activeCount, "a listed column is missing from the movable list")
            for i in k..<(activeCount - 1) { active[i] = active[i + 1] }
            activeCount -= 1
        }
        listed[j] = movable ? 1 : 0
    }

    /// Puts nonbasic column j at the bound its reduced cost asks for (a fixed column at its bound; on a tie
    /// the side it was on), sets its state, and returns its value.
    @inline(__always) private func placeAtBound(_ j: Int, lower lo: Double, upper hi: Double, state st: UInt8,
                                                entries e: ColumnEntries) -> Double {
        let dj = cost[j] - (y[Int(e.row0)] * e.value0 + y[Int(e.row1)] * e.value1)
        let up = lo != hi && (dj < -dualTolerance || (dj <= dualTolerance && st & Self.atUpperBit != 0))
        setState(j, up ? Self.atUpperBit : (lo != hi ? 0 : Self.fixedBit))   // `nonbasicState`, as `up` implies lo ≠ hi
        return up ? hi : lo
    }

    /// x_B = B⁻¹ (b − N x_N).
    private func computeBasicValues() {
        for k in 0..<m {
            let row = binv + k * m
            var s = 0.0
            for i in 0..<m { s += row[i] * residual[i] }
            x[Int(head[k])] = s
        }
    }

    /// Solves the LP from the current data. Returns `.optimal` with x and y (row duals) filled.
    ///
    /// Each iteration: (1) the leaving row, (2) the pivot row over the movable columns and the eligible
    /// entering columns (`scanPivotRow`), (3) the ratio test, which may flip whole groups of columns to
    /// their other bound (`ratioTest`, `applyFlips`), (4) the dual update, (5) the pivot: primal update and
    /// product-form update of B⁻¹ (`pivot`).
    func solve(maxIterations: Int? = nil) -> Status {
        if !hasBasis { installCrashBasis() }
        else if pivotsSinceRefactor >= refactorInterval && !refactor() { installCrashBasis() }
        // The duals y = c_B B⁻¹ are those the last solve ended with when neither B⁻¹ nor c_B changed since.
        // (Counted without `&&`, which would branch at every row.)
        var basicCostsChanged = 0
        for k in 0..<m { basicCostsChanged |= cost[Int(head[k])] == savedBasicCost[k] ? 0 : 1 }
        let dualsAsBefore = residualValid && changedCount < changedCapacity && basicCostsChanged == 0
        if dualsAsBefore { updatePrimal() } else { computeDuals(); computePrimal() }
        let limit = maxIterations ?? (50 * (m + n) + 1000)
        var iterations = 0
        defer { lastIterations = iterations }
        var bland = degenerateLimit <= 0, degenerateRun = 0
        if bland { blandSolves += 1 }
        while true {
            // 1. Leaving row: the largest bound violation among basic variables (lowest row on ties); under
            //    Bland's rule, the infeasible basic variable of smallest column index.
            let (r, worst, leavingUp) = bland ? blandLeavingRow() : largestViolation()
            if r < 0 { break }
            if iterations >= limit { residualValid = false; return .iterationLimit }
            iterations += 1
            // 2. Pivot row and eligible columns; 3. ratio test (with bound flips unless under Bland's rule).
            let (candidateCount, thetaMax) = scanPivotRow(leaving: r, leavingUp: leavingUp)
            guard let entering = ratioTest(candidates: candidateCount, thetaMax: thetaMax, infeasibility: worst, bland: bland) else {
                residualValid = false
                return .infeasible
            }
            if entering.flips > 0 { applyFlips(entering.flips) }
            // 4. Dual update: y ← y + θ_D ρ makes d_q zero and every other d_j move by −θ_D α_j.
            let thetaD = entering.reducedCost / entering.alpha
            if thetaD != 0 { for i in 0..<m { y[i] += thetaD * rho[i] } }
            // Dual-degenerate: the entering column's reduced cost is zero within the dual tolerance.
            degenerateRun = abs(entering.reducedCost) <= dualTolerance ? degenerateRun + 1 : 0
            if degenerateRun >= degenerateLimit && !bland { bland = true; blandSolves += 1 }
            // 5. The pivot.
            pivot(leavingRow: r, leavingUp: leavingUp, entering: entering.column)
        }
        // y was updated at each pivot: recomputed from the basis so that prices carry no accumulated rounding.
        if iterations > 0 { computeDuals() }
        for k in 0..<m { savedBasicCost[k] = cost[Int(head[k])] }
        return .optimal
    }

    /// Step 2: ρ = row r of B⁻¹, and the pivot row's eligible columns with their ratios (in `candidates`):
    /// (count, the smallest Harris bound). A column is eligible when |α_j| > pivotTolerance · ‖ρ‖∞ with the
    /// sign that lets it enter. Only the columns of the rows where ρ is nonzero are scanned (the others have
    /// α = 0), through the row lists when ρ has one or two nonzero rows.
    @inline(__always) private func scanPivotRow(leaving r: Int, leavingUp: Bool) -> (Int, Double) {
        let m = self.m, rho = self.rho, binv = self.binv
        var rhoNorm = 0.0
        for i in 0..<m { rho[i] = binv[r * m + i]; rhoNorm = max(rhoNorm, abs(rho[i])) }
        let pivotTolerance = self.pivotTolerance * rhoNorm
        var list = -1
        var nonzeroRows = 0, onlyRow = 0
        var pairRows = (0, 0)
        if m <= Self.maskRows {
            var mask = 0
            for i in 0..<m {   // (without a branch per row)
                let nonzero = rho[i] != 0 ? 1 : 0
                mask |= nonzero << i; nonzeroRows += nonzero; onlyRow = nonzero != 0 ? i : onlyRow
            }
            list = mask != 0 && mask != (1 << m) - 1 ? mask : -1
            pairRows = (mask.trailingZeroBitCount, (mask & (mask &- 1)).trailingZeroBitCount)
        } else {
            for i in 0..<m where rho[i] != 0 { nonzeroRows += 1; onlyRow = i }
            list = nonzeroRows == 1 ? onlyRow : -1
        }
        let rowStart = self.rowStart
        let scanList = list >= 0 ? rowColumns + rowStart[list] : active
        let scanCount = list >= 0 ? rowStart[list + 1] - rowStart[list] : activeCount
        let leavingFactor = leavingUp ? -1.0 : 1.0   // (a number, so that the scans multiply by it)
        if list >= 0 && nonzeroRows == 1 {
            return GridDispatch.scanPivotRow(columns: scanList, values: rowValues + rowStart[list], count: scanCount,
                                             rho: rho[onlyRow], entries: entries, side: side, cost: cost,
                                             y: y, leavingFactor: leavingFactor,
                                             pivotTolerance: pivotTolerance, dualTolerance: dualTolerance, into: candidates)
        } else if list >= 0 && nonzeroRows == 2 && m <= Self.maskRows {
            return GridDispatch.scanPivotRow(columns: scanList, values: rowValues + rowStart[list], rowValuesB + rowStart[list],
                                             count: scanCount, rho: rho[pairRows.0], rho[pairRows.1],
                                             entries: entries, side: side, cost: cost, y: y,
                                             leavingFactor: leavingFactor, pivotTolerance: pivotTolerance, dualTolerance: dualTolerance,
                                             into: candidates)
        }
        return GridDispatch.scanPivotRow(active: scanList, count: scanCount, rho: rho,
                                         entries: entries, side: side, cost: cost, y: y,
                                         leavingFactor: leavingFactor, pivotTolerance: pivotTolerance, dualTolerance: dualTolerance,
                                         into: candidates)
    }

    /// The entering column of a pivot: its index, α_q, its reduced cost d_q, and the columns flipped to
    /// their other bound before it (the first `flips` of `flipped`).
    struct Entering {
        var column: Int
        var alpha: Double
        var reducedCost: Double
        var flips: Int
    }

    /// Step 3: the ratio test over the eligible columns; nil when there is none (the LP is infeasible).
    ///
    /// Bound flipping (long-step) ratio test: while flipping every column of the next breakpoint group to
    /// its other bound still leaves the leaving row infeasible, flip them and go on; the entering column is
    /// the largest |α| of the group where the row's infeasibility runs out. One pivot can so cross several
    /// merit-order blocks. Within a group, Harris's tolerance. `thetaMax` is the smallest Harris bound of
    /// the candidates left (from the scan, then from the pass that drops a flipped group). Under Bland's
    /// rule: the plain ratio test, the smallest ratio with ties to the smallest column index, no flips.
    @inline(__always) private func ratioTest(candidates count: Int, thetaMax bound: Double, infeasibility: Double, bland: Bool) -> Entering? {
        let candidate = self.candidates, upper = self.upper, lower = self.lower, flipped = self.flipped
        var candidates = count, thetaMax = bound
        guard candidates > 0 else { return nil }
        var best = -1, flips = 0
        if bland {
            best = 0
            for c in 1..<candidates {
                let a = candidate[c], b = candidate[best]
                if a.ratio < b.ratio || (a.ratio == b.ratio && a.column < b.column) { best = c }
            }
        } else {
            var slope = infeasibility
            while true {
                if candidates == 0 { return nil }
                var bestAlpha = 0.0, groupRange = 0.0
                best = -1
                // Few candidates are in the group: a branch keeps the sum's chain to them (a select would
                // chain an addition per candidate).
                for c in 0..<candidates where candidate[c].ratio <= thetaMax {
                    let a = candidate[c].absAlpha, j = candidate[c].column
                    groupRange += a * (upper[j] - lower[j])
                    if a > bestAlpha { bestAlpha = a; best = c }
                }
                guard slope - groupRange > primalTolerance * (1 + slope) else { break }
                // Flip the whole group and drop it from the candidates.
                slope -= groupRange
                var c = 0
                var nextThetaMax = Double.infinity
                while c < candidates {
                    if candidate[c].ratio <= thetaMax {
                        flipped[flips] = Int32(candidate[c].column); flips += 1
                        candidates -= 1
                        candidate[c] = candidate[candidates]
                    } else {
                        let b = candidate[c].bound
                        nextThetaMax = b < nextThetaMax ? b : nextThetaMax
                        c += 1
                    }
                }
                thetaMax = nextThetaMax
            }
        }
        // α_q and d_q recomputed as the scan computed them.
        let q = candidate[best].column
        let e = entries[q]
        let alpha = rho[Int(e.row0)] * e.value0 + rho[Int(e.row1)] * e.value1
        let d = cost[q] - (y[Int(e.row0)] * e.value0 + y[Int(e.row1)] * e.value1)
        return Entering(column: q, alpha: alpha, reducedCost: d, flips: flips)
    }

    /// Moves the flipped columns to their other bound: x_B −= B⁻¹ Σ A_j Δx_j.
    @inline(__always) private func applyFlips(_ flips: Int) {
        let m = self.m, work = self.work, x = self.x, binv = self.binv
        for i in 0..<m { work[i] = 0 }
        for f in 0..<flips {
            let j = Int(flipped[f])
            let from = x[j]
            let up = state[j] & Self.atUpperBit != 0
            let to = up ? lower[j] : upper[j]
            setState(j, up ? 0 : Self.atUpperBit)
            x[j] = to
            let delta = to - from
            let e = entries[j]
            work[Int(e.row0)] += e.value0 * delta
            work[Int(e.row1)] += e.value1 * delta
        }
        for k in 0..<m {
            let row = binv + k * m
            var s = 0.0
            for i in 0..<m { s += row[i] * work[i] }
            x[Int(head[k])] -= s
        }
        for i in 0..<m { residual[i] -= work[i] }
    }

    /// Step 5: column q enters in row r: the primal update along B⁻¹A_q, the basis change, and the
    /// product-form update of B⁻¹ (refactorised every `refactorInterval` pivots).
    @inline(__always) private func pivot(leavingRow r: Int, leavingUp: Bool, entering q: Int) {
        let m = self.m, x = self.x, binv = self.binv, column = self.column, residual = self.residual, head = self.head
        let leaving = Int(head[r])
        // The entering column B⁻¹A_q.
        let eq = entries[q]
        let rq0 = Int(eq.row0), rq1 = Int(eq.row1)
        let vq0 = eq.value0, vq1 = eq.value1
        if rq1 < m {
            for i in 0..<m { column[i] = binv[i * m + rq0] * vq0 + binv[i * m + rq1] * vq1 }
        } else {
            for i in 0..<m { column[i] = binv[i * m + rq0] * vq0 }
        }
        let pivot = column[r]
        let target = leavingUp ? upper[leaving] : lower[leaving]
        // The residual loses q's nonbasic value and gains the leaving column's.
        let xq = x[q], el = entries[leaving]
        residual[rq0] += vq0 * xq
        residual[rq1] += vq1 * xq
        residual[Int(el.row0)] -= el.value0 * target
        residual[Int(el.row1)] -= el.value1 * target
        let t = (x[leaving] - target) / pivot
        for k in 0..<m { x[Int(head[k])] -= column[k] * t }
        x[q] += t
        x[leaving] = target
        // Basis change.
        position[leaving] = -1
        // A fixed column that leaves (at either bound) must not enter again in this solve.
        setState(leaving, Self.nonbasicState(atUpper: leavingUp, lower: lower[leaving], upper: upper[leaving]))
        head[r] = Int32(q)
        position[q] = Int32(r)
        setState(q, Self.basicBit)
        // B⁻¹ update: the pivot row scaled, the other rows (before and after it) reduced.
        let pivotRow = binv + r * m
        let inv = 1 / pivot
        for i in 0..<m { pivotRow[i] *= inv }
        for k in 0..<r {
            let f = column[k]
            if f != 0 {
                let row = binv + k * m
                for i in 0..<m { row[i] -= f * pivotRow[i] }
            }
        }
        for k in (r + 1)..<m {
            let f = column[k]
            if f != 0 {
                let row = binv + k * m
                for i in 0..<m { row[i] -= f * pivotRow[i] }
            }
        }
        pivotsSinceRefactor += 1
        if pivotsSinceRefactor >= refactorInterval {
            if !refactor() { installCrashBasis() }
            computeDuals()
            computePrimal()
        }
    }

    /// The row whose basic variable violates its bounds most (lowest row on ties): (row, violation,
    /// whether it leaves at its upper bound); row −1 when the basis is primal feasible.
    @inline(__always) private func largestViolation() -> (Int, Double, Bool) {
        var r = -1, worst = 0.0, leavingUp = false
        for k in 0..<m {
            let j = Int(head[k])
            let v = x[j]
            let lo = lower[j], hi = upper[j]
            let below = lo - v, above = v - hi
            if below > primalTolerance * (1 + abs(lo)) && below > worst { worst = below; r = k; leavingUp = false }
            if above > primalTolerance * (1 + abs(hi)) && above > worst { worst = above; r = k; leavingUp = true }
        }
        return (r, worst, leavingUp)
    }

    /// Bland's leaving row: the infeasible basic variable of smallest column index.
    private func blandLeavingRow() -> (Int, Double, Bool) {
        var r = -1, violation = 0.0, leavingUp = false, smallest = Int.max
        for k in 0..<m {
            let j = Int(head[k])
            let v = x[j], lo = lower[j], hi = upper[j]
            let below = lo - v, above = v - hi
            if j < smallest && below > primalTolerance * (1 + abs(lo)) { r = k; violation = below; leavingUp = false; smallest = j }
            if j < smallest && above > primalTolerance * (1 + abs(hi)) { r = k; violation = above; leavingUp = true; smallest = j }
        }
        return (r, violation, leavingUp)
    }

    /// c·x at the current solution.
    func objective() -> Double {
        var s = 0.0
        for j in 0..<n { s += cost[j] * x[j] }
        return s
    }
}

/// The pivot row's scans (functions of their own, so that their few pointers stay in registers): each
/// writes the eligible columns of the ratio test, with their ratios, to `out` and returns their number and
/// their smallest Harris bound. They differ in how α_j is computed:
/// - over any list of columns, from the column's two entries and ρ;
/// - when ρ is nonzero in one row only, over that row's list: α_j = ρ_r · the column's entry in r (the
///   same number as the two-entry sum, whose other term is ±0);
/// - when ρ is nonzero in two rows a < b only, over their list: α_j = ρ_a · entry_a + ρ_b · entry_b, with
///   0 where the column has no entry: the two-entry sum in another order (addition commutes), or, for a
///   column with one entry in the rows, that entry's term plus ±0, as in the sum over its own rows.
@inline(never)
private func scanPivotRow(active: UnsafeMutablePointer<Int32>, count: Int, rho: UnsafeMutablePointer<Double>,
                          entries: UnsafeMutablePointer<ColumnEntries>, side: UnsafeMutablePointer<Double>, cost: UnsafePointer<Double>,
                          y: UnsafeMutablePointer<Double>, leavingFactor: Double,
                          pivotTolerance: Double, dualTolerance: Double, into out: UnsafeMutablePointer<RatioCandidate>) -> (Int, Double) {
    scan(count, entries: entries, side: side, cost: cost, y: y, leavingFactor: leavingFactor,
         pivotTolerance: pivotTolerance, dualTolerance: dualTolerance, into: out) { a in
        let j = Int(active[a])
        let e = entries[j]
        return (j, rho[Int(e.row0)] * e.value0 + rho[Int(e.row1)] * e.value1)
    }
}

@inline(never)
private func scanPivotRow(columns: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Double>, count: Int, rho: Double,
                          entries: UnsafeMutablePointer<ColumnEntries>, side: UnsafeMutablePointer<Double>, cost: UnsafePointer<Double>,
                          y: UnsafeMutablePointer<Double>, leavingFactor: Double,
                          pivotTolerance: Double, dualTolerance: Double, into out: UnsafeMutablePointer<RatioCandidate>) -> (Int, Double) {
    scan(count, entries: entries, side: side, cost: cost, y: y, leavingFactor: leavingFactor,
         pivotTolerance: pivotTolerance, dualTolerance: dualTolerance, into: out) { a in (Int(columns[a]), rho * values[a]) }
}

@inline(never)
private func scanPivotRow(columns: UnsafeMutablePointer<Int32>, values valuesA: UnsafeMutablePointer<Double>,
                          _ valuesB: UnsafeMutablePointer<Double>, count: Int, rho rhoA: Double, _ rhoB: Double,
                          entries: UnsafeMutablePointer<ColumnEntries>, side: UnsafeMutablePointer<Double>, cost: UnsafePointer<Double>,
                          y: UnsafeMutablePointer<Double>, leavingFactor: Double,
                          pivotTolerance: Double, dualTolerance: Double, into out: UnsafeMutablePointer<RatioCandidate>) -> (Int, Double) {
    scan(count, entries: entries, side: side, cost: cost, y: y, leavingFactor: leavingFactor,
         pivotTolerance: pivotTolerance, dualTolerance: dualTolerance, into: out) { a in (Int(columns[a]), rhoA * valuesA[a] + rhoB * valuesB[a]) }
}

/// The two passes of a scan over `count` columns, `column(a)` giving the a-th column and its α.
///
/// First pass: every column is written at the next slot of `out`, and the count moves on when it is
/// eligible: a nonbasic, nonfixed column whose move off its bound reduces the leaving row's violation
/// (α of the right sign). α times the column's `side` and the leaving side's sign is that signed α
/// (α negated when the column's bound side equals the leaving side), or ±0 for a column that cannot
/// enter: no branch on the column's data.
///
/// Second pass, over the eligible columns only (typically fewer than half of those scanned): the reduced
/// costs' slacks (d negated for columns at their upper bound: −side · d), ratios and Harris bounds.
@inline(__always)
private func scan(_ count: Int, entries: UnsafeMutablePointer<ColumnEntries>, side: UnsafeMutablePointer<Double>, cost: UnsafePointer<Double>,
                  y: UnsafeMutablePointer<Double>, leavingFactor: Double,
                  pivotTolerance: Double, dualTolerance: Double, into out: UnsafeMutablePointer<RatioCandidate>,
                  _ column: (Int) -> (Int, Double)) -> (Int, Double) {
    var candidates = 0
    for a in 0..<count {
        let (j, alpha) = column(a)
        let s = side[j]
        let signedAlpha = alpha * (s * leavingFactor)   // ±α, exactly (or ±0: not eligible)
        out[candidates].absAlpha = signedAlpha
        out[candidates].column = j
        // (The redundant second test keeps the count an integer sum: with one comparison the compiler
        // branches on it, and that branch mispredicts.)
        candidates &+= (signedAlpha > pivotTolerance ? 1 : 0) & (s != 0 ? 1 : 0)
    }
    var thetaMax = Double.infinity
    for c in 0..<candidates {
        let absAlpha = out[c].absAlpha, j = out[c].column
        let e = entries[j]
        let dj = cost[j] - (y[Int(e.row0)] * e.value0 + y[Int(e.row1)] * e.value1)
        let slack = max(0, -side[j] * dj)
        out[c].ratio = slack / absAlpha
        let bound = (slack + dualTolerance) / absAlpha
        out[c].bound = bound
        thetaMax = bound < thetaMax ? bound : thetaMax
    }
    return (candidates, thetaMax)
}
