// A thin wrapper over GLPK's simplex, used by the tests as an independent LP oracle.
// GLPK pointers never leave this file.
import CGLPK

public struct LinearProgram: Sendable {
    public enum RowKind: Sendable { case equal, lessOrEqual, greaterOrEqual }
    public var rowKinds: [RowKind] = []
    public var rowBounds: [Double] = []
    public var columnCost: [Double] = []
    public var columnLower: [Double] = []
    public var columnUpper: [Double] = []
    /// Nonzeros as (row, column, value), zero-based.
    public var entries: [(Int, Int, Double)] = []

    public init() {}

    @discardableResult
    public mutating func addColumn(cost: Double, lower: Double, upper: Double) -> Int {
        columnCost.append(cost); columnLower.append(lower); columnUpper.append(upper)
        return columnCost.count - 1
    }

    @discardableResult
    public mutating func addRow(_ kind: RowKind, _ bound: Double) -> Int {
        rowKinds.append(kind); rowBounds.append(bound)
        return rowKinds.count - 1
    }

    public mutating func set(row: Int, column: Int, _ value: Double) { entries.append((row, column, value)) }
}

public struct LPSolution: Sendable {
    public var objective: Double
    public var x: [Double]
    public var rowDuals: [Double]
}

public enum LPOracleError: Error { case notOptimal(Int32) }

public enum LPOracle {
    /// Solves `lp` to optimality with GLPK's primal simplex (presolver on, messages off).
    public static func solve(_ lp: LinearProgram) throws -> LPSolution {
        guard let prob = glp_create_prob() else { throw LPOracleError.notOptimal(-1) }
        defer { glp_delete_prob(prob) }
        glp_set_obj_dir(prob, GLP_MIN)
        let m = lp.rowKinds.count, n = lp.columnCost.count
        if m > 0 { glp_add_rows(prob, Int32(m)) }
        if n > 0 { glp_add_cols(prob, Int32(n)) }
        for i in 0..<m {
            let b = lp.rowBounds[i]
            switch lp.rowKinds[i] {
            case .equal: glp_set_row_bnds(prob, Int32(i + 1), GLP_FX, b, b)
            case .lessOrEqual: glp_set_row_bnds(prob, Int32(i + 1), GLP_UP, 0, b)
            case .greaterOrEqual: glp_set_row_bnds(prob, Int32(i + 1), GLP_LO, b, 0)
            }
        }
        for j in 0..<n {
            let lo = lp.columnLower[j], hi = lp.columnUpper[j]
            let kind: Int32
            if lo == hi { kind = GLP_FX } else if hi.isInfinite { kind = lo.isInfinite ? GLP_FR : GLP_LO } else { kind = GLP_DB }
            glp_set_col_bnds(prob, Int32(j + 1), kind, lo.isFinite ? lo : 0, hi.isFinite ? hi : 0)
            glp_set_obj_coef(prob, Int32(j + 1), lp.columnCost[j])
        }
        var ia: [Int32] = [0], ja: [Int32] = [0], ar: [Double] = [0]
        for (r, c, v) in lp.entries { ia.append(Int32(r + 1)); ja.append(Int32(c + 1)); ar.append(v) }
        glp_load_matrix(prob, Int32(lp.entries.count), &ia, &ja, &ar)
        var parm = glp_smcp()
        glp_init_smcp(&parm)
        parm.msg_lev = GLP_MSG_OFF
        parm.presolve = GLP_OFF
        parm.tol_bnd = 1e-9
        parm.tol_dj = 1e-9
        let rc = glp_simplex(prob, &parm)
        let status = glp_get_status(prob)
        guard rc == 0, status == GLP_OPT else { throw LPOracleError.notOptimal(status) }
        let x = (0..<n).map { glp_get_col_prim(prob, Int32($0 + 1)) }
        let duals = (0..<m).map { glp_get_row_dual(prob, Int32($0 + 1)) }
        return LPSolution(objective: glp_get_obj_val(prob), x: x, rowDuals: duals)
    }
}
