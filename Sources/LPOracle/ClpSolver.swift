// COIN-OR CLP (coinor-libclp-dev) behind the same `LinearProgram` as the GLPK oracle: the solver of the
// perfect-foresight LPs (a year of hours: hundreds of thousands of columns), where GLPK's simplex is
// too slow. The tests solve small cases with both and compare objectives and duals.
// CLP pointers never leave this file.
import CClp
import Foundation

public enum ClpSolver {
    /// Solves `lp` to optimality (minimising) with CLP's default method choice (presolve, then the
    /// method CLP picks for the problem). Row duals are ∂objective/∂(row bound), as GLPK's are.
    public static func solve(_ lp: LinearProgram) throws -> LPSolution {
        let m = lp.rowKinds.count, n = lp.columnCost.count
        // Column-major (compressed sparse column) matrix, a column's entries in the order they were set.
        var start = [CoinBigIndex](repeating: 0, count: n + 1)
        for (_, c, _) in lp.entries { start[c + 1] += 1 }
        for j in 0..<n { start[j + 1] += start[j] }
        var fill = Array(start.dropLast())
        var index = [Int32](repeating: 0, count: lp.entries.count)
        var value = [Double](repeating: 0, count: lp.entries.count)
        for (r, c, v) in lp.entries {
            let at = Int(fill[c])
            index[at] = Int32(r); value[at] = v
            fill[c] += 1
        }
        var rowLower = [Double](repeating: 0, count: m), rowUpper = [Double](repeating: 0, count: m)
        for i in 0..<m {
            let b = lp.rowBounds[i]
            switch lp.rowKinds[i] {
            case .equal: rowLower[i] = b; rowUpper[i] = b
            case .lessOrEqual: rowLower[i] = -.infinity; rowUpper[i] = b
            case .greaterOrEqual: rowLower[i] = b; rowUpper[i] = .infinity
            }
        }
        // CLP takes infinite bounds as ±COIN_DBL_MAX.
        func coin(_ x: Double) -> Double { x == .infinity ? Double.greatestFiniteMagnitude : x == -.infinity ? -Double.greatestFiniteMagnitude : x }
        let columnLower = lp.columnLower.map(coin), columnUpper = lp.columnUpper.map(coin)
        rowLower = rowLower.map(coin); rowUpper = rowUpper.map(coin)
        guard let model = Clp_newModel() else { throw LPOracleError.notOptimal(-1) }
        defer { Clp_deleteModel(model) }
        Clp_setLogLevel(model, 0)
        start.withUnsafeBufferPointer { s in
            index.withUnsafeBufferPointer { ix in
                value.withUnsafeBufferPointer { v in
                    Clp_loadProblem(model, Int32(n), Int32(m), s.baseAddress, ix.baseAddress, v.baseAddress,
                                    columnLower, columnUpper, lp.columnCost, rowLower, rowUpper)
                }
            }
        }
        // CLP's default tolerances (1e-7). R70_CLP_METHOD=barrier|dual|primal (a diagnostic) forces a method.
        switch ProcessInfo.processInfo.environment["R70_CLP_METHOD"] {
        case "barrier": _ = Clp_initialBarrierSolve(model)
        case "dual": _ = Clp_initialDualSolve(model)
        case "primal": _ = Clp_initialPrimalSolve(model)
        default: _ = Clp_initialSolve(model)
        }
        let status = Clp_status(model)
        guard status == 0 else { throw LPOracleError.notOptimal(status) }
        let x = Array(UnsafeBufferPointer(start: Clp_getColSolution(model), count: n))
        let duals = Array(UnsafeBufferPointer(start: Clp_getRowPrice(model), count: m))
        return LPSolution(objective: Clp_getObjValue(model), x: x, rowDuals: duals)
    }
}
