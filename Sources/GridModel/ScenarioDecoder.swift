// YAML text → a checked tree of values with line numbers, against the schema. Every problem is
// collected (none stops the walk), each with file:line, key path, the value and what was expected.
import Foundation
import Yams

/// One problem in a scenario.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var path: String
    public var value: String
    public var expected: String

    public init(file: String, line: Int, path: String, value: String, expected: String) {
        self.file = file; self.line = line; self.path = path; self.value = value; self.expected = expected
    }

    /// `FILE:LINE: key.path: value — what was expected` (without the line for a command-line override,
    /// whose "file" is `--set PATH=VALUE`).
    public var description: String {
        "\(file):\(line > 0 ? "\(line):" : "") \(path.isEmpty ? "(document)" : path): \(value) — \(expected)"
    }
}

/// All the problems found in a scenario (thrown when there is at least one).
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics in the order found; sorted by line when reported.
public final class DiagnosticLog {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []
    /// The same problems, for finding repeats in constant time (a file with 128,000 bad items stays linear).
    private var seen = Set<Diagnostic>()
    public init(file: String) { self.file = file }
    public func add(file other: String? = nil, line: Int, path: String, value: String, expected: String) {
        let d = Diagnostic(file: other ?? file, line: line, path: path, value: value, expected: expected)
        if seen.insert(d).inserted { diagnostics.append(d) }
    }
    public var sorted: [Diagnostic] {
        // The scenario's own lines first, in line order; then problems inside profile files.
        diagnostics.enumerated().sorted {
            ($0.element.file == file ? 0 : 1, $0.element.file, $0.element.line, $0.offset)
                < ($1.element.file == file ? 0 : 1, $1.element.file, $1.element.line, $1.offset)
        }.map(\.element)
    }
}

/// A checked value and where it came from.
public struct ValueNode: Sendable {
    public indirect enum Value: Sendable {
        case number(Double)
        case string(String)
        case bool(Bool)
        case numbers([Double])
        case strings([String])
        case object(ObjectNode)
        case list([ObjectNode])
    }
    public var value: Value
    public var line: Int
    public var path: String
    /// True when the value is the schema's default rather than written in the file.
    public var isDefault: Bool
}

public struct ObjectNode: Sendable {
    public var fields: [String: ValueNode]
    public var line: Int
    public var path: String

    public func number(_ key: String) -> Double? { if case .number(let v)? = fields[key]?.value { return v }; return nil }
    public func string(_ key: String) -> String? { if case .string(let v)? = fields[key]?.value { return v }; return nil }
    public func bool(_ key: String) -> Bool? { if case .bool(let v)? = fields[key]?.value { return v }; return nil }
    public func numbers(_ key: String) -> [Double]? { if case .numbers(let v)? = fields[key]?.value { return v }; return nil }
    public func strings(_ key: String) -> [String]? { if case .strings(let v)? = fields[key]?.value { return v }; return nil }
    public func object(_ key: String) -> ObjectNode? { if case .object(let v)? = fields[key]?.value { return v }; return nil }
    public func list(_ key: String) -> [ObjectNode] { if case .list(let v)? = fields[key]?.value { return v }; return [] }
    public func has(_ key: String) -> Bool { fields[key].map { !$0.isDefault } ?? false }
    public func line(_ key: String) -> Int { fields[key]?.line ?? line }
    public func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

public enum ScenarioDecoder {
    /// Decodes `text` against `schema`; problems go to `log`. Returns nil when the document is not a
    /// mapping at all (YAML syntax error or wrong top-level type).
    public static func decode(_ text: String, schema: ObjectSchema, log: DiagnosticLog) -> ObjectNode? {
        decode(text, schema: schema, overrides: [], log: log).root
    }

    /// As `decode`, with `overrides` applied to the YAML tree first; also returns the decoded key paths the
    /// overrides set.
    static func decode(_ text: String, schema: ObjectSchema, overrides: [ScenarioOverride], log: DiagnosticLog,
                       composed: Node? = nil) -> (root: ObjectNode?, overridden: [String: ScenarioOverride]) {
        let root: Node?
        do {
            root = try composed ?? Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            log.add(line: context.mark.line, path: "", value: "duplicate key \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", "))",
                    expected: "each key once in a mapping")
            return (nil, [:])
        } catch let error as YamlError {
            log.add(line: yamlErrorLine(error), path: "", value: "invalid YAML", expected: yamlErrorProblem(error))
            return (nil, [:])
        } catch {
            log.add(line: 1, path: "", value: "unreadable", expected: "YAML text (\(error))")
            return (nil, [:])
        }
        guard var root else {
            log.add(line: 1, path: "", value: "empty document", expected: "a mapping (\(schema.name))")
            return (nil, [:])
        }
        guard case .mapping = root else {
            log.add(line: root.mark?.line ?? 1, path: "", value: describe(root), expected: "a mapping (\(schema.name))")
            return (nil, [:])
        }
        let overridden = OverrideApplier.apply(overrides, to: &root, schema: schema, log: log)
        return (decodeObject(root, schema: schema, path: "", log: log), overridden)
    }

