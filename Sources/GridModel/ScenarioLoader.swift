// Checked values → the typed Scenario: cross-references, consistency checks, profiles and series.
// Every problem is reported with its file, line, key path, value and what was expected.
import Foundation
import Yams

public enum ScenarioLoader {
    /// Reads, checks and resolves a scenario file. Throws `ScenarioErrors` listing every problem.
    public static func load(path: String, overrides: [ScenarioOverride] = []) throws(ScenarioErrors) -> Scenario {
        try load(text: readText(path), file: path, overrides: overrides)
    }

    /// A scenario file's text, or the problem reading it.
    static func readText(_ path: String) throws(ScenarioErrors) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ScenarioErrors([Diagnostic(file: path, line: 1, path: "", value: "is a directory", expected: "a scenario file (YAML)")])
        }
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let t = String(data: data, encoding: .utf8) else {
                throw ScenarioErrors([Diagnostic(file: path, line: 1, path: "", value: "not UTF-8 text", expected: "a YAML scenario file")])
            }
            text = t
        } catch let e as ScenarioErrors {
            throw e
        } catch {
            throw ScenarioErrors([Diagnostic(file: path, line: 1, path: "", value: "cannot be read", expected: "a readable scenario file (\(error.localizedDescription))")])
        }
        return text
    }

    /// Checks and resolves scenario `text`; `file` names it in messages and anchors relative paths.
    /// `overrides` (`--set`) are applied to the file's YAML before it is checked: an overridden value passes
    /// every check a value in the file does, and problems with it name the override.
    public static func load(text: String, file: String, overrides: [ScenarioOverride] = []) throws(ScenarioErrors) -> Scenario {
        var tables: [String: Builder.Table] = [:]
        return try load(text: text, file: file, overrides: overrides, composed: nil, tables: &tables)
    }

    /// As `load(text:file:overrides:)`, from an already composed YAML tree and with profile files already read.
    static func load(text: String, file: String, overrides: [ScenarioOverride], composed: Node?,
                     tables: inout [String: Builder.Table]) throws(ScenarioErrors) -> Scenario {
        let log = DiagnosticLog(file: file)
        let (root, overridden) = ScenarioDecoder.decode(text, schema: ScenarioSchema.scenario, overrides: overrides, log: log, composed: composed)
        func problems() -> ScenarioErrors {
            // A problem with a value an override set is reported against the override, not the file's line.
            ScenarioErrors(log.sorted.map { d in
                guard d.file == file, let o = overridden[d.path] else { return d }
                return Diagnostic(file: "--set \(o)", line: 0, path: d.path, value: d.value, expected: d.expected)
            })
        }
        guard let root else { throw problems() }
        let builder = Builder(root: root, log: log, file: file)
        builder.tableCache = tables
        let built = builder.build()
        tables = builder.tableCache
        if !log.diagnostics.isEmpty || built == nil { throw problems() }
        var scenario = built!
        var hash = Fingerprint()
        hash.add(Array(text.utf8))
        for o in overrides { hash.add(Array(("\u{0}--set " + o.description).utf8)) }
        for path in builder.tableCache.keys.sorted() { hash.add([0]); hash.add(builder.tableCache[path]!.csv.bytes) }
        scenario.fingerprint = hash.hex
        return scenario
    }
}

/// A scenario file read once, for many variants of it (a sweep): its text and YAML tree are kept, and
/// every profile file is parsed the first time a variant reads it.
public final class ScenarioSource: @unchecked Sendable {
    public let path: String
    let text: String
    let composed: Node?
    var tables: [String: Builder.Table] = [:]

    public init(path: String) throws(ScenarioErrors) {
        self.path = path
        text = try ScenarioLoader.readText(path)
        composed = try? Yams.compose(yaml: text)   // (a YAML error is reported by `load`)
    }

    /// The scenario with `overrides` applied, checked as `ScenarioLoader.load` checks it.
    public func load(overrides: [ScenarioOverride] = []) throws(ScenarioErrors) -> Scenario {
        try ScenarioLoader.load(text: text, file: path, overrides: overrides, composed: composed, tables: &tables)
    }
}

final class Builder {
    let root: ObjectNode
    let log: DiagnosticLog
    let file: String
    let directory: URL
    /// Profile files read so far (several plants often share one file).
    var tableCache: [String: Table] = [:]

    init(root: ObjectNode, log: DiagnosticLog, file: String) {
        self.root = root; self.log = log; self.file = file
        directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    }

    func error(_ o: ObjectNode, _ key: String, _ value: String, _ expected: String) {
        log.add(line: o.line(key), path: o.path(key), value: value, expected: expected)
    }

    /// Forced outages are two-state chains in steps: repair probability μ = min(1, Δt / MTTR) per step and
    /// failure probability λ = μ · FOR / (1 − FOR), which must not exceed 1. So FOR ≤ 1 / (1 + μ): with
    /// repairs within one step (μ = 1), at most half the time out. A rate above that is refused (the
    /// Monte Carlo could not reproduce it, while the exact method would use it as given).
    func outageChainFits(_ o: ObjectNode, _ rateKey: String, _ rate: Double, _ repairKey: String, _ repairHours: Double, _ stepHours: Double) -> Bool {
        guard rate > 0, rate < 1, repairHours > 0 else { return true }
        let mu = min(1, stepHours / repairHours)
        let most = 1 / (1 + mu)
        guard rate > most * (1 + 1e-12) else { return true }
        let needed = stepHours * rate / (1 - rate)
        error(o, rateKey, fmt(rate), "at most \(fmt((most * 1e6).rounded() / 1e6)) with \(repairKey) \(fmt(repairHours)) h and \(fmt(stepHours * 60)) min steps (a unit out that often must take longer to repair: \(repairKey) of at least \(fmt((needed * 1000).rounded(.up) / 1000)) h)")
        return false
    }

    func fmt(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }

    /// Sizes beyond any real system (and beyond what a worker's memory should hold): a scenario larger than
    /// these is refused before anything is built, so hostile input (YAML aliases that expand a small file
    /// into 90,000 plants) ends in a clear error, quickly and in bounded memory.
    static let maxRegions = 100, maxPlants = 5_000, maxCorridors = 2_000, maxStorage = 2_000, maxFuels = 200
    static let maxUnitsInAll = 200_000

    /// Problems of size; true when the scenario is small enough to build.
    func checkSize() -> Bool {
        let regionNodes = root.list("regions")
        let plantNodes = regionNodes.flatMap { $0.list("plants") }
        var fits = true
        func limit(_ count: Int, _ most: Int, _ key: String, _ what: String) {
            guard count > most else { return }
            error(root, key, "\(count) \(what)", "at most \(most) \(what) (a larger scenario is beyond any national system and is refused before it is built)")
            fits = false
        }
        limit(regionNodes.count, Self.maxRegions, "regions", "regions")
        limit(plantNodes.count, Self.maxPlants, "regions", "plants in all")
        limit(root.list("corridors").count, Self.maxCorridors, "corridors", "corridors")
        limit(root.list("storage").count, Self.maxStorage, "storage", "storage plants")
        limit(root.list("fuels").count, Self.maxFuels, "fuels", "fuels")
        if fits {
            let units = plantNodes.reduce(0.0) { $0 + ($1.number("units") ?? 1) }
            limit(Int(units), Self.maxUnitsInAll, "regions", "units in all")
        }
        return fits
    }

