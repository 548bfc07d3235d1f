// Overrides of scenario keys from the command line (`--set PATH=VALUE`, `--set PATH*=FACTOR`), applied
// to the YAML tree before it is checked, so an overridden value goes through every check a value in
// the file does.
import Foundation
import Yams

/// One override: a key path into the scenario, and a value to set or a factor to scale by.
///
/// Paths name keys with dots and list items by name in brackets (`*` for every item):
/// `storage[bess-n].power_mw`, `corridors[north-central].limit_forward_mw`,
/// `regions[North].demand.peak_mw`, `fuels[lng-north].deliveries.cargo_t`,
/// `regions[*].demand.annual_energy_mwh*=1.1`. Only numeric and enumerated keys can be set.
public struct ScenarioOverride: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Operation: Sendable, Equatable, Hashable { case set, scale }
    public struct Segment: Sendable, Equatable, Hashable {
        public var key: String
        /// nil: a key; "*": every item of a list; otherwise the name of one item.
        public var item: String?
    }
    public var path: String
    public var segments: [Segment]
    public var operation: Operation
    public var value: String

    public var description: String { path + (operation == .scale ? "*=" : "=") + value }

    /// Parses `PATH=VALUE` or `PATH*=FACTOR`; nil with the reason when malformed.
    public static func parse(_ text: String) -> Result<ScenarioOverride, OverrideError> {
        guard let eq = text.firstIndex(of: "=") else { return .failure(OverrideError(text: text, problem: "expected PATH=VALUE or PATH*=FACTOR")) }
        var pathText = String(text[..<eq])
        let value = String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        var operation = Operation.set
        if pathText.hasSuffix("*") { operation = .scale; pathText.removeLast() }
        pathText = pathText.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return .failure(OverrideError(text: text, problem: "no value after '='")) }
        if operation == .scale, Double(value).map({ !$0.isFinite }) ?? true {
            return .failure(OverrideError(text: text, problem: "a factor after '*=' must be a finite number, not '\(value)'"))
        }
        var segments: [Segment] = []
        var rest = Substring(pathText)
        while !rest.isEmpty {
            let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
            let key = String(rest[..<end])
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                return .failure(OverrideError(text: text, problem: "'\(pathText)' is not a key path (keys joined by '.', list items as key[name])"))
            }
            rest = rest[end...]
            var item: String?
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else { return .failure(OverrideError(text: text, problem: "'[' without its ']' in '\(pathText)'")) }
                item = String(rest[rest.index(after: rest.startIndex)..<close])
                guard !item!.isEmpty else { return .failure(OverrideError(text: text, problem: "an empty item name in '\(pathText)'")) }
                rest = rest[rest.index(after: close)...]
            }
            segments.append(Segment(key: key, item: item))
            if rest.first == "." { rest = rest.dropFirst(); if rest.isEmpty { return .failure(OverrideError(text: text, problem: "'\(pathText)' ends in '.'")) } }
            else if !rest.isEmpty { return .failure(OverrideError(text: text, problem: "'\(pathText)' is not a key path (keys joined by '.', list items as key[name])")) }
        }
        guard !segments.isEmpty else { return .failure(OverrideError(text: text, problem: "no key path before '='")) }
        return .success(ScenarioOverride(path: pathText, segments: segments, operation: operation, value: value))
    }
}

extension ScenarioOverride {
    /// Whether the key at `path` takes integers only (`units`, `step_minutes`, …), so that a search or a sample
    /// over it must give whole values. False for an unknown path (the value's own check reports it).
    public static func takesIntegers(_ path: String) -> Bool {
        guard case .success(let o) = parse(path + "=0") else { return false }
        var schema = ScenarioSchema.scenario
        for (i, segment) in o.segments.enumerated() {
            guard let field = schema.field(segment.key) else { return false }
            switch field.type {
            case .list(let s), .object(let s): schema = s
            case .integer, .integerChoice: return i == o.segments.count - 1
            default: return false
            }
        }
        return false
    }
}

/// A malformed `--set`.
public struct OverrideError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public init(text: String, problem: String) { self.text = text; self.problem = problem }
    public var description: String { "--set \(text): \(problem)" }
}

