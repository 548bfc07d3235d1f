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

/// A column's two entries in one record (the pivot-row scan reads one base pointer, not four).
struct ColumnEntries {
    var row0: Int32
    var row1: Int32
    var value0: Double
    var value1: Double
}

/// An eligible column of the ratio test: |α|, the reduced cost's slack |d|, the ratio |d|/|α| and its
/// Harris bound (|d| + tolerance)/|α|, the column's infeasibility range |α|·(u − l), and the column.
struct RatioCandidate {
    var absAlpha: Double
    var slack: Double
    var ratio: Double
    var bound: Double
    var range: Double
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

    // Problem data, written by the caller before each `solve()`.
    let cost: UnsafeMutablePointer<Double>
    let lower: UnsafeMutablePointer<Double>
    let upper: UnsafeMutablePointer<Double>
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
    let binv: UnsafeMutablePointer<Double>
    // Work space.
    let work: UnsafeMutablePointer<Double>
    let column: UnsafeMutablePointer<Double>
    let dense: UnsafeMutablePointer<Double>
    /// The pivot row of B⁻¹ with the padding row's 0 (m + 1 entries).
    let rho: UnsafeMutablePointer<Double>
    /// The columns with lower < upper in this solve, and the ratio test's eligible columns.
    let active: UnsafeMutablePointer<Int32>
    var activeCount = 0
    /// The columns with an entry in row i, in column order: `rowColumns[rowStart[i] ..< rowStart[i + 1]]`.
    /// A pivot on a row whose B⁻¹ row has a single nonzero scans only that row's columns (the others have
    /// α = 0); fixed columns among them are not eligible (`fixedBit`). Rebuilt after `setColumn`.
    let rowStart: UnsafeMutablePointer<Int>
    let rowColumns: UnsafeMutablePointer<Int32>
    var rowListsStale = true
    let candidates: UnsafeMutablePointer<RatioCandidate>
    let flipped: UnsafeMutablePointer<Int32>
    /// Bound flips of the long-step ratio test since creation.
    private(set) var flipCount = 0

    var hasBasis = false
    var pivotsSinceRefactor = 0
    /// Pivots of the last solve (for tests and benchmarks).
    private(set) var lastIterations = 0
    /// Total pivots since creation.
    private(set) var totalIterations = 0

