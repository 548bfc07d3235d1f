import Foundation
import _TestSupport
@testable import GridReport
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
let packageRoot = fixtures.deletingLastPathComponent().deletingLastPathComponent()

/// The r70 executable built beside this test binary.
let r70: URL = {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [here.appendingPathComponent("r70"), here.deletingLastPathComponent().appendingPathComponent("r70")]
    where FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    return packageRoot.appendingPathComponent(".build/debug/r70")
}()

struct Outcome { var status: Int32; var stdout: String; var stderr: String }

func r70(_ args: [String], environment: [String: String] = [:]) throws -> Outcome {
    try runProcess(r70, args, in: packageRoot, environment: environment)
}

/// Runs a program to completion and collects its exit status and output.
func runProcess(_ executable: URL, _ args: [String], in directory: URL, environment: [String: String] = [:]) throws -> Outcome {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    p.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

func temporaryDirectory() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("r70-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }


@Suite("The r70 command", .serialized)
struct CommandLineTests {
    @Test("run at 5-minute steps: the summary counts shortfall in hours and in steps; the Monte Carlo table has lole_steps")
    func fiveMinuteSteps() throws {
        let o = try r70(["run", fixture("pras/singlenode_a_5min.yaml")])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(o.stdout.contains("1 h in 12 steps") && o.stdout.contains("Steps with shortfall"), "\(o.stdout)")
        let mc = try r70(["run", fixture("pras/singlenode_a_5min.yaml"), "--trials", "2000", "--seed", "1", "--quiet"])
        #expect(mc.status == 0, "\(mc.stderr)")
        #expect(mc.stdout.contains("lole_steps"), "\(mc.stdout)")
        let hourly = try r70(["run", fixture("pras/singlenode_a.yaml")])
        #expect(!hourly.stdout.contains("Steps with shortfall"))
    }

    @Test("run --foresight: the optimum beside the run, its gap, JSON; its options refused where they mean nothing (exit 2)")
    func foresight() throws {
        let o = try r70(["run", fixture("foreseeable-shortage.yaml"), "--foresight"])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(o.stdout.contains("Perfect foresight (one LP of") && o.stdout.contains("Gap of the run to the optimum"))
        #expect(o.stdout.contains("31,000"))
        let g = try r70(["run", fixture("perfect-foresight-week.yaml"), "--foresight-gap", "--window", "24", "--overlap", "12"])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stdout.contains("Unserved energy") && g.stdout.contains("Perfect foresight (7 windows"))
        let j = try r70(["run", fixture("perfect-foresight-week.yaml"), "--foresight", "--json"])
        #expect(j.status == 0, "\(j.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
        let gap = try #require(decoded?["gap"] as? Double)
        #expect(gap >= 0 && gap < 0.05)
        for args in [["--window", "24"], ["--foresight", "--overlap", "5"], ["--foresight", "--window", "0"], ["--foresight", "--trials", "4"],
                     ["--foresight", "--out", "/tmp/r70-never-written"]] {
            let bad = try r70(["run", fixture("perfect-foresight-week.yaml")] + args)
            #expect(bad.status == 2, "\(args): \(bad.stderr)")
            #expect(!bad.stderr.isEmpty)
        }
    }

    @Test("check: exit 0 when every target passes, JUnit with one test case per target")
    func checkPasses() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("r.xml").path
        let o = try r70(["check", fixture("two-region-lossy.yaml"), "--junit", junit])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(o.stdout.contains("reserve_margin") && o.stdout.contains("pass"))
        let counts = try #require(ElementCounter.count(try Data(contentsOf: URL(fileURLWithPath: junit))))
        #expect(counts["testsuite"] == 1 && counts["testcase"] == 2 && counts["failure"] == nil)
    }

    @Test("check: exit 1 when a target fails, with a <failure> for it")
    func checkFails() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("r.xml").path
        let o = try r70(["check", fixture("two-region-lossy.yaml"), fixture("shed-by-class.yaml"), "--junit", junit])
        #expect(o.status == 1)
        #expect(o.stdout.contains("FAIL"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        let counts = try #require(ElementCounter.count(Data(xml.utf8)))
        #expect(counts["testsuite"] == 2 && counts["testcase"] == 4 && counts["failure"] == 1)
        #expect(xml.contains("<failure message=\"reserve_margin = -37.00 %; minimum 15.00 %; margin -52.00 %\" type=\"target\">"))
    }

    @Test("check: exit 2 on an invalid scenario, reported as a JUnit <error>")
    func checkInvalid() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("r.xml").path
        let o = try r70(["check", fixture("two-region-lossy.yaml"), fixture("five-mistakes.yaml"), "--junit", junit])
        #expect(o.status == 2)
        let counts = try #require(ElementCounter.count(try Data(contentsOf: URL(fileURLWithPath: junit))))
        #expect(counts["error"] == 1)
    }

    @Test("validate: all five mistakes on stderr with line numbers, exit 2; run writes nothing")
    func validateFiveMistakes() throws {
        let o = try r70(["validate", fixture("five-mistakes.yaml")])
        #expect(o.status == 2)
        let lines = o.stderr.split(separator: "\n").filter { $0.contains(".yaml:") || $0.contains(".csv:") }
        #expect(lines.count == 5)
        #expect(o.stderr.contains("five-mistakes.yaml:11:") && o.stderr.contains("five-mistakes.yaml:13:") && o.stderr.contains("five-mistakes.yaml:18:")
                && o.stderr.contains("five-mistakes.yaml:20:") && o.stderr.contains("bad-profile.csv:3:"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let run = try r70(["run", fixture("five-mistakes.yaml"), "--out", out.path])
        #expect(run.status == 2)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("run --out writes the hourly CSV and summary.json, and no temporary files")
    func runWritesOutputs() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = try r70(["run", fixture("storage-arbitrage.yaml"), "--out", dir.path])
        #expect(o.status == 0, "\(o.stderr)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(names == ["regions.csv", "plants.csv", "storage.csv", "summary.json", "dashboard.json", "daily.csv"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any]
        let summary = try #require(json?["summary"] as? [String: Any])
        let national = try #require(summary["national"] as? [String: Any])
        #expect(national["generationCostUSD"] as? Double == 6500)
        let csv = try String(contentsOf: dir.appendingPathComponent("storage.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)
    }

    @Test("schema prints a JSON Schema; --format markdown prints the reference")
    func schema() throws {
        let o = try r70(["schema"])
        #expect(o.status == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(o.stdout.utf8))) != nil)
        let md = try r70(["schema", "--format", "markdown"])
        #expect(md.stdout == (try String(contentsOf: packageRoot.appendingPathComponent("docs/scenario-format.md"), encoding: .utf8)))
    }
}

@Suite("The r70 command: Monte Carlo", .serialized)
struct CommandLineStudyTests {
    @Test("run --trials: identical output and samples with 1, 2 and 3 threads")
    func threadIdentity() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var outputs: [String] = [], samples: [Data] = []
        for threads in [1, 2, 3] {
            let path = dir.appendingPathComponent("s\(threads).csv").path
            let o = try r70(["run", fixture("pras/test2_gen_stor_1region.yaml"), "--trials", "300", "--seed", "5",
                             "--threads", String(threads), "--samples-out", path, "--quiet"])
            #expect(o.status == 0, "\(o.stderr)")
            #expect(o.stderr.isEmpty)
            outputs.append(o.stdout)
            samples.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
        #expect(samples[0] == samples[1] && samples[1] == samples[2])
        let rows = String(decoding: samples[0], as: UTF8.self).split(separator: "\n")
        #expect(rows.count == 301 && rows[0].hasPrefix("trial,lole,lol_events,eue,"))
        #expect(outputs[0].contains("Monte Carlo: 300 trials of 0.08 days of pras-test2_gen_stor_1region, seed 5; figures are per trial") && outputs[0].contains("± "))
    }

    @Test("run --rel-error reports the trials used; progress goes to stderr as plain lines")
    func relErrorAndProgress() throws {
        let o = try r70(["run", fixture("pras/singlenode_a.yaml"), "--trials", "1000000", "--rel-error", "0.05"])
        #expect(o.status == 0)
        let text = o.stdout.replacingOccurrences(of: "\n", with: " ")  // the header is wrapped at 100 columns
        #expect(text.contains("sized by --rel-error from a pilot of 100 further trials, not counted; at most 1000000; relative standard error"), "\(o.stdout.prefix(300))")
        #expect(o.stderr.contains("progress: "))
    }

    @Test("--out writes the deterministic run's files with a study; --deterministic overrides the scenario's monte_carlo")
    func outWithStudy() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = dir.appendingPathComponent("s.yaml")
        let text = try String(contentsOfFile: fixture("storage-arbitrage.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "storage.csv", with: fixtures.appendingPathComponent("storage.csv").path) + "monte_carlo: {trials: 20}\n"
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let study = try r70(["run", scenario.path, "--out", out.path, "--quiet"])
        #expect(study.status == 0 && study.stdout.contains("Monte Carlo: 20 trials"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path))
        let det = try r70(["run", scenario.path, "--deterministic"])
        #expect(det.status == 0 && det.stdout.hasPrefix("Scenario storage-arbitrage"))
    }

    @Test("adequacy --exact prints the exact LOLE and EUE")
    func exact() throws {
        let o = try r70(["adequacy", fixture("pras/singlenode_b.yaml"), "--exact"])
        #expect(o.status == 0)
        #expect(o.stdout.contains("LOLE  0.9600 h") && o.stdout.contains("EUE   7.1100 MWh"))
        let bad = try r70(["adequacy", fixture("two-region-lossy.yaml"), "--exact"])
        #expect(bad.status == 2 && bad.stderr.contains("a single region"))
    }
}

@Suite("The r70 command: regression baselines", .serialized)
struct BaselineTests {
    @Test("check --baseline passes on the recorded library and fails (exit 1) when a scenario is made worse")
    func baseline() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline = dir.appendingPathComponent("baseline.json").path
        let scenario = dir.appendingPathComponent("s.yaml")
        let original = try String(contentsOfFile: fixture("two-region-lossy.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "two-region.csv", with: fixtures.appendingPathComponent("two-region.csv").path)
        try original.write(to: scenario, atomically: true, encoding: .utf8)
        let record = try r70(["check", scenario.path, fixture("shed-by-class.yaml"), "--baseline", baseline, "--update-baseline"])
        #expect(record.status == 0, "\(record.stderr)")
        // Unchanged: no regression, even though shed-by-class fails its reserve target (as recorded).
        let same = try r70(["check", scenario.path, fixture("shed-by-class.yaml"), "--baseline", baseline])
        #expect(same.status == 0, "\(same.stdout)")
        // Worse: the cheap plant of region A becomes dearer, so cost rises and nothing else changes.
        try original.replacingOccurrences(of: "marginal_cost_usd_per_mwh: 10", with: "marginal_cost_usd_per_mwh: 12")
            .write(to: scenario, atomically: true, encoding: .utf8)
        let junit = dir.appendingPathComponent("j.xml").path
        let worse = try r70(["check", scenario.path, "--baseline", baseline, "--junit", junit])
        #expect(worse.status == 1)
        #expect(worse.stdout.contains("REGRESSION total_cost_usd"))
        #expect(try String(contentsOfFile: junit, encoding: .utf8).contains("type=\"baseline\""))
        // A target that passed and now fails is a regression too.
        try original.replacingOccurrences(of: "max_loss_rate: 1", with: "max_loss_rate: 0.001")
            .write(to: scenario, atomically: true, encoding: .utf8)
        let failing = try r70(["check", scenario.path, "--baseline", baseline])
        #expect(failing.status == 1 && failing.stdout.contains("REGRESSION target loss_rate"))
    }
}

@Suite("The r70 command: paired baseline check", .serialized)
struct PairedBaselineTests {
    @Test("A 0.09 → 0.11 forced outage rate of the North's coal is flagged at 300 trials; unchanged passes with a zero difference; another seed is refused")
    func pairedRegression() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline = dir.appendingPathComponent("baseline.json").path
        let scenario = dir.appendingPathComponent("vn-2030-base.yaml")
        let profiles = packageRoot.appendingPathComponent("scenarios/profiles").path
        let original = try String(contentsOfFile: packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path, encoding: .utf8)
            .replacingOccurrences(of: "file: profiles/", with: "file: \(profiles)/")
        try original.write(to: scenario, atomically: true, encoding: .utf8)
        let study = ["--trials", "300", "--seed", "5", "--quiet"]
        let record = try r70(["check", scenario.path, "--baseline", baseline, "--update-baseline"] + study)
        #expect(record.status == 0, "\(record.stderr)")
        let recorded = try JSONDecoder().decode(Baseline.self, from: Data(contentsOf: URL(fileURLWithPath: baseline)))
        #expect(recorded.scenarios["vn-2030-base"]?.trialValues?["eue_mwh"]?.count == 300)
        // Unchanged: every trial is identical, the paired difference exactly zero.
        let same = try r70(["check", scenario.path, "--baseline", baseline] + study)
        #expect(same.status == 0 && same.stdout.contains("baseline: no regression"), "\(same.stdout)")
        // The North's coal units fail more often: flagged by the paired test.
        let worseText = original.replacingOccurrences(of: "{name: coal-n, technology: coal, units: 28,",
                                                      with: "{name: coal-n, technology: coal, units: 28, forced_outage_rate: 0.11,")
        #expect(worseText != original)
        try worseText.write(to: scenario, atomically: true, encoding: .utf8)
        let worse = try r70(["check", scenario.path, "--baseline", baseline] + study)
        #expect(worse.status == 1, "\(worse.stdout)")
        #expect(worse.stdout.contains("REGRESSION eue_mwh") && worse.stdout.contains("paired over 300 trials"), "\(worse.stdout)")
        // Another seed: refused with a message naming the baseline's, unless --unpaired.
        let other = try r70(["check", scenario.path, "--baseline", baseline, "--trials", "300", "--seed", "6", "--quiet"])
        #expect(other.status == 2 && other.stderr.contains("seed 5 and 300 trials") && other.stderr.contains("--unpaired"), "\(other.stderr)")
        let unpaired = try r70(["check", scenario.path, "--baseline", baseline, "--trials", "300", "--seed", "6", "--quiet", "--unpaired"])
        #expect(unpaired.status == 0 || unpaired.status == 1, "\(unpaired.stderr)")
        // A deterministic run against a Monte Carlo baseline is refused too.
        let deterministic = try r70(["check", scenario.path, "--baseline", baseline, "--deterministic"])
        #expect(deterministic.status == 2 && deterministic.stderr.contains("monte carlo"), "\(deterministic.stderr)")
    }
}

@Suite("The r70 command: a dispatch that fails")
struct SolveFailureTests {
    @Test("A failed step names its trial and step, is written to a file that reproduces it, and exits 3 from run, check and adequacy")
    func failedStep() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // R70_MAX_PIVOTS=0 makes every LP solve that needs a pivot fail (a diagnostic setting).
        let env = ["R70_MAX_PIVOTS": "0", "TMPDIR": dir.path]
        let adequacy = try r70(["adequacy", fixture("storage-arbitrage.yaml"), "--trials", "3", "--quiet"], environment: env)
        #expect(adequacy.status == 3, "\(adequacy.stderr)")
        #expect(adequacy.stderr.contains("trial 0: dispatch failed at step 0"), "\(adequacy.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("r70-failed-step-") }
        #expect(files.count == 1)
        let written = dir.appendingPathComponent(try #require(files.first)).path
        #expect(try String(contentsOfFile: written, encoding: .utf8).contains("trial 0, step 0"))
        // The file reproduces the failure under the same setting, and solves without it.
        let again = try r70(["solve-step", written], environment: env)
        #expect(again.status == 3 && again.stderr.contains("did not converge"), "\(again.stderr)")
        let solved = try r70(["solve-step", written], environment: ["TMPDIR": dir.path])
        #expect(solved.status == 0 && solved.stdout.contains("objective"), "\(solved.stderr)")
        // Every command exits 3 on a failed step (check used to exit 2).
        let run = try r70(["run", fixture("two-region-lossy.yaml")], environment: env)
        #expect(run.status == 3, "\(run.stderr)")
        let check = try r70(["check", fixture("two-region-lossy.yaml")], environment: env)
        #expect(check.status == 3, "\(check.stderr)")
        let study = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "2", "--quiet"], environment: env)
        #expect(study.status == 3, "\(study.stderr)")
        // Not a dispatch case: exit 2.
        let bad = try r70(["solve-step", fixture("two-region.csv")])
        #expect(bad.status == 2)
    }
}

@Suite("The scenario schema against an independent validator")
struct SchemaValidationTests {
    @Test("Every shipped scenario validates against `r70 schema` (Python's jsonschema, Draft 2020-12); a bad one does not")
    func shippedScenariosValidate() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let schema = try r70(["schema"])
        #expect(schema.status == 0)
        let schemaFile = dir.appendingPathComponent("schema.json")
        try schema.stdout.write(to: schemaFile, atomically: true, encoding: .utf8)
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("scenarios").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "scenarios/" + $0 } + ["Benchmarks/scenarios/bench-3region-thermal.yaml"]
        #expect(scenarios.count >= 9)
        let script = ["python3", "tools/validate_schema.py", schemaFile.path]
        let good = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), script + scenarios, in: packageRoot)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let bad = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), script + [fixture("five-mistakes.yaml")], in: packageRoot)
        #expect(bad.status == 1 && bad.stdout.contains("forced_outage_rate"), "\(bad.stdout)\(bad.stderr)")
    }
}