enum OverrideApplier {
    /// Applies `overrides` to the YAML tree `root` (a mapping) against `schema`. Problems go to `log`,
    /// under the override's own name (`--set PATH=VALUE`). Returns, for each decoded key path it set
    /// (`storage[1].power_mw`), the override that set it, so later problems with that value name it.
    static func apply(_ overrides: [ScenarioOverride], to root: inout Node, schema: ObjectSchema, log: DiagnosticLog) -> [String: ScenarioOverride] {
        var setPaths: [String: ScenarioOverride] = [:]
        for o in overrides {
            func fail(_ path: String, _ value: String, _ expected: String) {
                log.add(file: "--set \(o)", line: 0, path: path, value: value, expected: expected)
            }
            func walk(_ node: inout Node, _ schema: ObjectSchema, _ i: Int, _ decodedPath: String) {
                let segment = o.segments[i]
                guard case .mapping(var mapping) = node else { fail(decodedPath, "not a mapping", "a mapping (\(schema.name))"); return }
                guard let field = schema.field(segment.key) else {
                    let known = schema.fields.map(\.key)
                    let hint = ScenarioDecoder.closest(segment.key, in: known).map { "did you mean '\($0)'? " } ?? ""
                    fail(join(decodedPath, segment.key), "unknown key", "\(hint)\(schema.name) takes: \(known.joined(separator: ", "))")
                    return
                }
                let keyPath = join(decodedPath, segment.key)
                let last = i == o.segments.count - 1
                if let item = segment.item {
                    guard case .list(let itemSchema) = field.type else {
                        fail(keyPath + "[\(item)]", "not a list", "\(segment.key) is \(field.type.summary): address it without [\(item)]")
                        return
                    }
                    guard !last else {
                        fail(keyPath + "[\(item)]", "a whole list item", "a key inside the item, such as \(keyPath)[\(item)].\(itemSchema.fields.first { if case .number = $0.type { return true }; return false }?.key ?? "name")")
                        return
                    }
                    guard case .sequence(var items)? = mapping[segment.key] else { fail(keyPath, "no items in the file", "a list with an item named '\(item)'"); return }
                    let names = items.map { $0.mapping?["name"]?.scalar?.string ?? "" }
                    let chosen = item == "*" ? Array(items.indices) : items.indices.filter { names[$0 - items.startIndex] == item }
                    guard !chosen.isEmpty else {
                        let hint = ScenarioDecoder.closest(item, in: names).map { "did you mean '\($0)'? " } ?? ""
                        fail(keyPath + "[\(item)]", "no item named '\(item)'", "\(hint)the names in \(segment.key): \(names.joined(separator: ", "))")
                        return
                    }
                    for index in chosen {
                        var child = items[index]
                        walk(&child, itemSchema, i + 1, keyPath + "[\(index - items.startIndex)]")
                        items[index] = child
                    }
                    mapping[segment.key] = .sequence(items)
                } else if !last {
                    guard case .object(let childSchema) = field.type else {
                        fail(keyPath, "\(field.type.summary), not a mapping", "a key path that ends at \(segment.key)")
                        return
                    }
                    var child = mapping[segment.key] ?? .mapping(Node.Mapping([]))
                    walk(&child, childSchema, i + 1, keyPath)
                    mapping[segment.key] = child
                } else {
                    switch field.type {
                    case .number, .integer, .integerChoice, .enumeration: break
                    default:
                        fail(keyPath, "\(field.type.summary)", "a numeric or enumerated key (--set takes only those)")
                        return
                    }
                    var text = o.value
                    if o.operation == .set, case .integer = field.type, let v = Double(text), v == v.rounded(), abs(v) < 1e15 {
                        text = String(Int64(v))   // 32.0 is the integer 32
                    }
                    if o.operation == .scale {
                        if case .enumeration = field.type {
                            fail(keyPath, "\(field.type.summary)", "a numeric key to scale with '*='")
                            return
                        }
                        guard let current = mapping[segment.key]?.scalar?.string ?? field.defaultValue, let v = Double(current) else {
                            fail(keyPath, "not in the file and without a default", "a value set with '=' rather than scaled with '*='")
                            return
                        }
                        text = format(v * Double(o.value)!)
                    }
                    mapping[segment.key] = .scalar(Node.Scalar(text, .implicit, .plain))
                    setPaths[keyPath] = o
                }
                node = .mapping(mapping)
            }
            walk(&root, schema, 0, "")
        }
        return setPaths
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : "\(a).\(b)" }

    /// The shortest text that reads back as `v`.
    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}
