// The random state of one Monte Carlo trial year: forced outages (two-state Markov chains in discrete
// steps, sampled by sojourn times, each device's next transition filed under its step), daily weather
// and demand factors, the hydrological year class, and the fuel arrivals after cargo delays,
// cancellations, supply shortfalls and disruptions.
//
// Common random numbers: every device (a unit of a plant, a storage plant, a circuit of a corridor) and
// every process (the year's demand level, the hydrological class, the national and each region's
// weather, each fuel's supply) draws from its own stream, keyed by (study seed, trial, name). Adding,
// removing or resizing one device, or listing things in another order, leaves every other stream, and
// so every other device's draws, as they were.
// Every buffer and stream is allocated once per worker; a trial re-keys them.
import GridModel
import Foundation
import GridRandom

public final class TrialSampler {
    public let plan: SimulationPlan
    // Devices: every unit of a plant with a forced outage rate, every storage plant, every circuit.
    enum Kind: UInt8 { case unit, storage, circuit, shiftable }
    let deviceKind: [Kind]
    let deviceOwner: [Int]
    let deviceFail: [Double]     // λ per step
    let deviceRepair: [Double]   // μ per step
    var deviceUp: [Bool]
    /// One stream per device (index d), then the process streams below; `streamIDs[k]` names stream k.
    let streams: [RandomStream]
    /// The same streams, read in the step loop without retaining them (`streams` keeps them alive).
    let streamRefs: [Unmanaged<RandomStream>]
    let streamIDs: [StreamID]
    let demandYearStream: RandomStream
    let hydrologyStream: RandomStream
    /// The national weather's common factors (heat, sun, wind) and each region's own components.
    let commonWeatherStream: RandomStream
    let regionWeatherStreams: [RandomStream]
    let fuelStreams: [RandomStream]
    /// The heat-wave chain's stream, each day's month − 1, and this trial's hot days.
    let hotDayStream: RandomStream
    let dayMonthIndex: [Int]
    public private(set) var hotDay: [Bool]
    /// Two streams whose names hash to the same id (never seen; then trials are refused).
    public let streamCollision: String?
    /// Pending transitions filed by step: `dueHead[t]` is a device whose next transition is at step t (−1:
    /// none), `dueNext[d]` the next device due at the same step (each device has one pending transition).
    /// A step's devices are handled in increasing order (`dueScratch`), as a (step, device) heap would.
    let dueHead: UnsafeMutablePointer<Int32>
    let dueNext: UnsafeMutablePointer<Int32>
    let dueScratch: UnsafeMutablePointer<Int32>
    let stepCount: Int
    let unitsTotal: [Int]        // per plant
    var unitsUp: [Int]
    var circuitsUp: [Int]
    // Per-trial draws.
    public private(set) var demandYearFactor = 1.0
    public private(set) var inflowClass = 0
    /// [region * days + day]
    /// Each region's demand factor of each day ([region * days + day]).
    public internal(set) var demandDayFactor: [Double]
    var solarDayFactor: [Double]
    var windDayFactor: [Double]
    var windows: [(Int, Int)] = []
    /// Outage statistics of the trial (for sampler checks): unit-steps on outage and outages begun, per plant.
    public private(set) var unitStepsOut: [Double]
    public private(set) var outagesBegun: [Int]
    var downSince: [Int]
    /// Weather factor each plant follows: 0 none, 1 solar, 2 wind; and whether its available MW follows the
    /// year's hydrological class (reservoirs follow it through their energy instead).
    let weatherKind: [UInt8]
    let followsClass: [Bool]

    deinit { dueHead.deallocate(); dueNext.deallocate(); dueScratch.deallocate() }