@Suite("Hostile input and interrupted output", .serialized)
struct HostileInputTests {
    @Test("A 43 KB file of YAML aliases that expands to 300 regions × 300 plants ends in a clear error, in bounded memory")
    func aliasBomb() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var y = "name: bomb\nhorizon: {start_date: 2030-01-01, duration_days: 365}\nregions:\n"
        y += "  - name: r0\n    demand: {peak_mw: 100}\n    plants: &plants\n"
        for i in 0..<300 { y += "      - {name: p\(i), technology: flexible, unit_size_mw: 10, marginal_cost_usd_per_mwh: 50}\n" }
        for r in 1..<300 { y += "  - {name: r\(r), demand: {peak_mw: 100}, plants: *plants}\n" }
        let file = dir.appendingPathComponent("bomb.yaml")
        try y.write(to: file, atomically: true, encoding: .utf8)
        #expect(y.utf8.count < 60_000)
        let start = Date()
        let o = try r70(["validate", file.path])
        #expect(o.status == 2)
        #expect(o.stderr.contains("300 regions — at most 100 regions") && o.stderr.contains("90000 plants in all — at most 5000"), "\(o.stderr)")
        #expect(Date().timeIntervalSince(start) < 30, "a hang guard, not a benchmark")
    }

    @Test("128,000 bad list items are reported in linear time, the first 200 shown")
    func manyBadItems() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let items = [String](repeating: "x", count: 128_000).joined(separator: ", ")
        let y = minimalScenario.replacingOccurrences(of: "marginal_cost_usd_per_mwh: 50}", with: "marginal_cost_usd_per_mwh: 50, availability_monthly: [\(items)]}")
        let file = dir.appendingPathComponent("bad.yaml")
        try y.write(to: file, atomically: true, encoding: .utf8)
        let start = Date()
        let o = try r70(["validate", file.path])
        #expect(o.status == 2 && o.stderr.contains("more problems like these") && o.stderr.contains("128001 problems found"), "\(o.stderr.suffix(300))")
        #expect(o.stderr.split(separator: "\n").count < 210)
        #expect(Date().timeIntervalSince(start) < 30, "a hang guard, not a benchmark")
    }

    @Test("Absurd quantities and settings are refused or capped: 9e11 units, a 1e-9 MW exact grid, 10,000 threads")
    func absurdSettings() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("units.yaml")
        try minimalScenario.replacingOccurrences(of: "unit_size_mw: 200,", with: "units: 900000000000, unit_size_mw: 200,").write(to: file, atomically: true, encoding: .utf8)
        let o = try r70(["validate", file.path])
        #expect(o.status == 2 && o.stderr.contains("units: 900000000000 — an integer in [0, 10000]"), "\(o.stderr)")
        let exact = try r70(["adequacy", fixture("single-region-week.yaml"), "--exact", "--resolution-mw", "1e-9"])
        #expect(exact.status == 2 && exact.stderr.contains("use at least"), "\(exact.stderr)")
        let many = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "12", "--threads", "10000", "--quiet", "--json"])
        let two = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "12", "--threads", "2", "--quiet", "--json"])
        #expect(many.status == 0 && many.stdout == two.stdout)
    }

    @Test("--out replaces a directory whole, refuses someone else's, and a run killed while writing leaves the old set or the new one")
    func wholeDirectory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        func listing(_ path: String) throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(name))
            }
            return files
        }
        // A scenario with storage, then one without: storage.csv must not survive.
        #expect(try r70(["run", fixture("storage-arbitrage.yaml"), "--out", out]).status == 0)
        #expect(try listing(out).keys.contains("storage.csv"))
        #expect(try r70(["run", fixture("two-region-lossy.yaml"), "--out", out]).status == 0)
        #expect(try Set(listing(out).keys) == ["regions.csv", "plants.csv", "corridors.csv", "summary.json", "dashboard.json", "daily.csv"])
        // Someone else's directory is refused, and nothing in it changes.
        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try "keep".write(to: mine.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let refused = try r70(["run", fixture("two-region-lossy.yaml"), "--out", mine.path])
        #expect(refused.status == 2 && refused.stderr.contains("holds files r70 did not write (notes.txt)"))
        #expect(try listing(mine.path).keys.sorted() == ["notes.txt"])
        // A bad --samples-out is found before anything runs: no --out is written either.
        let early = dir.appendingPathComponent("early").path
        let bad = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "2", "--out", early, "--samples-out", dir.appendingPathComponent("no/such/dir/s.csv").path])
        #expect(bad.status == 2 && bad.stderr.contains("does not exist") && !FileManager.default.fileExists(atPath: early))
        // Killed at various moments while writing the full-year base: the directory is always a whole set.
        let base = packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path
        let dry = packageRoot.appendingPathComponent("scenarios/vn-2030-dry-year.yaml").path
        let reference = dir.appendingPathComponent("reference").path
        #expect(try r70(["run", base, "--out", out]).status == 0)
        let oldSet = try listing(out)
        #expect(try r70(["run", dry, "--out", reference]).status == 0)
        let newSet = try listing(reference)
        #expect(oldSet != newSet)
        for delay in [0.2, 0.6, 1.0, 1.5, 2.0, 3.0] {
            let p = Process()
            p.executableURL = r70
            p.arguments = ["run", dry, "--out", out]
            p.currentDirectoryURL = packageRoot
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let now = try listing(out)
            #expect(now == oldSet || now == newSet, "after a kill at \(delay) s the directory mixes the two runs")
            // Reset to the old set for the next round (this run also removes the killed run's temporary directory).
            if now == newSet { #expect(try r70(["run", base, "--out", out]).status == 0) }
        }
        #expect(try r70(["run", base, "--out", out]).status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".out.tmp-") }
        #expect(leftovers.isEmpty, "temporary directories left behind: \(leftovers)")
    }
}

