// The r70 command line: parsing and printing only; the work lives in the libraries.
import ArgumentParser
import Foundation
import GridModel
import GridReport
import GridSim
import GridStore
import GridStudy

@main
struct R70: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "r70",
        abstract: "Simulate Vietnam's power system hour by hour and check it against Resolution 70's targets.",
        discussion: """
        A scenario file (YAML) describes regions, plants, 500 kV corridors, storage, \
        fuel stocks, demand response and targets (docs/scenario-format.md; its JSON \
        Schema: r70 schema). Start with: r70 run scenarios/vn-2030-base.yaml

        Exit codes:
          0  success
          1  a target failed (check), or a regression against --baseline
          2  bad input (each problem as FILE:LINE: key.path: value — expected)
          3  a dispatch failed to solve: an internal error, please report it
        """,
        subcommands: [Validate.self, Run.self, Check.self, Adequacy.self, Sweep.self, CapacityCreditCommand.self, Size.self, Merge.self, Slurm.self,
                      Report.self, Schema.self, SolveStep.self])

    /// As ParsableCommand's, except that command-line mistakes exit with 2 (bad input) rather than 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error).rawValue == 64 {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Prints a scenario's problems and exits with code 2.
func reportProblems(_ errors: ScenarioErrors) -> ExitCode {
    // The first 200 problems in line order (a hostile file can have hundreds of thousands), then the count.
    let shown = 200
    var text = errors.diagnostics.prefix(shown).map { $0.description + "\n" }.joined()
    let n = errors.diagnostics.count
    if n > shown { text += "… and \(n - shown) more problems like these.\n" }
    text += "\(n) problem\(n == 1 ? "" : "s") found; nothing was run or written.\n"
    FileHandle.standardError.write(Data(text.utf8))
    return ExitCode(2)
}

func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// The `values` stores act as reliability stores when their tables could not be computed: say so.
func warnAboutStorageValues(_ plan: SimulationPlan) {
    if let why = plan.storageValues.failure {
        printError("r70: warning: the storage value tables could not be computed (\(why)); the `values` stores discharge only to avoid shedding")
    }
}

/// Why a `--samples-out` file cannot be written (checked before anything runs), or nil.
func samplesPathProblem(_ path: String) -> String? {
    if let problem = OutputWriter.parentProblem(of: path) { return problem }
    let url = URL(fileURLWithPath: path).standardizedFileURL
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue { return "it is a directory" }
    return nil
}

/// A dispatch that failed to solve (an internal error): prints it with its trial and step, writes the
/// step's whole problem to a JSON file that `r70 solve-step` solves again, and returns exit code 3.
func simulationFailure(_ file: String, _ error: Error) -> ExitCode {
    printError("r70: \(file): \(error)")
    let failure: SimulationError?
    switch error {
    case let e as SimulationError: failure = e
    case let e as MonteCarloError: if case .simulation(_, let inner) = e { failure = inner } else { failure = nil }
    default: failure = nil
    }
    if let dispatchCase = failure?.dispatchCase {
        let name = "r70-failed-step-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64(Date().timeIntervalSince1970 * 1000)).json"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(dispatchCase), (try? AtomicFile.write(String(decoding: data, as: UTF8.self), to: path)) != nil {
            printError("r70: the failed step (\(dispatchCase.context)) is written to \(path); `r70 solve-step \(path)` solves it again. Please report it with the scenario.")
        }
    }
    printError("r70: exit code 3: a dispatch failed to solve (an internal error).")
    return ExitCode(3)
}

extension R70 {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check scenario files and report every problem at once.")

        @Argument(help: "Scenario files (YAML).")
        var files: [String]

