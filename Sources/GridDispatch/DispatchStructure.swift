// The fixed shape of a dispatch problem: what connects to what. It does not change from step to step;
// the per-step numbers live in `DispatchInput`. Plain arrays only: this module knows nothing of
// scenarios, so it can be tested against an LP oracle and benchmarked alone.

/// One direction of a corridor is split into loss segments: a segment carries up to
/// `widthFraction` of that direction's transfer limit and delivers `1 − lossFraction` of what it sends.
/// Convex losses (non-decreasing loss fractions) fill in order because lossier segments cost more.
public struct LossSegment: Sendable, Equatable, Codable {
    public var widthFraction: Double
    public var lossFraction: Double
    public init(widthFraction: Double, lossFraction: Double) {
        self.widthFraction = widthFraction
        self.lossFraction = lossFraction
    }

    /// Linear losses: a single segment losing `lossFraction` of every MW sent.
    public static func linear(_ lossFraction: Double) -> [LossSegment] {
        [LossSegment(widthFraction: 1, lossFraction: lossFraction)]
    }

    /// Quadratic losses `loss(f) = lossAtRated · f² / F`, approximated by `count` equal segments
    /// whose marginal loss fractions are `lossAtRated · (2k + 1) / count` (exact at the breakpoints).
    public static func quadratic(lossAtRated: Double, count: Int) -> [LossSegment] {
        precondition(count >= 1)
        return (0..<count).map {
            LossSegment(widthFraction: 1 / Double(count), lossFraction: lossAtRated * Double(2 * $0 + 1) / Double(count))
        }
    }
}

public struct DispatchCorridor: Sendable, Equatable, Codable {
    public var fromRegion: Int
    public var toRegion: Int
    /// Segments of the from → to direction and of the to → from direction.
    public var forwardSegments: [LossSegment]
    public var backwardSegments: [LossSegment]
    /// A small cost per MWh sent (either way); it makes the flow pattern unique on loops.
    public var hurdleCostPerMWh: Double
    public init(fromRegion: Int, toRegion: Int, forwardSegments: [LossSegment], backwardSegments: [LossSegment], hurdleCostPerMWh: Double) {
        self.fromRegion = fromRegion
        self.toRegion = toRegion
        self.forwardSegments = forwardSegments
        self.backwardSegments = backwardSegments
        self.hurdleCostPerMWh = hurdleCostPerMWh
    }
}

public struct DispatchStructure: Sendable, Equatable, Codable {
    public var regionCount: Int
    /// Region of each plant (dispatchable block).
    public var plantRegion: [Int]
    /// Fuel stock each plant burns from (−1: none) and tonnes of that fuel per MWh generated.
    public var plantFuel: [Int]
    public var plantFuelTonnesPerMWh: [Double]
    public var corridors: [DispatchCorridor]
    public var storageRegion: [Int]
    /// Load-shedding blocks: region of each block (one block per region × demand class × step of the
    /// sharing rule; their costs carry the rule).
    public var shedRegion: [Int]
    /// When set, each shed block is a fixed share of its region's demand: block b's MW in a step are
    /// max(0, demand) × `shedShareOfDemand[b]`, and `DispatchInput.shedMaxMW` is not read. The solver then
    /// sums shares once per cost order instead of the blocks' MW every step.
    public var shedShareOfDemand: [Double]?
    /// Demand-response blocks (callable programs, mandatory savings): region of each block.
    public var responseRegion: [Int]
    public var fuelCount: Int
    /// Step length in hours (1, 0.5 or 0.25): fuel rows are in tonnes per step.
    public var stepHours: Double

    public init(regionCount: Int, plantRegion: [Int], plantFuel: [Int], plantFuelTonnesPerMWh: [Double],
                corridors: [DispatchCorridor], storageRegion: [Int], shedRegion: [Int], responseRegion: [Int],
                fuelCount: Int, stepHours: Double) {
        self.regionCount = regionCount
        self.plantRegion = plantRegion
        self.plantFuel = plantFuel
        self.plantFuelTonnesPerMWh = plantFuelTonnesPerMWh
        self.corridors = corridors
        self.storageRegion = storageRegion
        self.shedRegion = shedRegion
        self.responseRegion = responseRegion
        self.fuelCount = fuelCount
        self.stepHours = stepHours
    }

