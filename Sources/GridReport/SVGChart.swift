// Charts as inline SVG, drawn by r70 itself: axes with round ticks and units, line, stacked-area, heat-map,
// histogram and error-bar charts. Every data element has the class "mark" (the browser test checks that
// each chart draws some), and every chart has a title and a description for screen readers.
import Foundation

enum SVG {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate with one decimal (enough on a 640-unit canvas, and short).
    static func c(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// Round tick values covering lo...hi (about `count` of them).
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo.isFinite ? lo : 0] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var t = (lo / step).rounded(.up) * step, out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    /// A value in a sentence or a label: three significant figures below 100, whole numbers above.
    static func short(_ v: Double) -> String {
        let a = abs(v)
        return Format.number(v, decimals: a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3)
    }

    /// A tick label: thousands separators, and as few decimals as the step needs to be exact (0.025 keeps
    /// three, so ticks at 0.025 apart read 0.025, 0.050, 0.075).
    static func label(_ v: Double, step: Double) -> String {
        var decimals = 0
        while decimals < 6 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) < 1e-9 * max(1, scaled) { break }
            decimals += 1
        }
        return Format.number(v, decimals: decimals)
    }

    /// The unit a quantity is shown in, for values up to `magnitude` in `unit`: fractions and probabilities
    /// in %, energy in MWh, GWh or TWh, mass in t, kt or Mt, money in $, k$, M$ or B$, power in MW or GW.
    static func display(_ unit: String, magnitude m: Double) -> (scale: Double, unit: String) {
        switch unit {
        case "fraction", "probability": return (100, "%")
        case "MWh": return m >= 1e6 ? (1e-6, "TWh") : m >= 1e3 ? (1e-3, "GWh") : (1, "MWh")
        case "t": return m >= 1e6 ? (1e-6, "Mt") : m >= 1e3 ? (1e-3, "kt") : (1, "t")
        case "USD": return m >= 1e9 ? (1e-9, "B$") : m >= 1e6 ? (1e-6, "M$") : m >= 1e3 ? (1e-3, "k$") : (1, "$")
        case "MW": return m >= 1e5 ? (1e-3, "GW") : (1, "MW")
        default: return (1, unit)
        }
    }

    /// The unit of a scenario key, from its name's suffix (`power_mw` → MW), or nil.
    static func unit(ofKey path: String) -> String? {
        let key = path.split(separator: ".").last.map(String.init) ?? path
        for (suffix, unit) in [("_mwh", "MWh"), ("_mw", "MW"), ("_t", "t"), ("_fraction", "fraction"), ("_hours", "h"), ("_days", "days"),
                               ("_usd_per_mwh", "$/MWh"), ("_usd_per_gj", "$/GJ"), ("_mt", "Mt"), ("_gw", "GW")] where key.hasSuffix(suffix) {
            return unit
        }
        return nil
    }

    /// Fills that read on white and stay apart for colour-blind readers where possible (technology colours
    /// are the same in every chart).
    static func colour(_ key: String) -> String {
        switch key {
        case "coal": return "#4a4a4a"
        case "domestic_gas": return "#d9822b"
        case "lng": return "#f2b266"
        case "oil": return "#8c564b"
        case "hydro_reservoir": return "#1f5fa8"
        case "run_of_river": return "#6baed6"
        case "solar": return "#f2c12e"
        case "onshore_wind": return "#2a9d8f"
        case "offshore_wind": return "#17665e"
        case "biomass": return "#5a8f29"
        case "nuclear": return "#7b4fa0"
        case "imports": return "#b5a58c"
        case "flexible": return "#c994c7"
        case "storage": return "#c2185b"
        case "corridor": return "#cfcfcf"
        case "response": return "#80cdc1"
        case "shed": return "#d62728"
        case "before": return "#7f7f7f"
        case "after": return "#1f5fa8"
        case "limit": return "#d62728"
        case "demand": return "#000000"
        default:
            if key.hasPrefix("region"), let i = Int(key.dropFirst(6)) { return palette[i % palette.count] }
            if key.hasPrefix("series"), let i = Int(key.dropFirst(6)) { return palette[i % palette.count] }
            return "#555555"
        }
    }

    static let palette = ["#1f5fa8", "#d9822b", "#2a9d8f", "#c2185b", "#7b4fa0", "#5a8f29", "#8c564b", "#4a4a4a"]
}