        @OptionGroup var overrideOptions: OverrideOptions

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let s = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides)
                    print("\(file): valid — \(s.regions.count) regions, \(s.plants.count) plants, \(s.corridors.count) corridors, \(s.storage.count) storage, \(s.fuels.count) fuels, \(s.stepCount) steps")
                } catch {
                    _ = reportProblems(error)
                    failed = true
                }
            }
            if failed { throw ExitCode(2) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate a scenario's horizon and print its summary; with --trials, a Monte Carlo study.",
            usage: "r70 run <file> [--trials <n>] [--out <dir>] [--json] [--wide] [<options>]",
            discussion: "Without --trials (and without `monte_carlo` in the scenario) the run is deterministic, at expected availability. With --trials N, N stochastic years are simulated (outages, weather, hydrology, demand, fuel supply) and every metric is reported with its standard error and 95 % interval; results are identical for any --threads.")

        @Argument(help: "Scenario file (YAML).")
        var file: String

        @Option(name: .long, help: "Directory for hourly CSV (regions, plants, corridors, storage, fuels) and summary.json of the deterministic run (written with --trials too).")
        var out: String?

        @Option(name: .long, help: "Write the dashboard here: one self-contained HTML file with the run's charts (and the study's, with --trials).")
        var html: String?

        @Flag(name: .long, help: "Print the summary as JSON instead of tables.")
        var json = false

        @OptionGroup var overrideOptions: OverrideOptions

        @OptionGroup var study: StudyChoice

        @Option(name: .customLong("samples-out"), help: "With --trials: write one CSV row of metrics per trial here.")
        var samplesOut: String?

        @Flag(name: .long, help: "With --trials: print the Monte Carlo table with full metric names and the standard errors in columns of their own (wider than 100 columns).")
        var wide = false

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("With --trials N: run only shard i of K (1-based), trials ⌊(i−1)N/K⌋ ..< ⌊iN/K⌋, for `r70 merge`; with --partial-out.", valueName: "i/K"))
        var shard: ShardChoice?

        @Option(name: .customLong("partial-out"), help: "With --shard: write the shard's exact partial result here (JSON) for `r70 merge`.")
        var partialOut: String?

        @Flag(name: .long, help: "Also solve the whole horizon as one LP with perfect foresight (COIN-OR CLP: storage, reservoirs, fuel stocks and demand response scheduled knowing the whole year), and print its cost, unserved energy and storage use beside the step-by-step run's, with the gap (deterministic runs only).")
        var foresight = false

        @Flag(name: .customLong("foresight-gap"), help: "Print the run's summary, then its cost gap to the perfect-foresight optimum (as --foresight).")
        var foresightGap = false

        @Option(name: .long, help: ArgumentHelp("With --foresight: solve rolling windows of H hours instead of the whole horizon at once.", valueName: "H"))
        var window: Int?

        @Option(name: .long, help: ArgumentHelp("With --window: each window also looks K hours ahead (solved, not kept).", valueName: "K"))
        var overlap: Int?

        func validate() throws {
            if (window != nil || overlap != nil) && !(foresight || foresightGap) { throw ValidationError("--window and --overlap set the perfect-foresight LP's windows: give --foresight (or --foresight-gap) too.") }
            if overlap != nil && window == nil { throw ValidationError("--overlap is the look-ahead of each --window: give --window H too.") }
            if let window, window < 1 { throw ValidationError("--window must be at least 1 hour (got \(window)).") }
            if let overlap, overlap < 0 { throw ValidationError("--overlap cannot be negative (got \(overlap)).") }
            if (shard == nil) != (partialOut == nil) { throw ValidationError("Please give --shard i/K and --partial-out FILE together.") }
            if shard != nil && study.sampling.relError != nil { throw ValidationError("A shard cannot size its study by --rel-error: give the shards a fixed --trials N.") }
        }

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides) } catch { throw reportProblems(error) }
            // Output paths are checked before anything runs.
            if let out, let problem = OutputWriter.problem(withTarget: out) {
                printError("r70: --out \(out): \(problem)")
                throw ExitCode(2)
            }
            if let path = samplesOut, let problem = samplesPathProblem(path) {
                printError("r70: --samples-out \(path): \(problem)")
                throw ExitCode(2)
            }
            if let path = partialOut, let problem = samplesPathProblem(path) {
                printError("r70: --partial-out \(path): \(problem)")
                throw ExitCode(2)
            }
            if let path = html, let problem = htmlPathProblem(path, inputs: [file] + (samplesOut.map { [$0] } ?? []) + (partialOut.map { [$0] } ?? []),
                                                              outDirectory: out) {
                printError("r70: --html \(path): \(problem)")
                throw ExitCode(2)
            }
            if let settings = study.settings(scenario, samplesOut: samplesOut) {
                if foresight || foresightGap {
                    printError("r70: --foresight solves the deterministic year; it does not run with a Monte Carlo study (--trials or monte_carlo: in the scenario)")
                    throw ExitCode(2)
                }
                try runStudy(scenario, settings)
                return
            }
            if foresight || foresightGap {
                if out != nil || html != nil {
                    printError("r70: --foresight prints the optimum beside the run; run again without it for --out or --html")
                    throw ExitCode(2)
                }
                try runForesight(scenario)
                return
            }
            if samplesOut != nil {
                printError("r70: --samples-out writes the trials of a Monte Carlo study: give --trials N (or monte_carlo: in the scenario)")
                throw ExitCode(2)
            }
            if wide || shard != nil {
                printError("r70: \(wide ? "--wide widens the table" : "--shard runs part") of a Monte Carlo study: give --trials N (or monte_carlo: in the scenario)")
                throw ExitCode(2)
            }
            let result: DeterministicRun
            do { result = try DeterministicRun.run(scenario, recordHourly: out != nil || html != nil) } catch {
                throw simulationFailure(file, error)
            }
            warnAboutStorageValues(result.plan)
            let targets = TargetCheck.evaluate(targets: scenario.targets, summary: result.summary)
            if let out, let hourly = result.hourly {
                do {
                    let files = try OutputWriter.files(plan: result.plan, summary: result.summary, hourly: hourly, targets: targets)
                    try OutputWriter.write(directory: out, files: files)
                } catch {
                    printError("r70: \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            if let html, let hourly = result.hourly {
                try writeHTML(Dashboard(scenario: scenario.name, run: RunCharts(plan: result.plan, summary: result.summary, hourly: hourly, targets: targets)), to: html)
            }
            if json {
                // The same summary and targets as summary.json.
                print(try JSONOutput.string(OutputWriter.SummaryFile(summary: result.summary, targets: targets)))
            } else {
                print(SummaryText.render(result.summary))
                print(SummaryText.targets(targets))
                if let out { print("\nWrote hourly CSV, summary.json and dashboard.json to \(out)") }
                if let html { print("Wrote the dashboard to \(html)") }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate each scenario's targets; exit 1 if any fails (or, with --baseline, on a regression).",
            usage: "r70 check <files> ... [--junit <file>] [--baseline <file>] [<options>]",
            discussion: "Prints pass or fail with its margin for every target of every scenario. Exit code 0 when all pass, 1 when any fails, 2 when a file is invalid. With --baseline FILE, exit 1 only on regressions against the recorded baseline; --update-baseline records a new one.")

        @Argument(help: "Scenario files (YAML).")
        var files: [String]

        @Option(name: .long, help: "Write JUnit XML here (one test case per scenario and target).")
        var junit: String?

        @Option(name: .long, help: "Compare with this baseline: fail (exit 1) only on regressions — a target that passed and now fails, or a key metric worse beyond its tolerance.")
        var baseline: String?

        @Flag(name: .customLong("update-baseline"), help: "Record the results as the new baseline (in --baseline's file).")
        var updateBaseline = false

        @Flag(name: .long, help: "Compare with a Monte Carlo baseline of another seed or trial count by the unpaired test (3 combined standard errors) instead of refusing it.")
        var unpaired = false

        @OptionGroup var overrideOptions: OverrideOptions

        @OptionGroup var study: StudyChoice

        func validate() throws {
            if updateBaseline && baseline == nil { throw ValidationError("Please name the baseline file with '--baseline FILE' to update it.") }
        }

        func run() throws {
            var outcomes: [CheckOutcome] = []
            var invalid = false, solveFailed = false
            var recorded = Baseline()
            var previous: Baseline?
            if let baseline, !updateBaseline || FileManager.default.fileExists(atPath: baseline) {
                do { previous = try Baseline.read(baseline) } catch {
                    printError("r70: cannot read the baseline \(baseline): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            if updateBaseline, let previous { recorded = previous }
            for file in files {
                let start = Date()
                do {
                    let scenario = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides)
                    let run: DeterministicRun
                    var results: [TargetResult]
                    var study: MonteCarloResult?
                    var trialValues: [String: [Double]]?
                    if let settings = self.study.settings(scenario) {
                        let deterministic = try DeterministicRun.run(scenario)
                        let collector = BaselineMetrics.TrialValues(definitions: MetricCatalog(plan: deterministic.plan).definitions)
                        let sample: ((Int, [Double]) -> Void)? = baseline == nil ? nil : { collector.collect($0, $1) }
                        let reporter = settings.reporter()
                        defer { reporter.finish() }
                        let outcome = try Study.run(deterministic, options: settings.options, progress: reporter.callback, sample: sample)
                        run = outcome.deterministic
                        results = outcome.targets
                        study = outcome.result
                        trialValues = collector.values
                    } else {
                        run = try DeterministicRun.run(scenario)
                        results = TargetCheck.evaluate(targets: scenario.targets, summary: run.summary)
                    }
                    let entry = BaselineMetrics.entry(summary: run.summary, targets: results, study: study, trialValues: trialValues)
                    var findings: [BaselineFinding]?
                    if updateBaseline { recorded.scenarios[scenario.name] = entry }
                    else if let previous { findings = try BaselineComparison.compare(scenario: scenario.name, baseline: previous.scenarios[scenario.name], current: entry, unpaired: unpaired) }
                    outcomes.append(CheckOutcome(scenarioName: scenario.name, file: file, results: results, error: nil,
                                                 seconds: Date().timeIntervalSince(start), baselineFindings: findings))
                    print("\(scenario.name) (\(file)):")
                    print(SummaryText.targets(results).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
                    if let findings {
                        print(findings.isEmpty ? "  baseline: no regression" : findings.map { "  REGRESSION \($0.item): \($0.message)" }.joined(separator: "\n"))
                    }
                } catch let e as BaselineMismatch {
                    printError("r70: \(file): \(e.reason)")
                    invalid = true
                    outcomes.append(CheckOutcome(scenarioName: e.scenario, file: file, results: [], error: e.reason, seconds: Date().timeIntervalSince(start)))
                } catch let e as ScenarioErrors {
                    _ = reportProblems(e)
                    invalid = true
                    outcomes.append(CheckOutcome(scenarioName: file, file: file, results: [], error: e.description, seconds: Date().timeIntervalSince(start)))
                } catch let e where e is SimulationError || e is MonteCarloError {
                    _ = simulationFailure(file, e)
                    solveFailed = true
                    outcomes.append(CheckOutcome(scenarioName: file, file: file, results: [], error: "\(e)", seconds: Date().timeIntervalSince(start)))
                } catch {
                    printError("r70: \(file): \(error)")
                    invalid = true
                    outcomes.append(CheckOutcome(scenarioName: file, file: file, results: [], error: "\(error)", seconds: Date().timeIntervalSince(start)))
                }
            }
            if let junit {
                do { try AtomicFile.write(JUnitReport.xml(outcomes), to: junit) } catch {
                    printError("r70: cannot write \(junit): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            if solveFailed { throw ExitCode(3) }
            if invalid { throw ExitCode(2) }
            if updateBaseline, let baseline {
                do { try recorded.write(baseline) } catch {
                    printError("r70: cannot write \(baseline): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
                print("\nRecorded \(outcomes.count) scenario\(outcomes.count == 1 ? "" : "s") in the baseline \(baseline)")
                return
            }
            if previous != nil {
                let regressed = outcomes.filter { !$0.regressions.isEmpty }.count
                print("\n\(outcomes.count) scenario\(outcomes.count == 1 ? "" : "s") against the baseline: \(outcomes.count - regressed) without regression, \(regressed) with")
                if regressed > 0 { throw ExitCode(1) }
                return
            }
            let failed = outcomes.filter { $0.error == nil && !$0.passed }.count
            print("\n\(outcomes.count) scenario\(outcomes.count == 1 ? "" : "s"): \(outcomes.filter(\.passed).count) passed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct Adequacy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate LOLE and EUE only: exactly (--exact), or by a fast Monte Carlo.",
            usage: "r70 adequacy <file> [--exact | --trials <n>] [--json] [<options>]",
            discussion: """
            --exact convolves every unit's outage distribution into a capacity outage probability table (one \
            region, no storage; energy limits and demand response are not modelled): seconds, no sampling noise. \
            Otherwise a Monte Carlo of --trials years reports the adequacy metrics; for systems without storage, \
            fuel stocks, reservoir energy or DR limits, hours in which every region covers its own demand are \
            not dispatched.
            """)

        @Argument(help: "Scenario file (YAML).")
        var file: String

        @Flag(name: .long, help: "Compute LOLE and EUE exactly with a capacity outage probability table.")
        var exact = false

        @Option(name: .customLong("resolution-mw"), help: "Capacity grid of the exact method, MW.")
        var resolutionMW: Double = 1

        @Option(name: .long, parsing: .unconditional, help: "Trial years of the Monte Carlo, at least 1 (not with --exact).")
        var trials: Int = 1000

        @OptionGroup var sampling: SamplingOptions

        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false

        @Flag(name: .long, help: "Print the Monte Carlo table with full metric names and the standard errors in columns of their own (wider than 100 columns; not with --exact).")
        var wide = false

        @OptionGroup var overrideOptions: OverrideOptions

        func validate() throws {
            if !(resolutionMW > 0) { throw ValidationError("Please specify a '--resolution-mw' above 0, such as 1.") }
            if exact && wide { throw ValidationError("--wide widens the Monte Carlo table; --exact prints two numbers. Please give one of them.") }
            if trials < 1 { throw ValidationError("Please specify a '--trials' value of at least 1.") }
        }

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides) } catch { throw reportProblems(error) }
            let plan = SimulationPlan(scenario: scenario)
            warnAboutStorageValues(plan)
            if exact {
                let start = Date()
                do {
                    let r = try ExactAdequacy.compute(plan: plan, resolutionMW: resolutionMW)
                    if json {
                        struct Exact: Encodable { var scenario: String; var method = "exact (capacity outage probability table)"; var loleHours: Double; var eueMWh: Double; var tables: Int }
                        print(try JSONOutput.string(Exact(scenario: scenario.name, loleHours: r.lole, eueMWh: r.eue, tables: r.tablesBuilt)))
                        return
                    }
                    print("Exact adequacy of \(scenario.name) (capacity outage probability table, \(r.tablesBuilt) table\(r.tablesBuilt == 1 ? "" : "s"), \(Format.number(Date().timeIntervalSince(start), decimals: 2)) s)")
                    print("LOLE  \(Format.number(r.lole, decimals: 4)) h over the horizon")
                    print("EUE   \(Format.number(r.eue, decimals: 4)) MWh over the horizon")
                } catch {
                    printError("r70: \(file): \(error)")
                    throw ExitCode(2)
                }
                return
            }
            var settings = sampling.settings(trials: trials, scenario: scenario)
            settings.options.adequacyOnly = plan.isStateless
            let reporter = settings.reporter()
            let result: MonteCarloResult
            do {
                result = try MonteCarlo.run(plan: plan, options: settings.options, progress: reporter.callback)
                reporter.finish()
            } catch {
                reporter.finish()
                throw simulationFailure(file, error)
            }
            let adequacy = ["lole", "lole_steps", "lol_events", "eue", "neue", "lolp_peak", "largest_shortfall", "shortfall_days", "shiftable_unpaid"]
            var filtered = result
            let keep = filtered.definitions.indices.filter { adequacy.contains(filtered.definitions[$0].name) || filtered.definitions[$0].name.hasPrefix("region.") || filtered.definitions[$0].name.hasPrefix("shed.") }
            filtered.definitions = keep.map { result.definitions[$0] }
            filtered.accumulators = keep.map { result.accumulators[$0] }
            if json {
                let summary = MonteCarloResultSummary(scenario: filtered.scenario, seed: filtered.seed, trials: filtered.trials,
                                                      trialsRequested: filtered.trialsRequested, stoppedEarly: filtered.stoppedEarly,
                                                      pilotTrials: filtered.pilotTrials, metrics: filtered.estimates)
                print(try JSONOutput.string(summary))
                return
            }
            print(MonteCarloText.render(filtered, wide: wide))
        }
    }

    struct SolveStep: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "solve-step",
            abstract: "Solve again one dispatch step that failed (the JSON file a failure wrote).",
            discussion: "Exit code 0 when the step solves (its objective and prices are printed), 3 when it fails again, 2 when the file is not a dispatch case.")

        @Argument(help: "The failed step's file (r70-failed-step-….json).")
        var file: String

        func run() throws {
            let dispatchCase: DispatchCase
            do {
                dispatchCase = try JSONDecoder().decode(DispatchCase.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                printError("r70: \(file): not a dispatch case written by r70 (\(error.localizedDescription))")
                throw ExitCode(2)
            }
            guard let solver = dispatchCase.makeSolver() else {
                printError("r70: \(file): the case's numbers do not fit its structure")
                throw ExitCode(2)
            }
            solver.maxPivotsPerSolve = ProcessInfo.processInfo.environment["R70_MAX_PIVOTS"].flatMap { Int($0) }
            print("Dispatch case: \(dispatchCase.context)")
            do { try solver.solve() } catch {
                printError("r70: \(file): \(error)")
                throw ExitCode(3)
            }
            print("objective \(solver.objectivePerHour) USD/h; prices " + (0..<dispatchCase.structure.regionCount).map { "\(solver.result.priceAtRegionPerMWh[$0])" }.joined(separator: ", ") + " USD/MWh")
        }
    }

    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the scenario format as a JSON Schema (for editors) or as Markdown.")

        enum OutputFormat: String, ExpressibleByArgument { case json, markdown }

        @Option(name: .long, help: "json (default) or markdown.")
        var format: OutputFormat = .json

        func run() {
            switch format {
            case .json: print(ScenarioSchema.scenario.jsonSchema(title: "r70 scenario"), terminator: "")
            case .markdown: print(ScenarioSchema.scenario.markdownReference(title: "r70 scenario format", preface: ScenarioSchema.referencePreface), terminator: "")
            }
        }
    }
}

extension R70 {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario at every point of a grid or Latin hypercube of parameters; results into SQLite.",
            usage: "r70 sweep <file> --vary <path=spec> ... --db <file> [<options>]",
            discussion: """
            Each --vary names a key as --set does: PATH=a:b:step (a grid from a to b), PATH=v1,v2,... (listed \
            values) or PATH=a:b (a range, with --lhs K). A grid runs every combination; --lhs K a Latin \
            hypercube of K points. Every point is checked before any runs. All points use the same seed, so \
            differences between them come from the parameters (common random numbers). Results go to the \
            SQLite file --db (schema in the README), a point at a time: run the same command again after an \
            interruption and it resumes, skipping the points it finished.
            """)

        @Argument(help: "Scenario file (YAML).")
        var file: String

        @Option(name: .customLong("vary"), help: ArgumentHelp("A varied key: PATH=a:b:step, PATH=v1,v2,... or PATH=a:b (with --lhs). Repeatable.", valueName: "path=spec"))
        var vary: [String] = []

        @Option(name: .long, parsing: .unconditional, help: "A Latin hypercube of this many points over the ranges given as PATH=a:b.")
        var lhs: Int?

        @Option(name: .long, parsing: .unconditional, help: "Trial years of each point's Monte Carlo, at least 1 (default: the scenario's monte_carlo.trials, else a deterministic run per point).")
        var trials: Int?

        @OptionGroup var sampling: SamplingOptions

        @Option(name: .long, help: "The SQLite file the results go to (created if missing; a study already in it resumes). Not with --point.")
        var db: String?

        @Option(name: .long, help: "Also write the study's tidy table (a row per point × metric × region) to this CSV file.")
        var csv: String?

        @Option(name: .long, parsing: .unconditional, help: "Run only point i (1-based) into --partial-out, without the database (a Slurm array task).")
        var point: Int?

        @Option(name: .customLong("partial-out"), help: "With --point: the file the point's results go to.")
        var partialOut: String?

        @Option(name: .customLong("from-parts"), help: "Record the point files of this folder (written by --point) into --db instead of running points.")
        var fromParts: String?

        @OptionGroup var overrideOptions: OverrideOptions

        func validate() throws {
            if vary.isEmpty { throw ValidationError("Please give at least one --vary PATH=a:b:step (or PATH=v1,v2,…).") }
            if let trials, trials < 1 { throw ValidationError("Please specify a '--trials' value of at least 1.") }
            if sampling.relError != nil { throw ValidationError("--rel-error would give each point another number of trials: give --trials N.") }
            if (point == nil) != (partialOut == nil) { throw ValidationError("Please give --point i and --partial-out FILE together.") }
            if point != nil && (db != nil || fromParts != nil || csv != nil) { throw ValidationError("--point runs one point into --partial-out: no --db, --csv or --from-parts.") }
            if point == nil && db == nil { throw ValidationError("Please name the results' SQLite file with --db FILE.") }
            if let point, point < 1 { throw ValidationError("Please specify a '--point' of at least 1.") }
        }

        func run() throws {
            let source: ScenarioSource
            do { source = try ScenarioSource(path: file) } catch { throw reportProblems(error) }
            var axes: [SweepAxis] = []
            for text in vary {
                switch SweepAxis.parse(text) {
                case .success(let a): axes.append(a)
                case .failure(let e): printError("r70: --vary \(text): \(e.problem)"); throw ExitCode(2)
                }
            }
            // The first point's scenario gives the defaults (seed, trials) and the study's identity.
            let base: Scenario
            do { base = try source.load(overrides: overrideOptions.overrides) } catch { throw reportProblems(error) }
            let seed = sampling.seed ?? base.monteCarlo?.seed ?? 1
            let design: SweepDesign
            switch SweepDesign.make(axes: axes, lhs: lhs, seed: seed) {
            case .success(let d): design = d
            case .failure(let e): printError("r70: \(e.text): \(e.problem)"); throw ExitCode(2)
            }
            // Every point is checked before any runs.
            for i in design.points.indices {
                do { _ = try source.load(overrides: overrideOptions.overrides + design.overrides(i)) } catch {
                    printError("r70: sweep point \(i + 1) of \(design.points.count) (\(pointLabel(design, i))) is not a valid scenario:")
                    throw reportProblems(error)
                }
            }
            let n = trials ?? base.monteCarlo?.trials
            if let point {
                guard point <= design.points.count else { printError("r70: --point \(point): the sweep has \(design.points.count) points"); throw ExitCode(2) }
                if let partialOut, let problem = samplesPathProblem(partialOut) { printError("r70: --partial-out \(partialOut): \(problem)"); throw ExitCode(2) }
                let start = Date()
                let metrics = try runPoint(source, design, point - 1, trials: n, seed: seed)
                let partial = SweepPointPartial(scenario: base, seed: seed, trials: n ?? 0, design: design, point: point - 1,
                                                seconds: Date().timeIntervalSince(start), metrics: metrics)
                do { try AtomicFile.write(String(decoding: try partial.encoded(), as: UTF8.self), to: partialOut!) } catch {
                    printError("r70: cannot write \(partialOut!): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
                if !sampling.quiet { print("Point \(point)/\(design.points.count) (\(pointLabel(design, point - 1))) written to \(partialOut!)") }
                return
            }
            let db = self.db!
            if let problem = OutputWriter.parentProblem(of: db) { printError("r70: --db \(db): \(problem)"); throw ExitCode(2) }
            if let csv, let problem = samplesPathProblem(csv) { printError("r70: --csv \(csv): \(problem)"); throw ExitCode(2) }
            let store: SweepStore
            let study: Int64
            let finished: Set<Int>
            do {
                store = try SweepStore(path: db)
                study = try store.study(SweepStudyKey(scenario: base.name, fingerprint: base.fingerprint, seed: seed, trials: n ?? 0, design: design),
                                        command: CommandLine.arguments.joined(separator: " "))
                finished = try store.finishedPoints(study: study)
            } catch {
                printError("r70: --db \(db): \(error)")
                throw ExitCode(2)
            }
            if !finished.isEmpty && !sampling.quiet {
                printError("resuming study \(study) in \(db): \(finished.count) of \(design.points.count) points already done")
            }
            do {
                if let fromParts {
                    // The points that array tasks wrote: checked against this sweep, then recorded (this process alone writes).
                    guard let listing = try? FileManager.default.contentsOfDirectory(atPath: fromParts) else {
                        printError("r70: --from-parts \(fromParts): not a readable folder of point files")
                        throw ExitCode(2)
                    }
                    let paths = listing.filter { $0.hasSuffix(".json") }.sorted().map { URL(fileURLWithPath: fromParts).appendingPathComponent($0).path }
                    let recorded = try store.record(pointFiles: paths, study: study, design: design, scenario: base, seed: seed, trials: n ?? 0)
                    if !sampling.quiet { printError("recorded \(recorded) point file\(recorded == 1 ? "" : "s") from \(fromParts)") }
                } else {
                    for i in design.points.indices where !finished.contains(i) {
                        let start = Date()
                        if !sampling.quiet { printError("point \(i + 1)/\(design.points.count): \(pointLabel(design, i))") }
                        let metrics = try runPoint(source, design, i, trials: n, seed: seed)
                        try store.record(study: study, point: i, design: design, metrics: metrics, seconds: Date().timeIntervalSince(start))
                    }
                }
                if let csv { try AtomicFile.write(try store.tidyCSV(study: study, design: design), to: csv) }
            } catch let e as ExitCode {
                throw e
            } catch let e as PartialError {
                printError("r70: \(e)")
                throw ExitCode(2)
            } catch {
                printError("r70: --db \(db): \(error)")
                throw ExitCode(2)
            }
            let rows: [SweepRow]
            do { rows = try store.rows(study: study) } catch { printError("r70: --db \(db): \(error)"); throw ExitCode(2) }
            print(SweepText.render(design: design, rows: rows, study: study, db: db, trials: n, seed: seed))
        }

        /// Point i's metrics (see `SweepRun.metrics`), with progress on stderr.
        func runPoint(_ source: ScenarioSource, _ design: SweepDesign, _ i: Int, trials n: Int?, seed: UInt64) throws -> [SweepMetric] {
            let scenario: Scenario
            do { scenario = try source.load(overrides: overrideOptions.overrides + design.overrides(i)) } catch { throw reportProblems(error) }
            var settings = n.map { sampling.settings(trials: $0, scenario: scenario) }
            settings?.options.seed = seed
            let reporter = settings?.reporter()
            defer { reporter?.finish() }
            do { return try SweepRun.metrics(scenario, options: settings?.options, progress: reporter?.callback) } catch {
                throw simulationFailure(file, error)
            }
        }

        func pointLabel(_ design: SweepDesign, _ i: Int) -> String {
            design.axes.indices.map { "\(design.axes[$0].path)=\(design.points[i][$0])" }.joined(separator: ", ")
        }

    }
}

extension R70 {
    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write (and with --submit, submit) a Slurm job array that runs a study in shards, and its merge.",
            usage: "r70 slurm <file> --trials <n> --shards <k> --out <dir> [<options>]",
            discussion: """
            DIR gets run-shards.sbatch (a job array: task i runs `r70 run --shard i/K --partial-out \
            parts/part-i.json`), merge.sbatch (`r70 merge`, into result/study.json) and submit.sh, which \
            submits the array and the merge with --dependency=afterok. The merged result is the unsharded \
            run's exactly. Paths are made absolute: DIR, the scenario and this r70 must be on a file \
            system the nodes share.
            """)

        @Argument(help: "Scenario file (YAML).")
        var file: String

        @Option(name: .long, parsing: .unconditional, help: "Trial years of the whole study, at least 1.")
        var trials: Int

        @Option(name: .long, parsing: .unconditional, help: "Seed of the study (default: the scenario's monte_carlo.seed, else 1).")
        var seed: UInt64?

        @Option(name: .long, parsing: .unconditional, help: "Shards, one per array task, from 1 to 10,000 (not with --vary).")
        var shards: Int?

        @Option(name: .customLong("vary"), help: ArgumentHelp("A sweep instead of one study: a varied key as `r70 sweep` takes it; one point per array task.", valueName: "path=spec"))
        var vary: [String] = []

        @Option(name: .long, parsing: .unconditional, help: "With --vary: a Latin hypercube of this many points.")
        var lhs: Int?

        @Option(name: .long, help: "With --vary: the SQLite file the merge job records the points into (the only process that writes it).")
        var db: String?

        @Option(name: .long, help: "The job's folder (created; it must not hold other files).")
        var out: String

        @Flag(name: .long, help: "Submit the jobs with sbatch (else print how to).")
        var submit = false

        @Option(name: .long, help: "Slurm partition (default: the cluster's).")
        var partition: String?

        @Option(name: .long, help: "Time limit of each task, as sbatch takes it.")
        var time: String = "01:00:00"

        @Option(name: .long, parsing: .unconditional, help: "CPUs per task (its --threads), at least 1.")
        var cpus: Int = 2

        @OptionGroup var overrideOptions: OverrideOptions

        func validate() throws {
            if trials < 1 { throw ValidationError("Please specify a '--trials' value of at least 1.") }
            if vary.isEmpty {
                guard let shards, (1...10_000).contains(shards) else { throw ValidationError("Please specify '--shards' from 1 to 10,000.") }
                if db != nil || lhs != nil { throw ValidationError("--db and --lhs go with a sweep (--vary).") }
            } else {
                if shards != nil { throw ValidationError("A sweep runs one point per task: no --shards.") }
                if db == nil { throw ValidationError("Please name the sweep's SQLite file with --db FILE.") }
            }
            if cpus < 1 { throw ValidationError("Please specify '--cpus' of at least 1.") }
            if out.contains(where: { "\"$`\\\n".contains($0) }) { throw ValidationError("Please give an --out folder whose path has no quote, $, backquote or backslash.") }
            if time.isEmpty || time.contains(where: { $0.isWhitespace }) { throw ValidationError("Please give --time as sbatch takes it, such as 01:00:00.") }
        }

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides) } catch { throw reportProblems(error) }
            let folder = URL(fileURLWithPath: out).standardizedFileURL
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                let contents = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? ["?"]
                if !isDirectory.boolValue || !contents.isEmpty {
                    printError("r70: --out \(out): \(isDirectory.boolValue ? "holds files already: give a new or empty folder" : "is a file")")
                    throw ExitCode(2)
                }
            } else if let problem = OutputWriter.parentProblem(of: folder.path) {
                printError("r70: --out \(out): \(problem)")
                throw ExitCode(2)
            }
            let executable = URL(fileURLWithPath: CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : (Bundle.main.executablePath ?? "r70"))
                .standardizedFileURL.resolvingSymlinksInPath().path
            var job = SlurmJob(r70: executable, scenario: URL(fileURLWithPath: file).standardizedFileURL.path, scenarioName: scenario.name,
                               overrides: overrideOptions.set, trials: trials, seed: seed ?? scenario.monteCarlo?.seed ?? 1, shards: shards ?? 1,
                               folder: folder.path, partition: partition, time: time, cpusPerTask: cpus)
            if !vary.isEmpty, let db {
                var axes: [SweepAxis] = []
                for text in vary {
                    switch SweepAxis.parse(text) {
                    case .success(let a): axes.append(a)
                    case .failure(let e): printError("r70: --vary \(text): \(e.problem)"); throw ExitCode(2)
                    }
                }
                let design: SweepDesign
                switch SweepDesign.make(axes: axes, lhs: lhs, seed: job.seed) {
                case .success(let d): design = d
                case .failure(let e): printError("r70: \(e.text): \(e.problem)"); throw ExitCode(2)
                }
                if let problem = OutputWriter.parentProblem(of: db) { printError("r70: --db \(db): \(problem)"); throw ExitCode(2) }
                // Every point is checked here, so that no array task fails on a bad value.
                let source: ScenarioSource
                do { source = try ScenarioSource(path: file) } catch { throw reportProblems(error) }
                for i in design.points.indices {
                    do { _ = try source.load(overrides: overrideOptions.overrides + design.overrides(i)) } catch {
                        printError("r70: sweep point \(i + 1) of \(design.points.count) is not a valid scenario:")
                        throw reportProblems(error)
                    }
                }
                job.sweep = (vary.flatMap { ["--vary", $0] } + (lhs.map { ["--lhs", String($0)] } ?? []), design.points.count,
                             URL(fileURLWithPath: db).standardizedFileURL.path)
            }
            do {
                for sub in ["parts", "logs"] {
                    try FileManager.default.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
                }
                for (name, text) in [("run-shards.sbatch", job.arrayScript), ("merge.sbatch", job.mergeScript), ("submit.sh", job.submitScript)] {
                    try AtomicFile.write(text, to: folder.appendingPathComponent(name).path)
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent(name).path)
                }
            } catch {
                printError("r70: cannot write the job to \(out): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            if let sweep = job.sweep {
                print("Wrote a job array of \(sweep.points) sweep point\(sweep.points == 1 ? "" : "s") (\(trials) trial years each of \(scenario.name), seed \(job.seed)) and the job recording them into \(sweep.database) to \(folder.path)")
            } else {
                print("Wrote a job array of \(job.shards) shard\(job.shards == 1 ? "" : "s") (\(trials) trial years of \(scenario.name), seed \(job.seed)) and its merge to \(folder.path)")
            }
            let outcome = job.sweep.map { "the points go to \($0.database)" } ?? "the merged result: \(folder.path)/result/study.json"
            guard submit else {
                print("Submit with: \(folder.path)/submit.sh   (\(outcome))")
                return
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [folder.appendingPathComponent("submit.sh").path]
            let pipe = Pipe()
            process.standardOutput = pipe
            do { try process.run() } catch {
                printError("r70: cannot run \(folder.path)/submit.sh: \(error.localizedDescription)")
                throw ExitCode(2)
            }
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                printError("r70: sbatch failed (exit \(process.terminationStatus)); the job is in \(folder.path), submit.sh submits it")
                throw ExitCode(2)
            }
            let ids = output.split(separator: " ")
            print("Submitted: \(job.sweep == nil ? "shards" : "points") job \(ids.first ?? "?"), merge job \(ids.last ?? "?") (after all \(job.sweep == nil ? "shards" : "points") succeed); \(outcome)")
        }
    }
}