    let refactorInterval = 64
    let primalTolerance = 1e-9
    let dualTolerance = 1e-9
    let pivotTolerance = 1e-9

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
        cost = buffer(n, 0); lower = buffer(n, 0); upper = buffer(n, 0); rhs = buffer(m, 0)
        x = buffer(n, 0); y = buffer(m + 1, 0)
        head = buffer(m, -1); position = buffer(n, -1); state = buffer(n, 0)
        entries = buffer(n, ColumnEntries(row0: 0, row1: Int32(m), value0: 0, value1: 0))
        candidates = buffer(n, RatioCandidate(absAlpha: 0, slack: 0, ratio: 0, bound: 0, range: 0, column: 0))
        binv = buffer(m * m, 0)
        work = buffer(m + 1, 0); column = buffer(m, 0); dense = buffer(m * m, 0); rho = buffer(m + 1, 0)
        active = buffer(n, 0); flipped = buffer(n, 0)
        rowStart = buffer(m + 1, 0); rowColumns = buffer(2 * n, 0)
    }

    deinit {
        for p in [crashColumn, head, position, active, flipped] as [UnsafeMutablePointer<Int32>] { p.deallocate() }
        for p in [cost, lower, upper, rhs, x, y, binv, work, column, dense, rho] { p.deallocate() }
        state.deallocate(); entries.deallocate(); candidates.deallocate(); rowStart.deallocate(); rowColumns.deallocate()
    }

    /// Sets column `j` to have `value0` in `r0` and, optionally, `value1` in `r1`.
    func setColumn(_ j: Int, row r0: Int, value value0: Double, row r1: Int = -1, value value1: Double = 0) {
        precondition(j >= 0 && j < n && r0 >= 0 && r0 < m && r1 < m && r1 != r0)
        entries[j] = ColumnEntries(row0: Int32(r0), row1: Int32(r1 >= 0 ? r1 : m), value0: value0, value1: r1 >= 0 ? value1 : 0)
        hasBasis = false
        rowListsStale = true
    }

    /// Lists each row's columns in column order (see `rowStart`).
    private func buildRowLists() {
        var count = 0
        for i in 0..<m {
            rowStart[i] = count
            for j in 0..<n where Int(entries[j].row0) == i || Int(entries[j].row1) == i {
                rowColumns[count] = Int32(j); count += 1
            }
        }
        rowStart[m] = count
        rowListsStale = false
    }

    /// Declares column `j` as the crash-basis column of row `r` (it must be ±1 in row `r` only).
    func setCrashColumn(row r: Int, column j: Int) {
        precondition(Int(entries[j].row1) == m && Int(entries[j].row0) == r && abs(entries[j].value0) == 1)
        crashColumn[r] = Int32(j)
        hasBasis = false
    }

    /// Forgets the warm-start basis.
    func reset() { hasBasis = false }

    private func installCrashBasis() {
        for j in 0..<n { position[j] = -1; state[j] = 0 }
        for i in 0..<(m * m) { binv[i] = 0 }
        for r in 0..<m {
            let j = Int(crashColumn[r])
            precondition(j >= 0, "row \(r) has no crash column")
            head[r] = Int32(j)
            position[j] = Int32(r)
            state[j] = Self.basicBit
            binv[r * m + r] = 1 / entries[j].value0
        }
        hasBasis = true
        pivotsSinceRefactor = 0
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
    /// columns that can move (lower < upper) for the ratio tests of this solve.
    private func computePrimal() {
        if rowListsStale { buildRowLists() }
        for i in 0..<m { work[i] = rhs[i] }
        let lower = self.lower, upper = self.upper, cost = self.cost, state = self.state, entries = self.entries
        let x = self.x, y = self.y, work = self.work, active = self.active, dualTolerance = self.dualTolerance
        var movable = 0
        for j in 0..<n {
            let lo = lower[j], hi = upper[j]
            active[movable] = Int32(j)
            movable &+= lo != hi ? 1 : 0
            let st = state[j]
            if st & Self.basicBit != 0 { continue }
            let e = entries[j]
            let r0 = Int(e.row0), r1 = Int(e.row1)
            let dj = cost[j] - (y[r0] * e.value0 + y[r1] * e.value1)
            // Fixed columns sit at their bound; others at the bound their reduced cost asks for (ties
            // keep the side they were on).
            let up = lo != hi && (dj < -dualTolerance || (dj <= dualTolerance && st & Self.atUpperBit != 0))
            state[j] = up ? Self.atUpperBit : (lo != hi ? 0 : Self.fixedBit)   // `nonbasicState`, as `up` implies lo ≠ hi
            let v = up ? hi : lo
            x[j] = v
            work[r0] -= e.value0 * v
            work[r1] -= e.value1 * v
        }
        activeCount = movable
        for k in 0..<m {
            let row = binv + k * m
            var s = 0.0
            for i in 0..<m { s += row[i] * work[i] }
            x[Int(head[k])] = s
        }
    }

    /// Solves the LP from the current data. Returns `.optimal` with x and y (row duals) filled.
    func solve(maxIterations: Int? = nil) -> Status {
        if !hasBasis { installCrashBasis() }
        else if pivotsSinceRefactor >= refactorInterval && !refactor() { installCrashBasis() }
        computeDuals()
        computePrimal()
        let limit = maxIterations ?? (50 * (m + n) + 1000)
        var iterations = 0
        // Local copies of the buffers, so that the loops keep them in registers.
        let m = self.m
        let x = self.x, y = self.y, cost = self.cost, lower = self.lower, upper = self.upper
        let position = self.position, state = self.state, entries = self.entries, head = self.head
        let binv = self.binv, column = self.column, active = self.active, rho = self.rho
        let rowStart = self.rowStart, rowColumns = self.rowColumns
        let candidate = self.candidates
        let flipped = self.flipped, work = self.work
        let primalTolerance = self.primalTolerance, dualTolerance = self.dualTolerance, pivotTolerance = self.pivotTolerance
        defer { lastIterations = iterations; totalIterations &+= iterations }
        while true {
            // 1. Leaving row: the largest bound violation among basic variables (lowest row on ties).
            var r = -1
            var worst = 0.0
            var leavingUp = false
            for k in 0..<m {
                let j = Int(head[k])
                let v = x[j]
                let lo = lower[j], hi = upper[j]
                let below = lo - v, above = v - hi
                if below > primalTolerance * (1 + abs(lo)) && below > worst { worst = below; r = k; leavingUp = false }
                if above > primalTolerance * (1 + abs(hi)) && above > worst { worst = above; r = k; leavingUp = true }
            }
            if r < 0 { break }
            if iterations >= limit { return .iterationLimit }
            iterations += 1

            // 2. Pivot row α_r = (B⁻¹)_r A_N over the movable nonbasic columns, and a Harris two-pass
            //    ratio test: the first pass bounds the step with tolerances and keeps the eligible
            //    columns, the second picks the largest |α| among those within the bound.
            for i in 0..<m { rho[i] = binv[r * m + i] }
            // Only one row's columns are scanned when the pivot row has a single nonzero (the others
            // have α = 0).
            var nonzeroRows = 0, onlyRow = 0
            for i in 0..<m where rho[i] != 0 { nonzeroRows += 1; onlyRow = i }
            let scanList = nonzeroRows == 1 ? rowColumns + rowStart[onlyRow] : active
            let scanCount = nonzeroRows == 1 ? rowStart[onlyRow + 1] - rowStart[onlyRow] : activeCount
            var (candidates, thetaMax) = scanPivotRow(active: scanList, count: scanCount, entries: entries, state: state, cost: cost,
                                                      lower: lower, upper: upper, rho: rho, y: y, leavingUp: leavingUp,
                                                      pivotTolerance: pivotTolerance, dualTolerance: dualTolerance, into: candidate)
            // Bound flipping (long-step) ratio test: while flipping every column of the next breakpoint
            // group to its other bound still leaves the leaving row infeasible, flip them and go on; the
            // entering column is the largest |α| of the group where the row's infeasibility runs out.
            // One pivot can so cross several merit-order blocks. Within a group, Harris's tolerance.
            // `thetaMax` is the smallest Harris bound of the candidates left (from the scan, then from
            // the pass that drops a flipped group).
            var slope = worst
            var flips = 0
            var q = -1
            var alphaQ = 0.0, dQ = 0.0
            while true {
                if candidates == 0 { return .infeasible }
                var bestAlpha = 0.0, best = -1
                var groupRange = 0.0
                for c in 0..<candidates {
                    let a = candidate[c].absAlpha
                    let inGroup = candidate[c].ratio <= thetaMax
                    groupRange += inGroup ? candidate[c].range : 0
                    let better = inGroup && a > bestAlpha
                    bestAlpha = better ? a : bestAlpha
                    best = better ? c : best
                }
                if slope - groupRange > primalTolerance * (1 + slope) {
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
                    continue
                }
                // α_q and d_q recomputed as the scan computed them.
                q = candidate[best].column
                let e = entries[q]
                alphaQ = rho[Int(e.row0)] * e.value0 + rho[Int(e.row1)] * e.value1
                dQ = cost[q] - (y[Int(e.row0)] * e.value0 + y[Int(e.row1)] * e.value1)
                break
            }
            if flips > 0 {
                // x_B −= B⁻¹ Σ A_j Δx_j over the flipped columns.
                for i in 0..<m { work[i] = 0 }
                for f in 0..<flips {
                    let j = Int(flipped[f])
                    let from = x[j]
                    let up = state[j] & Self.atUpperBit != 0
                    let to = up ? lower[j] : upper[j]
                    state[j] = up ? 0 : Self.atUpperBit
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
                flipCount &+= flips
            }

            // 3. Dual update: y ← y + θ_D ρ makes d_q zero and every other d_j move by −θ_D α_j.
            let thetaD = dQ / alphaQ
            if thetaD != 0 { for i in 0..<m { y[i] += thetaD * rho[i] } }
            let leaving = Int(head[r])

            // 4. Entering column B⁻¹A_q and primal update.
            let eq = entries[q]
            let rq0 = Int(eq.row0), rq1 = Int(eq.row1)
            let vq0 = eq.value0, vq1 = eq.value1
            for i in 0..<m {
                var s = binv[i * m + rq0] * vq0
                if rq1 < m { s += binv[i * m + rq1] * vq1 }
                column[i] = s
            }
            let pivot = column[r]
            let target = leavingUp ? upper[leaving] : lower[leaving]
            let t = (x[leaving] - target) / pivot
            for k in 0..<m { x[Int(head[k])] -= column[k] * t }
            x[q] += t
            x[leaving] = target

            // 5. Basis change and product-form update of B⁻¹.
            position[leaving] = -1
            // A fixed column that leaves (at either bound) must not enter again in this solve.
            state[leaving] = Self.nonbasicState(atUpper: leavingUp, lower: lower[leaving], upper: upper[leaving])
            head[r] = Int32(q)
            position[q] = Int32(r)
            state[q] = Self.basicBit
            let pivotRow = binv + r * m
            let inv = 1 / pivot
            for i in 0..<m { pivotRow[i] *= inv }
            for k in 0..<m where k != r {
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
        computeDuals()
        return .optimal
    }

    /// c·x at the current solution.
    func objective() -> Double {
        var s = 0.0
        for j in 0..<n { s += cost[j] * x[j] }
        return s
    }
}

/// The pivot row's scan (a function of its own, so that its few pointers stay in registers): writes the
/// eligible columns of the ratio test, with their ratios, to `out` and returns their number and their
/// smallest Harris bound. Every column is written at the next slot; the count moves on only for eligible
/// ones (no unpredictable branch). Basic and fixed columns are not eligible (`state >= basicBit`).
@inline(never)
private func scanPivotRow(active: UnsafeMutablePointer<Int32>, count: Int, entries: UnsafeMutablePointer<ColumnEntries>,
                          state: UnsafeMutablePointer<UInt8>, cost: UnsafeMutablePointer<Double>,
                          lower: UnsafeMutablePointer<Double>, upper: UnsafeMutablePointer<Double>,
                          rho: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>, leavingUp: Bool,
                          pivotTolerance: Double, dualTolerance: Double, into out: UnsafeMutablePointer<RatioCandidate>) -> (Int, Double) {
    var candidates = 0
    // α is negated (its sign bit flipped) when the column's bound side equals the leaving side, d when
    // the column is at its upper bound: no branch on the column's data.
    let leavingUpBit: UInt64 = leavingUp ? 1 : 0
    for a in 0..<count {
        let j = Int(active[a])
        let e = entries[j]
        let r0 = Int(e.row0), r1 = Int(e.row1)
        let alpha = rho[r0] * e.value0 + rho[r1] * e.value1
        let st = state[j]
        let up = UInt64(st & BoundedDualSimplex.atUpperBit)
        // Eligible: a nonbasic column whose move off its bound reduces the leaving row's violation
        // (α of the right sign).
        let signedAlpha = Double(bitPattern: alpha.bitPattern ^ ((up ^ leavingUpBit ^ 1) << 63))
        let dj = cost[j] - (y[r0] * e.value0 + y[r1] * e.value1)
        out[candidates].absAlpha = signedAlpha
        out[candidates].slack = max(0, Double(bitPattern: dj.bitPattern ^ (up << 63)))
        out[candidates].column = j
        candidates &+= (signedAlpha > pivotTolerance ? 1 : 0) & (st >= BoundedDualSimplex.basicBit ? 0 : 1)
    }
    var thetaMax = Double.infinity
    for c in 0..<candidates {
        let slack = out[c].slack, absAlpha = out[c].absAlpha, j = out[c].column
        out[c].ratio = slack / absAlpha
        let bound = (slack + dualTolerance) / absAlpha
        out[c].bound = bound
        thetaMax = bound < thetaMax ? bound : thetaMax
        out[c].range = absAlpha * (upper[j] - lower[j])
    }
    return (candidates, thetaMax)
}