    func build() -> Scenario? {
        guard checkSize() else { return nil }
        guard let horizonNode = root.object("horizon"), let calendar = buildCalendar(horizonNode) else { return nil }
        let classes = buildClasses()
        let fuels = buildFuels(calendar)
        var regions: [Region] = []
        var plants: [Plant] = []
        let regionNodes = root.list("regions")
        if regionNodes.isEmpty && root.fields["regions"] != nil {
            error(root, "regions", "an empty list", "at least one region")
        }
        let regionNames = uniqueNames(regionNodes, what: "region")
        let fuelNames = root.list("fuels").compactMap { $0.string("name") }
        let cheapestClass = classes.min { $0.vollUSDPerMWh < $1.vollUSDPerMWh }
        for (r, node) in regionNodes.enumerated() {
            if let region = buildRegion(node, calendar: calendar, classes: classes) { regions.append(region) }
            for p in node.list("plants") {
                guard let plant = buildPlant(p, region: r, calendar: calendar, fuels: fuels, fuelNames: fuelNames) else { continue }
                if let c = cheapestClass, plant.marginalCostUSDPerMWh > c.vollUSDPerMWh {
                    // The dispatch would shed load rather than run such a plant, while the adequacy methods
                    // (the fast path, the exact method) count only capacity: they would disagree.
                    let key = p.has("marginal_cost_usd_per_mwh") || !p.has("fuel") ? "marginal_cost_usd_per_mwh" : "fuel"
                    error(p, key, "a marginal cost of \(fmt(plant.marginalCostUSDPerMWh)) USD/MWh",
                          "at most the lowest value of lost load, \(fmt(c.vollUSDPerMWh)) USD/MWh (class '\(c.name)'): above it the dispatch sheds load rather than run the plant; lower the cost or raise that VOLL")
                    continue
                }
                plants.append(plant)
            }
        }
        _ = uniqueNames(regionNodes.flatMap { $0.list("plants") }, what: "plant")
        _ = uniqueNames(regionNodes.flatMap { $0.object("demand_response")?.list("shiftable") ?? [] }, what: "shiftable programme")
        let corridors = buildCorridors(regionNames, stepHours: calendar.stepHours)
        var storage = buildStorage(regionNames, stepHours: calendar.stepHours)
        let tou = root.object("tou").flatMap { buildTOU($0, calendar) }
        let targets = buildTargets()
        // Computed capacity credits replace the assumed ones of every plant and store of their technology.
        let computed = root.list("computed_capacity_credits")
        if targets.capacityCredits == "computed" {
            if computed.isEmpty {
                error(root.object("targets") ?? root, "capacity_credits", "computed", "a computed_capacity_credits list to go with it (scenarios/tools/make_credits.py writes one)")
            }
            for c in computed {
                guard let tech = c.string("technology"), let credit = c.number("credit") else { continue }
                let plantsOfIt = plants.indices.filter { plants[$0].technology.rawValue == tech && !plants[$0].behindTheMeter }
                let storesOfIt = storage.indices.filter { storage[$0].technology == tech }
                if plantsOfIt.isEmpty && storesOfIt.isEmpty {
                    error(c, "technology", tech, "a technology of the scenario's plants or storage (\(Set(plants.map(\.technology.rawValue) + storage.map(\.technology)).sorted().joined(separator: ", ")))")
                }
                for i in plantsOfIt { plants[i].capacityCredit = credit }
                // A store's ELCC is a fraction of its power: its firm capacity is credit × power, so the credit
                // the energy rule (credit × sustained power) applies to is scaled up to match.
                for k in storesOfIt {
                    let sustained = storage[k].sustainedPowerMW
                    storage[k].capacityCredit = sustained > 0 ? credit * storage[k].powerMW / sustained : 0
                }
            }
        }
        let dispatch = buildDispatch()
        guard regions.count == regionNodes.count, !regions.isEmpty else { return nil }
        return Scenario(name: root.string("name") ?? "", description: root.string("description") ?? "", file: file,
                        calendar: calendar, regions: regions, plants: plants, corridors: corridors, storage: storage,
                        fuels: fuels, demandClasses: classes, tou: tou, targets: targets, dispatch: dispatch,
                        stochastic: buildStochastic(), monteCarlo: root.object("monte_carlo").flatMap(buildMonteCarlo))
    }

    func uniqueNames(_ nodes: [ObjectNode], what: String) -> [String: Int] {
        var names: [String: Int] = [:]
        for (i, n) in nodes.enumerated() {
            guard let name = n.string("name") else { continue }
            if names[name] != nil { error(n, "name", name, "a \(what) name not used before") } else { names[name] = i }
        }
        return names
    }

    // MARK: Horizon

    func buildCalendar(_ h: ObjectNode) -> StepCalendar? {
        guard let startText = h.string("start_date"), let start = CivilDate(parsing: startText) else { return nil }
        let stepMinutes = Int(h.number("step_minutes") ?? 60)
        if h.has("duration_days") && h.has("duration_hours") {
            error(h, "duration_hours", fmt(h.number("duration_hours")!), "either duration_days or duration_hours, not both")
            return nil
        }
        let minutes: Double
        if let hours = h.number("duration_hours") { minutes = hours * 60 } else { minutes = (h.number("duration_days") ?? 365) * 1440 }
        let steps = minutes / Double(stepMinutes)
        guard steps >= 1, steps == steps.rounded() else {
            error(h, h.has("duration_hours") ? "duration_hours" : "duration_days", fmt(minutes / 60) + " h", "a whole number of \(stepMinutes)-minute steps")
            return nil
        }
        return StepCalendar(start: start, stepMinutes: stepMinutes, stepCount: Int(steps))
    }

    // MARK: Demand classes

    func buildClasses() -> [DemandClass] {
        let nodes = root.list("demand_classes")
        if root.fields["demand_classes"] == nil { return DemandClass.defaults }
        if nodes.isEmpty { error(root, "demand_classes", "an empty list", "at least one demand class"); return DemandClass.defaults }
        _ = uniqueNames(nodes, what: "demand class")
        var classes: [DemandClass] = []
        for n in nodes {
            guard let name = n.string("name"), let share = n.number("share"), let order = n.number("shed_order"), let voll = n.number("voll_usd_per_mwh") else { continue }
            classes.append(DemandClass(name: name, share: share, shedOrder: Int(order), vollUSDPerMWh: voll))
        }
        guard classes.count == nodes.count else { return DemandClass.defaults }
        let total = classes.reduce(0) { $0 + $1.share }
        if abs(total - 1) > 1e-6 {
            error(root, "demand_classes", "shares add up to \(fmt(total))", "shares that add up to 1")
        }
        // Classes sharing a shed_order are shed in rotation (pro-rata to their demand); a class at a later
        // position must have at least the VOLL of every class at the positions before it.
        let positions = Dictionary(grouping: zip(classes, nodes), by: { $0.0.shedOrder }).sorted { $0.key < $1.key }
        var bar: (voll: Double, name: String)? = nil
        for (_, members) in positions {
            if let b = bar {
                for (c, node) in members where c.vollUSDPerMWh < b.voll {
                    error(node, "voll_usd_per_mwh", fmt(c.vollUSDPerMWh), "at least \(fmt(b.voll)) (the VOLL of '\(b.name)', shed before it)")
                }
            }
            if let top = members.max(by: { $0.0.vollUSDPerMWh < $1.0.vollUSDPerMWh }), bar.map({ top.0.vollUSDPerMWh > $0.voll }) ?? true {
                bar = (top.0.vollUSDPerMWh, top.0.name)
            }
        }
        return classes
    }