extension CapacityCreditMethod: ExpressibleByArgument {}
extension AdequacyMetric: ExpressibleByArgument {}

extension R70 {
    struct CapacityCreditCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capacity-credit",
            abstract: "Find a plant's or storage's capacity credit (EFC or ELCC, as NREL PRAS defines them) by bisection.",
            usage: "r70 capacity-credit <file> --resource <name> --method <efc|elcc> ...",
            discussion: """
            EFC: the firm (never failing) capacity in the resource's region that gives the system without the \
            resource the metric it has with it. ELCC: the constant load in that region that the system with the \
            resource carries at the metric it has without it. Each step is a Monte Carlo of --trials years with \
            the same seed (common random numbers); the search stops when the bracket is within --gap MW or the \
            metrics at its ends no longer differ significantly (paired one-sided test at --p-value).
            """)

        @Argument(help: "Scenario file (YAML).")
        var file: String
        @Option(name: .long, help: "The plant or storage whose credit is found.")
        var resource: String?
        @Option(name: .long, help: "Instead of --resource: a whole technology (every plant or store of it, e.g. coal, solar, battery), with the firm capacity or load spread over the regions by their share of the national peak.")
        var technology: String?
        @Option(name: .long, help: ArgumentHelp("Instead of --resource: the credit of what the scenario has beyond its baseline, the scenario with these overrides (as --set; repeatable), e.g. a unit 5 MW smaller. With --region.", valueName: "path=value"))
        var without: [String] = []
        @Option(name: .long, help: "With --without: the region of the firm capacity (EFC) or the load (ELCC).")
        var region: String?
        @Option(name: .long, help: "efc or elcc.")
        var method: CapacityCreditMethod
        @Option(name: .long, help: "eue (default) or lole.")
        var metric: AdequacyMetric = .eue
        @Option(name: .customLong("capacity-max"), parsing: .unconditional, help: "The bracket's top, MW (default: the resource's capacity).")
        var capacityMax: Double?
        @Option(name: .long, parsing: .unconditional, help: "Stop when the bracket is this narrow, MW.")
        var gap: Double = 1
        @Option(name: .customLong("p-value"), parsing: .unconditional, help: "Significance below which the bisection goes on.")
        var pValue: Double = 0.05
        @Option(name: .long, parsing: .unconditional, help: "Trial years of each step's Monte Carlo, at least 2.")
        var trials: Int = 1000
        @OptionGroup var sampling: SamplingOptions
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false
        @OptionGroup var overrideOptions: OverrideOptions

        func validate() throws {
            if trials < 2 { throw ValidationError("Please specify a '--trials' value of at least 2.") }
            if [resource != nil, technology != nil, !without.isEmpty].filter({ $0 }).count != 1 {
                throw ValidationError("Please give one of --resource NAME, --technology NAME or --without PATH=VALUE (with --region).")
            }
            if !without.isEmpty && region == nil { throw ValidationError("Please name the region of the firm capacity or load with --region.") }
            if without.isEmpty && region != nil { throw ValidationError("--region goes with --without (a resource's credit is found in its own region, a technology's in all regions by their peaks).") }
            if !(gap > 0) { throw ValidationError("Please specify a '--gap' above 0 MW.") }
            if let capacityMax, !(capacityMax > 0) { throw ValidationError("Please specify a '--capacity-max' above 0 MW.") }
            if !(pValue > 0 && pValue < 1) { throw ValidationError("Please specify a '--p-value' between 0 and 1, such as 0.05.") }
        }

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides) } catch { throw reportProblems(error) }
            var options = sampling.settings(trials: trials, scenario: scenario).options
            options.relativeError = nil
            let quiet = sampling.quiet
            let r: CapacityCreditResult
            let progress: ((String) -> Void)? = quiet ? nil : { printError("  " + $0) }
            do {
                if let resource {
                    r = try CapacityCredit.assess(scenario, resource: resource, method: method, metric: metric, capacityMaxMW: capacityMax, gapMW: gap,
                                                  pValue: pValue, options: options, progress: progress)
                } else if let technology {
                    r = try CapacityCredit.assess(scenario, technology: technology, method: method, metric: metric, capacityMaxMW: capacityMax, gapMW: gap,
                                                  pValue: pValue, options: options, progress: progress)
                } else {
                    var changes: [ScenarioOverride] = []
                    for text in without {
                        switch ScenarioOverride.parse(text) {
                        case .success(let o): changes.append(o)
                        case .failure(let e): printError("r70: --without \(text): \(e.problem)"); throw ExitCode(2)
                        }
                    }
                    let baseline: Scenario
                    do { baseline = try ScenarioLoader.load(path: file, overrides: overrideOptions.overrides + changes) } catch { throw reportProblems(error) }
                    guard let r0 = scenario.regions.firstIndex(where: { $0.name == region }) else {
                        printError("r70: --region \(region!): no such region (the regions: \(scenario.regions.map(\.name).joined(separator: ", ")))")
                        throw ExitCode(2)
                    }
                    func installedMW(_ s: Scenario) -> Double {
                        let plants: Double = s.plants.reduce(0) { $0 + $1.capacityMW }
                        let storage: Double = s.storage.reduce(0) { $0 + $1.powerMW }
                        return plants + storage
                    }
                    let added = installedMW(scenario) - installedMW(baseline)
                    r = try CapacityCredit.assess(augmented: scenario, baseline: baseline, region: r0, resource: "the change from " + without.joined(separator: ", "),
                                                  resourceCapacityMW: max(added, 0), method: method, metric: metric, capacityMaxMW: capacityMax,
                                                  gapMW: gap, pValue: pValue, options: options, progress: progress)
                }
            } catch let e as CapacityCreditError {
                if case .noSuchResource(let name, let names) = e {
                    if technology != nil { printError("r70: --technology \(name): no plant or storage of it (the scenario's technologies: \(names.joined(separator: ", ")))") }
                    else { printError("r70: --resource \(resource ?? ""): \(e)") }
                    throw ExitCode(2)
                }
                throw simulationFailure(file, e)
            }
            if json { print((try? JSONOutput.string(r)) ?? "{}"); return }
            let unit = metric == .eue ? "MWh" : "h"
            print("\(method.rawValue.uppercased()) of \(r.resource) (\(Format.number(r.resourceCapacityMW)) MW, in \(r.region)) on \(metric.rawValue.uppercased()), \(r.trials) trial years per step, seed \(r.seed)")
            print("  credit in [\(Format.number(r.lowerMW, decimals: 1)), \(Format.number(r.upperMW, decimals: 1))] MW"
                  + (r.resourceCapacityMW > 0 ? ": \(Format.percent(r.lowerMW / r.resourceCapacityMW))–\(Format.percent(r.upperMW / r.resourceCapacityMW)) of its capacity" : ""))
            print("  target \(metric.rawValue.uppercased()) \(Format.number(r.target, decimals: 3)) ± \(Format.number(r.targetStandardError, decimals: 3)) \(unit); stopped: \(r.stoppedBecause); p-value between the bracket's ends \(Format.number(r.pValue, decimals: 4))")
            if !r.withinMaximum { print("  WARNING: even \(Format.number(r.upperMW, decimals: 1)) MW (--capacity-max) does not reach the target: the credit is above it") }
            print(Format.table(["MW", "\(metric.rawValue.uppercased()) (\(unit))", "Std error"], r.steps.map {
                [Format.number($0.capacityMW, decimals: 1), Format.number($0.metric, decimals: 3), Format.number($0.standardError, decimals: 3)]
            }).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
    }

    struct Size: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the smallest value of one key that meets a target, by bisection over studies with the same draws.",
            usage: "r70 size <file> --vary <path=a:b> --target <metric<=x> [<options>]",
            discussion: """
            --target is a metric, <= or >=, and a threshold: lole<=3, eue<=5000, region.North.lole<=10 (Monte Carlo \
            metrics, with --trials) or reserve_margin>=0.15 (the planning margin of the deterministic run). A \
            value meets a Monte Carlo target when the estimate's one-sided --confidence bound does. More of \
            the key is assumed never to make the metric worse.
            """)

        @Argument(help: "Scenario file (YAML).")
        var file: String
        @Option(name: .customLong("vary"), help: ArgumentHelp("The key and its range, PATH=a:b (paths as --set).", valueName: "path=a:b"))
        var vary: String
        @Option(name: .long, help: ArgumentHelp("The target, such as lole<=3 or reserve_margin>=0.15.", valueName: "metric<=x"))
        var target: String
        @Option(name: .long, parsing: .unconditional, help: "Confidence that a Monte Carlo target holds.")
        var confidence: Double = 0.95
        @Option(name: .long, parsing: .unconditional, help: "Stop when the bracket is this narrow (default: 1/100 of the range).")
        var gap: Double?
        @Option(name: .long, parsing: .unconditional, help: "Trial years of each step's Monte Carlo (not needed for reserve_margin).")
        var trials: Int?
        @OptionGroup var sampling: SamplingOptions
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false
        @OptionGroup var overrideOptions: OverrideOptions

        func validate() throws {
            if !(confidence > 0 && confidence < 1) { throw ValidationError("Please specify a '--confidence' between 0 and 1, such as 0.95.") }
            if let trials, trials < 2 { throw ValidationError("Please specify a '--trials' value of at least 2.") }
            if let gap, !(gap > 0) { throw ValidationError("Please specify a '--gap' above 0.") }
            if SizingTarget.parse(target) == nil { throw ValidationError("Please give --target as METRIC<=X or METRIC>=X, such as lole<=3 or reserve_margin>=0.15.") }
        }

        func run() throws {
            let source: ScenarioSource
            do { source = try ScenarioSource(path: file) } catch { throw reportProblems(error) }
            let axis: SweepAxis
            switch SweepAxis.parse(vary) {
            case .success(let a) where a.lower != nil: axis = a
            case .success: printError("r70: --vary \(vary): give a range PATH=a:b"); throw ExitCode(2)
            case .failure(let e): printError("r70: --vary \(vary): \(e.problem)"); throw ExitCode(2)
            }
            let goal = SizingTarget.parse(target)!
            let base: Scenario
            do { base = try source.load(overrides: overrideOptions.overrides) } catch { throw reportProblems(error) }
            for v in [axis.lower!, axis.upper!] {
                do { _ = try source.load(overrides: overrideOptions.overrides + [try ScenarioOverride.parse("\(axis.path)=\(v)").get()]) } catch let e as ScenarioErrors {
                    throw reportProblems(e)
                }
            }
            if !goal.deterministic && MetricCatalog(plan: SimulationPlan(scenario: base)).index(of: goal.metric) == nil {
                printError("r70: --target \(target): no metric '\(goal.metric)' (lole, eue, region.NAME.lole, total_cost, … as --json names them, or reserve_margin)")
                throw ExitCode(2)
            }
            if !goal.deterministic && trials == nil && base.monteCarlo?.trials == nil {
                printError("r70: --target \(target) varies by trial: give --trials N")
                throw ExitCode(2)
            }
            let n = trials ?? base.monteCarlo?.trials
            var options = n.map { sampling.settings(trials: $0, scenario: base).options }
            options?.relativeError = nil
            let r: SizingResult
            do {
                r = try Sizing.size(source: source, fixed: overrideOptions.overrides, path: axis.path, lower: axis.lower!, upper: axis.upper!,
                                    gap: gap ?? (axis.upper! - axis.lower!) / 100, target: goal, confidence: confidence,
                                    options: goal.deterministic ? nil : options, progress: sampling.quiet ? nil : { printError("  " + $0) })
            } catch let e as SizingError {
                printError("r70: --target \(target): \(e)")
                throw ExitCode(2)
            } catch let e as ScenarioErrors {
                throw reportProblems(e)
            } catch {
                throw simulationFailure(file, error)
            }
            if json { print((try? JSONOutput.string(r)) ?? "{}"); return }
            let mode = goal.deterministic ? "the deterministic run" : "\(r.trials ?? 0) trial years per step, seed \(r.seed), \(Format.percent(confidence, decimals: 0)) confidence"
            guard let upper = r.upper, let at = r.atUpper else {
                print("\(goal) is not met anywhere in \(axis.path) ∈ [\(Format.number(axis.lower!, decimals: 2)), \(Format.number(axis.upper!, decimals: 2))] (\(mode))")
                throw ExitCode(1)
            }
            if upper == axis.lower! {
                print("\(goal) is met already at the range's bottom, \(axis.path) = \(Format.number(upper, decimals: 2)) (\(mode))")
            } else {
                print("Smallest \(axis.path) meeting \(goal) (\(mode)): \(Format.number(upper, decimals: 2)), within (\(Format.number(r.lower, decimals: 2)), \(Format.number(upper, decimals: 2))]")
            }
            print("  there \(goal.metric) = \(Format.number(at.metric, decimals: 4))\(at.standardError.map { " ± " + Format.number($0, decimals: 4) } ?? ""); P(target holds) \(Format.percent(at.probabilityHolds))")
            if let worst = r.nonMonotone.first {
                print("  WARNING: \(goal.metric) is not monotone in \(axis.path): it is worse at \(Format.number(worst.higher, decimals: 2)) than at \(Format.number(worst.lower, decimals: 2))"
                      + (r.nonMonotone.count > 1 ? " (and \(r.nonMonotone.count - 1) more such pairs)" : "") + "; the bisection assumes it is, so a smaller value may also meet the target.")
            }
            print(Format.table([axis.path, goal.metric, "Std error", "P(holds)", "Meets"], r.steps.sorted { $0.value < $1.value }.map {
                [Format.number($0.value, decimals: 2), Format.number($0.metric, decimals: 4), $0.standardError.map { Format.number($0, decimals: 4) } ?? "—",
                 Format.percent($0.probabilityHolds), $0.meets ? "yes" : "no"]
            }).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}

/// `--shard i/K`: shard i (1-based) of K.
struct ShardChoice: ExpressibleByArgument {
    /// 0-based index and count.
    var value: (index: Int, count: Int)
    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let k = Int(parts[1]), k >= 1, k <= 100_000, i >= 1, i <= k else { return nil }
        value = (i - 1, k)
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

extension R70 {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the shards of a Monte Carlo study (r70 run --shard i/K --partial-out FILE) into its result.",
            usage: "r70 merge <files> ... [--json] [--out <dir>] [--merged-out <file>]",
            discussion: "The output is the unsharded run's, exactly: every shard's trials draw from their own streams and the accumulators merge by integer addition. Refused (exit 2, naming the file): partial files of another scenario, r70 version, seed, trial count, shard count or mode, a shard given twice, and missing or overlapping trial ranges.")

        @Argument(help: "The shards' partial files.")
        var files: [String]

        @Flag(name: .long, help: "Print the result as JSON, as `r70 run --trials N --json` does.")
        var json = false

        @Flag(name: .long, help: "Print the Monte Carlo table with full metric names and the standard errors in columns of their own.")
        var wide = false

        @Option(name: .long, help: "Write the deterministic run's hourly CSV and summary.json here, as `r70 run --trials N --out DIR` does (the scenario is read again from the path the shards recorded, and must be unchanged).")
        var out: String?

        @Option(name: .customLong("merged-out"), help: "Write the merged study here, as one partial file covering every trial (for `r70 report FILE --html`, or to merge again).")
        var mergedOut: String?

        func run() throws {
            if let out, let problem = OutputWriter.problem(withTarget: out) {
                printError("r70: --out \(out): \(problem)")
                throw ExitCode(2)
            }
            if let path = mergedOut, let problem = samplesPathProblem(path) {
                printError("r70: --merged-out \(path): \(problem)")
                throw ExitCode(2)
            }
            var parts: [(file: String, partial: StudyPartial)] = []
            let merged: (result: MonteCarloResult, targets: [TargetResult])
            do {
                for file in files { parts.append((file, try StudyPartial.read(file))) }
                merged = try StudyPartial.merge(parts)
            } catch {
                printError("r70: \(error)")
                throw ExitCode(2)
            }
            let (result, targets) = merged
            if let path = mergedOut {
                var whole = parts[0].partial
                whole.result = result
                whole.shard = 0; whole.shards = 1; whole.firstTrial = 0; whole.trialCount = result.trials
                do { try AtomicFile.write(String(decoding: try whole.encoded(), as: UTF8.self), to: path) } catch {
                    printError("r70: cannot write \(path): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            if let out {
                // The files `r70 run --out` writes beside a study: the deterministic run's, from the same inputs.
                let (scenario, path): (Scenario, String)
                do { (scenario, path) = try reloadScenario(of: parts[0].partial, file: parts[0].file) } catch let e as ScenarioErrors {
                    throw reportProblems(e)
                } catch {
                    printError("r70: --out: \(error)")
                    throw ExitCode(2)
                }
                do {
                    let run = try DeterministicRun.run(scenario, recordHourly: true)
                    let files = try OutputWriter.files(plan: run.plan, summary: run.summary, hourly: run.hourly!,
                                                       targets: TargetCheck.evaluate(targets: scenario.targets, summary: run.summary),
                                                       study: (result, targets))
                    try OutputWriter.write(directory: out, files: files)
                } catch let e as SimulationError {
                    throw simulationFailure(path, e)
                } catch {
                    printError("r70: \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            printStudy(result, targets, json: json, wide: wide)
        }
    }
}

/// `--set PATH=VALUE`: overrides of scenario keys, shared by the commands that read scenarios.
struct OverrideOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a numeric or enumerated key of the scenario: PATH=VALUE, or PATH*=FACTOR to scale it; list items by name, * for all (e.g. storage[bess-n].power_mw=4000, regions[*].demand.annual_energy_mwh*=1.1). Repeatable; checked like the file.", valueName: "path=value"))
    var set: [String] = []

    var overrides: [ScenarioOverride] = []

    enum CodingKeys: String, CodingKey { case set }

    mutating func validate() throws {
        overrides = []
        for text in set {
            switch ScenarioOverride.parse(text) {
            case .success(let o): overrides.append(o)
            case .failure(let e): throw ValidationError("\(e.description). Paths look like storage[bess-n].power_mw or regions[*].demand.peak_mw.")
            }
        }
    }
}

/// How a Monte Carlo samples: shared by `run`, `check` and `adequacy`.
struct SamplingOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Seed of the study, an integer from 0 to 18446744073709551615: each device and process of trial i draws from its own stream, keyed by (seed, i, its name).")
    var seed: UInt64?

    @Option(name: .long, parsing: .unconditional, help: "Worker threads, at least 1 (default: all cores; at most 4 per core are used). Results do not depend on it.")
    var threads: Int?

    @Option(name: .customLong("rel-error"), parsing: .unconditional, help: "Size the study for a standard error of EUE (of LOLE when EUE is 0) of this fraction of the estimate, e.g. 0.05: a pilot of 100 trials sizes it, then fresh trials (at most --trials) are run and reported.")
    var relError: Double?

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("Please specify a '--threads' value of at least 1.") }
        if let relError, !(relError > 0 && relError < 1) { throw ValidationError("Please specify a '--rel-error' between 0 and 1, such as 0.05.") }
    }

    /// The study of `trials` trial years (the scenario's `monte_carlo` settings fill what is not given).
    func settings(trials: Int, scenario: Scenario, samplesOut: String? = nil) -> Settings {
        let fromFile = scenario.monteCarlo
        let options = MonteCarloOptions(trials: trials, seed: seed ?? fromFile?.seed ?? 1,
                                        threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                        relativeError: relError ?? fromFile?.relError)
        return Settings(options: options, samplesOut: samplesOut, quiet: quiet)
    }

    struct Settings {
        var options: MonteCarloOptions
        var samplesOut: String?
        var quiet: Bool
        func reporter() -> ProgressReporter { ProgressReporter(quiet: quiet) }
    }
}

/// `run`'s and `check`'s choice between a deterministic run and a Monte Carlo study.
struct StudyChoice: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Trial years of a Monte Carlo study, at least 1 (default: the scenario's monte_carlo.trials, else a deterministic run).")
    var trials: Int?

    @Flag(name: .long, help: "Run deterministically even if the scenario asks for a Monte Carlo (monte_carlo:).")
    var deterministic = false

    @OptionGroup var sampling: SamplingOptions

    func validate() throws {
        if let trials, trials < 1 { throw ValidationError("Please specify a '--trials' value of at least 1.") }
        if deterministic && trials != nil { throw ValidationError("Please give either '--deterministic' or '--trials', not both.") }
    }

    /// The study to run, or nil for a deterministic run.
    func settings(_ scenario: Scenario, samplesOut: String? = nil) -> SamplingOptions.Settings? {
        if deterministic { return nil }
        guard let n = trials ?? scenario.monteCarlo?.trials else { return nil }
        return sampling.settings(trials: n, scenario: scenario, samplesOut: samplesOut)
    }
}

/// Progress on stderr: a bar when stderr is a terminal, plain lines otherwise, nothing when quiet.
final class ProgressReporter: @unchecked Sendable {
    let quiet: Bool
    let terminal = isatty(STDERR_FILENO) == 1
    var lastDecile = -1
    init(quiet: Bool) { self.quiet = quiet }

    var callback: (MonteCarloProgress) -> Void { { [self] p in report(p) } }

    func report(_ p: MonteCarloProgress) {
        guard !quiet else { return }
        let rate = p.seconds > 0 ? Double(p.trialsDone) / p.seconds : 0
        let left = rate > 0 ? Double(p.trialsPlanned - p.trialsDone) / rate : 0
        let stats = "\(p.trialsDone)/\(p.trialsPlanned) trials, \(Format.number(rate, decimals: 1)) trials/s, \(Format.number(left, decimals: 0)) s left, LOLE \(Format.number(p.lole, decimals: 2)) h, EUE \(Format.number(p.eue, decimals: 1)) MWh"
        if terminal {
            let width = 30, filled = p.trialsPlanned > 0 ? width * p.trialsDone / p.trialsPlanned : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[2K[\(bar)] \(stats)".utf8))
            lineOpen = true
        } else {
            let decile = p.trialsPlanned > 0 ? 10 * p.trialsDone / p.trialsPlanned : 10
            if decile != lastDecile { lastDecile = decile; printError("progress: " + stats) }
        }
    }

    var lineOpen = false

    /// Ends the bar's line (after the last block, or an early stop).
    func finish() {
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)); lineOpen = false }
    }
}

