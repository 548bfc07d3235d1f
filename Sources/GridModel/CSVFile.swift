// CSV profiles (RFC 4180), parsed once into byte ranges, and numbers read straight from the bytes.

/// A CSV problem: the file line and what is wrong.
struct CSVProblem { var line: Int; var value: String; var expected: String }

/// A CSV file parsed once (RFC 4180: fields may be quoted, a quote inside quotes is doubled, quoted
/// fields may hold commas and line ends; lines may end in CRLF; trailing blank lines are not rows). It
/// keeps the file's bytes and the byte range of every field, row-major, so reading a cell is an index
/// and a file with many columns loads in time linear in its size.
struct CSVFile {
    let bytes: [UInt8]
    /// Field k spans `bytes[fieldStart[k] ..< fieldEnd[k]]`; a quoted field's unescaped text is `quoted[k]`.
    private(set) var fieldStart: [Int] = [], fieldEnd: [Int] = []
    private(set) var quoted: [Int: String] = [:]
    /// Row r holds fields `rowStart[r] ..< rowStart[r + 1]`.
    private(set) var rowStart: [Int] = [0]
    /// The file line on which each row starts.
    private(set) var lines: [Int] = []
    private(set) var problems: [CSVProblem] = []

    var rowCount: Int { lines.count }
    func fieldCount(row r: Int) -> Int { rowStart[r + 1] - rowStart[r] }
    func field(row r: Int, column c: Int) -> Int { rowStart[r] + c }

    /// A field's text.
    func text(_ k: Int) -> String { quoted[k] ?? String(decoding: bytes[fieldStart[k]..<fieldEnd[k]], as: UTF8.self) }

    /// A field's number: nil unless the whole field (spaces around it allowed) is a number as Swift's
    /// `Double(_:)` reads it. Plain decimals are converted here, exactly as strtod rounds them (Clinger's
    /// fast path: at most 15 significant digits and a power of ten up to 10²², one correctly rounded
    /// operation); anything else goes to `Double(_:)`.
    func number(_ k: Int) -> Double? {
        if let q = quoted[k] { return Double(q.trimmingCharacters(in: [" "])) }
        var i = fieldStart[k], end = fieldEnd[k]
        while i < end && bytes[i] == 0x20 { i += 1 }
        while end > i && bytes[end - 1] == 0x20 { end -= 1 }
        if i == end { return nil }
        if let v = Self.plainDecimal(bytes, i, end) { return v }
        return Double(String(decoding: bytes[i..<end], as: UTF8.self))
    }

    /// 10⁰ … 10²², each exact (5²² < 2⁵³).
    private static let powersOfTen: [Double] = (0...22).map { n in (0..<n).reduce(1.0) { x, _ in x * 10 } }

    /// [+-]digits[.digits][(e|E)[+-]digits] with at most 15 significant digits and a decimal exponent within
    /// ±22, else nil.
    static func plainDecimal(_ b: [UInt8], _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { negative = b[i] == UInt8(ascii: "-"); i += 1 }
        var mantissa: UInt64 = 0, digits = 0, significant = 0, fractionDigits = 0
        while i < end, b[i] &- 0x30 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30); digits += 1
            if mantissa != 0 { significant += 1 }
            i += 1
        }
        if i < end && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, b[i] &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30); digits += 1; fractionDigits += 1
                if mantissa != 0 { significant += 1 }
                i += 1
            }
        }
        guard digits > 0, significant <= 15 else { return nil }
        var exponent = 0
        if i < end && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            var negativeExponent = false
            if i < end && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) { negativeExponent = b[i] == UInt8(ascii: "-"); i += 1 }
            var expDigits = 0
            while i < end, b[i] &- 0x30 < 10 {
                exponent = exponent * 10 + Int(b[i] &- 0x30); expDigits += 1
                if exponent > 1000 { return nil }
                i += 1
            }
            guard expDigits > 0 else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        guard i == end else { return nil }
        let scale = exponent - fractionDigits
        guard scale >= -22 && scale <= 22 else { return nil }
        let w = Double(mantissa)   // exact: fewer than 2⁵³
        let v = scale >= 0 ? w * powersOfTen[scale] : w / powersOfTen[-scale]
        return negative ? -v : v
    }

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let n = bytes.count
        var i = 0, line = 1
        fieldStart.reserveCapacity(n / 4); fieldEnd.reserveCapacity(n / 4)
        rows: while i < n {
            let rowLine = line
            while true {
                if i < n && bytes[i] == quote {
                    // A quoted field: up to the closing quote; "" is a quote.
                    var value: [UInt8] = []
                    var j = i + 1, closed = false
                    while j < n {
                        if bytes[j] == quote {
                            if j + 1 < n && bytes[j + 1] == quote { value.append(quote); j += 2; continue }
                            j += 1; closed = true; break
                        }
                        if bytes[j] == newline { line += 1 }
                        value.append(bytes[j]); j += 1
                    }
                    if !closed {
                        problems.append(CSVProblem(line: rowLine, value: "a quoted field without its closing quote", expected: "\"…\" with a closing quote"))
                        break rows
                    }
                    quoted[fieldStart.count] = String(decoding: value, as: UTF8.self)
                    fieldStart.append(i); fieldEnd.append(j)
                    i = j
                    if i < n && bytes[i] == cr { i += 1 }
                    if i < n && bytes[i] != comma && bytes[i] != newline {
                        problems.append(CSVProblem(line: line, value: "text after a closing quote", expected: "a comma or the end of the line after a quoted field"))
                        while i < n && bytes[i] != comma && bytes[i] != newline { i += 1 }
                    }
                } else {
                    var j = i
                    while j < n && bytes[j] != comma && bytes[j] != newline { j += 1 }
                    var end = j
                    if end > i && bytes[end - 1] == cr && (j == n || bytes[j] == newline) { end -= 1 }
                    fieldStart.append(i); fieldEnd.append(end)
                    i = j
                }
                if i < n && bytes[i] == comma {
                    i += 1
                } else {
                    if i < n { i += 1; line += 1 }   // the line end
                    break
                }
            }
            rowStart.append(fieldStart.count)
            lines.append(rowLine)
        }
        // An unclosed quote ends the parse; its row's fields are dropped.
        fieldStart.removeSubrange(rowStart[rowStart.count - 1]...); fieldEnd.removeSubrange(rowStart[rowStart.count - 1]...)
        // Trailing blank lines (a single empty or blank field) are not rows.
        while let r = lines.indices.last, fieldCount(row: r) == 1, quoted[rowStart[r]] == nil,
              bytes[fieldStart[rowStart[r]]..<fieldEnd[rowStart[r]]].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            fieldStart.removeLast(); fieldEnd.removeLast(); rowStart.removeLast(); lines.removeLast()
        }
    }
}