    // MARK: Profiles

    /// A CSV profile file: its header and its data rows (every row as wide as the header, checked).
    struct Table {
        var header: [String]
        let csv: CSVFile
        var width: Int { header.count }
        var rowCount: Int { csv.rowCount - 1 }
        /// The file line on which data row `row` starts.
        func rowLine(_ row: Int) -> Int { csv.lines[row + 1] }
        func field(row: Int, column: Int) -> Int { csv.field(row: row + 1, column: column) }
    }

    func table(_ url: URL, node: ObjectNode, rel: String) -> Table? {
        if let t = tableCache[url.path] { return t }
        guard let data = try? Data(contentsOf: url), String(data: data, encoding: .utf8) != nil else {
            error(node, "file", rel, "a readable CSV file in UTF-8 (looked for \(url.path))")
            return nil
        }
        let csv = CSVFile([UInt8](data))
        guard csv.rowCount > 0 else { error(node, "file", rel, "a CSV file with a header row"); return nil }
        let header = (0..<csv.fieldCount(row: 0)).map { csv.text($0).trimmingCharacters(in: .whitespaces) }
        var problems = csv.problems
        for r in 1..<csv.rowCount where csv.fieldCount(row: r) != header.count {
            let n = csv.fieldCount(row: r)
            problems.append(CSVProblem(line: csv.lines[r], value: "\(n) field\(n == 1 ? "" : "s")", expected: "\(header.count) fields, as the header has"))
        }
        if !problems.isEmpty {
            problems.sort { $0.line < $1.line }
            for p in problems.prefix(5) { logCSV(url.path, line: p.line, path: node.path("file"), value: p.value, expected: p.expected) }
            if problems.count > 5 { logCSV(url.path, line: 1, path: node.path("file"), value: "\(problems.count) bad rows in all", expected: "a well-formed CSV file") }
            return nil
        }
        let t = Table(header: header, csv: csv)
        tableCache[url.path] = t
        return t
    }

    /// Reads one column of a CSV profile; values must be finite and non-negative. Rows: the horizon's
    /// hours, or a full year (8,760 or 8,784) indexed by hour of the year.
    func readProfile(_ node: ObjectNode, calendar: StepCalendar, upperBound: Double? = nil) -> [Double]? {
        readProfileWithReference(node, calendar: calendar, upperBound: upperBound)?.steps
    }

    /// The profile at each step, and all its rows (its reference period: a year, or the horizon).
    func readProfileWithReference(_ node: ObjectNode, calendar: StepCalendar, upperBound: Double? = nil) -> (steps: [Double], reference: [Double], perStep: Bool)? {
        guard let rel = node.string("file"), let column = node.string("column") else { return nil }
        let url = rel.hasPrefix("/") ? URL(fileURLWithPath: rel) : directory.appendingPathComponent(rel)
        guard let table = table(url, node: node, rel: rel) else { return nil }
        guard let col = table.header.firstIndex(of: column) else {
            error(node, "column", column, "a column of \(rel): \(table.header.joined(separator: ", "))")
            return nil
        }
        var values: [Double] = []
        values.reserveCapacity(table.rowCount)
        var bad = 0
        let csvPath = url.path
        for i in 0..<table.rowCount {
            let k = table.field(row: i, column: col)
            if let v = table.csv.number(k), v.isFinite, v >= 0, upperBound.map({ v <= $0 }) ?? true {
                values.append(v)
            } else {
                bad += 1
                if bad <= 5 {
                    let cell = table.csv.text(k).trimmingCharacters(in: [" "])
                    logCSV(csvPath, line: table.rowLine(i), path: node.path + ".column '\(column)'", value: cell.isEmpty ? "(empty)" : "\"\(cell)\"",
                           expected: upperBound.map { "a number in [0, \(fmt($0))]" } ?? "a finite number ≥ 0")
                }
                values.append(0)
            }
        }
        if bad > 5 {
            logCSV(csvPath, line: 1, path: node.path + ".column '\(column)'", value: "\(bad) bad cells in all", expected: "finite numbers")
        }
        let hours = calendar.stepCount * calendar.stepMinutes / 60
        let yearHours = CivilDate.daysIn(year: calendar.start.year) * 24
        // With sub-hourly steps, a file of one row per step is read step by step (a file whose rows could
        // also be a full year of hours, 8760 or 8784, is read as that year).
        if calendar.stepMinutes < 60 && values.count == calendar.stepCount && values.count != 8760 && values.count != 8784 {
            if bad > 0 { return nil }
            return (values, values, true)
        }
        if values.count != hours && values.count != 8760 && values.count != 8784 {
            let perStep = calendar.stepMinutes < 60 ? ", one per \(calendar.stepMinutes)-minute step (\(calendar.stepCount))," : ""
            error(node, "file", "\(rel) has \(values.count) rows", "\(hours) rows (one per hour of the horizon)\(perStep) or a full year (8760 or 8784)")
            return nil
        }
        if bad > 0 { return nil }
        var out = [Double](repeating: 0, count: calendar.stepCount)
        let yearly = values.count != hours || (values.count == yearHours && hours == yearHours)
        for t in 0..<calendar.stepCount {
            let idx = yearly ? Int(calendar.hourOfYear[t]) % values.count : t * calendar.stepMinutes / 60
            out[t] = values[min(idx, values.count - 1)]
        }
        return (out, values, false)
    }

    /// A problem inside a profile file: reported against that file's own line.
    func logCSV(_ csv: String, line: Int, path: String, value: String, expected: String) {
        log.add(file: csv, line: line, path: path, value: value, expected: expected)
    }

    // MARK: Regions and demand

    func builtinShape(_ name: String, calendar: StepCalendar, hourly year: CivilDate? = nil) -> (Int) -> Double {
        let table: [[Double]]
        switch name {
        case "vn-north": table = BuiltinLoadShapes.vnNorth
        case "vn-central": table = BuiltinLoadShapes.vnCentral
        case "vn-south": table = BuiltinLoadShapes.vnSouth
        default: return { _ in 1 }
        }
        // hour-of-year → value, for the horizon's start year (month and weekend factor per day of the year)
        let start = CivilDate(year: calendar.start.year, month: 1, day: 1)
        let weekendFactor: [Double] = [1, 1, 1, 1, 1, 0.95, 0.90]
        let days = (0..<366).map { start.adding(days: $0) }
        let dayMonth = days.map { $0.month - 1 }
        let dayFactor = days.map { weekendFactor[$0.weekday] }
        return { hoy in
            let d = min(hoy / 24, 365)
            return table[dayMonth[d]][hoy % 24] * dayFactor[d]
        }
    }