    public init(plan: SimulationPlan) {
        self.plan = plan
        let s = plan.scenario
        let dt = s.stepHours
        var kind: [Kind] = [], owner: [Int] = [], fail: [Double] = [], repair: [Double] = [], ids: [StreamID] = []
        func rates(_ forced: Double, _ mttr: Double) -> (Double, Double) {
            let mu = min(1, dt / mttr)
            return (min(1, mu * forced / (1 - forced)), mu)
        }
        if s.stochastic.forcedOutages {
            for (i, p) in s.plants.enumerated() where p.forcedOutageRate > 0 && p.units > 0 {
                let (l, m) = rates(p.forcedOutageRate, p.meanTimeToRepairHours)
                for u in 0..<p.units {
                    kind.append(.unit); owner.append(i); fail.append(l); repair.append(m)
                    ids.append(StreamID(kind: "unit", name: p.name, index: u + 1))
                }
            }
            for (k, st) in s.storage.enumerated() where st.forcedOutageRate > 0 {
                let (l, m) = rates(st.forcedOutageRate, st.meanTimeToRepairHours)
                kind.append(.storage); owner.append(k); fail.append(l); repair.append(m)
                ids.append(StreamID(kind: "storage", name: st.name))
            }
            for (d, program) in s.regions.flatMap(\.shiftable).enumerated() where program.forcedOutageRate > 0 {
                let (l, m) = rates(program.forcedOutageRate, program.meanTimeToRepairHours)
                kind.append(.shiftable); owner.append(d); fail.append(l); repair.append(m)
                ids.append(StreamID(kind: "shiftable", name: program.name))
            }
            for (k, c) in s.corridors.enumerated() where c.circuitForcedOutageRate > 0 {
                let (l, m) = rates(c.circuitForcedOutageRate, c.circuitMeanTimeToRepairHours)
                for n in 0..<c.circuits {
                    kind.append(.circuit); owner.append(k); fail.append(l); repair.append(m)
                    ids.append(StreamID(kind: "circuit", name: c.name, index: n + 1))
                }
            }
        }
        precondition(kind.count < Int(Int32.max), "too many stochastic devices")
        deviceKind = kind; deviceOwner = owner; deviceFail = fail; deviceRepair = repair
        deviceUp = [Bool](repeating: true, count: kind.count)
        ids.append(StreamID(kind: "demand-year", name: ""))
        ids.append(StreamID(kind: "hydrology", name: ""))
        ids.append(StreamID(kind: "weather-common", name: ""))
        for r in s.regions { ids.append(StreamID(kind: "weather", name: r.name)) }
        for f in s.fuels { ids.append(StreamID(kind: "fuel", name: f.name)) }
        ids.append(StreamID(kind: "hot-days", name: ""))
        var seen: [UInt64: StreamID] = [:], collision: String? = nil
        for id in ids {
            if let other = seen[id.value], collision == nil { collision = "the random streams of \(other) and \(id) have the same id; rename one of them" }
            seen[id.value] = id
        }
        streamCollision = collision
        streamIDs = ids
        let all = ids.map { RandomStream(seed: 0, trial: 0, stream: $0) }
        streams = all
        streamRefs = all.map { Unmanaged.passUnretained($0) }
        let d = kind.count, regionCount = s.regions.count
        demandYearStream = all[d]
        hydrologyStream = all[d + 1]
        commonWeatherStream = all[d + 2]
        regionWeatherStreams = Array(all[(d + 3)..<(d + 3 + regionCount)])
        fuelStreams = Array(all[(d + 3 + regionCount)..<(all.count - 1)])
        hotDayStream = all[all.count - 1]
        dayMonthIndex = (0..<s.calendar.dayCount).map { s.calendar.date(ofDay: $0).month - 1 }
        hotDay = [Bool](repeating: false, count: s.calendar.dayCount)
        stepCount = plan.scenario.stepCount
        dueHead = .allocate(capacity: max(1, stepCount)); dueHead.initialize(repeating: -1, count: max(1, stepCount))
        dueNext = .allocate(capacity: max(1, kind.count)); dueNext.initialize(repeating: -1, count: max(1, kind.count))
        dueScratch = .allocate(capacity: max(1, kind.count)); dueScratch.initialize(repeating: 0, count: max(1, kind.count))
        unitsTotal = s.plants.map(\.units)
        unitsUp = unitsTotal
        circuitsUp = s.corridors.map(\.circuits)
        let days = s.calendar.dayCount, R = s.regions.count
        demandDayFactor = [Double](repeating: 1, count: R * days)
        solarDayFactor = [Double](repeating: 1, count: R * days)
        windDayFactor = [Double](repeating: 1, count: R * days)
        windows.reserveCapacity(64)
        unitStepsOut = [Double](repeating: 0, count: s.plants.count)
        outagesBegun = [Int](repeating: 0, count: s.plants.count)
        downSince = [Int](repeating: 0, count: kind.count)
        weatherKind = s.plants.map {
            switch $0.technology {
            case .solar: return 1
            case .onshoreWind, .offshoreWind: return 2
            default: return 0
            }
        }
        followsClass = s.plants.map { $0.followsHydrology && $0.hydroMonthlyEnergyMWh == nil }
    }

