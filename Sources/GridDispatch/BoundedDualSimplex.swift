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

@usableFromInline
final class BoundedDualSimplex {
    enum Status: Equatable { case optimal, infeasible, iterationLimit }

    let m: Int
    let n: Int
    // Column structure: up to two (row, value) entries; row1 == -1 when a column has one entry.
    let row0: UnsafeMutablePointer<Int32>
    let val0: UnsafeMutablePointer<Double>
    let row1: UnsafeMutablePointer<Int32>
    let val1: UnsafeMutablePointer<Double>
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
    let atUpper: UnsafeMutablePointer<Bool>
    let binv: UnsafeMutablePointer<Double>
    // Work space.
    let work: UnsafeMutablePointer<Double>
    let column: UnsafeMutablePointer<Double>
    let dense: UnsafeMutablePointer<Double>
    /// The columns with lower < upper in this solve, and the ratio test's eligible columns.
    let active: UnsafeMutablePointer<Int32>
    var activeCount = 0
    let candidate: UnsafeMutablePointer<Int32>
    let candidateAlpha: UnsafeMutablePointer<Double>
    let candidateD: UnsafeMutablePointer<Double>
    let candidateSlack: UnsafeMutablePointer<Double>
    let candidateRatio: UnsafeMutablePointer<Double>
    let candidateBound: UnsafeMutablePointer<Double>
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
        row0 = buffer(n, -1); val0 = buffer(n, 0); row1 = buffer(n, -1); val1 = buffer(n, 0)
        crashColumn = buffer(m, -1)
        cost = buffer(n, 0); lower = buffer(n, 0); upper = buffer(n, 0); rhs = buffer(m, 0)
        x = buffer(n, 0); y = buffer(m, 0)
        head = buffer(m, -1); position = buffer(n, -1); atUpper = buffer(n, false)
        binv = buffer(m * m, 0)
        work = buffer(m, 0); column = buffer(m, 0); dense = buffer(m * m, 0)
        active = buffer(n, 0); candidate = buffer(n, 0); candidateAlpha = buffer(n, 0); candidateD = buffer(n, 0)
        candidateSlack = buffer(n, 0); flipped = buffer(n, 0)
        candidateRatio = buffer(n, 0); candidateBound = buffer(n, 0)
    }

    deinit {
        for p in [row0, row1, crashColumn, head, position, active, candidate, flipped] as [UnsafeMutablePointer<Int32>] { p.deallocate() }
        for p in [val0, val1, cost, lower, upper, rhs, x, y, binv, work, column, dense, candidateAlpha, candidateD, candidateSlack, candidateRatio, candidateBound] { p.deallocate() }
        atUpper.deallocate()
    }

    /// Sets column `j` to have `value0` in `r0` and, optionally, `value1` in `r1`.
    func setColumn(_ j: Int, row r0: Int, value value0: Double, row r1: Int = -1, value value1: Double = 0) {
        precondition(j >= 0 && j < n && r0 >= 0 && r0 < m && r1 < m && r1 != r0)
        row0[j] = Int32(r0); val0[j] = value0
        row1[j] = Int32(r1); val1[j] = r1 >= 0 ? value1 : 0
        hasBasis = false
    }

    /// Declares column `j` as the crash-basis column of row `r` (it must be ±1 in row `r` only).
    func setCrashColumn(row r: Int, column j: Int) {
        precondition(row1[j] == -1 && Int(row0[j]) == r && abs(val0[j]) == 1)
        crashColumn[r] = Int32(j)
        hasBasis = false
    }

    /// Forgets the warm-start basis.
    func reset() { hasBasis = false }

    @inline(__always)
    func dotRow(_ rowVector: UnsafeMutablePointer<Double>, _ j: Int) -> Double {
        var s = rowVector[Int(row0[j])] * val0[j]
        let r1 = Int(row1[j])
        if r1 >= 0 { s += rowVector[r1] * val1[j] }
        return s
    }

    private func installCrashBasis() {
        for j in 0..<n { position[j] = -1 }
        for i in 0..<(m * m) { binv[i] = 0 }
        for r in 0..<m {
            let j = Int(crashColumn[r])
            precondition(j >= 0, "row \(r) has no crash column")
            head[r] = Int32(j)
            position[j] = Int32(r)
            binv[r * m + r] = 1 / val0[j]
        }
        for j in 0..<n { atUpper[j] = false }
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
            dense[Int(row0[j]) * m + k] = val0[j]
            let r1 = Int(row1[j])
            if r1 >= 0 { dense[r1 * m + k] = val1[j] }
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
        for i in 0..<m { y[i] = 0 }
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
        for i in 0..<m { work[i] = rhs[i] }
        var movable = 0
        for j in 0..<n {
            let lo = lower[j], hi = upper[j]
            if lo != hi { active[movable] = Int32(j); movable += 1 }
            if position[j] >= 0 { continue }
            let v: Double
            if lo == hi {
                v = lo
                atUpper[j] = false
            } else {
                let dj = cost[j] - dotRow(y, j)
                if dj > dualTolerance {
                    v = lo; atUpper[j] = false
                } else if dj < -dualTolerance {
                    v = hi; atUpper[j] = true
                } else {
                    v = atUpper[j] ? hi : lo
                }
            }
            x[j] = v
            if v != 0 {
                work[Int(row0[j])] -= val0[j] * v
                let r1 = Int(row1[j])
                if r1 >= 0 { work[r1] -= val1[j] * v }
            }
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
        let position = self.position, atUpper = self.atUpper, head = self.head
        let binv = self.binv, column = self.column, active = self.active
        let candidate = self.candidate, candidateAlpha = self.candidateAlpha, candidateD = self.candidateD
        let candidateSlack = self.candidateSlack, flipped = self.flipped, work = self.work
        let candidateRatio = self.candidateRatio, candidateBound = self.candidateBound
        let row0 = self.row0, val0 = self.val0, row1 = self.row1, val1 = self.val1
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
            let rho = binv + r * m
            var candidates = 0
            for a in 0..<activeCount {
                let j = Int(active[a])
                if position[j] >= 0 { continue }
                let r0 = Int(row0[j]), r1 = Int(row1[j])
                var alpha = rho[r0] * val0[j]
                if r1 >= 0 { alpha += rho[r1] * val1[j] }
                // Eligible: moving column j off its bound reduces the leaving row's violation.
                let up = atUpper[j]
                let sign: Double = (leavingUp != up) ? 1 : -1   // the sign α must have
                let signedAlpha = alpha * sign
                if signedAlpha <= pivotTolerance { continue }
                var yA = y[r0] * val0[j]
                if r1 >= 0 { yA += y[r1] * val1[j] }
                let dj = cost[j] - yA
                candidate[candidates] = Int32(j); candidateAlpha[candidates] = alpha; candidateD[candidates] = dj
                let slack = max(0, up ? -dj : dj)   // |d_j|, dual feasible by construction
                candidateSlack[candidates] = slack
                candidateRatio[candidates] = slack / signedAlpha
                candidateBound[candidates] = (slack + dualTolerance) / signedAlpha
                candidates += 1
            }
            // Bound flipping (long-step) ratio test: while flipping every column of the next breakpoint
            // group to its other bound still leaves the leaving row infeasible, flip them and go on; the
            // entering column is the largest |α| of the group where the row's infeasibility runs out.
            // One pivot can so cross several merit-order blocks. Within a group, Harris's tolerance.
            var slope = worst
            var flips = 0
            var q = -1
            var alphaQ = 0.0, dQ = 0.0
            while true {
                if candidates == 0 { return .infeasible }
                var thetaMax = Double.infinity
                for c in 0..<candidates where candidateBound[c] < thetaMax { thetaMax = candidateBound[c] }
                var bestAlpha = 0.0, best = -1
                var groupRange = 0.0
                for c in 0..<candidates {
                    let a = abs(candidateAlpha[c])
                    if candidateRatio[c] <= thetaMax {
                        let j = Int(candidate[c])
                        groupRange += a * (upper[j] - lower[j])
                        if a > bestAlpha { bestAlpha = a; best = c }
                    }
                }
                if slope - groupRange > primalTolerance * (1 + slope) {
                    // Flip the whole group and drop it from the candidates.
                    slope -= groupRange
                    var c = 0
                    while c < candidates {
                        if candidateRatio[c] <= thetaMax {
                            let j = Int(candidate[c])
                            flipped[flips] = Int32(j); flips += 1
                            candidates -= 1
                            candidate[c] = candidate[candidates]
                            candidateAlpha[c] = candidateAlpha[candidates]
                            candidateD[c] = candidateD[candidates]
                            candidateSlack[c] = candidateSlack[candidates]
                            candidateRatio[c] = candidateRatio[candidates]
                            candidateBound[c] = candidateBound[candidates]
                        } else {
                            c += 1
                        }
                    }
                    continue
                }
                q = Int(candidate[best]); alphaQ = candidateAlpha[best]; dQ = candidateD[best]
                break
            }
            if flips > 0 {
                // x_B −= B⁻¹ Σ A_j Δx_j over the flipped columns.
                for i in 0..<m { work[i] = 0 }
                for f in 0..<flips {
                    let j = Int(flipped[f])
                    let from = x[j]
                    let to = atUpper[j] ? lower[j] : upper[j]
                    atUpper[j] = !atUpper[j]
                    x[j] = to
                    let delta = to - from
                    work[Int(row0[j])] += val0[j] * delta
                    let r1 = Int(row1[j])
                    if r1 >= 0 { work[r1] += val1[j] * delta }
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
            let rq0 = Int(row0[q]), rq1 = Int(row1[q])
            let vq0 = val0[q], vq1 = val1[q]
            for i in 0..<m {
                var s = binv[i * m + rq0] * vq0
                if rq1 >= 0 { s += binv[i * m + rq1] * vq1 }
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
            atUpper[leaving] = leavingUp
            head[r] = Int32(q)
            position[q] = Int32(r)
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
