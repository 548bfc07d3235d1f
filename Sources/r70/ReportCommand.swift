// `r70 report RESULT --html PATH`: the dashboard of a result already computed.
import ArgumentParser
import Foundation
import GridModel
import GridReport
import GridSim
import GridStore
import GridStudy

/// Why a study's scenario cannot be read again as its shards ran it.
struct ScenarioChanged: Error, CustomStringConvertible {
    var description: String
}

/// The scenario a partial study recorded (its path and `--set` overrides), read again and checked against
/// the study's fingerprint. Throws ScenarioErrors (bad file) or ScenarioChanged.
func reloadScenario(of partial: StudyPartial, file: String) throws -> (Scenario, String) {
    guard let path = partial.scenarioPath else { throw ScenarioChanged(description: "\(file) does not record its scenario's path") }
    let overrides = (partial.overrides ?? []).compactMap { try? ScenarioOverride.parse($0).get() }
    let scenario = try ScenarioLoader.load(path: path, overrides: overrides)
    guard scenario.fingerprint == partial.scenarioFingerprint else {
        throw ScenarioChanged(description: "\(path) (or a profile it reads) has changed since the study ran")
    }
    return (scenario, path)
}

/// Why the dashboard cannot go to `path`, or nil: its directory is missing, or it names a directory, one of
/// the command's inputs, a file inside the --out directory (replaced whole), or an existing file that is not
/// an HTML report (r70 replaces only its own reports, never a scenario, study or database).
func htmlPathProblem(_ path: String, inputs: [String], outDirectory: String? = nil) -> String? {
    guard !path.isEmpty else { return "no file named" }
    let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
        return "it is the input \(input); name a new file"
    }
    if let out = outDirectory {
        let dir = URL(fileURLWithPath: out).standardizedFileURL.resolvingSymlinksInPath().path
        if target.hasPrefix(dir + "/") { return "it is inside --out \(out), which r70 replaces whole; write it beside the directory" }
    }
    if let problem = samplesPathProblem(path) { return problem }
    if FileManager.default.fileExists(atPath: path) {
        guard let h = FileHandle(forReadingAtPath: path) else { return "it exists and cannot be read" }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 15)) ?? Data()
        if head != Data("<!DOCTYPE html>".utf8) { return "it exists and is not an HTML report; r70 replaces only its own reports" }
    }
    return nil
}

extension R70 {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a result as a dashboard: one self-contained HTML file.",
            usage: "r70 report <result> --html <file> [--study <id>]",
            discussion: "RESULT is an --out directory (its dashboard.json), a merged study file (r70 merge --merged-out; one shard alone is refused), or a sweep database (r70 sweep --db). A study file's deterministic charts come from its scenario, read again from the path it recorded (and left out, with a note, if the file has changed). The HTML has inline SVG and CSS only: no script, nothing fetched.")

        @Argument(help: "An --out directory, a study file or a sweep database.")
        var result: String

        @Option(name: .long, help: "The HTML file to write.")
        var html: String

        @Option(name: .long, parsing: .unconditional, help: "With a sweep database holding several sweeps: the study id to draw (default: the latest).")
        var study: Int64?

        func run() throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: result, isDirectory: &isDirectory) else {
                printError("r70: \(result): no such file or directory")
                throw ExitCode(2)
            }
            if let problem = htmlPathProblem(html, inputs: [result], outDirectory: isDirectory.boolValue ? result : nil) {
                printError("r70: --html \(html): \(problem)")
                throw ExitCode(2)
            }
            let sqlite = !isDirectory.boolValue && isSQLite(result)
            if study != nil && !sqlite {
                printError("r70: --study picks a sweep in a sweep database; \(result) is not one")
                throw ExitCode(2)
            }
            let dashboard: Dashboard
            if isDirectory.boolValue {
                dashboard = try outDirectory(result)
            } else if sqlite {
                dashboard = try sweep(result)
            } else {
                dashboard = try studyFile(result)
            }
            try writeHTML(dashboard, to: html)
            print("Wrote the dashboard of \(dashboard.scenario) to \(html)")
        }

        func isSQLite(_ path: String) -> Bool {
            guard let h = FileHandle(forReadingAtPath: path) else { return false }
            defer { try? h.close() }
            return (try? h.read(upToCount: 16)) == Data("SQLite format 3\0".utf8)
        }

        func outDirectory(_ dir: String) throws -> Dashboard {
            let path = URL(fileURLWithPath: dir).appendingPathComponent("dashboard.json").path
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("r70: \(dir): not an r70 --out directory (it has no dashboard.json; r70 run FILE --out DIR writes one)")
                throw ExitCode(2)
            }
            do { return try Dashboard.decode(data) } catch {
                printError("r70: \(path): not a dashboard written by r70 \(R70Version.string); run the scenario again with --out \(dir)")
                throw ExitCode(2)
            }
        }

        func studyFile(_ file: String) throws -> Dashboard {
            let partial: StudyPartial
            do { partial = try StudyPartial.read(file) } catch {
                // The decoder's own words help no one here: say what the file is not.
                let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file)))) != nil
                printError("r70: \(file): not a result r70 wrote: " + (json ? "a JSON file, but not a study file (r70 merge --merged-out)" : "not JSON, not a sweep database")
                           + "; r70 report reads an --out directory, a merged study file or a sweep database")
                throw ExitCode(2)
            }
            let merged: (result: MonteCarloResult, targets: [TargetResult])
            do { merged = try StudyPartial.merge([(file, partial)]) } catch {
                printError("r70: \(error) (give r70 report a whole study: r70 merge --merged-out FILE merges shards into one)")
                throw ExitCode(2)
            }
            var dashboard = Dashboard(scenario: partial.scenario, study: merged.result, studyTargets: merged.targets)
            do {
                let (scenario, path) = try reloadScenario(of: partial, file: file)
                do {
                    let run = try DeterministicRun.run(scenario, recordHourly: true)
                    dashboard.run = RunCharts(plan: run.plan, summary: run.summary, hourly: run.hourly!,
                                              targets: TargetCheck.evaluate(targets: scenario.targets, summary: run.summary))
                } catch { throw simulationFailure(path, error) }
            } catch let e as ScenarioChanged {
                dashboard.notes.append("The deterministic run's charts are left out: \(e.description).")
            } catch let e as ScenarioErrors {
                dashboard.notes.append("The deterministic run's charts are left out: the scenario no longer loads (\(e.diagnostics.first.map { "\($0)" } ?? "")).")
            }
            return dashboard
        }

        func sweep(_ path: String) throws -> Dashboard {
            do {
                let store = try SweepStore(path: path)
                let studies = try store.studies()
                guard let chosen = study.map({ id in studies.first { $0.id == id } }) ?? studies.last else {
                    printError("r70: \(path): " + (study.map { "no sweep with id \($0) (ids: \(studies.map { String($0.id) }.joined(separator: ", ")))" } ?? "holds no sweep"))
                    throw ExitCode(2)
                }
                let rows = try store.rows(study: chosen.id)
                var dashboard = Dashboard(scenario: chosen.scenario, sweep: SweepCharts(study: chosen.id, trials: chosen.trials, design: chosen.design, rows: rows))
                if studies.count > 1 { dashboard.notes.append("Sweep \(chosen.id) of \(studies.count) in \(path) (--study ID picks another).") }
                if rows.isEmpty { dashboard.notes.append("No point of this sweep has finished yet.") }
                return dashboard
            } catch let e as ExitCode {
                throw e
            } catch {
                printError("r70: \(path): not a sweep database of r70 (\(error))")
                throw ExitCode(2)
            }
        }
    }
}