    // MARK: Pending transitions

    /// Files device d's next transition after `step` (a geometric sojourn of at least one step) under its
    /// step; none beyond the horizon.
    @inline(__always) func schedule(_ device: Int, from step: Int) {
        let p = deviceUp[device] ? deviceFail[device] : deviceRepair[device]
        let k = streamRefs[device]._withUnsafeGuaranteedRef { $0.geometric(p) }
        guard k < stepCount - step else { return }
        let next = step + k
        dueNext[device] = dueHead[next]
        dueHead[next] = Int32(truncatingIfNeeded: device)
    }

    // MARK: A trial

    /// Draws the trial's year-level and daily factors, fuel arrivals and initial outage states from the
    /// streams of trial `trial` of a study seeded with `seed`.
    public func startTrial(seed: UInt64, trial: UInt64, simulator sim: Simulator) {
        for k in streams.indices { streams[k].set(seed: seed, trial: trial, stream: streamIDs[k]) }
        let s = plan.scenario
        let st = s.stochastic
        let days = s.calendar.dayCount, R = s.regions.count
        // Initial outage states (stationary) and the first transitions.
        for t in 0..<stepCount { dueHead[t] = -1 }
        for i in unitsUp.indices { unitsUp[i] = unitsTotal[i]; unitStepsOut[i] = 0; outagesBegun[i] = 0 }
        for k in circuitsUp.indices { circuitsUp[k] = s.corridors[k].circuits }
        for k in sim.storageInService.indices { sim.storageInService[k] = 1 }
        for d in sim.shiftableInService.indices { sim.shiftableInService[d] = 1 }
        for d in deviceKind.indices {
            let l = deviceFail[d], m = deviceRepair[d]
            let up = streams[d].uniform() < m / (l + m)
            deviceUp[d] = up
            downSince[d] = 0
            if !up { apply(d, up: false, simulator: sim) }
            schedule(d, from: 0)
        }
        for i in unitsUp.indices where unitsTotal[i] > 0 { sim.plantInService[i] = Double(unitsUp[i]) / Double(unitsTotal[i]) }
        for k in circuitsUp.indices { sim.corridorInService[k] = Double(circuitsUp[k]) / Double(plan.scenario.corridors[k].circuits) }
        // Hydrological year.
        inflowClass = hydrologyStream.categorical(st.inflowClasses.map(\.probability))
        sim.hydroEnergyFactor = st.inflowClasses[inflowClass].energyFactor
        sim.hydrologyClass = inflowClass + 1
        // Demand and weather.
        demandYearFactor = max(0, 1 + st.demandForecastErrorSigma * demandYearStream.gaussian(sigma: 1))
        let rho = st.regionalCorrelation, common = rho.squareRoot(), own = (1 - rho).squareRoot()
        let c = st.heatSolarCorrelation, cOwn = (1 - c * c).squareRoot()
        let sd = st.demandDailySigma, ss = st.solarDailySigma, sw = st.windDailySigma
        let weather = commonWeatherStream
        for day in 0..<days {
            let heat = weather.gaussian(sigma: 1)
            let sun = c * heat + cOwn * weather.gaussian(sigma: 1)
            let wind = weather.gaussian(sigma: 1)
            for r in 0..<R {
                let k = r * days + day, rng = regionWeatherStreams[r]
                demandDayFactor[k] = max(0, demandYearFactor * (1 + sd * (common * heat + own * rng.gaussian(sigma: 1))))
                let xs = common * sun + own * rng.gaussian(sigma: 1)
                solarDayFactor[k] = ss > 0 ? exp(ss * xs - ss * ss / 2) : 1
                let xw = common * wind + own * rng.gaussian(sigma: 1)
                windDayFactor[k] = sw > 0 ? exp(sw * xw - sw * sw / 2) : 1
            }
        }
        // Heat waves: one draw a day (hot or not, nationally), scaling every region's demand factor.
        if let h = st.hotDays {
            let leave = 1 / h.meanSpellDays
            var hot = false
            for day in 0..<days {
                let p = h.probabilityMonthly[dayMonthIndex[day]]
                let u = hotDayStream.uniform()
                // Stationary probability p: a cool day turns hot with probability p × leave / (1 − p).
                hot = p > 0 && (hot ? u >= leave : u < min(1, p * leave / (1 - p)))
                hotDay[day] = hot
                let f = h.factors(probability: p)
                for r in 0..<R { demandDayFactor[r * days + day] *= hot ? f.hot : f.other }
            }
        }
        // Fuel arrivals.
        let steps = s.stepCount, perDay = s.calendar.stepsPerDay
        // Written straight into the simulator's time-major table ([step * fuels + fuel]).
        let arrivals = sim.fuelArrivalsByStep, supplied = sim.fuelSupplyByStep, fuels = s.fuels.count
        for (f, fuel) in s.fuels.enumerated() {
            let risk = fuel.risk, rng = fuelStreams[f]
            // Random disruption windows.
            windows.removeAll(keepingCapacity: true)
            let years = Double(steps) * s.stepHours / 8760
            let events = risk.disruptionRatePerYear > 0 ? rng.poisson(mean: risk.disruptionRatePerYear * years) : 0
            for _ in 0..<min(events, 64) {
                let start = Int(rng.uniform() * Double(steps))
                let length = Int((rng.exponential(mean: risk.disruptionMeanDurationDays) * Double(perDay)).rounded(.up))
                windows.append((start, start + max(1, length)))
            }
            func disrupted(_ t: Int) -> Bool {
                for w in windows where t >= w.0 && t < w.1 { return true }
                return false
            }
            // Day by day: the day's supply shortfall (one draw a day, in day order), then its steps.
            fuel.supplyPerStepT.withUnsafeBufferPointer { supply in
                precondition(supply.count >= steps, "fuel \(fuel.name): supply for \(supply.count) of \(steps) steps")
                var start = 0
                while start < steps {
                    let shortfall = rng.uniform() < risk.supplyShortfallProbabilityPerDay ? risk.supplyShortfallFraction : 0
                    let end = min(steps, start + perDay)
                    if windows.isEmpty {
                        for t in start..<end { arrivals[t * fuels + f] = supply[t] * (1 - shortfall) }
                    } else {
                        for t in start..<end { arrivals[t * fuels + f] = disrupted(t) ? 0 : supply[t] * (1 - shortfall) }
                    }
                    for t in start..<end { supplied[t * fuels + f] = arrivals[t * fuels + f] }
                    start = end
                }
            }
            for cargo in fuel.cargoes {
                if rng.uniform() < risk.cargoCancellationProbability { continue }
                var step = cargo.step
                if rng.uniform() < risk.cargoDelayProbability {
                    step += Int((rng.exponential(mean: risk.cargoMeanDelayDays) * Double(perDay)).rounded())
                }
                if step < steps && !disrupted(step) { arrivals[step * fuels + f] += cargo.tonnes * (1 - cargo.lostFraction) }
            }
            // Spot cargoes are stopped by the scheduled disruptions and by this trial's random ones.
            if fuel.spot != nil {
                let lost = sim.fuelCargoLostByStep, scheduled = fuel.cargoLostFractionByStep
                for t in 0..<steps { lost[t * fuels + f] = max(scheduled.isEmpty ? 0 : scheduled[t], disrupted(t) ? 1 : 0) }
            }
        }
    }