let minimalScenario = minimalScenarioText

@Suite("Messages that say what to do")
struct MessageTests {
    @Test("A directory given as a scenario, and negative trials, seeds or threads, get messages that name the problem")
    func messages() throws {
        let dir = try r70(["run", "scenarios"])
        #expect(dir.status == 2 && dir.stderr.contains("scenarios:1: (document): is a directory — a scenario file (YAML)"), "\(dir.stderr)")
        let trials = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "-5"])
        #expect(trials.status == 2 && trials.stderr.contains("'--trials' value of at least 1"), "\(trials.stderr)")
        let seed = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "2", "--seed", "-1"])
        #expect(seed.status == 2 && seed.stderr.contains("'-1' is invalid for '--seed") && seed.stderr.contains("from 0 to 18446744073709551615"), "\(seed.stderr)")
        let threads = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "2", "--threads", "-2"])
        #expect(threads.status == 2 && threads.stderr.contains("'--threads' value of at least 1"), "\(threads.stderr)")
    }
}

@Suite("Every option a command lists works there")
struct OptionTests {
    @Test("adequacy: --json, --seed and --trials (1,000 by default) work, and it lists no --deterministic or --samples-out; check shows progress and lists no --samples-out")
    func options() throws {
        let help = try r70(["adequacy", "--help"])
        #expect(help.stdout.contains("(default: 1000)") && !help.stdout.contains("--deterministic") && !help.stdout.contains("--samples-out"), "\(help.stdout)")
        let a = try r70(["adequacy", fixture("single-region-week.yaml"), "--trials", "40", "--seed", "3", "--json", "--quiet"])
        let b = try r70(["adequacy", fixture("single-region-week.yaml"), "--trials", "40", "--seed", "4", "--json", "--quiet"])
        #expect(a.status == 0 && a.stdout.contains("\"trials\" : 40") && a.stdout.contains("\"seed\" : 3"), "\(a.stdout.prefix(400))")
        #expect(a.stdout != b.stdout, "--seed is used")
        let exact = try r70(["adequacy", fixture("single-region-week.yaml"), "--exact", "--json"])
        #expect(exact.status == 0 && exact.stdout.contains("\"loleHours\""))
        let checkHelp = try r70(["check", "--help"])
        #expect(!checkHelp.stdout.contains("--samples-out"))
        let check = try r70(["check", fixture("two-region-lossy.yaml"), "--trials", "20"])
        #expect(check.status == 0 && check.stderr.contains("progress: 20/20 trials"), "\(check.stderr)")
        let samples = try r70(["run", fixture("two-region-lossy.yaml"), "--samples-out", "/tmp/r70-never.csv"])
        #expect(samples.status == 2 && samples.stderr.contains("give --trials N"), "\(samples.stderr)")
    }
}

