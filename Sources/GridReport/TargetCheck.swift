// `r70 check`'s outcomes and their JUnit XML.
import GridModel
import GridSim

/// One scenario's outcome for `r70 check`.
public struct CheckOutcome: Sendable {
    public var scenarioName: String
    public var file: String
    public var results: [TargetResult]
    /// Set when the scenario could not be run (bad input): the test cases are errors.
    public var error: String?
    public var seconds: Double

    /// With a baseline: its findings (regressions fail the check).
    public var baselineFindings: [BaselineFinding]?

    public init(scenarioName: String, file: String, results: [TargetResult], error: String?, seconds: Double,
                baselineFindings: [BaselineFinding]? = nil) {
        self.scenarioName = scenarioName; self.file = file; self.results = results; self.error = error; self.seconds = seconds
        self.baselineFindings = baselineFindings
    }
    public var regressions: [BaselineFinding] { (baselineFindings ?? []).filter(\.regression) }
    public var passed: Bool { error == nil && results.allSatisfy(\.passed) }
}

public enum JUnitReport {
    static func escape(_ s: String) -> String {
        var r = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&apos;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { r += " " } else { r.unicodeScalars.append(ch) }
            }
        }
        return r
    }

    /// JUnit XML: one test suite per scenario, one test case per target.
    public static func xml(_ outcomes: [CheckOutcome]) -> String {
        let tests = outcomes.reduce(0) { $0 + max(1, $1.results.count) + ($1.baselineFindings == nil ? 0 : 1) }
        let failures = outcomes.reduce(0) { $0 + $1.results.filter { !$0.passed }.count + ($1.regressions.isEmpty ? 0 : 1) }
        let errors = outcomes.filter { $0.error != nil }.count
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"r70 check\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        for o in outcomes {
            let f = o.results.filter { !$0.passed }.count + (o.regressions.isEmpty ? 0 : 1)
            x += "  <testsuite name=\"\(escape(o.scenarioName))\" file=\"\(escape(o.file))\" tests=\"\(max(1, o.results.count) + (o.baselineFindings == nil ? 0 : 1))\" failures=\"\(f)\" errors=\"\(o.error == nil ? 0 : 1)\" time=\"\(String(format: "%.3f", o.seconds))\">\n"
            if let e = o.error {
                x += "    <testcase classname=\"\(escape(o.scenarioName))\" name=\"scenario\">\n      <error message=\"invalid scenario\">\(escape(e))</error>\n    </testcase>\n"
            }
            for r in o.results {
                x += "    <testcase classname=\"\(escape(o.scenarioName))\" name=\"\(escape(r.name))\">\n"
                let msg = "\(r.name) = \(Format.value(r.value, unit: r.unit)); \(r.kind == "min" ? "minimum" : "maximum") \(Format.value(r.threshold, unit: r.unit)); margin \(Format.value(r.margin, unit: r.unit))"
                    + (r.probabilityHolds.map { "; P(holds) \(Format.percent($0))" } ?? "")
                if !r.passed {
                    x += "      <failure message=\"\(escape(msg))\" type=\"target\">\(escape(r.description))</failure>\n"
                } else {
                    x += "      <system-out>\(escape(msg))</system-out>\n"
                }
                x += "    </testcase>\n"
            }
            if let findings = o.baselineFindings {
                x += "    <testcase classname=\"\(escape(o.scenarioName))\" name=\"baseline\">\n"
                let regressions = findings.filter(\.regression)
                if !regressions.isEmpty {
                    x += "      <failure message=\"\(regressions.count) regression\(regressions.count == 1 ? "" : "s") against the baseline\" type=\"baseline\">\(escape(regressions.map(\.description).joined(separator: "\n")))</failure>\n"
                }
                x += "    </testcase>\n"
            }
            x += "  </testsuite>\n"
        }
        x += "</testsuites>\n"
        return x
    }
}
