// CSV at disk speed: rows are written byte by byte into one growing buffer, numbers by a fixed-point
// formatter that gives exactly what `String(format: "%.3f", x)` gives (the value rounded half to even at
// its exact binary value, as glibc's printf does), without going through strings.

/// A byte buffer that CSV rows are appended to.
public struct CSVWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) public mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    @inline(__always) public mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    public mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }

    public mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    @inline(__always) public mutating func raw(_ b: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: b) }

    /// A non-negative or negative integer in decimal.
    public mutating func integer(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            unsigned(value.magnitude)
        } else {
            unsigned(UInt(value))
        }
    }

    @inline(__always) mutating func unsigned(_ value: UInt) {
        if value < 10 { bytes.append(UInt8(ascii: "0") &+ UInt8(value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0, v = value
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[n] = UInt8(ascii: "0") &+ UInt8(v % 10); v /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    /// `x` as r70's CSV writes a quantity: "0" for zero, else exactly `String(format: "%.3f", x)`.
    public mutating func fixed3(_ x: Double) {
        if x == 0 { bytes.append(UInt8(ascii: "0")); return }
        guard let (negative, whole, thousandths) = Self.fixed3Parts(x) else {
            text(String(format: "%.3f", x))   // non-finite or beyond 1e15: the C formatter
            return
        }
        if negative { bytes.append(UInt8(ascii: "-")) }
        unsigned(whole)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") &+ UInt8(thousandths / 100))
        bytes.append(UInt8(ascii: "0") &+ UInt8(thousandths / 10 % 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(thousandths % 10))
    }

    /// |x| rounded to thousandths, half to even on its exact value: (sign, whole part, thousandths 0...999);
    /// nil when x is not finite or |x| ≥ 1e15.
    ///
    /// The whole part and the fraction f = |x| − ⌊|x|⌋ are exact. p = fl(1000 f) may be rounded, but with e
    /// from a fused multiply-add p + e = 1000 f exactly. Rounding p to the nearest integer r is then right
    /// unless p is exactly halfway between two integers (|p − r| = ½), where the sign of e decides: above,
    /// below, or a true tie (e = 0, kept even). Elsewhere |p − r| ≤ ½ − ulp(p) and |e| ≤ ulp(p)/2, so e
    /// cannot carry the value across a half.
    @inline(__always) static func fixed3Parts(_ x: Double) -> (Bool, UInt, Int)? {
        let a = abs(x)
        guard a < 1e15 else { return nil }   // also false for NaN
        var whole = a.rounded(.down)
        let f = a - whole
        let p = f * 1000
        let e = (-p).addingProduct(f, 1000)
        var r = p.rounded(.toNearestOrEven)
        let d = p - r
        if d == 0.5 || d == -0.5 {
            if e > 0 { r = p + 0.5 } else if e < 0 { r = p - 0.5 }
        }
        var q = Int(r)
        if q == 1000 { q = 0; whole += 1 }
        return (x < 0, UInt(whole), q)
    }
}