    /// Changes device d's state at step t and the in-service fraction of its owner.
    @inline(__always) func apply(_ d: Int, up: Bool, simulator sim: Simulator, at t: Int = 0) {
        let o = deviceOwner[d], delta = up ? 1 : -1
        switch deviceKind[d] {
        case .unit:
            unitsUp[o] += delta
            sim.setPlantInService(o, Double(unitsUp[o]) / Double(unitsTotal[o]))
            if up { unitStepsOut[o] += Double(t - downSince[d]) } else { downSince[d] = t; outagesBegun[o] += 1 }
        case .storage: sim.storageInService[o] = up ? 1 : 0
        case .shiftable: sim.shiftableInService[o] = up ? 1 : 0
        case .circuit:
            circuitsUp[o] += delta
            sim.corridorInService[o] = Double(circuitsUp[o]) / Double(plan.scenario.corridors[o].circuits)
        }
    }

    /// Applies the outage transitions due at step t.
    @inline(__always) public func advance(to t: Int, simulator sim: Simulator) {
        var d = Int(dueHead[t])
        guard d >= 0 else { return }
        dueHead[t] = -1
        // The step's devices in increasing order (insertion sort: a handful), so that their in-service
        // fractions change in a fixed order; each draws its next sojourn from its own stream. Every next
        // transition is at a later step.
        var count = 0
        while d >= 0 {
            var i = count
            while i > 0 && Int(dueScratch[i - 1]) > d { dueScratch[i] = dueScratch[i - 1]; i -= 1 }
            dueScratch[i] = Int32(truncatingIfNeeded: d)
            count += 1
            d = Int(dueNext[d])
        }
        for n in 0..<count {
            let d = Int(dueScratch[n])
            deviceUp[d].toggle()
            apply(d, up: deviceUp[d], simulator: sim, at: t)
            schedule(d, from: t)
        }
    }