@Suite("The Monte Carlo table as printed")
struct TablePrintTests {
    @Test("run --trials prints grouped rows within 100 columns, small stocks in kt; --wide prints full names; --wide alone is refused")
    func table() throws {
        let o = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--quiet"])
        #expect(o.status == 0)
        for line in o.stdout.split(separator: "\n") { #expect(line.count <= 100, "\(line.count): \(line)") }
        for heading in ["\nAdequacy\n", "\nEnergy shed by demand class", "\nBy region", "\nOperations and economics", "\nLowest stock of each fuel", "\nProbability that each target holds"] {
            #expect(o.stdout.contains(heading), "\(heading)")
        }
        #expect(o.stdout.contains("  lng-north (kt)") && o.stdout.contains("  coal-north (Mt)") && o.stdout.contains("  emissions (Mt CO2)") && !o.stdout.contains("± 0.00 Mt"), "\(o.stdout)")
        let wide = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--quiet", "--wide"])
        #expect(wide.status == 0 && wide.stdout.contains("  fuel.gas-southeast.lowest_stock ") && wide.stdout.contains("Rel. SE"), "\(wide.stdout)")
        let alone = try r70(["run", fixture("two-region-lossy.yaml"), "--wide"])
        #expect(alone.status == 2 && alone.stderr.contains("give --trials N"), "\(alone.stderr)")
        let exact = try r70(["adequacy", fixture("single-region-week.yaml"), "--exact", "--wide"])
        #expect(exact.status == 2 && exact.stderr.contains("--wide"), "\(exact.stderr)")
    }
}

@Suite("Where a shortfall falls does not depend on the file's order")
struct OrderTests {
    @Test("The 3-region benchmark system with its regions listed in reverse: the same regional LOLE and EUE (adequacy, 200 trials)")
    func reversedRegions() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try String(contentsOfFile: "Benchmarks/scenarios/bench-3region-thermal.yaml", encoding: .utf8).components(separatedBy: "\n")
        let starts = lines.indices.filter { lines[$0].hasPrefix("  - name: ") && lines[..<$0].contains("regions:") && !lines[..<$0].contains("corridors:") }
        let end = try #require(lines.firstIndex(of: "corridors:"))
        #expect(starts.count == 3)
        let blocks = starts.indices.map { i in Array(lines[starts[i]..<(i + 1 < starts.count ? starts[i + 1] : end)]) }
        let reversed = Array(lines[..<starts[0]]) + blocks.reversed().flatMap { $0 } + Array(lines[end...])
        try reversed.joined(separator: "\n").write(to: dir.appendingPathComponent("reversed.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: "Benchmarks/scenarios/bench-3region-load.csv", toPath: dir.appendingPathComponent("bench-3region-load.csv").path)
        func regional(_ path: String) throws -> [String: Double] {
            let o = try r70(["adequacy", path, "--trials", "200", "--seed", "2", "--json", "--quiet"])
            #expect(o.status == 0, "\(o.stderr)")
            let metrics = try #require((try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as? [String: Any])?["metrics"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: metrics.compactMap { m in (m["name"] as? String).flatMap { n in n.hasPrefix("region.") ? (n, m["mean"] as! Double) : nil } })
        }
        let listed = try regional("Benchmarks/scenarios/bench-3region-thermal.yaml")
        let backwards = try regional(dir.appendingPathComponent("reversed.yaml").path)
        #expect(listed.count == 9 && listed.keys == backwards.keys)   // lole, eue and largest_shortfall of 3 regions
        #expect(listed.filter { $0.key.hasSuffix(".eue") && $0.value > 0 }.count >= 2, "\(listed)")
        for (name, value) in listed { #expect(abs(value - backwards[name]!) <= 1e-6 * max(1, value), "\(name): \(value) listed, \(backwards[name]!) reversed") }
    }
}

@Suite("Set-up as the README states it")
struct SetupTests {
    @Test("The README names the toolchain, every Debian package the Makefile installs and the first-build times; make test skips XCTest's empty pass")
    func readme() throws {
        let readme = try String(contentsOfFile: "README.md", encoding: .utf8)
        let makefile = try String(contentsOfFile: "Makefile", encoding: .utf8)
        let line = try #require(makefile.split(separator: "\n").first { $0.hasPrefix("SYSTEM_PACKAGES :=") })
        let packages = line.split(separator: "=", maxSplits: 1)[1].split(separator: " ").map(String.init)
        #expect(packages.count >= 5)
        for p in packages { #expect(readme.contains("`\(p)`"), "the README does not name \(p), which `make` installs") }
        #expect(readme.contains("Swift 6.1 or later") && readme.contains("mirror") && readme.contains("3–4 minutes"))
        let test = try #require(makefile.range(of: "\ntest: deps\n"))
        let recipe = makefile[test.upperBound...].split(separator: "\n").prefix(2).joined(separator: "\n")
        #expect(recipe.contains("--disable-xctest") && readme.contains("Executed 0 tests"), "\(recipe)")
    }
}

@Suite("--set on the command line")
struct SetTests {
    @Test("run --set gives what editing the file gives (profile paths stay relative to the file); a bad --set exits 2 naming it")
    func setEqualsEdit() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The edited copy sits in a folder of its own, with the profiles it names linked beside it.
        let text = try String(contentsOfFile: "scenarios/vn-2030-base.yaml", encoding: .utf8)
        let edited = text.replacingOccurrences(of: "{name: bess-n, region: North, power_mw: 4000,", with: "{name: bess-n, region: North, power_mw: 6000,")
        #expect(edited != text)
        try edited.write(to: dir.appendingPathComponent("edited.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("profiles"), withDestinationURL: URL(fileURLWithPath: "scenarios/profiles").standardizedFileURL)
        let viaSet = try r70(["run", "scenarios/vn-2030-base.yaml", "--set", "storage[bess-n].power_mw=6000", "--json"])
        let viaEdit = try r70(["run", dir.appendingPathComponent("edited.yaml").path, "--json"])
        #expect(viaSet.status == 0 && viaEdit.status == 0, "\(viaSet.stderr)\(viaEdit.stderr)")
        #expect(viaSet.stdout == viaEdit.stdout)
        let unchanged = try r70(["run", "scenarios/vn-2030-base.yaml", "--json"])
        #expect(unchanged.stdout != viaSet.stdout)
        let bad = try r70(["check", "scenarios/vn-2030-base.yaml", "--set", "storage[bess-nn].power_mw=6000"])
        #expect(bad.status == 2 && bad.stderr.contains("--set storage[bess-nn].power_mw=6000: storage[bess-nn]: no item named 'bess-nn' — did you mean 'bess-n'?"), "\(bad.stderr)")
        let malformed = try r70(["adequacy", "scenarios/vn-2030-base.yaml", "--set", "storage[bess-n].power_mw"])
        #expect(malformed.status == 2 && malformed.stderr.contains("expected PATH=VALUE"), "\(malformed.stderr)")
    }
}

@Suite("Shards on the command line")
struct ShardCommandTests {
    @Test("4 shards of vn-2030-base merged give the unsharded --json exactly; each bad merge exits 2 naming the file")
    func shards() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let whole = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--seed", "3", "--json", "--quiet"])
        for i in 1...4 {
            let o = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--seed", "3", "--shard", "\(i)/4", "--partial-out", path("p\(i).json"), "--quiet"])
            #expect(o.status == 0 && o.stdout.contains("Shard \(i)/4"), "\(o.stderr)")
        }
        let merged = try r70(["merge", path("p3.json"), path("p1.json"), path("p4.json"), path("p2.json"), "--json", "--out", path("merged")])
        #expect(merged.status == 0 && merged.stdout == whole.stdout, "\(merged.stderr)")
        // --out: the files `run --trials N --out` writes.
        _ = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--seed", "3", "--quiet", "--out", path("unsharded")])
        for name in ["summary.json", "regions.csv", "plants.csv"] {
            #expect(FileManager.default.contentsEqual(atPath: path("merged/\(name)"), andPath: path("unsharded/\(name)")), "\(name)")
        }
        let text = try r70(["merge", path("p1.json"), path("p2.json"), path("p3.json"), path("p4.json")])
        #expect(text.status == 0 && text.stdout.contains("Monte Carlo: 24 trial years of vn-2030-base, seed 3"))
        // Bad merges: a missing shard, a repeated one, another seed, another shard count, another scenario.
        _ = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--seed", "4", "--shard", "4/4", "--partial-out", path("seed4.json"), "--quiet"])
        _ = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--seed", "3", "--shard", "2/2", "--partial-out", path("half.json"), "--quiet"])
        _ = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--seed", "3", "--shard", "4/4", "--partial-out", path("other.json"),
                     "--set", "storage[bess-n].power_mw=5000", "--quiet"])
        let cases: [([String], String)] = [
            ([path("p1.json"), path("p2.json"), path("p4.json")], "a missing shard"),
            ([path("p1.json"), path("p2.json"), path("p3.json"), path("p4.json"), path("p2.json")], "is also"),
            ([path("p1.json"), path("p2.json"), path("p3.json"), path("seed4.json")], "seed 4, but"),
            ([path("p1.json"), path("half.json")], "one of 2 shards, but"),
            ([path("p1.json"), path("p2.json"), path("p3.json"), path("other.json")], "fingerprint"),
            ([path("p1.json"), dir.path], "is a directory"),
            ([path("p1.json"), "scenarios/vn-2030-base.yaml"], "not a partial study"),
        ]
        for (files, message) in cases {
            let bad = try r70(["merge"] + files)
            #expect(bad.status == 2 && bad.stderr.contains(message), "\(files.map { URL(fileURLWithPath: $0).lastPathComponent }): \(bad.stderr)")
        }
        let noPartial = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--shard", "1/4"])
        #expect(noPartial.status == 2 && noPartial.stderr.contains("--partial-out"))
        let relError = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "24", "--shard", "1/4", "--partial-out", path("x.json"), "--rel-error", "0.1"])
        #expect(relError.status == 2 && relError.stderr.contains("--rel-error"))
    }
}