    static func yamlErrorLine(_ e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        case .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return 1
        }
    }

    static func yamlErrorProblem(_ e: YamlError) -> String {
        switch e {
        case .scanner(let ctx, let problem, _, _), .parser(let ctx, let problem, _, _):
            return "well-formed YAML (\([ctx?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")))"
        case .composer(let ctx, let problem, _, _):
            return "well-formed YAML (\([ctx?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")))"
        default: return "well-formed YAML (\(e))"
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string.isEmpty ? "(empty)" : s.string
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func decodeObject(_ node: Node, schema: ObjectSchema, path: String, log: DiagnosticLog) -> ObjectNode? {
        let line = node.mark?.line ?? 1
        guard case .mapping(let mapping) = node else {
            log.add(line: line, path: path, value: describe(node), expected: "a mapping (\(schema.name))")
            return nil
        }
        var fields: [String: ValueNode] = [:]
        var seen: Set<String> = []
        for (keyNode, valueNode) in mapping {
            let keyLine = keyNode.mark?.line ?? line
            guard case .scalar(let keyScalar) = keyNode else {
                log.add(line: keyLine, path: path, value: describe(keyNode), expected: "a plain key")
                continue
            }
            let key = keyScalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if seen.contains(key) {
                log.add(line: keyLine, path: keyPath, value: "duplicate key", expected: "each key once")
                continue
            }
            seen.insert(key)
            guard let field = schema.field(key) else {
                if let retired = schema.retired[key] {
                    log.add(line: keyLine, path: keyPath, value: "no longer used", expected: retired)
                    continue
                }
                let known = schema.fields.map(\.key)
                let hint = closest(key, in: known).map { "did you mean '\($0)'? " } ?? ""
                log.add(line: keyLine, path: keyPath, value: "unknown key", expected: "\(hint)\(schema.name) takes: \(known.joined(separator: ", "))")
                continue
            }
            if case .scalar(let s) = valueNode, s.string.isEmpty || s.tag.description.hasSuffix("null"), s.style == .plain,
               ["", "~", "null", "Null", "NULL"].contains(s.string) {
                log.add(line: keyLine, path: keyPath, value: "(empty)", expected: field.type.summary)
                continue
            }
            if let v = decodeValue(valueNode, type: field.type, path: keyPath, log: log) {
                fields[key] = v
            }
        }
        for field in schema.fields where fields[field.key] == nil && !seen.contains(field.key) {
            let keyPath = path.isEmpty ? field.key : "\(path).\(field.key)"
            if field.required {
                log.add(line: line, path: keyPath, value: "(missing)", expected: "a required key: \(field.type.summary)")
            } else if let def = field.defaultValue, let v = defaultNode(def, type: field.type, line: line, path: keyPath) {
                fields[field.key] = v
            }
        }
        return ObjectNode(fields: fields, line: line, path: path)
    }

    static func defaultNode(_ text: String, type: FieldType, line: Int, path: String) -> ValueNode? {
        let value: ValueNode.Value?
        switch type {
        case .number, .integer, .integerChoice: value = Double(text).map { .number($0) }
        case .boolean: value = .bool(text == "true")
        case .string, .enumeration, .date, .timeOfDay, .path: value = .string(text)
        case .numberList: value = .numbers(text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) })
        case .enumerationList: value = .strings(text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        case .object, .list: value = nil
        }
        return value.map { ValueNode(value: $0, line: line, path: path, isDefault: true) }
    }

    static func number(_ node: Node) -> Double? {
        guard case .scalar(let s) = node, s.style == .plain else { return nil }
        let t = s.string
        // Magnitudes beyond 1e15 are never meaningful here and would overflow integer conversions.
        guard let v = Double(t), v.isFinite, abs(v) <= 1e15, !t.lowercased().contains("nan"), !t.lowercased().contains("inf") else { return nil }
        return v
    }

    static func decodeValue(_ node: Node, type: FieldType, path: String, log: DiagnosticLog) -> ValueNode? {
        let line = node.mark?.line ?? 1
        func fail(_ expected: String) -> ValueNode? {
            log.add(line: line, path: path, value: describe(node), expected: expected)
            return nil
        }
        func ok(_ v: ValueNode.Value) -> ValueNode { ValueNode(value: v, line: line, path: path, isDefault: false) }
        switch type {
        case .number(let r):
            guard let v = number(node) else { return fail(r.expectation) }
            guard r.contains(v) else { return fail(r.expectation) }
            return ok(.number(v))
        case .integer(let r):
            guard let v = number(node), v == v.rounded(), abs(v) < 1e12 else { return fail(type.summary) }
            guard r.contains(v) else { return fail(type.summary) }
            return ok(.number(v))
        case .string, .path:
            guard case .scalar(let s) = node, !s.string.isEmpty else { return fail(type.summary) }
            return ok(.string(s.string))
        case .enumeration(let values):
            guard case .scalar(let s) = node, values.contains(s.string) else {
                let hint: String
                if case .scalar(let s) = node, let c = closest(s.string, in: values) { hint = "did you mean '\(c)'? " } else { hint = "" }
                return fail(hint + type.summary)
            }
            return ok(.string(s.string))
        case .integerChoice(let values):
            guard let v = number(node), v == v.rounded(), values.contains(Int(v)) else { return fail(type.summary) }
            return ok(.number(v))
        case .boolean:
            guard case .scalar(let s) = node, ["true", "false"].contains(s.string) else { return fail(type.summary) }
            return ok(.bool(s.string == "true"))
        case .date:
            guard case .scalar(let s) = node, CivilDate(parsing: s.string) != nil else { return fail(type.summary) }
            return ok(.string(s.string))
        case .timeOfDay:
            guard case .scalar(let s) = node, minutesOfDay(s.string) != nil else { return fail("a time HH:MM between 00:00 and 24:00") }
            return ok(.string(s.string))
        case .numberList(let count, let r):
            guard case .sequence(let seq) = node else { return fail(type.summary) }
            var values: [Double] = []
            var good = true
            for (i, item) in seq.enumerated() {
                let itemLine = item.mark?.line ?? line
                if let v = number(item), r.contains(v) { values.append(v) } else {
                    log.add(line: itemLine, path: "\(path)[\(i)]", value: describe(item), expected: r.expectation)
                    good = false
                }
            }
            if let count, seq.count != count {
                log.add(line: line, path: path, value: "\(seq.count) values", expected: "exactly \(count) values")
                good = false
            }
            return good ? ok(.numbers(values)) : nil
        case .enumerationList(let allowed):
            guard case .sequence(let seq) = node else { return fail(type.summary) }
            var values: [String] = []
            var good = true
            for (i, item) in seq.enumerated() {
                if case .scalar(let s) = item, allowed.contains(s.string) { values.append(s.string) } else {
                    log.add(line: item.mark?.line ?? line, path: "\(path)[\(i)]", value: describe(item), expected: "one of " + allowed.joined(separator: ", "))
                    good = false
                }
            }
            return good ? ok(.strings(values)) : nil
        case .object(let schema):
            return decodeObject(node, schema: schema, path: path, log: log).map { ok(.object($0)) }
        case .list(let schema):
            guard case .sequence(let seq) = node else { return fail(type.summary) }
            var items: [ObjectNode] = []
            for (i, item) in seq.enumerated() {
                if let o = decodeObject(item, schema: schema, path: "\(path)[\(i)]", log: log) { items.append(o) }
            }
            return items.count == seq.count ? ok(.list(items)) : ok(.list(items))
        }
    }

    /// The closest known word within an edit distance of 3, for "did you mean".
    static func closest(_ word: String, in words: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            if a.isEmpty { return b.count }
            if b.isEmpty { return a.count }
            var prev = Array(0...b.count)
            for i in 1...a.count {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...b.count {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let w = Array(word)
        let best = words.map { ($0, distance(w, Array($0))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= min(3, max(1, word.count / 3)) else { return nil }
        return best.0
    }
}

/// Minutes since midnight for "HH:MM" (0...1440), nil when malformed.
public func minutesOfDay(_ text: String) -> Int? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
          (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440 else { return nil }
    return h * 60 + m
}