extension R70.Run {
    func runStudy(_ scenario: Scenario, _ settings: SamplingOptions.Settings) throws {
        var options = settings.options
        options.shard = shard?.value
        if options.shard != nil && options.relativeError != nil {
            // A shard cannot size the study from a pilot: the scenario's monte_carlo.rel_error is not used.
            if !settings.quiet { printError("note: a shard runs the fixed --trials N; the scenario's monte_carlo.rel_error is not used") }
            options.relativeError = nil
        }
        let year: DeterministicRun
        do { year = try DeterministicRun.run(scenario, recordHourly: out != nil || html != nil) } catch { throw simulationFailure(file, error) }
        warnAboutStorageValues(year.plan)
        // Samples go to a temporary file beside the target, renamed into place at the end.
        var samples: FileHandle?
        var samplesTemp: String?
        if let path = settings.samplesOut {
            let url = URL(fileURLWithPath: path)
            let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
                printError("r70: cannot write \(path)")
                throw ExitCode(2)
            }
            samples = h
            samplesTemp = tmp
            let names = MetricCatalog(plan: year.plan).definitions.map(\.name)
            h.write(Data(("trial," + names.joined(separator: ",") + "\n").utf8))
        }
        let reporter = settings.reporter()
        let outcome: StudyOutcome
        do {
            outcome = try Study.run(year, options: options, progress: reporter.callback) { trial, values in
                samples?.write(Data((String(trial) + "," + values.map { String($0) }.joined(separator: ",") + "\n").utf8))
            }
            reporter.finish()
        } catch {
            reporter.finish()
            if let samplesTemp { try? FileManager.default.removeItem(atPath: samplesTemp) }
            throw simulationFailure(file, error)
        }
        if let samples, let samplesTemp, let path = settings.samplesOut {
            try? samples.close()
            if rename(samplesTemp, path) != 0 { printError("r70: cannot write \(path)"); throw ExitCode(2) }
        }
        let deterministic = outcome.deterministic, result = outcome.result
        let deterministicTargets = TargetCheck.evaluate(targets: scenario.targets, summary: deterministic.summary)
        // --out: the hourly files and summary of the deterministic run, as without trials.
        if let out, let hourly = deterministic.hourly {
            do {
                try OutputWriter.write(directory: out, files: try OutputWriter.files(plan: deterministic.plan, summary: deterministic.summary,
                                                                                     hourly: hourly, targets: deterministicTargets,
                                                                                     study: (result, outcome.targets)))
            } catch {
                printError("r70: \(error.localizedDescription)")
                throw ExitCode(2)
            }
        }
        if let html, let hourly = deterministic.hourly {
            try writeHTML(Dashboard(scenario: scenario.name, run: RunCharts(plan: deterministic.plan, summary: deterministic.summary, hourly: hourly,
                                                                            targets: deterministicTargets),
                                    study: result, studyTargets: outcome.targets), to: html)
        }
        if let partialOut {
            var partial = StudyPartial(scenario: scenario, options: options, result: result, deterministicTargets: deterministicTargets)
            partial.scenarioPath = URL(fileURLWithPath: file).standardizedFileURL.path
            partial.overrides = overrideOptions.set
            do { try AtomicFile.write(String(decoding: try partial.encoded(), as: UTF8.self), to: partialOut) } catch {
                printError("r70: cannot write \(partialOut): \(error.localizedDescription)")
                throw ExitCode(2)
            }
            if !json {
                print("Shard \(partial.shard + 1)/\(partial.shards) of \(scenario.name): trials \(partial.firstTrial) ..< \(partial.firstTrial + partial.trialCount) of \(partial.trials), seed \(partial.seed), written to \(partialOut); `r70 merge` merges the shards.")
                return
            }
        }
        printStudy(result, outcome.targets, json: json, wide: wide)
        if let html, !json { print("Wrote the dashboard to \(html)") }
    }
}