@Suite("r70 sweep")
struct SweepCommandTests {
    @Test("3 × 2 points of vn-2030-base at 40 trials: killed with -9 and run again, no point lost or repeated; each point's EUE is run --set's")
    func sweep() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("sweep.sqlite").path, csv = dir.appendingPathComponent("sweep.csv").path
        let args = ["sweep", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=2000:6000:2000",
                    "--vary", "corridors[north-central].limit_forward_mw=5000,6000", "--trials", "40", "--seed", "3", "--db", db, "--quiet"]
        // Killed once its first point is in the file.
        let process = Process()
        process.executableURL = r70
        process.arguments = args
        process.currentDirectoryURL = packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: db), let (_, count) = try? runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [db, "SELECT count(*) FROM point"], in: packageRoot).asCount(), count >= 1 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let resumed = try r70(args + ["--csv", csv])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let points = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), [db, "SELECT count(*), count(DISTINCT point_index), (SELECT count(*) FROM study) FROM point"], in: packageRoot)
        #expect(points.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "6|6|1", "\(points.stdout)")
        // Each point's EUE equals a run with its --set.
        let query = try runProcess(URL(fileURLWithPath: "/usr/bin/sqlite3"), ["-separator", " ", db, """
            SELECT a.value_text, b.value_text, m.mean FROM point p JOIN parameter a ON a.point_id = p.id AND a.path LIKE 'storage%'
            JOIN parameter b ON b.point_id = p.id AND b.path LIKE 'corridors%' JOIN metric m ON m.point_id = p.id AND m.metric = 'eue' AND m.region = ''
            ORDER BY p.point_index
            """], in: packageRoot)
        let lines = query.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 6)
        for line in lines.prefix(3) {
            let run = try r70(["run", "scenarios/vn-2030-base.yaml", "--set", "storage[bess-n].power_mw=\(line[0])", "--set", "corridors[north-central].limit_forward_mw=\(line[1])",
                               "--trials", "40", "--seed", "3", "--json", "--quiet"])
            let metrics = try #require((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]).flatMap { ($0["study"] as? [String: Any])?["metrics"] as? [[String: Any]] })
            let eue = try #require(metrics.first { $0["name"] as? String == "eue" }?["mean"] as? Double)
            #expect(abs(eue - Double(line[2])!) <= 1e-9 * max(1, eue), "\(line): \(eue)")
        }
        let table = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(table.hasPrefix("study,point,storage[bess-n].power_mw,corridors[north-central].limit_forward_mw,metric,region,unit,mean"))
        #expect(resumed.stdout.contains("Sweep of 6 points (grid)"))
        // A bad point is found before anything runs.
        let bad = try r70(["sweep", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=1000,-5", "--db", dir.appendingPathComponent("bad.sqlite").path])
        #expect(bad.status == 2 && bad.stderr.contains("sweep point 2 of 2") && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.sqlite").path), "\(bad.stderr)")
    }
}

