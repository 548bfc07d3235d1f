// The scenario schema as data. One table is the source of the decoder's checks and defaults, of
// docs/scenario-format.md and of the JSON Schema that `r70 schema` prints, so they cannot drift.

public struct NumberRange: Sendable, Equatable {
    public var min: Double?
    public var max: Double?
    public var minExclusive: Bool
    public var maxExclusive: Bool
    public init(min: Double? = nil, max: Double? = nil, minExclusive: Bool = false, maxExclusive: Bool = false) {
        self.min = min; self.max = max; self.minExclusive = minExclusive; self.maxExclusive = maxExclusive
    }
    public static let nonNegative = NumberRange(min: 0)
    public static let positive = NumberRange(min: 0, minExclusive: true)
    public static let probability = NumberRange(min: 0, max: 1)
    public static let fraction = NumberRange(min: 0, max: 1)
    public static let any = NumberRange()

    public func contains(_ v: Double) -> Bool {
        if let lo = min { if minExclusive ? !(v > lo) : !(v >= lo) { return false } }
        if let hi = max { if maxExclusive ? !(v < hi) : !(v <= hi) { return false } }
        return true
    }

    /// "a number in [0, 1]", "a number > 0", ...
    public var expectation: String {
        func fmt(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        switch (min, max) {
        case let (lo?, hi?): return "a number in \(minExclusive ? "(" : "[")\(fmt(lo)), \(fmt(hi))\(maxExclusive ? ")" : "]")"
        case let (lo?, nil): return "a number \(minExclusive ? ">" : "≥") \(fmt(lo))"
        case let (nil, hi?): return "a number \(maxExclusive ? "<" : "≤") \(fmt(hi))"
        default: return "a finite number"
        }
    }
}

public indirect enum FieldType: Sendable {
    case number(NumberRange)
    case integer(NumberRange)
    case string
    case enumeration([String])
    /// One of a few integers (written as numbers, not strings).
    case integerChoice([Int])
    case boolean
    /// A calendar date, YYYY-MM-DD.
    case date
    /// A time of day, HH:MM (24:00 allowed as the end of a day).
    case timeOfDay
    /// A file path, relative to the scenario file.
    case path
    /// A list of numbers, of a fixed length when `count` is set.
    case numberList(count: Int?, NumberRange)
    case enumerationList([String])
    case object(ObjectSchema)
    case list(ObjectSchema)

    public var summary: String {
        switch self {
        case .number(let r): return r.expectation
        case .integer(let r): return r.expectation.replacingOccurrences(of: "a number", with: "an integer")
        case .string: return "a string"
        case .enumeration(let v): return "one of " + v.joined(separator: ", ")
        case .integerChoice(let v): return "one of " + v.map(String.init).joined(separator: ", ")
        case .boolean: return "true or false"
        case .date: return "a date YYYY-MM-DD"
        case .timeOfDay: return "a time HH:MM"
        case .path: return "a file path (relative to the scenario)"
        case .numberList(let c, let r):
            return (c.map { "a list of \($0) numbers" } ?? "a list of numbers") + ", each " + r.expectation.replacingOccurrences(of: "a number ", with: "")
        case .enumerationList(let v): return "a list of " + v.joined(separator: ", ")
        case .object(let o): return "a mapping (\(o.name))"
        case .list(let o): return "a list of mappings (\(o.name))"
        }
    }
}

public struct FieldSchema: Sendable {
    public var key: String
    public var type: FieldType
    public var required: Bool
    /// The default as it would be written in YAML; nil when the key has none.
    public var defaultValue: String?
    /// What it is, and for defaults where the value comes from (S stated, D derived, E estimate).
    public var doc: String

    public init(_ key: String, _ type: FieldType, required: Bool = false, default defaultValue: String? = nil, _ doc: String) {
        self.key = key; self.type = type; self.required = required; self.defaultValue = defaultValue; self.doc = doc
    }
}

public final class ObjectSchema: Sendable {
    public let name: String
    public let doc: String
    public let fields: [FieldSchema]
    /// Keys of earlier versions, no longer read: each with what to do instead (a file that still has one
    /// gets that message, not "unknown key").
    public let retired: [String: String]
    public init(_ name: String, doc: String, fields: [FieldSchema], retired: [String: String] = [:]) {
        self.name = name; self.doc = doc; self.fields = fields; self.retired = retired
    }
    public func field(_ key: String) -> FieldSchema? { fields.first { $0.key == key } }
}

// MARK: - Documentation and JSON Schema

extension ObjectSchema {
    /// All object schemas reachable from this one, in first-seen order.
    public func allObjects() -> [ObjectSchema] {
        var seen: [ObjectSchema] = []
        func visit(_ o: ObjectSchema) {
            if seen.contains(where: { $0 === o }) { return }
            seen.append(o)
            for f in o.fields {
                switch f.type {
                case .object(let c), .list(let c): visit(c)
                default: break
                }
            }
        }
        visit(self)
        return seen
    }