/// Writes a dashboard as one HTML file (to a temporary name beside it, then renamed into place).
func writeHTML(_ dashboard: Dashboard, to path: String) throws {
    do { try AtomicFile.write(HTMLReport.render(dashboard), to: path) } catch {
        printError("r70: cannot write \(path): \(error.localizedDescription)")
        throw ExitCode(2)
    }
}

/// A study's JSON: `study` (its estimates) and `targets`.
func studyJSON(_ result: MonteCarloResult, _ targets: [TargetResult]) throws -> String {
    struct Output: Encodable { var study: MonteCarloResultSummary; var targets: [TargetResult] }
    let summary = MonteCarloResultSummary(scenario: result.scenario, seed: result.seed, trials: result.trials,
                                          trialsRequested: result.trialsRequested, stoppedEarly: result.stoppedEarly,
                                          pilotTrials: result.pilotTrials, metrics: result.estimates)
    return try JSONOutput.string(Output(study: summary, targets: targets))
}

/// Prints a study's estimates and targets as tables, or as JSON (`study` and `targets`).
func printStudy(_ result: MonteCarloResult, _ targets: [TargetResult], json: Bool, wide: Bool) {
    if json {
        print((try? studyJSON(result, targets)) ?? "{}")
    } else {
        print(MonteCarloText.render(result, wide: wide))
        print(SummaryText.targets(targets))
    }
}