@Suite("r70 sweep, point by point")
struct SweepPointTests {
    @Test("Points run alone (--point) and recorded by one process (--from-parts) give the database a whole sweep gives; a point of another sweep is refused")
    func points() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let vary = ["--vary", "storage[bess-n].power_mw=2000,6000", "--trials", "12", "--seed", "2", "--quiet"]
        let parts = dir.appendingPathComponent("parts")
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        for i in 1...2 {
            let o = try r70(["sweep", "scenarios/vn-2030-base.yaml"] + vary + ["--point", "\(i)", "--partial-out", parts.appendingPathComponent("point-\(i).json").path])
            #expect(o.status == 0, "\(o.stderr)")
        }
        let merged = try r70(["sweep", "scenarios/vn-2030-base.yaml"] + vary + ["--db", dir.appendingPathComponent("parts.sqlite").path, "--from-parts", parts.path])
        let whole = try r70(["sweep", "scenarios/vn-2030-base.yaml"] + vary + ["--db", dir.appendingPathComponent("whole.sqlite").path])
        #expect(merged.status == 0 && whole.status == 0 && merged.stdout.split(separator: "\n").dropFirst().joined() == whole.stdout.split(separator: "\n").dropFirst().joined(),
                "\(merged.stdout)\n\(whole.stdout)\(merged.stderr)")
        let stranger = try r70(["sweep", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=2000,6000", "--trials", "12", "--seed", "3", "--quiet",
                                "--db", dir.appendingPathComponent("other.sqlite").path, "--from-parts", parts.path])
        #expect(stranger.status == 2 && stranger.stderr.contains("a point of another sweep"), "\(stranger.stderr)")
    }
}

@Suite("Research commands: the edges a review found")
struct ResearchEdgeTests {
    @Test("A shard ignores the file's rel_error; --from-parts needs a folder; slurm --vary checks every point; integer keys are searched and sampled in whole values")
    func edges() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = try r70(["run", "scenarios/vn-2030-base.yaml", "--set", "monte_carlo.trials=20", "--set", "monte_carlo.rel_error=0.5",
                             "--shard", "1/2", "--partial-out", dir.appendingPathComponent("s.json").path])
        #expect(shard.status == 0 && shard.stderr.contains("rel_error is not used"), "\(shard.status) \(shard.stderr)")
        let parts = try r70(["sweep", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=1,2", "--db", dir.appendingPathComponent("x.sqlite").path,
                             "--from-parts", dir.appendingPathComponent("none").path])
        #expect(parts.status == 2 && parts.stderr.contains("not a readable folder"))
        let slurm = try r70(["slurm", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-nn].power_mw=1,2", "--trials", "10",
                             "--db", dir.appendingPathComponent("y.sqlite").path, "--out", dir.appendingPathComponent("job").path])
        #expect(slurm.status == 2 && slurm.stderr.contains("did you mean 'bess-n'") && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("job").path))
        let size = try r70(["size", "scenarios/vn-2030-base.yaml", "--vary", "regions[North].plants[coal-n].units=20:60", "--target", "reserve_margin>=0.15", "--quiet"])
        #expect(size.status == 0 && size.stdout.contains("44.00, within (43.00, 44.00]"), "\(size.stdout)\(size.stderr)")
        let lhs = try r70(["sweep", "scenarios/vn-2030-base.yaml", "--vary", "regions[North].plants[coal-n].units=20:40", "--lhs", "3",
                           "--db", dir.appendingPathComponent("lhs.sqlite").path, "--quiet"])
        #expect(lhs.status == 0 && lhs.stdout.contains("Latin hypercube of 3"), "\(lhs.stderr)")
        let unknown = try r70(["size", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=0:100", "--target", "loel<=3", "--trials", "10"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no metric 'loel'"))
    }
}