    public var plantCount: Int { plantRegion.count }
    public var storageCount: Int { storageRegion.count }
    public var shedCount: Int { shedRegion.count }
    public var responseCount: Int { responseRegion.count }

    /// Problems with the structure itself (programmer errors upstream); empty when it is usable.
    public func problems() -> [String] {
        var out: [String] = []
        if regionCount < 1 { out.append("regionCount must be at least 1") }
        if plantFuel.count != plantRegion.count || plantFuelTonnesPerMWh.count != plantRegion.count {
            out.append("plant arrays differ in length")
        }
        for (p, r) in plantRegion.enumerated() where r < 0 || r >= regionCount { out.append("plant \(p) region \(r)") }
        for (p, f) in plantFuel.enumerated() where f < -1 || f >= fuelCount { out.append("plant \(p) fuel \(f)") }
        for (p, t) in plantFuelTonnesPerMWh.enumerated() where !(t >= 0) || !t.isFinite { out.append("plant \(p) fuel use \(t)") }
        for (k, c) in corridors.enumerated() {
            if c.fromRegion == c.toRegion || !(0..<regionCount).contains(c.fromRegion) || !(0..<regionCount).contains(c.toRegion) {
                out.append("corridor \(k) regions")
            }
            for s in c.forwardSegments + c.backwardSegments where !(s.lossFraction >= 0 && s.lossFraction < 1 && s.widthFraction > 0) {
                out.append("corridor \(k) segment \(s)")
            }
        }
        for (i, r) in (storageRegion + shedRegion + responseRegion).enumerated() where r < 0 || r >= regionCount {
            out.append("block \(i) region \(r)")
        }
        if !(stepHours > 0) { out.append("stepHours must be positive") }
        if let shares = shedShareOfDemand {
            if shares.count != shedRegion.count { out.append("shedShareOfDemand has \(shares.count) entries for \(shedRegion.count) shed blocks") }
            for (b, share) in shares.enumerated() where !(share >= 0 && share.isFinite) { out.append("shed block \(b) share \(share)") }
        }
        return out
    }
}

/// One step's problem, whole: the structure, every input number and the shed blocks' positions, with a
/// note of where it came from. A step that fails is written as one of these (JSON), and `r70 solve-step
/// FILE` solves it again. A step fails only when the solve from the previous step's basis and the retry
/// from the crash (cold) basis both fail, so solving the case from a cold start, with the shed blocks
/// where they stood, repeats the failing attempt.
public struct DispatchCase: Codable, Sendable {
    public var format = "r70 dispatch case, version 1"
    /// Where the step came from (scenario, trial, step).
    public var context: String
    public var structure: DispatchStructure
    /// The input's numbers in `DispatchInput`'s layout (demand, plants, corridors, storage, shed, response,
    /// excess, fuel).
    public var input: [Double]
    /// Per region, the shed block its shed column stood at (in cost order).
    public var shedPositions: [Int]?

    public init(context: String, structure: DispatchStructure, input: DispatchInput, shedPositions: [Int]? = nil) {
        self.context = context
        self.structure = structure
        self.input = Array(UnsafeBufferPointer(start: input.arena.base, count: input.arena.count))
        self.shedPositions = shedPositions
    }

    /// A solver for the case's structure, with the case's input in it; nil when the numbers do not fit
    /// the structure.
    public func makeSolver() -> DispatchSolver? {
        guard structure.problems().isEmpty else { return nil }
        let solver = DispatchSolver(structure: structure)
        guard solver.input.arena.count == input.count else { return nil }
        solver.input.arena.base.update(from: input, count: input.count)
        if let shedPositions, shedPositions.count == structure.regionCount {
            for (r, k) in shedPositions.enumerated() { solver.shedCurrent[r] = max(0, k) }
        }
        return solver
    }
}