    func buildRegion(_ node: ObjectNode, calendar: StepCalendar, classes: [DemandClass]) -> Region? {
        guard let name = node.string("name"), let d = node.object("demand") else { return nil }
        let energy = d.number("annual_energy_mwh"), peak = d.number("peak_mw")
        if energy == nil && peak == nil {
            error(d, "annual_energy_mwh", "(missing)", "annual_energy_mwh, peak_mw, or both")
            return nil
        }
        // The shape over a full year of the horizon's start year (hour of year), and at each step.
        let yearHours = CivilDate.daysIn(year: calendar.start.year) * 24
        var yearShape: [Double]
        var stepShape: [Double]
        if let p = d.object("profile") {
            // A profile's rows are its reference period: a full year, or exactly the horizon.
            guard let series = readProfileWithReference(p, calendar: calendar) else { return nil }
            if series.perStep && energy != nil {
                error(d, "annual_energy_mwh", fmt(energy!), "peak_mw only: a profile of one row per step sets the shape of the steps, not of a year's hours")
                return nil
            }
            stepShape = series.steps
            yearShape = series.reference
        } else {
            let f = builtinShape(d.string("shape") ?? "flat", calendar: calendar)
            yearShape = (0..<yearHours).map(f)
            stepShape = (0..<calendar.stepCount).map { f(Int(calendar.hourOfYear[$0]) % yearHours) }
        }
        let maxShape = yearShape.max() ?? 0
        guard maxShape > 0 else {
            error(d, "profile", "all zeros", "a shape with a positive maximum")
            return nil
        }
        let n = Double(yearShape.count)
        let base = d.number("base_year").map(Int.init) ?? calendar.start.year
        let growth = pow(1 + (d.number("growth_fraction_per_year") ?? 0), Double(calendar.start.year - base))
        var demand: [Double]
        switch (energy, peak) {
        case let (e?, p?):
            // Both: d = P · (s / max)^γ keeps the peak and stays positive; γ is found by bisection so that
            // the reference period's energy is E (energy falls as γ grows).
            let hoursFactor = n / Double(yearHours) // profiles shorter than a year: energy pro rata
            let eRef = e * hoursFactor
            let lf = eRef / (p * n)
            guard lf < 1 else {
                error(d, "annual_energy_mwh", fmt(e), "less than peak × hours = \(fmt(p * Double(yearHours))) MWh (load factor \(String(format: "%.3f", lf)) ≥ 1)")
                return nil
            }
            let normalised = yearShape.map { max(0, $0 / maxShape) }
            func energy(_ gamma: Double) -> Double { normalised.reduce(0) { $0 + pow($1, gamma) } * p }
            var lo = 0.0, hi = 1.0
            while energy(hi) > eRef && hi < 1e3 { lo = hi; hi *= 2 }
            guard energy(hi) <= eRef else {
                error(d, "annual_energy_mwh", fmt(e), "an energy the shape can reach with peak \(fmt(p)) MW (load factor \(String(format: "%.3f", lf)) is too low for this shape)")
                return nil
            }
            if energy(0) < eRef {
                error(d, "annual_energy_mwh", fmt(e), "at most \(fmt(energy(0) / hoursFactor)) MWh: the shape is zero in some hours, so peak × hours cannot be reached")
                return nil
            }
            // Bisection until lo and hi are neighbouring numbers (at most 100 halvings): from then on a
            // halving would leave them as they are.
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if mid == lo || mid == hi { break }
                if energy(mid) > eRef { lo = mid } else { hi = mid }
            }
            let gamma = (lo + hi) / 2
            demand = stepShape.map { p * pow(max(0, $0 / maxShape), gamma) * growth }
        case let (e?, nil):
            let hoursFactor = n / Double(yearHours)
            let total = yearShape.reduce(0, +)
            demand = stepShape.map { e * hoursFactor * $0 / total * growth }
        case let (nil, p?):
            demand = stepShape.map { p * $0 / maxShape * growth }
        default: return nil
        }
        var shares = classes.map(\.share)
        if let s = node.numbers("class_shares") {
            if s.count != classes.count {
                error(node, "class_shares", "\(s.count) values", "\(classes.count) values, one per demand class")
            } else if abs(s.reduce(0, +) - 1) > 1e-6 {
                error(node, "class_shares", "sum \(fmt(s.reduce(0, +)))", "shares that add up to 1")
            } else { shares = s }
        }
        var programs: [CallableProgram] = []
        var mandatory: MandatorySavings?
        var shiftable: [ShiftableProgram] = []
        if let dr = node.object("demand_response") {
            for p in dr.list("programs") {
                guard let n = p.string("name"), let c = p.number("capacity_mw") else { continue }
                programs.append(CallableProgram(name: n, capacityMW: c, costUSDPerMWh: p.number("cost_usd_per_mwh") ?? 300,
                                                maxHoursPerDay: p.number("max_hours_per_day") ?? 4))
            }
            _ = uniqueNames(dr.list("programs"), what: "program")
            for p in dr.list("shiftable") {
                guard let n = p.string("name"), let b = p.number("borrow_mw"), let e = p.number("energy_mwh"),
                      let h = p.number("payback_hours"),
                      outageChainFits(p, "forced_outage_rate", p.number("forced_outage_rate") ?? 0, "mean_time_to_repair_hours",
                                      p.number("mean_time_to_repair_hours") ?? 1, calendar.stepHours) else { continue }
                let steps = max(1, Int((h / calendar.stepHours).rounded()))
                shiftable.append(ShiftableProgram(name: n, borrowMW: b, paybackMW: p.number("payback_mw") ?? b, energyMWh: e, paybackSteps: steps,
                                                  borrowEfficiency: p.number("borrow_efficiency") ?? 1, paybackEfficiency: p.number("payback_efficiency") ?? 1,
                                                  interestPerHour: p.number("interest_per_hour") ?? 0, costUSDPerMWh: p.number("cost_usd_per_mwh") ?? 0,
                                                  forcedOutageRate: p.number("forced_outage_rate") ?? 0,
                                                  meanTimeToRepairHours: p.number("mean_time_to_repair_hours") ?? 1))
            }
            if let m = dr.object("mandatory_savings"), let c = m.number("capacity_mw"), let t = m.number("trigger_reserve_mw") {
                mandatory = MandatorySavings(capacityMW: c, triggerReserveMW: t, maxHoursPerYear: m.number("max_hours_per_year") ?? 200,
                                             costUSDPerMWh: m.number("cost_usd_per_mwh") ?? 500)
            }
        }
        demand = demand.map { max(0, $0) }
        return Region(name: name, demandMW: demand, distributionLossFraction: node.number("distribution_loss_fraction") ?? 0.045,
                      classShares: shares, programs: programs, mandatorySavings: mandatory, shiftable: shiftable)
    }

    // MARK: Plants

    func buildPlant(_ node: ObjectNode, region: Int, calendar: StepCalendar, fuels: [Fuel], fuelNames: [String]) -> Plant? {
        guard let name = node.string("name"), let techName = node.string("technology"), let tech = Technology(rawValue: techName),
              let size = node.number("unit_size_mw") else { return nil }
        let units = Int(node.number("units") ?? 1)
        let defaults = tech.defaults
        let capacity = Double(units) * size
        var ok = true
        // Cost.
        var fuelIndex: Int?
        if let f = node.string("fuel") {
            if let i = fuelNames.firstIndex(of: f) { fuelIndex = i } else {
                error(node, "fuel", f, fuelNames.isEmpty ? "the name of a fuel stock (the scenario has no `fuels`)" : "one of the fuels: \(fuelNames.joined(separator: ", "))")
                ok = false
            }
        }
        let heatRate = node.number("heat_rate_gj_per_mwh")
        let vom = node.number("vom_usd_per_mwh") ?? 0
        var cost = 0.0
        var tonnesPerMWh = 0.0
        if let fi = fuelIndex, fi < fuels.count {
            guard let hr = heatRate else {
                error(node, "heat_rate_gj_per_mwh", "(missing)", "a heat rate, since the plant burns from fuel '\(fuels[fi].name)'")
                return nil
            }
            if node.has("fuel_price_usd_per_gj") {
                error(node, "fuel_price_usd_per_gj", fmt(node.number("fuel_price_usd_per_gj")!), "no price here: the plant pays the price of fuel '\(fuels[fi].name)'")
                ok = false
            }
            tonnesPerMWh = hr / fuels[fi].energyContentGJPerT
            cost = node.number("marginal_cost_usd_per_mwh") ?? (hr * fuels[fi].priceUSDPerGJ + vom)
        } else if let mc = node.number("marginal_cost_usd_per_mwh") {
            cost = mc
            if node.has("fuel_price_usd_per_gj") {
                error(node, "fuel_price_usd_per_gj", fmt(node.number("fuel_price_usd_per_gj")!), "either marginal_cost_usd_per_mwh or a fuel price, not both")
                ok = false
            }
        } else if let price = node.number("fuel_price_usd_per_gj") {
            guard let hr = heatRate else {
                error(node, "heat_rate_gj_per_mwh", "(missing)", "a heat rate to go with fuel_price_usd_per_gj")
                return nil
            }
            cost = price * hr + vom
        } else if [.coal, .domesticGas, .lng, .oil, .flexible, .biomass, .nuclear, .imports].contains(tech) && !node.has("fuel") {
            error(node, "marginal_cost_usd_per_mwh", "(missing)", "marginal_cost_usd_per_mwh, or fuel_price_usd_per_gj with heat_rate_gj_per_mwh, or a fuel stock")
            ok = false
        } else {
            cost = vom
        }
        // Availability.
        let given = ["availability", "availability_monthly", "availability_profile"].filter { node.has($0) }
        if given.count > 1 {
            error(node, given[1], "also given", "only one of availability, availability_monthly, availability_profile")
            ok = false
        }
        var availability = StepSeries(constant: node.number("availability") ?? 1, count: calendar.stepCount)
        if let monthly = node.numbers("availability_monthly"), monthly.count == 12 {
            availability = StepSeries((0..<calendar.stepCount).map { monthly[Int(calendar.month[$0]) - 1] })
        }
        if let prof = node.object("availability_profile") {
            if let series = readProfile(prof, calendar: calendar, upperBound: 1) { availability = StepSeries(series) } else { ok = false }
        }
        // Planned maintenance: the fraction of units out in each month is scheduled, the same in every trial.
        let maintenance = node.numbers("maintenance_fraction_monthly")
        if let out = maintenance, out.count == 12, out.contains(where: { $0 > 0 }) {
            availability = StepSeries((0..<calendar.stepCount).map { availability[$0] * (1 - out[Int(calendar.month[$0]) - 1]) })
        }
        // Hydro.
        var hydro: [Double]?
        if let h = node.object("hydro") {
            if tech != .hydroReservoir {
                error(node, "hydro", "given", "hydro only for technology hydro_reservoir (this plant is \(tech.rawValue))")
                ok = false
            }
            if h.numbers("monthly_energy_mwh") != nil && h.numbers("monthly_capacity_factor") != nil {
                error(h, "monthly_capacity_factor", "also given", "either monthly_energy_mwh or monthly_capacity_factor")
                ok = false
            } else if let e = h.numbers("monthly_energy_mwh") {
                hydro = e
            } else if let cf = h.numbers("monthly_capacity_factor") {
                let year = calendar.start.year
                hydro = (1...12).map { cf[$0 - 1] * capacity * Double(CivilDate.daysIn(month: $0, year: year) * 24) }
            } else {
                // (A list of the wrong length has been reported already; only a block with neither key is missing one.)
                let reported = log.diagnostics.contains { $0.path == h.path("monthly_energy_mwh") || $0.path == h.path("monthly_capacity_factor") }
                if !reported {
                    error(h, "monthly_energy_mwh", "(missing)", "monthly_energy_mwh or monthly_capacity_factor")
                }
                ok = false
            }
        } else if tech == .hydroReservoir {
            error(node, "hydro", "(missing)", "reservoir energy (hydro.monthly_energy_mwh) for a hydro_reservoir plant")
            ok = false
        }
        var reservoir: Reservoir? = nil
        if let r = node.object("hydro")?.object("reservoir"), let top = r.number("max_mwh"), let initial = r.number("initial_mwh") {
            let dead = r.number("dead_mwh") ?? 0
            let end = r.number("end_mwh") ?? initial
            if dead >= top {
                error(r, "dead_mwh", fmt(dead), "below max_mwh (\(fmt(top)) MWh)"); ok = false
            }
            for (key, level) in [("initial_mwh", initial), ("end_mwh", end)] where level < min(dead, top) || level > top {
                error(r, key, fmt(level), "a level between dead_mwh (\(fmt(dead))) and max_mwh (\(fmt(top))) MWh"); ok = false
            }
            reservoir = Reservoir(maxMWh: top, deadMWh: dead, initialMWh: initial, endMWh: end, minReleaseMW: r.number("min_release_mw") ?? 0)
        }
        let monthlyMinimum = node.numbers("min_output_monthly_mw")
        if node.has("min_output_mw") && monthlyMinimum != nil {
            error(node, "min_output_monthly_mw", "also given", "only one of min_output_mw and min_output_monthly_mw")
            ok = false
        }
        let minOutput = monthlyMinimum?.max() ?? node.number("min_output_mw") ?? 0
        if minOutput > capacity {
            error(node, monthlyMinimum != nil ? "min_output_monthly_mw" : "min_output_mw", fmt(minOutput), "at most the capacity, \(fmt(capacity)) MW")
            ok = false
        }
        let behindTheMeter = node.bool("behind_the_meter") ?? false
        if behindTheMeter && !tech.isVariableRenewable {
            error(node, "behind_the_meter", "true", "behind the meter only for solar or wind (this plant is \(tech.rawValue))")
            ok = false
        }
        if fuelIndex != nil && tech.isVariableRenewable {
            error(node, "fuel", node.string("fuel") ?? "", "no fuel stock for \(tech.rawValue)")
            ok = false
        }
        if !outageChainFits(node, "forced_outage_rate", node.number("forced_outage_rate") ?? defaults.forcedOutageRate,
                            "mean_time_to_repair_hours", node.number("mean_time_to_repair_hours") ?? defaults.meanTimeToRepairHours, calendar.stepHours) {
            ok = false
        }
        guard ok else { return nil }
        var plant = Plant(name: name, region: region, technology: tech, units: units, unitSizeMW: size, marginalCostUSDPerMWh: cost,
                     fuel: fuelIndex, fuelTonnesPerMWh: tonnesPerMWh, heatRateGJPerMWh: heatRate,
                     emissionTPerMWh: node.number("emission_t_per_mwh") ?? defaults.emissionTPerMWh,
                     availability: availability, forcedOutageRate: node.number("forced_outage_rate") ?? defaults.forcedOutageRate,
                     meanTimeToRepairHours: node.number("mean_time_to_repair_hours") ?? defaults.meanTimeToRepairHours,
                     capacityCredit: node.number("capacity_credit") ?? defaults.capacityCredit, minOutputMW: minOutput,
                     hydroMonthlyEnergyMWh: hydro, clean: node.bool("clean") ?? defaults.clean,
                     followsHydrology: node.bool("follows_hydrology") ?? [.hydroReservoir, .runOfRiver].contains(tech))
        plant.behindTheMeter = behindTheMeter
        plant.reservoir = reservoir
        if behindTheMeter && !node.has("capacity_credit") { plant.capacityCredit = 0 }
        if let m = monthlyMinimum, m.count == 12 { plant.minOutputMonthlyMW = m }
        if let out = maintenance, out.count == 12 { plant.maintenanceFractionMonthly = out }
        return plant
    }

    // MARK: Corridors

    func region(_ o: ObjectNode, _ key: String, _ names: [String: Int]) -> Int? {
        guard let n = o.string(key) else { return nil }
        if let i = names[n] { return i }
        error(o, key, n, "one of the regions: \(names.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", "))")
        return nil
    }

    func buildCorridors(_ regions: [String: Int], stepHours: Double) -> [Corridor] {
        let nodes = root.list("corridors")
        _ = uniqueNames(nodes, what: "corridor")
        var out: [Corridor] = []
        for c in nodes {
            let from = region(c, "from", regions), to = region(c, "to", regions)
            guard let name = c.string("name"), let from, let to, let fwd = c.number("limit_forward_mw") else { continue }
            if from == to { error(c, "to", c.string("to")!, "a region other than `from`"); continue }
            let rated = c.number("loss_fraction_at_rated") ?? 0.036
            var segments: [Corridor.Segment]
            let curve = c.list("loss_curve")
            if !curve.isEmpty {
                var pts: [(Double, Double)] = [(0, 0)]
                var good = true
                for p in curve {
                    guard let f = p.number("flow_fraction"), let l = p.number("loss_fraction") else { good = false; continue }
                    if f <= pts.last!.0 { error(p, "flow_fraction", fmt(f), "more than the previous point's \(fmt(pts.last!.0))"); good = false }
                    pts.append((f, l))
                }
                if good, let last = pts.last, last.0 != 1 {
                    error(curve.last!, "flow_fraction", fmt(last.0), "the last point at flow_fraction 1")
                    good = false
                }
                guard good else { continue }
                // Total loss L(f) = f · loss(f); marginal loss on each piece.
                segments = []
                var prevMarginal = -1.0
                for i in 1..<pts.count {
                    let (a, la) = pts[i - 1], (b, lb) = pts[i]
                    let marginal = (b * lb - a * la) / (b - a)
                    if marginal < prevMarginal - 1e-12 || marginal >= 1 || marginal < 0 {
                        error(curve[i - 1], "loss_fraction", fmt(lb), marginal >= 1 || marginal < 0 ? "a marginal loss between 0 and 1" : "a convex loss curve (marginal losses must not fall)")
                        good = false
                    }
                    prevMarginal = marginal
                    segments.append(.init(widthFraction: b - a, lossFraction: marginal))
                }
                guard good else { continue }
            } else if c.string("loss_model") == "quadratic" {
                let n = Int(c.number("loss_segments") ?? 4)
                segments = (0..<n).map { .init(widthFraction: 1 / Double(n), lossFraction: rated * Double(2 * $0 + 1) / Double(n)) }
                if segments.last!.lossFraction >= 1 { error(c, "loss_fraction_at_rated", fmt(rated), "a smaller loss (the last segment loses ≥ 100 %)"); continue }
            } else {
                segments = [.init(widthFraction: 1, lossFraction: rated)]
            }
            let circuitRate = c.number("circuit_forced_outage_rate") ?? 0.002, circuitRepair = c.number("circuit_mean_time_to_repair_hours") ?? 12
            guard outageChainFits(c, "circuit_forced_outage_rate", circuitRate, "circuit_mean_time_to_repair_hours", circuitRepair, stepHours) else { continue }
            out.append(Corridor(name: name, from: from, to: to, limitForwardMW: fwd, limitBackwardMW: c.number("limit_backward_mw") ?? fwd,
                                circuits: Int(c.number("circuits") ?? 2), segments: segments,
                                hurdleCostUSDPerMWh: c.number("hurdle_cost_usd_per_mwh") ?? 0.1,
                                circuitForcedOutageRate: c.number("circuit_forced_outage_rate") ?? 0.002,
                                circuitMeanTimeToRepairHours: c.number("circuit_mean_time_to_repair_hours") ?? 12))
        }
        return out
    }

    // MARK: Storage

    func buildStorage(_ regions: [String: Int], stepHours: Double) -> [Storage] {
        let nodes = root.list("storage")
        _ = uniqueNames(nodes, what: "storage")
        var out: [Storage] = []
        for s in nodes {
            let r = region(s, "region", regions)
            guard let name = s.string("name"), let r, let p = s.number("power_mw"), let e = s.number("energy_mwh") else { continue }
            let lo = s.number("min_soc_fraction") ?? 0, hi = s.number("max_soc_fraction") ?? 1, ini = s.number("initial_soc_fraction") ?? 0.5
            if lo > hi { error(s, "min_soc_fraction", fmt(lo), "at most max_soc_fraction (\(fmt(hi)))"); continue }
            if ini < lo || ini > hi { error(s, "initial_soc_fraction", fmt(ini), "between min_soc_fraction and max_soc_fraction [\(fmt(lo)), \(fmt(hi))]"); continue }
            let tech = s.string("technology") ?? "battery"
            guard outageChainFits(s, "forced_outage_rate", s.number("forced_outage_rate") ?? 0.02,
                                  "mean_time_to_repair_hours", s.number("mean_time_to_repair_hours") ?? 24, stepHours) else { continue }
            out.append(Storage(name: name, region: r, technology: tech, powerMW: p, energyMWh: e,
                               roundTripEfficiency: s.number("round_trip_efficiency") ?? 0.85, minSOCFraction: lo, maxSOCFraction: hi,
                               initialSOCFraction: ini, capacityCredit: s.number("capacity_credit") ?? (tech == "battery" ? 0.75 : 0.95),
                               forcedOutageRate: s.number("forced_outage_rate") ?? 0.02,
                               meanTimeToRepairHours: s.number("mean_time_to_repair_hours") ?? 24,
                               policy: Storage.Policy(rawValue: s.string("policy") ?? "values") ?? .values))
        }
        return out
    }

    // MARK: Fuels

    func buildFuels(_ calendar: StepCalendar) -> [Fuel] {
        let nodes = root.list("fuels")
        _ = uniqueNames(nodes, what: "fuel")
        var out: [Fuel] = []
        let steps = calendar.stepCount
        let perDay = Double(calendar.stepsPerDay)
        for f in nodes {
            guard let name = f.string("name"), let kind = f.string("kind"), let content = f.number("energy_content_gj_per_t"),
                  let price = f.number("price_usd_per_gj"), let cap = f.number("storage_capacity_t"), let initial = f.number("initial_stock_t") else {
                // keep indices aligned with the fuel names plants refer to
                out.append(Fuel(name: f.string("name") ?? "", kind: "", energyContentGJPerT: 1, priceUSDPerGJ: 0, storageCapacityT: 0,
                                initialStockT: 0, strategicReserveT: 0, arrivalsT: [], disruptedT: 0, cargoes: [], supplyPerStepT: [],
                                risk: risk(f)))
                continue
            }
            let reserve = f.number("strategic_reserve_t") ?? 0
            if initial > cap { error(f, "initial_stock_t", fmt(initial), "at most storage_capacity_t (\(fmt(cap)))") }
            if reserve > cap { error(f, "strategic_reserve_t", fmt(reserve), "at most storage_capacity_t (\(fmt(cap)))") }
            // Disruption windows as step ranges.
            var windows: [(Range<Int>, Double, Double)] = []
            for d in f.list("disruptions") {
                guard let s = d.string("start_date").flatMap(CivilDate.init(parsing:)), let days = d.number("duration_days") else { continue }
                let startStep = (s.dayNumber - calendar.start.dayNumber) * calendar.stepsPerDay
                let endStep = startStep + Int((days * perDay).rounded(.up))
                windows.append((startStep..<max(startStep, endStep), d.number("deliveries_lost_fraction") ?? 1, d.number("supply_lost_fraction") ?? 1))
            }
            func lostFraction(_ t: Int, cargo: Bool) -> Double {
                var lost = 0.0
                for w in windows where w.0.contains(t) { lost = max(lost, cargo ? w.1 : w.2) }
                return lost
            }
            var arrivals = [Double](repeating: 0, count: steps)
            var supply = [Double](repeating: 0, count: steps)
            var cargoes: [Cargo] = []
            var disrupted = 0.0
            let supplyPerStep = (f.number("supply_t_per_day") ?? 0) / perDay
            if supplyPerStep > 0 {
                for t in 0..<steps {
                    let lost = lostFraction(t, cargo: false)
                    supply[t] = supplyPerStep * (1 - lost)
                    arrivals[t] += supply[t]
                    disrupted += supplyPerStep * lost
                }
            }
            func addCargo(step t: Int, tonnes: Double) {
                guard t >= 0 && t < steps else { return }
                let lost = lostFraction(t, cargo: true)
                arrivals[t] += tonnes * (1 - lost)
                disrupted += tonnes * lost
                cargoes.append(Cargo(step: t, tonnes: tonnes, lostFraction: lost))
            }
            if let dl = f.object("deliveries"), let cargo = dl.number("cargo_t") {
                let fixed = dl.number("interval_days"), monthly = dl.numbers("interval_days_monthly")
                let horizonDays = Double(steps) / perDay
                if let interval = fixed, monthly == nil {
                    let first = dl.number("first_day") ?? interval
                    let count = first < horizonDays ? Int(((horizonDays - first) / interval).rounded(.down)) + 1 : 0
                    if count > steps {
                        error(dl, "interval_days", fmt(interval), "at least one step (\(fmt(1 / perDay)) days) between cargoes")
                    } else {
                        for i in 0..<count {
                            let day = first + Double(i) * interval
                            if day < horizonDays { addCargo(step: Int((day * perDay).rounded(.down)), tonnes: cargo) }
                        }
                    }
                } else if let intervals = monthly, intervals.count == 12, fixed == nil {
                    // The next cargo comes the interval of the month of the last one after it.
                    func interval(atDay day: Double) -> Double {
                        intervals[calendar.date(ofDay: min(calendar.dayCount - 1, Int(day.rounded(.down)))).month - 1]
                    }
                    if let short = intervals.first(where: { $0 * perDay < 1 }) {
                        error(dl, "interval_days_monthly", fmt(short), "at least one step (\(fmt(1 / perDay)) days) between cargoes")
                    } else {
                        var day = dl.number("first_day") ?? interval(atDay: 0)
                        while day < horizonDays {
                            addCargo(step: Int((day * perDay).rounded(.down)), tonnes: cargo)
                            day += interval(atDay: day)
                        }
                    }
                } else if monthly == nil || fixed != nil {
                    error(dl, fixed != nil ? "interval_days_monthly" : "interval_days", "(both or neither)", "exactly one of interval_days and interval_days_monthly")
                }
                if cargo > cap { error(dl, "cargo_t", fmt(cargo), "at most storage_capacity_t (\(fmt(cap))): a cargo must fit the tanks") }
            }
            for d in f.list("delivery_dates") {
                guard let date = d.string("date").flatMap(CivilDate.init(parsing:)), let cargo = d.number("cargo_t") else { continue }
                let day = date.dayNumber - calendar.start.dayNumber
                if day < 0 || day >= calendar.dayCount {
                    error(d, "date", date.description, "a date within the horizon (\(calendar.start) to \(calendar.date(ofDay: max(0, calendar.dayCount - 1))))")
                    continue
                }
                addCargo(step: day * calendar.stepsPerDay, tonnes: cargo)
            }
            var fuel = Fuel(name: name, kind: kind, energyContentGJPerT: content, priceUSDPerGJ: price, storageCapacityT: cap,
                            initialStockT: initial, strategicReserveT: reserve, arrivalsT: arrivals, disruptedT: disrupted,
                            cargoes: cargoes.sorted { $0.step < $1.step }, supplyPerStepT: supply, risk: risk(f))
            if let sp = f.object("spot"), let cargo = sp.number("cargo_t"), let below = sp.number("order_below_t"), let lead = sp.number("lead_time_days") {
                if cargo > cap { error(sp, "cargo_t", fmt(cargo), "at most storage_capacity_t (\(fmt(cap))): a cargo must fit the tanks") }
                if below + cargo > cap { error(sp, "order_below_t", fmt(below), "at most storage_capacity_t − cargo_t (\(fmt(cap - cargo))): a spot cargo bought at that stock must fit") }
                fuel.spot = SpotPurchase(cargoT: cargo, orderBelowT: below, leadTimeDays: lead)
                if !windows.isEmpty { fuel.cargoLostFractionByStep = (0..<steps).map { lostFraction($0, cargo: true) } }
            }
            out.append(fuel)
        }
        return out
    }

    // MARK: TOU

    func buildTOU(_ node: ObjectNode, _ calendar: StepCalendar) -> TOUResponse? {
        struct Window { var ratio: Double; var days: Set<DayType>; var from: Int; var to: Int }
        var windows: [Window] = []
        let periods = node.list("periods")
        if node.fields["periods"] == nil {
            // Decision 963/QĐ-BCT (brief §9).
            windows = [Window(ratio: 1.80, days: [.weekday, .saturday], from: 17 * 60 + 30, to: 22 * 60 + 30),
                       Window(ratio: 0.63, days: [.weekday, .saturday, .sunday], from: 0, to: 6 * 60)]
        } else {
            for p in periods {
                guard let ratio = p.number("price_ratio"), let f = p.string("from").flatMap(minutesOfDay), let t = p.string("to").flatMap(minutesOfDay) else { continue }
                if t <= f { error(p, "to", p.string("to")!, "a time after `from` (\(p.string("from")!)); split windows that cross midnight"); continue }
                let days = Set((p.strings("day_types") ?? ["weekday", "saturday", "sunday"]).compactMap { k in DayType.allCases.first { $0.key == k } })
                for w in windows where !w.days.isDisjoint(with: days) && f < w.to && w.from < t {
                    error(p, "from", p.string("from")!, "a window that does not overlap another TOU window on the same day type")
                    break
                }
                windows.append(Window(ratio: ratio, days: days, from: f, to: t))
            }
        }
        var ratio = [Double](repeating: 1, count: calendar.stepCount)
        let len = calendar.stepMinutes
        for t in 0..<calendar.stepCount {
            let m0 = Int(calendar.minuteOfDay[t]), type = calendar.dayType[t]
            var weighted = 0.0, covered = 0
            for w in windows where w.days.contains(type) {
                let overlap = max(0, min(m0 + len, w.to) - max(m0, w.from))
                weighted += Double(overlap) * w.ratio
                covered += overlap
            }
            ratio[t] = (weighted + Double(len - covered)) / Double(len)
        }
        return TOUResponse(participatingFraction: node.number("participating_fraction") ?? 0.5, elasticity: node.number("elasticity") ?? -0.1,
                           savingFraction: node.number("saving_fraction") ?? 0, priceRatio: ratio)
    }

    // MARK: Stochastic options

    func risk(_ f: ObjectNode) -> SupplyRisk {
        SupplyRisk(cargoDelayProbability: f.number("cargo_delay_probability") ?? 0.05, cargoMeanDelayDays: f.number("cargo_mean_delay_days") ?? 3,
                   cargoCancellationProbability: f.number("cargo_cancellation_probability") ?? 0.01,
                   supplyShortfallProbabilityPerDay: f.number("supply_shortfall_probability_per_day") ?? 0.02,
                   supplyShortfallFraction: f.number("supply_shortfall_fraction") ?? 0.3,
                   disruptionRatePerYear: f.number("disruption_rate_per_year") ?? 0,
                   disruptionMeanDurationDays: f.number("disruption_mean_duration_days") ?? 10)
    }

    func buildStochastic() -> StochasticOptions {
        let o = root.object("stochastic")
        var classes = StochasticOptions.defaultInflowClasses
        if let o, o.fields["hydro_inflow_classes"] != nil {
            let nodes = o.list("hydro_inflow_classes")
            let parsed = nodes.compactMap { n -> InflowClass? in
                guard let name = n.string("name"), let p = n.number("probability"), let f = n.number("energy_factor") else { return nil }
                return InflowClass(name: name, probability: p, energyFactor: f, energyFactorMonthly: n.numbers("energy_factor_monthly"))
            }
            if nodes.isEmpty { error(o, "hydro_inflow_classes", "an empty list", "at least one inflow class") }
            else if parsed.count == nodes.count {
                let total = parsed.reduce(0) { $0 + $1.probability }
                if abs(total - 1) > 1e-6 { error(o, "hydro_inflow_classes", "probabilities add up to \(fmt(total))", "probabilities that add up to 1") }
                classes = parsed
            }
            _ = uniqueNames(nodes, what: "inflow class")
        }
        var hotDays: HotDays? = nil
        if let h = o?.object("hot_days"), let p = h.numbers("probability_monthly"), p.count == 12,
           let spell = h.number("mean_spell_days"), let uplift = h.number("demand_uplift_fraction") {
            if let high = p.first(where: { $0 >= 1 }) {
                error(h, "probability_monthly", fmt(high), "probabilities below 1 (some days of every month are not hot)")
            } else if let high = p.first(where: { $0 > spell / (spell + 1) }) {
                error(h, "probability_monthly", fmt(high), "at most mean_spell_days / (mean_spell_days + 1) = \(fmt(spell / (spell + 1))): more hot days than spells of that length allow")
            } else if let m = p.indices.first(where: { p[$0] > 0 && uplift * p[$0] / (1 - p[$0]) >= 1 }) {
                error(h, "demand_uplift_fraction", fmt(uplift), "at most \(fmt((1 - p[m]) / p[m])): the other days of month \(m + 1) would have no demand left")
            } else {
                hotDays = HotDays(probabilityMonthly: p, meanSpellDays: spell, demandUpliftFraction: uplift)
            }
        }
        var options = StochasticOptions(forcedOutages: o?.bool("forced_outages") ?? true,
                                 demandForecastErrorSigma: o?.number("demand_forecast_error_sigma") ?? 0.03,
                                 demandDailySigma: o?.number("demand_daily_sigma") ?? 0.02,
                                 solarDailySigma: o?.number("solar_daily_sigma") ?? 0.2, windDailySigma: o?.number("wind_daily_sigma") ?? 0.3,
                                 regionalCorrelation: o?.number("regional_correlation") ?? 0.7,
                                 heatSolarCorrelation: o?.number("heat_solar_correlation") ?? 0.3, inflowClasses: classes)
        options.hotDays = hotDays
        return options
    }

    func buildMonteCarlo(_ o: ObjectNode) -> MonteCarloSettings? {
        guard let trials = o.number("trials") else { return nil }
        return MonteCarloSettings(trials: Int(trials), seed: UInt64(o.number("seed") ?? 1), relError: o.number("rel_error"))
    }

    // MARK: Targets and options

    func buildTargets() -> Targets {
        let t = root.object("targets")
        return Targets(minReserveMargin: t?.number("min_reserve_margin") ?? 0.15, maxLossRate: t?.number("max_loss_rate") ?? 0.06,
                       maxLOLEHours: t?.number("max_lole_hours"), maxEUEMWh: t?.number("max_eue_mwh"),
                       minCleanShare: t?.number("min_clean_share"), maxEmissionsT: t?.number("max_emissions_t"),
                       capacityCredits: t?.string("capacity_credits") ?? "assumed")
    }

    func buildDispatch() -> DispatchOptions {
        let d = root.object("dispatch")
        return DispatchOptions(lookaheadHours: Int(d?.number("lookahead_hours") ?? 24),
                               excessPenaltyUSDPerMWh: d?.number("excess_penalty_usd_per_mwh") ?? 1000,
                               storageReliabilityFractionOfVOLL: d?.number("storage_reliability_fraction_of_voll") ?? 0.5,
                               strategicReserveFractionOfVOLL: d?.number("strategic_reserve_fraction_of_voll") ?? 0.9,
                               derateForcedOutages: d?.bool("derate_forced_outages") ?? true)
    }
}

/// FNV-1a over bytes, two 64-bit lanes with different offsets (not cryptographic: it tells inputs apart).
struct Fingerprint {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
    mutating func add(_ bytes: [UInt8]) {
        for x in bytes {
            a = (a ^ UInt64(x)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(x ^ 0x5a)) &* 0x0000_0100_0000_01b3
        }
    }
    var hex: String { String(format: "%016llx%016llx", a, b) }
}