extension Outcome {
    /// The first number on stdout.
    func asCount() -> (Int32, Int)? { Int(stdout.trimmingCharacters(in: .whitespacesAndNewlines)).map { (status, $0) } }
}

@Suite("r70 slurm")
struct SlurmCommandTests {
    @Test("Writes the array, the merge and submit.sh with absolute paths; refuses a folder that holds files and a bad scenario")
    func writes() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let job = dir.appendingPathComponent("job").path
        let o = try r70(["slurm", "scenarios/vn-2030-base.yaml", "--trials", "100", "--shards", "5", "--out", job, "--set", "storage[bess-n].power_mw=5000"])
        #expect(o.status == 0 && o.stdout.contains("Submit with: \(job)/submit.sh"), "\(o.stderr)")
        let array = try String(contentsOfFile: job + "/run-shards.sbatch", encoding: .utf8)
        #expect(array.contains("#SBATCH --array=1-5") && array.contains(packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").standardizedFileURL.path)
                && array.contains("--set 'storage[bess-n].power_mw=5000'"), "\(array)")
        #expect(FileManager.default.isExecutableFile(atPath: job + "/submit.sh") && FileManager.default.fileExists(atPath: job + "/parts"))
        let again = try r70(["slurm", "scenarios/vn-2030-base.yaml", "--trials", "100", "--shards", "5", "--out", job])
        #expect(again.status == 2 && again.stderr.contains("holds files already"))
        let bad = try r70(["slurm", "scenarios/vn-2030-base.yaml", "--trials", "100", "--shards", "5", "--out", dir.appendingPathComponent("other").path, "--set", "storage[x].power_mw=1"])
        #expect(bad.status == 2 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("other").path))
    }
}