/// One chart's frame: the plot area, its scales and axes.
struct Plot {
    var width = 640.0, height = 300.0
    var left = 70.0, right = 26.0, top = 14.0, bottom = 46.0
    var xLo: Double, xHi: Double, yLo: Double, yHi: Double
    var xLabel: String, yLabel: String
    /// Tick positions and labels for x when they are not numbers (months, hours, dates).
    var xTickLabels: [(Double, String)]? = nil

    init(x: (Double, Double), y: (Double, Double), xLabel: String, yLabel: String, xTicks: [(Double, String)]? = nil) {
        xLo = x.0; xHi = x.1 > x.0 ? x.1 : x.0 + 1
        var lo = y.0, hi = y.1
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if hi <= lo { hi = lo + max(1, abs(lo) * 0.1) }
        // Round the value range out to ticks.
        let t = SVG.ticks(lo, hi)
        let step = t.count > 1 ? t[1] - t[0] : (hi - lo)
        yLo = min(lo, ((lo / step).rounded(.down)) * step)
        yHi = max(hi, ((hi / step).rounded(.up)) * step)
        self.xLabel = xLabel; self.yLabel = yLabel; xTickLabels = xTicks
    }

    func px(_ v: Double) -> Double { left + (v - xLo) / (xHi - xLo) * (width - left - right) }
    func py(_ v: Double) -> Double { top + (yHi - v) / (yHi - yLo) * (height - top - bottom) }

    /// Grid, ticks and axis titles.
    func axes() -> String {
        var s = ""
        let yt = SVG.ticks(yLo, yHi)
        let ystep = yt.count > 1 ? yt[1] - yt[0] : 1
        for v in yt {
            let y = SVG.c(py(v))
            s += "<line class=\"gridline\" x1=\"\(SVG.c(left))\" x2=\"\(SVG.c(width - right))\" y1=\"\(y)\" y2=\"\(y)\"/>"
            s += "<text class=\"tick\" x=\"\(SVG.c(left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(SVG.escape(SVG.label(v, step: ystep)))</text>"
        }
        let xt: [(Double, String)]
        if let given = xTickLabels { xt = given } else {
            let t = SVG.ticks(xLo, xHi, count: 6)
            let step = t.count > 1 ? t[1] - t[0] : 1
            xt = t.map { ($0, SVG.label($0, step: step)) }
        }
        let base = SVG.c(height - bottom)
        s += "<line class=\"axis\" x1=\"\(SVG.c(left))\" x2=\"\(SVG.c(width - right))\" y1=\"\(base)\" y2=\"\(base)\"/>"
        s += "<line class=\"axis\" x1=\"\(SVG.c(left))\" x2=\"\(SVG.c(left))\" y1=\"\(SVG.c(top))\" y2=\"\(base)\"/>"
        for (v, text) in xt where v >= xLo - 1e-9 && v <= xHi + 1e-9 {
            let x = SVG.c(px(v))
            s += "<line class=\"axis\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(base)\" y2=\"\(SVG.c(height - bottom + 4))\"/>"
            s += "<text class=\"tick\" x=\"\(x)\" y=\"\(SVG.c(height - bottom + 16))\" text-anchor=\"middle\">\(SVG.escape(text))</text>"
        }
        s += "<text class=\"axis-title\" x=\"\(SVG.c((left + width - right) / 2))\" y=\"\(SVG.c(height - 6))\" text-anchor=\"middle\">\(SVG.escape(xLabel))</text>"
        s += "<text class=\"axis-title\" transform=\"translate(14 \(SVG.c((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(SVG.escape(yLabel))</text>"
        return s
    }

    /// A polyline through the finite points (a gap where a value is not finite).
    func path(_ points: [(Double, Double)]) -> String {
        var d = "", pen = false
        for (x, y) in points {
            guard x.isFinite, y.isFinite else { pen = false; continue }
            d += (pen ? "L" : "M") + SVG.c(px(x)) + " " + SVG.c(py(max(yLo, min(yHi, y))))
            pen = true
        }
        return d
    }
}

/// A line to draw: its points, colour and style.
struct Line {
    var name: String
    var colour: String
    var points: [(Double, Double)]
    var dashed = false
    var width = 1.8
}

/// A chart in its figure: a heading that states the finding, the SVG, and a legend.
struct Figure {
    var id: String
    var title: String
    var svg: String
    var legend: [(String, String)] = []
    var note: String? = nil
    var wide = false

