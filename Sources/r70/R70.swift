// The r70 command line: parsing and printing only; the work lives in the libraries.
import ArgumentParser
import Foundation
import GridModel
import GridReport
import GridSim

@main
struct R70: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "r70",
        abstract: "Simulate Vietnam's power system hour by hour and check it against Resolution 70's targets.",
        discussion: """
        A scenario file (YAML) describes regions, plants, 500 kV corridors, storage, fuel stocks, demand
        response and targets; see docs/scenario-format.md or `r70 schema`. Exit codes: 0 success,
        1 a target failed (check), 2 bad input (every problem is listed as FILE:LINE: key.path: value — expected),
        3 a dispatch that failed to solve (an internal error: please report it with the scenario).
        """,
        subcommands: [Validate.self, Run.self, Check.self, Schema.self])

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
    for d in errors.diagnostics { FileHandle.standardError.write(Data((d.description + "\n").utf8)) }
    let n = errors.diagnostics.count
    FileHandle.standardError.write(Data("\(n) problem\(n == 1 ? "" : "s") found; nothing was run or written.\n".utf8))
    return ExitCode(2)
}

func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

extension R70 {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check scenario files and report every problem at once.")

        @Argument(help: "Scenario files (YAML).")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let s = try ScenarioLoader.load(path: file)
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
        static let configuration = CommandConfiguration(abstract: "Simulate a scenario's horizon and print its summary.")

        @Argument(help: "Scenario file (YAML).")
        var file: String

        @Option(name: .long, help: "Directory for hourly CSV (regions, corridors, storage, fuels) and summary.json.")
        var out: String?

        @Flag(name: .long, help: "Print the summary as JSON instead of tables.")
        var json = false

        func run() throws {
            let scenario: Scenario
            do { scenario = try ScenarioLoader.load(path: file) } catch { throw reportProblems(error) }
            let result: DeterministicRun
            do { result = try DeterministicRun.run(scenario, recordHourly: out != nil) } catch {
                printError("r70: \(file): \(error)")
                throw ExitCode(3)
            }
            let targets = TargetCheck.evaluate(targets: scenario.targets, summary: result.summary)
            if let out, let hourly = result.hourly {
                do {
                    let files = try OutputWriter.files(plan: result.plan, summary: result.summary, hourly: hourly, targets: targets)
                    try OutputWriter.write(directory: out, files: files)
                } catch {
                    printError("r70: cannot write to \(out): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
                print(String(decoding: try encoder.encode(result.summary), as: UTF8.self))
            } else {
                print(SummaryText.render(result.summary))
                print(SummaryText.targets(targets))
                if let out { print("\nWrote hourly CSV and summary.json to \(out)") }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate each scenario's targets; exit 1 if any fails.",
            discussion: "Prints pass or fail with its margin for every target of every scenario. Exit code 0 when all pass, 1 when any fails, 2 when a file is invalid.")

        @Argument(help: "Scenario files (YAML).")
        var files: [String]

        @Option(name: .long, help: "Write JUnit XML here (one test case per scenario and target).")
        var junit: String?

        func run() throws {
            var outcomes: [CheckOutcome] = []
            var invalid = false
            for file in files {
                let start = Date()
                do {
                    let scenario = try ScenarioLoader.load(path: file)
                    let run = try DeterministicRun.run(scenario)
                    let results = TargetCheck.evaluate(targets: scenario.targets, summary: run.summary)
                    outcomes.append(CheckOutcome(scenarioName: scenario.name, file: file, results: results, error: nil, seconds: Date().timeIntervalSince(start)))
                    print("\(scenario.name) (\(file)):")
                    print(SummaryText.targets(results).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
                } catch let e as ScenarioErrors {
                    _ = reportProblems(e)
                    invalid = true
                    outcomes.append(CheckOutcome(scenarioName: file, file: file, results: [], error: e.description, seconds: Date().timeIntervalSince(start)))
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
            let failed = outcomes.filter { $0.error == nil && !$0.passed }.count
            print("\n\(outcomes.count) scenario\(outcomes.count == 1 ? "" : "s"): \(outcomes.filter(\.passed).count) passed, \(failed) failed\(invalid ? ", some invalid" : "")")
            if invalid { throw ExitCode(2) }
            if failed > 0 { throw ExitCode(1) }
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