@Suite("r70 capacity-credit and r70 size")
struct CapacityCreditCommandTests {
    @Test("capacity-credit prints PRAS's EFC bracket of its test system; size finds the North battery for a 15 % margin on vn-2030-base; bad input exits 2")
    func commands() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: fixture("pras/singlenode_a.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "file: singlenode_a.csv", with: "file: \(fixture("pras/singlenode_a.csv"))")
        text += "      - {name: \"Gen4\", technology: flexible, unit_size_mw: 10, marginal_cost_usd_per_mwh: 12.5, forced_outage_rate: 0.1, mean_time_to_repair_hours: 1.1111111111111112}\n"
        let system = dir.appendingPathComponent("cc.yaml").path
        try text.write(toFile: system, atomically: true, encoding: .utf8)
        let efc = try r70(["capacity-credit", system, "--resource", "Gen4", "--method", "efc", "--capacity-max", "10", "--trials", "100000", "--quiet", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(efc.stdout.utf8)) as? [String: Any])
        #expect(efc.status == 0 && json["lowerMW"] as? Double == 8 && json["upperMW"] as? Double == 9, "\(efc.stdout)\(efc.stderr)")
        let missing = try r70(["capacity-credit", system, "--resource", "Gen9", "--method", "elcc"])
        #expect(missing.status == 2 && missing.stderr.contains("no plant or storage named 'Gen9'"))
        // A battery's firm credit follows its energy: more power alone cannot reach the margin, more energy can.
        let power = try r70(["size", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=0:16000", "--target", "reserve_margin>=0.15", "--quiet"])
        #expect(power.status == 1 && power.stdout.contains("is not met anywhere"), "\(power.stdout)")
        let size = try r70(["size", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].energy_mwh=0:80000", "--target", "reserve_margin>=0.06", "--quiet"])
        #expect(size.status == 0 && size.stdout.contains("Smallest storage[bess-n].energy_mwh meeting reserve_margin>=0.06 (the deterministic run): 10,000.00, within (9,375.00, 10,000.00]"), "\(size.stdout)")
        let unreachable = try r70(["size", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=0:100", "--target", "reserve_margin>=0.15", "--quiet"])
        #expect(unreachable.status == 1 && unreachable.stdout.contains("is not met anywhere"))
        let badTarget = try r70(["size", "scenarios/vn-2030-base.yaml", "--vary", "storage[bess-n].power_mw=0:100", "--target", "lole<3"])
        #expect(badTarget.status == 2 && badTarget.stderr.contains("METRIC<=X"))
    }
}

@Suite("Help for an 80-column terminal")
struct HelpTests {
    @Test("Every help text fits 80 columns, and the top-level paragraphs are filled, not broken raggedly")
    func eightyColumns() throws {
        for command in [[], ["run"], ["check"], ["adequacy"], ["validate"], ["sweep"], ["capacity-credit"], ["size"], ["merge"], ["slurm"], ["report"], ["schema"], ["solve-step"]] {
            let help = try r70(command + ["--help"])
            #expect(help.status == 0)
            for line in help.stdout.split(separator: "\n") { #expect(line.count <= 80, "\(command): \(line.count): \(line)") }
        }
        let top = try r70(["--help"]).stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A paragraph's line ends only where its next word would not fit.
        for (line, next) in zip(top, top.dropFirst()) where !line.isEmpty && !next.isEmpty && !next.hasPrefix(" ") && !line.hasSuffix(":") {
            let word = next.split(separator: " ").first.map(String.init) ?? ""
            #expect(line.count + 1 + word.count > 80, "ragged: \"\(line)\" then \"\(next)\"")
        }
        #expect(top.contains("  2  bad input (each problem as FILE:LINE: key.path: value — expected)"))
    }
}

@Suite("JSON output")
struct JSONOutputTests {
    @Test("run --json carries the targets as summary.json and the Monte Carlo's --json do, and writes no finite value as null")
    func targetsAndNull() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let run = try r70(["run", "scenarios/vn-2030-base.yaml", "--json", "--out", out])
        #expect(run.status == 0)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("summary.json"))) as? [String: Any])
        #expect(Set(parsed.keys) == ["summary", "targets"] && Set(file.keys) == ["summary", "targets"])
        let targets = try #require(parsed["targets"] as? [[String: Any]])
        #expect(targets.map { $0["name"] as? String } == (file["targets"] as? [[String: Any]])?.map { $0["name"] as? String })
        let study = try r70(["run", fixture("two-region-lossy.yaml"), "--trials", "3", "--json", "--quiet"])
        let studyParsed = try #require(try JSONSerialization.jsonObject(with: Data(study.stdout.utf8)) as? [String: Any])
        #expect(studyParsed["targets"] != nil)
        // A fuel nothing burns lasts an undefined number of days: null, not the string "Infinity".
        #expect(!run.stdout.contains("Infinity") && !run.stdout.contains("NaN"))
        let idle = dir.appendingPathComponent("idle-fuel.yaml").path
        try (try String(contentsOfFile: fixture("strategic-reserve.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "fuels:\n", with: "fuels:\n  - {name: spare, kind: lng, energy_content_gj_per_t: 49.5, price_usd_per_gj: 12, storage_capacity_t: 100, initial_stock_t: 50}\n"))
            .write(toFile: idle, atomically: true, encoding: .utf8)
        let idleRun = try r70(["run", idle, "--json"])
        #expect(!idleRun.stdout.contains("Infinity") && !idleRun.stdout.contains("NaN"))
        let idleParsed = try #require(try JSONSerialization.jsonObject(with: Data(idleRun.stdout.utf8)) as? [String: Any])
        let fuels = try #require((idleParsed["summary"] as? [String: Any])?["fuels"] as? [[String: Any]])
        #expect(fuels.contains { $0["name"] as? String == "spare" && $0["lowestStockDays"] is NSNull })
    }
}

@Suite("Percentiles and tails against the trials")
struct PercentileTests {
    @Test("Printed p5/p50/p95 and worst-5 % means match the exact values of --samples-out within the stated accuracy")
    func againstSamples() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let samples = dir.appendingPathComponent("s.csv").path
        let o = try r70(["run", "scenarios/vn-2030-base.yaml", "--trials", "120", "--seed", "4", "--quiet", "--json", "--samples-out", samples])
        #expect(o.status == 0, "\(o.stderr)")
        struct Estimate: Decodable { var name: String; var p5: Double; var p50: Double; var p95: Double; var worst5Mean: Double; var higherIsWorse: Bool }
        struct Study: Decodable { var metrics: [Estimate] }
        struct Output: Decodable { var study: Study }
        let estimates = try JSONDecoder().decode(Output.self, from: Data(o.stdout.utf8)).study.metrics
        let rows = try String(contentsOfFile: samples, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = rows[0]
        #expect(rows.count == 121)
        var checked = 0
        // Metrics with different spreads: a cost varying by a few %, heavy-tailed EUE, mostly-zero regional
        // EUE, a margin, emissions.
        for name in ["total_cost", "eue", "region.South.eue", "min_operating_reserve_margin", "emissions", "lole"] {
            let col = try #require(header.firstIndex(of: name))
            let values = rows.dropFirst().map { Double($0[col])! }
            let e = try #require(estimates.first { $0.name == name })
            let sorted = values.sorted()
            func exact(_ q: Double) -> Double { sorted[max(1, Int((q * Double(sorted.count)).rounded(.up))) - 1] }
            let worstSorted = e.higherIsWorse ? sorted.reversed() : sorted
            let wanted = 0.05 * Double(values.count)
            var taken = 0.0, total = 0.0
            for v in worstSorted where taken < wanted { let use = min(1, wanted - taken); total += v * use; taken += use }
            for (printed, truth, what) in [(e.p5, exact(0.05), "p5"), (e.p50, exact(0.5), "p50"), (e.p95, exact(0.95), "p95"), (e.worst5Mean, total / wanted, "worst 5 %")] {
                // The sketch's accuracy (1.2e-4 relative) plus the metric's rounding unit.
                let unit = name == "total_cost" ? 0.011 : name.hasSuffix("eue") ? 1e-4 : 1e-6
                #expect(abs(printed - truth) <= 1.3e-4 * abs(truth) + unit, "\(name) \(what): printed \(printed), trials \(truth)")
            }
            checked += 1
        }
        #expect(checked == 6)
    }
}

@Suite("Scenario sources")
struct SourcesTests {
    @Test("Every numeric input of every scenario has a source and a confidence tag, and SOURCES.md is up to date")
    func sources() throws {
        let scenarios = packageRoot.appendingPathComponent("scenarios")
        func python(_ args: [String]) throws -> (Int32, String) {
            let o = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "tools/make_sources.py"] + args, in: scenarios)
            return (o.status, o.stdout)
        }
        let check = try python(["--check"])
        #expect(check.0 == 0, "inputs without a source or a confidence tag:\n\(check.1)")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = dir.appendingPathComponent("SOURCES.md")
        _ = try python(["--out", fresh.path])
        #expect(try String(contentsOf: fresh, encoding: .utf8) == String(contentsOf: scenarios.appendingPathComponent("SOURCES.md"), encoding: .utf8),
                "scenarios/SOURCES.md is stale: run python3 tools/make_sources.py in scenarios/")
    }

    @Test("docs/validation.md is up to date with the scenarios (scenarios/tools/make_validation.py, from r70's runs)")
    func validationPage() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = dir.appendingPathComponent("validation.md")
        // Debian's Python (make deps installs python3-yaml for it).
        let o = try runProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["tools/make_validation.py", r70.path, "--out", fresh.path],
                               in: packageRoot.appendingPathComponent("scenarios"))
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try String(contentsOf: fresh, encoding: .utf8) == String(contentsOf: packageRoot.appendingPathComponent("docs/validation.md"), encoding: .utf8),
                "docs/validation.md is stale: run /usr/bin/python3 tools/make_validation.py in scenarios/")
    }
}

@Suite("Dashboard on the command line")
struct DashboardCommandTests {
    @Test("run --html and report DIR --html write the same page; report refuses what is not a result, and --html a directory, with exit 2")
    func reportCommand() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path, page = dir.appendingPathComponent("run.html").path
        let run = try r70(["run", fixture("storage-arbitrage.yaml"), "--out", out, "--html", page])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/dashboard.json"))
        let again = dir.appendingPathComponent("again.html").path
        let report = try r70(["report", out, "--html", again])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: page)) == Data(contentsOf: URL(fileURLWithPath: again)))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<section id=\"targets\">") && !html.contains("<script"))

        let missing = try r70(["report", dir.appendingPathComponent("nothing").path, "--html", again])
        #expect(missing.status == 2 && missing.stderr.contains("no such file or directory"))
        let notResult = try r70(["report", fixture("two-region.csv"), "--html", again])
        #expect(notResult.status == 2 && notResult.stderr.contains("not a result r70 wrote"))
        // --html never replaces an input, a file inside --out, or a file that is not an HTML report.
        let scenarioCopy = dir.appendingPathComponent("s.yaml").path, profile = dir.appendingPathComponent("storage.csv").path
        try FileManager.default.copyItem(atPath: fixture("storage-arbitrage.yaml"), toPath: scenarioCopy)
        try FileManager.default.copyItem(atPath: fixture("storage.csv"), toPath: profile)
        let before = try Data(contentsOf: URL(fileURLWithPath: scenarioCopy))
        for (args, words) in [(["run", scenarioCopy, "--html", scenarioCopy], "is the input"),
                              (["run", scenarioCopy, "--html", profile], "not an HTML report"),
                              (["run", scenarioCopy, "--out", out, "--html", out + "/d.html"], "inside --out"),
                              (["report", out, "--html", out + "/dashboard.json"], "inside --out")] {
            let o = try r70(args)
            #expect(o.status == 2 && o.stderr.contains(words), "\(args): \(o.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: scenarioCopy)) == before)
        #expect(try r70(["report", out, "--html", page]).status == 0)   // an HTML report r70 wrote is replaced
        let emptyDir = dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: emptyDir, withIntermediateDirectories: false)
        let notOut = try r70(["report", emptyDir, "--html", again])
        #expect(notOut.status == 2 && notOut.stderr.contains("no dashboard.json"))
        let toDirectory = try r70(["run", fixture("storage-arbitrage.yaml"), "--html", emptyDir])
        #expect(toDirectory.status == 2 && toDirectory.stderr.contains("--html"))
    }
}