    func html() -> String {
        var s = "<figure class=\"card\(wide ? " wide" : "")\" id=\"\(SVG.escape(id))\"><h3>\(SVG.escape(title))</h3>"
        s += svg
        if !legend.isEmpty {
            s += "<figcaption class=\"legend\">" + legend.map { "<span><i style=\"background:\(SVG.colour($0.1))\"></i>\(SVG.escape($0.0))</span>" }.joined() + "</figcaption>"
        }
        if let note { s += "<p class=\"note\">\(SVG.escape(note))</p>" }
        return s + "</figure>"
    }
}

enum Chart {
    static func svg(_ plot: Plot, id: String, description: String, body: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(SVG.c(plot.width)) \(SVG.c(plot.height))\" role=\"img\" aria-labelledby=\"\(id)-d\">"
            + "<desc id=\"\(id)-d\">\(SVG.escape(description))</desc>" + plot.axes() + body + "</svg>"
    }

    /// Lines, over shaded bands (a range between a lower and an upper line, e.g. a day's lowest and highest).
    static func lines(_ lines: [Line], bands: [(name: String, colour: String, x: [Double], lower: [Double], upper: [Double])] = [],
                      id: String, description: String, xLabel: String, yLabel: String,
                      xTicks: [(Double, String)]? = nil, yFloor: Double? = nil, extraY: [Double] = []) -> String {
        let xs = (lines.flatMap { $0.points.map(\.0) } + bands.flatMap(\.x)).filter(\.isFinite)
        var ys = (lines.flatMap { $0.points.map(\.1) } + bands.flatMap { $0.lower + $0.upper }).filter(\.isFinite) + extraY
        if let yFloor { ys.append(yFloor) }
        let plot = Plot(x: (xs.min() ?? 0, xs.max() ?? 1), y: (ys.min() ?? 0, ys.max() ?? 1), xLabel: xLabel, yLabel: yLabel, xTicks: xTicks)
        var body = ""
        for b in bands {
            let idx = b.x.indices.filter { b.lower[$0].isFinite && b.upper[$0].isFinite }
            guard !idx.isEmpty else { continue }
            var d = "M" + idx.map { SVG.c(plot.px(b.x[$0])) + " " + SVG.c(plot.py(b.upper[$0])) }.joined(separator: "L")
            d += "L" + idx.reversed().map { SVG.c(plot.px(b.x[$0])) + " " + SVG.c(plot.py(b.lower[$0])) }.joined(separator: "L") + "Z"
            body += "<path class=\"mark\" d=\"\(d)\" fill=\"\(SVG.colour(b.colour))\" fill-opacity=\"0.28\" stroke=\"none\"><title>\(SVG.escape(b.name))</title></path>"
        }
        for l in lines {
            let d = plot.path(l.points)
            guard !d.isEmpty else { continue }
            let finite = l.points.filter { $0.0.isFinite && $0.1.isFinite }
            if finite.count == 1 {   // a line of one point (a horizon of one day, a single value): a dot
                body += "<circle class=\"mark\" cx=\"\(SVG.c(plot.px(finite[0].0)))\" cy=\"\(SVG.c(plot.py(finite[0].1)))\" r=\"3.5\" fill=\"\(SVG.colour(l.colour))\"><title>\(SVG.escape(l.name))</title></circle>"
                continue
            }
            body += "<path class=\"mark\" d=\"\(d)\" fill=\"none\" stroke=\"\(SVG.colour(l.colour))\" stroke-width=\"\(l.width)\"\(l.dashed ? " stroke-dasharray=\"6 4\"" : "")><title>\(SVG.escape(l.name))</title></path>"
        }
        return svg(plot, id: id, description: description, body: body)
    }

    /// Layers stacked from the bottom at x = 0, 1, 2 … (one per value), and lines over them.
    static func stacked(_ layers: [Series], lines: [Line], id: String, description: String, xLabel: String, yLabel: String,
                        xTicks: [(Double, String)]) -> String {
        let n = layers.first?.values.count ?? lines.first?.points.count ?? 0
        var top = [Double](repeating: 0, count: n)
        for l in layers { for i in 0..<min(n, l.values.count) { top[i] += max(0, l.values[i]) } }
        let ymax = max(top.max() ?? 1, lines.flatMap { $0.points.map(\.1) }.max() ?? 0)
        let plot = Plot(x: (0, Double(max(1, n - 1))), y: (0, ymax), xLabel: xLabel, yLabel: yLabel, xTicks: xTicks)
        var lower = [Double](repeating: 0, count: n), body = ""
        for l in layers {
            var upper = lower
            for i in 0..<min(n, l.values.count) { upper[i] += max(0, l.values[i]) }
            var d = "M" + (0..<n).map { SVG.c(plot.px(Double($0))) + " " + SVG.c(plot.py(upper[$0])) }.joined(separator: "L")
            d += "L" + (0..<n).reversed().map { SVG.c(plot.px(Double($0))) + " " + SVG.c(plot.py(lower[$0])) }.joined(separator: "L") + "Z"
            body += "<path class=\"mark\" d=\"\(d)\" fill=\"\(SVG.colour(l.colour))\" stroke=\"none\"><title>\(SVG.escape(l.name))</title></path>"
            lower = upper
        }
        for l in lines {
            body += "<path class=\"mark\" d=\"\(plot.path(l.points))\" fill=\"none\" stroke=\"\(SVG.colour(l.colour))\" stroke-width=\"\(l.width)\"\(l.dashed ? " stroke-dasharray=\"5 3\"" : "")><title>\(SVG.escape(l.name))</title></path>"
        }
        return svg(plot, id: id, description: description, body: body)
    }

    /// A grid of cells coloured by value (white → deep red), with the value range in the description.
    static func heatMap(_ values: [[Double]], rowLabels: [String], columnLabels: [String], id: String, description: String,
                        xLabel: String, yLabel: String, unit: String) -> String {
        let rows = values.count, cols = values.first?.count ?? 0
        let width = 640.0, left = 70.0, right = 14.0, top = 26.0, bottom = 64.0
        let cellW = (width - left - right) / Double(max(1, cols)), cellH = max(18, min(40, 240 / Double(max(1, rows))))
        let height = top + cellH * Double(rows) + bottom
        let vmax = values.flatMap { $0 }.filter(\.isFinite).max() ?? 0
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(SVG.c(width)) \(SVG.c(height))\" role=\"img\" aria-labelledby=\"\(id)-d\"><desc id=\"\(id)-d\">\(SVG.escape(description))</desc>"
        for r in 0..<rows {
            let y = top + Double(r) * cellH
            s += "<text class=\"tick\" x=\"\(SVG.c(left - 6))\" y=\"\(SVG.c(y + cellH / 2))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(SVG.escape(rowLabels[r]))</text>"
            for c in 0..<cols {
                let v = values[r][c]
                let f = vmax > 0 && v.isFinite ? v / vmax : 0
                s += "<rect class=\"mark\" x=\"\(SVG.c(left + Double(c) * cellW))\" y=\"\(SVG.c(y))\" width=\"\(SVG.c(cellW + 0.3))\" height=\"\(SVG.c(cellH + 0.3))\" fill=\"\(heat(f))\"><title>\(SVG.escape(rowLabels[r])), \(SVG.escape(columnLabels[c])): \(Format.number(v, decimals: v < 10 ? 2 : 0)) \(SVG.escape(unit))</title></rect>"
            }
        }
        let base = top + cellH * Double(rows)
        for c in 0..<cols where cols <= 24 || c % max(1, cols / 12) == 0 {
            s += "<text class=\"tick\" x=\"\(SVG.c(left + (Double(c) + 0.5) * cellW))\" y=\"\(SVG.c(base + 14))\" text-anchor=\"middle\">\(SVG.escape(columnLabels[c]))</text>"
        }
        s += "<text class=\"axis-title\" x=\"\(SVG.c((left + width - right) / 2))\" y=\"\(SVG.c(base + 32))\" text-anchor=\"middle\">\(SVG.escape(xLabel))</text>"
        s += "<text class=\"axis-title\" x=\"4\" y=\"14\">rows: \(SVG.escape(yLabel))</text>"
        // The colour scale.
        let scaleX = left, scaleW = 200.0, scaleY = base + 42
        for i in 0..<20 {
            s += "<rect x=\"\(SVG.c(scaleX + Double(i) * scaleW / 20))\" y=\"\(SVG.c(scaleY))\" width=\"\(SVG.c(scaleW / 20 + 0.3))\" height=\"10\" fill=\"\(heat(Double(i) / 19))\"/>"
        }
        s += "<text class=\"tick\" x=\"\(SVG.c(scaleX + scaleW + 6))\" y=\"\(SVG.c(scaleY + 9))\">0 to \(Format.number(vmax, decimals: vmax < 10 ? 2 : 0)) \(SVG.escape(unit))</text>"
        return s + "</svg>"
    }

    /// White through amber to deep red; f in 0...1 (0 exactly is white: nothing there).
    static func heat(_ f: Double) -> String {
        if f <= 0 { return "#ffffff" }
        let stops: [(Double, (Double, Double, Double))] = [(0, (255, 245, 220)), (0.35, (253, 174, 97)), (0.7, (215, 48, 39)), (1, (103, 0, 13))]
        var i = 0
        while i < stops.count - 2 && f > stops[i + 1].0 { i += 1 }
        let (a, ca) = stops[i], (b, cb) = stops[i + 1]
        let u = max(0, min(1, (f - a) / (b - a)))
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * u).rounded()) }
        return String(format: "#%02x%02x%02x", mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2))
    }

    /// Bars over [lo, hi) bins of a distribution (counts as shares of trials).
    static func histogram(_ bins: [(lo: Double, hi: Double, share: Double)], id: String, description: String, xLabel: String,
                          markers: [(Double, String)] = []) -> String {
        let plot = Plot(x: (bins.first?.lo ?? 0, bins.last?.hi ?? 1), y: (0, (bins.map(\.share).max() ?? 0) * 100), xLabel: xLabel, yLabel: "share of trial years (%)")
        var body = ""
        for b in bins where b.share > 0 {
            let x0 = plot.px(b.lo), x1 = plot.px(b.hi), y = plot.py(b.share * 100)
            body += "<rect class=\"mark\" x=\"\(SVG.c(x0))\" y=\"\(SVG.c(y))\" width=\"\(SVG.c(max(1, x1 - x0 - 1)))\" height=\"\(SVG.c(plot.py(0) - y))\" fill=\"#1f5fa8\"><title>\(Format.number(b.lo)) to \(Format.number(b.hi)): \(Format.number(b.share * 100, decimals: 1)) %</title></rect>"
        }
        for (v, text) in markers where v.isFinite {
            let x = SVG.c(plot.px(v))
            body += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(SVG.c(plot.top))\" y2=\"\(SVG.c(plot.py(0)))\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"
            body += "<text class=\"tick\" x=\"\(x)\" y=\"\(SVG.c(plot.top + 10))\" dx=\"4\">\(SVG.escape(text))</text>"
        }
        return svg(plot, id: id, description: description, body: body)
    }

    /// Points with 95 % error bars (±1.96 standard errors; clipped at 0 for a quantity that cannot be
    /// negative), joined per line unless `connect` is false (a scatter).
    static func errorBars(_ lines: [(name: String, colour: String, points: [(x: Double, y: Double, se: Double?)])], id: String,
                          description: String, xLabel: String, yLabel: String, clipAtZero: Bool = false, connect: Bool = true) -> String {
        func bounds(_ p: (x: Double, y: Double, se: Double?)) -> (Double, Double) {
            let half: Double = 1.96 * (p.se ?? 0)
            return (clipAtZero ? max(0, p.y - half) : p.y - half, p.y + half)
        }
        let xs = lines.flatMap { $0.points.map(\.x) }
        var ys: [Double] = []
        for l in lines { for p in l.points { let (lo, hi) = bounds(p); if lo.isFinite { ys.append(lo) }; if hi.isFinite { ys.append(hi) } } }
        let plot = Plot(x: (xs.min() ?? 0, xs.max() ?? 1), y: (min(0, ys.min() ?? 0), ys.max() ?? 1), xLabel: xLabel, yLabel: yLabel)
        var body = ""
        for l in lines {
            let colour = SVG.colour(l.colour)
            let sorted = l.points.sorted { $0.x < $1.x }
            if connect && sorted.count > 1 { body += "<path class=\"mark\" d=\"\(plot.path(sorted.map { ($0.x, $0.y) }))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\"/>" }
            for p in sorted where p.y.isFinite {
                let x = SVG.c(plot.px(p.x))
                if let se = p.se, se > 0, se.isFinite {
                    let (lo, hi) = bounds(p)
                    body += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(SVG.c(plot.py(lo)))\" y2=\"\(SVG.c(plot.py(hi)))\" stroke=\"\(colour)\" stroke-width=\"1.2\"/>"
                }
                body += "<circle class=\"mark\" cx=\"\(x)\" cy=\"\(SVG.c(plot.py(p.y)))\" r=\"3.2\" fill=\"\(colour)\"><title>\(SVG.escape(l.name)): \(SVG.short(p.y))\(p.se.map { " ± " + SVG.short(1.96 * $0) } ?? "") at \(SVG.short(p.x))</title></circle>"
            }
        }
        return svg(plot, id: id, description: description, body: body)
    }
}