    /// The Markdown reference (docs/scenario-format.md).
    public func markdownReference(title: String, preface: String) -> String {
        var out = "# \(title)\n\n\(preface)\n"
        for o in allObjects() {
            out += "\n## \(o.name)\n\n\(o.doc)\n\n| key | type | required | default | meaning |\n|---|---|---|---|---|\n"
            for f in o.fields {
                let type = f.type.summary.replacingOccurrences(of: "|", with: "\\|")
                let def = f.defaultValue.map { "`\($0)`" } ?? ""
                out += "| `\(f.key)` | \(type) | \(f.required ? "yes" : "") | \(def) | \(f.doc.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
        }
        return out
    }

    /// A JSON Schema (draft 2020-12) for editors.
    public func jsonSchema(title: String) -> String {
        func esc(_ s: String) -> String {
            var r = ""
            for ch in s.unicodeScalars {
                switch ch {
                case "\"": r += "\\\""
                case "\\": r += "\\\\"
                case "\n": r += "\\n"
                default: r.unicodeScalars.append(ch)
                }
            }
            return "\"\(r)\""
        }
        func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        func range(_ r: NumberRange) -> [String] {
            var p: [String] = []
            if let lo = r.min { p.append(r.minExclusive ? "\"exclusiveMinimum\": \(num(lo))" : "\"minimum\": \(num(lo))") }
            if let hi = r.max { p.append(r.maxExclusive ? "\"exclusiveMaximum\": \(num(hi))" : "\"maximum\": \(num(hi))") }
            return p
        }
        func ref(_ o: ObjectSchema) -> String { "{\"$ref\": \"#/$defs/\(o.name)\"}" }
        func type(_ t: FieldType, _ doc: String) -> String {
            var p: [String] = ["\"description\": \(esc(doc))"]
            switch t {
            case .number(let r): p.append("\"type\": \"number\""); p += range(r)
            case .integer(let r): p.append("\"type\": \"integer\""); p += range(r)
            case .string, .path: p.append("\"type\": \"string\"")
            case .enumeration(let v): p.append("\"enum\": [\(v.map(esc).joined(separator: ", "))]")
            case .integerChoice(let v): p.append("\"type\": \"integer\""); p.append("\"enum\": [\(v.map(String.init).joined(separator: ", "))]")
            case .boolean: p.append("\"type\": \"boolean\"")
            case .date: p.append("\"type\": \"string\""); p.append("\"pattern\": \"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\"")
            case .timeOfDay: p.append("\"type\": \"string\""); p.append("\"pattern\": \"^[0-9]{1,2}:[0-9]{2}$\"")
            case .numberList(let c, let r):
                p.append("\"type\": \"array\"")
                p.append("\"items\": {\"type\": \"number\"\(range(r).map { ", " + $0 }.joined())}")
                if let c { p.append("\"minItems\": \(c)"); p.append("\"maxItems\": \(c)") }
            case .enumerationList(let v):
                p.append("\"type\": \"array\""); p.append("\"items\": {\"enum\": [\(v.map(esc).joined(separator: ", "))]}")
            case .object(let o): return "{\"description\": \(esc(doc)), \"allOf\": [\(ref(o))]}"
            case .list(let o): p.append("\"type\": \"array\""); p.append("\"items\": \(ref(o))")
            }
            return "{" + p.joined(separator: ", ") + "}"
        }
        func object(_ o: ObjectSchema) -> String {
            let props = o.fields.map { "      \(esc($0.key)): \(type($0.type, $0.doc))" }.joined(separator: ",\n")
            let req = o.fields.filter(\.required).map { esc($0.key) }.joined(separator: ", ")
            return "{\n    \"type\": \"object\",\n    \"description\": \(esc(o.doc)),\n    \"additionalProperties\": false,\n    \"required\": [\(req)],\n    \"properties\": {\n\(props)\n    }\n  }"
        }
        let defs = allObjects().map { "  \(esc($0.name)): \(object($0))" }.joined(separator: ",\n")
        return "{\n\"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n\"title\": \(esc(title)),\n\"$ref\": \"#/$defs/\(name)\",\n\"$defs\": {\n\(defs)\n}\n}\n"
    }
}