/// The JSON form of a study's estimates.
struct MonteCarloResultSummary: Encodable {
    var scenario: String
    var seed: UInt64
    var trials: Int
    var trialsRequested: Int
    var stoppedEarly: Bool
    var pilotTrials: Int?
    var metrics: [MetricEstimate]
}

extension R70.Run {
    /// The deterministic run beside its perfect-foresight optimum.
    func runForesight(_ scenario: Scenario) throws {
        let stepsPerHour = 60 / scenario.calendar.stepMinutes
        let options = ForesightOptions(windowSteps: window.map { $0 * stepsPerHour }, overlapSteps: (overlap ?? 0) * stepsPerHour)
        let comparison: ForesightComparison
        do { comparison = try Foresight.compare(scenario, options: options) } catch {
            printError("r70: \(file): \(error)")
            throw ExitCode(3)
        }
        warnAboutStorageValues(comparison.run.plan)
        let names = scenario.storage.map(\.name)
        if json {
            print(try ForesightText.json(comparison, storeNames: names))
            return
        }
        if foresightGap {
            let targets = TargetCheck.evaluate(targets: scenario.targets, summary: comparison.run.summary)
            print(SummaryText.render(comparison.run.summary))
            print(SummaryText.targets(targets))
            print("")
        }
        print(ForesightText.render(comparison, storeNames: names))
    }
}

