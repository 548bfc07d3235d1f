import Foundation
import Testing
import GridModel
import _TestSupport
@testable import GridSim

/// Random corruptions of the base scenario's text: each must end in a clear error or a result.
struct Corruptor {
    var rng: SplitMix
    init(state: UInt64) { rng = SplitMix(state: state) }
    mutating func next() -> UInt64 { rng.next() }
    mutating func pick<T>(_ xs: [T]) -> T { rng.pick(xs) }

    static let replacements = ["-1", "0", "1.4", "-0.5", "1e16", "nan", ".inf", "abc", "", "~", "[]", "{}", "[1, 2]", "2030-13-01",
                               "24:30", "true", "99999999999", "0.0000001", "\"quoted\"", "- x", "North", "Atlantis", "1e-300"]

    mutating func corrupt(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let edits = 1 + Int(next() % 3)
        for _ in 0..<edits where !lines.isEmpty {
            let i = Int(next() % UInt64(lines.count))
            switch next() % 8 {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: i)
            case 2: // replace a value after a colon
                if let c = lines[i].firstIndex(of: ":") {
                    lines[i] = String(lines[i][...c]) + " " + pick(Self.replacements)
                }
            case 3: // replace a number anywhere in the line
                var chars = Array(lines[i])
                if let d = chars.firstIndex(where: \.isNumber) {
                    var e = d
                    while e < chars.count && (chars[e].isNumber || chars[e] == ".") { e += 1 }
                    chars.replaceSubrange(d..<e, with: Array(pick(Self.replacements)))
                    lines[i] = String(chars)
                }
            case 4: lines[i] = String(repeating: " ", count: Int(next() % 6)) + lines[i].trimmingCharacters(in: .whitespaces)
            case 5: // flip one character
                var chars = Array(lines[i])
                if !chars.isEmpty { chars[Int(next() % UInt64(chars.count))] = pick(Array(":-[]{},#&*!|>'\"%@` \tx9")) }
                lines[i] = String(chars)
            case 6: let j = Int(next() % UInt64(lines.count)); lines.swapAt(i, j)
            default: lines = Array(lines.prefix(i))  // truncated file
            }
        }
        return lines.joined(separator: "\n")
    }
}

@Suite("Corrupted scenarios never crash or hang")
struct CorruptionTests {
    static let base = try! String(contentsOfFile: packageRoot.appendingPathComponent("scenarios/vn-2030-base.yaml").path, encoding: .utf8)

    @Test("2,000 random corruptions of the base scenario end in a clear error or a result",
          .timeLimit(.minutes(10)), arguments: 0..<20)
    func corruptions(batch: Int) throws {
        var rng = Corruptor(state: UInt64(batch) &* 0x1234_5678_9ABC)
        var errors = 0, results = 0
        for _ in 0..<100 {
            let text = rng.corrupt(Self.base)
            do {
                let scenario = try ScenarioLoader.load(text: text, file: baseScenarioPath)
                _ = try DeterministicRun.run(scenario, maxSteps: 48)
                results += 1
            } catch let e as ScenarioErrors {
                // A clear error: at least one diagnostic, each with a line, a path or value, and an expectation.
                #expect(!e.diagnostics.isEmpty)
                for d in e.diagnostics { #expect(d.line >= 1 && !d.expected.isEmpty) }
                errors += 1
            } catch let e as SimulationError {
                Issue.record("a validated scenario failed to simulate: \(e)")
            }
        }
        #expect(errors + results == 100)
    }
}