    /// True when a stream of this trial ran past its 2²⁴ blocks (never in a year of any step length: a year's
    /// busiest stream, a region's weather, uses about 300 blocks).
    public var streamExhausted: StreamID? {
        for k in streams.indices where streams[k].exhausted { return streamIDs[k] }
        return nil
    }

    /// Closes the outage statistics at the end of a trial of `steps` steps.
    public func finishTrial(steps: Int) {
        for d in deviceKind.indices where deviceKind[d] == .unit && !deviceUp[d] {
            unitStepsOut[deviceOwner[d]] += Double(steps - downSince[d])
        }
    }

    /// Sets the simulator's factors for day `day`.
    @inline(__always) public func startDay(_ day: Int, simulator sim: Simulator) {
        let s = plan.scenario
        let days = s.calendar.dayCount
        for r in 0..<s.regions.count { sim.demandFactor[r] = demandDayFactor[r * days + day] }
        let region = plan.arrays.plantRegion
        let hydro = s.stochastic.inflowClasses[inflowClass].energyFactor
        for i in weatherKind.indices {
            let scale = followsClass[i] ? hydro : 1
            switch weatherKind[i] {
            case 1: sim.weatherFactor[i] = solarDayFactor[region[i] * days + day] * scale
            case 2: sim.weatherFactor[i] = windDayFactor[region[i] * days + day] * scale
            default: sim.weatherFactor[i] = scale
            }
        }
    }
}
