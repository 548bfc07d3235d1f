// Text formatting of numbers and tables for the terminal.
import Foundation
import GridSim

public enum Format {
    /// Thousands separators, fixed decimals.
    public static func number(_ x: Double, decimals: Int = 0) -> String {
        if x.isNaN { return "n/a" }
        if x.isInfinite { return x > 0 ? "∞" : "−∞" }
        let s = String(format: "%.\(decimals)f", abs(x))
        let parts = s.split(separator: ".", maxSplits: 1)
        var intPart = String(parts[0])
        var grouped = ""
        while intPart.count > 3 {
            grouped = "," + intPart.suffix(3) + grouped
            intPart = String(intPart.dropLast(3))
        }
        let sign = x < 0 && s.contains(where: { $0 != "0" && $0 != "." }) ? "-" : ""
        return sign + intPart + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    public static func percent(_ x: Double, decimals: Int = 1) -> String {
        x.isFinite ? number(x * 100, decimals: decimals) + " %" : number(x)
    }

    public static func value(_ x: Double, unit: String) -> String {
        unit == "fraction" ? percent(x, decimals: 2) : number(x, decimals: abs(x) < 100 ? 2 : 0) + " " + unit
    }

    /// A left-aligned first column and right-aligned others.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, v in
                let pad = String(repeating: " ", count: widths[c] - v.count)
                return c == 0 ? v + pad : pad + v
            }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
    }

    /// A table in sections, each under its heading, with rows indented by two spaces; widths are shared
    /// by all sections. When a line would exceed `maxWidth`, the first column is shortened (with "…", to
    /// no less than 12 characters).
    public static func sectionedTable(_ header: [String], _ sections: [(heading: String, rows: [[String]])], maxWidth: Int = .max) -> String {
        let indent = "  "
        let rows = sections.flatMap(\.rows)
        var widths = header.indices.map { c in ([header] + rows).map { $0[c].count + (c == 0 && $0 != header ? indent.count : 0) }.max() ?? 0 }
        let total = widths.reduce(0, +) + 2 * (widths.count - 1)
        if total > maxWidth { widths[0] = max(12, widths[0] - (total - maxWidth)) }
        func fit(_ s: String, _ width: Int) -> String { s.count <= width ? s : String(s.prefix(width - 1)) + "…" }
        func line(_ r: [String], indented: Bool) -> String {
            r.enumerated().map { c, v in
                if c == 0 {
                    let text = fit((indented ? indent : "") + v, widths[0])
                    return text + String(repeating: " ", count: widths[0] - text.count)
                }
                return String(repeating: " ", count: max(0, widths[c] - v.count)) + v
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = [line(header, indented: false), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        for section in sections {
            lines.append(fit(section.heading, maxWidth))
            lines += section.rows.map { line($0, indented: true) }
        }
        return lines.joined(separator: "\n")
    }

    /// Text broken at spaces into lines of at most `width` characters (a longer word stands alone).
    public static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty { current = String(word) }
            else if current.count + 1 + word.count <= width { current += " " + word }
            else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }
}

public enum SummaryText {
    /// The summary `r70 run` prints.
    public static func render(_ s: RunSummary) -> String {
        let n = s.national
        var out = "Scenario \(s.scenario): \(Format.number(s.hours)) h in \(s.steps) steps\n\n"
        let regionNames = s.regions.map(\.name) + ["National"]
        func row(_ label: String, _ perRegion: (RegionSummary) -> String, _ national: String) -> [String] {
            [label] + s.regions.map(perRegion) + [national]
        }
        let twh = { (x: Double) in Format.number(x / 1e6, decimals: 2) }
        let gwh = { (x: Double) in Format.number(x / 1e3, decimals: 1) }
        var rows: [[String]] = [
            row("Demand (TWh)", { twh($0.demandMWh) }, twh(n.demandMWh)),
            row("Energy served (TWh)", { twh($0.servedMWh) }, twh(n.servedMWh)),
            row("Unserved energy (GWh)", { gwh($0.unservedMWh) }, gwh(n.unservedMWh)),
            row("Hours with shortfall", { Format.number($0.shortfallHours, decimals: s.steps > 0 && s.hours / Double(s.steps) < 1 ? 2 : 0) },
                Format.number(n.shortfallHours, decimals: s.steps > 0 && s.hours / Double(s.steps) < 1 ? 2 : 0)),
            row("Days with shortfall", { String($0.shortfallDays) }, String(n.shortfallDays)),
            row("Largest shortfall (MW)", { Format.number($0.largestShortfallMW) }, Format.number(n.largestShortfallMW)),
        ]
        for name in s.demandClasses {
            rows.append(row("  shed \(name) (GWh)", { gwh($0.shedByClassMWh[name] ?? 0) }, gwh(n.shedByClassMWh[name] ?? 0)))
        }
        rows += [
            row("Peak demand (MW)", { Format.number($0.peakDemandMW) }, Format.number(n.peakDemandMW)),
            row("Firm capacity (MW)", { Format.number($0.firmCapacityMW) }, Format.number(n.firmCapacityMW)),
            row("Firm imports (MW)", { Format.number($0.firmImportsMW) }, "—"),
            row("Planning reserve margin (\(n.capacityCredits) credits)", { Format.percent($0.planningReserveMargin) }, Format.percent(n.planningReserveMargin)),
            row("Min hourly operating reserve", { Format.percent($0.minOperatingReserveMargin) }, Format.percent(n.minOperatingReserveMargin)),
            row("Generation (TWh)", { twh($0.generationMWh) }, twh(n.generationMWh)),
            row("Imports received (TWh)", { twh($0.importsReceivedMWh) }, "—"),
            row("Exports sent (TWh)", { twh($0.exportsSentMWh) }, "—"),
            row("Distribution losses (TWh)", { twh($0.distributionLossMWh) }, twh(n.distributionLossMWh)),
            row("Clean-energy share", { Format.percent($0.cleanShare) }, Format.percent(n.cleanShare)),
            row("Emissions (Mt CO2)", { Format.number($0.emissionsT / 1e6, decimals: 2) }, Format.number(n.emissionsT / 1e6, decimals: 2)),
            row("Generation cost (M$)", { Format.number($0.generationCostUSD / 1e6) }, Format.number(n.generationCostUSD / 1e6)),
            row("Demand-response cost (M$)", { Format.number($0.demandResponseCostUSD / 1e6, decimals: 1) }, Format.number(n.demandResponseCostUSD / 1e6, decimals: 1)),
            row("Unserved-energy cost (M$)", { Format.number($0.unservedCostUSD / 1e6, decimals: 1) }, Format.number(n.unservedCostUSD / 1e6, decimals: 1)),
            row("Average price ($/MWh)", { Format.number($0.averagePriceUSDPerMWh, decimals: 1) }, Format.number(n.averagePriceUSDPerMWh, decimals: 1)),
            row("Peak price ($/MWh)", { Format.number($0.peakPriceUSDPerMWh, decimals: 0) }, Format.number(n.peakPriceUSDPerMWh, decimals: 0)),
            row("Curtailed (GWh)", { gwh($0.curtailedMWh) }, gwh(n.curtailedMWh)),
            row("Load shifted by TOU (GWh)", { gwh($0.touShiftedMWh) }, gwh(n.touShiftedMWh)),
            row("Mandatory savings (GWh)", { gwh($0.mandatorySavingsMWh) }, gwh(n.mandatorySavingsMWh)),
            row("  hours imposed", { Format.number($0.mandatorySavingsHours) }, "—"),
            row("Callable DR used (GWh)", { gwh($0.callableResponseMWh) }, gwh(n.callableResponseMWh)),
        ]
        let stepHours = s.steps > 0 ? s.hours / Double(s.steps) : 1
        if stepHours < 1, let at = rows.firstIndex(where: { $0.first == "Hours with shortfall" }) {
            // Sub-hourly steps: the count in steps too (PRAS counts LOLE in periods).
            rows.insert(row("Steps with shortfall", { Format.number(($0.shortfallHours / stepHours).rounded()) }, Format.number((n.shortfallHours / stepHours).rounded())), at: at + 1)
        }
        out += Format.table([""] + regionNames, rows) + "\n\n"
        if let when = n.largestShortfallTime {
            let regional = s.regions.compactMap { r in r.largestShortfallTime.map { "\(r.name) \(Format.number(r.largestShortfallMW)) MW at \($0)" } }
            out += "Largest shortfall: \(Format.number(n.largestShortfallMW)) MW nationally at \(when)"
                + (regional.isEmpty ? "" : " (" + regional.joined(separator: "; ") + ")") + "\n\n"
        }
        out += "National: total cost \(Format.number(n.totalCostUSD / 1e6)) M$ (generation \(Format.number(n.averageGenerationCostUSDPerMWh, decimals: 1)) $/MWh); "
        out += "loss rate \(Format.percent(n.lossRate, decimals: 2)) (500 kV \(gwh(n.transmissionLossMWh)) GWh + distribution \(gwh(n.distributionLossMWh)) GWh)\n\n"
        if !s.corridors.isEmpty {
            out += Format.table(["Corridor", "→ (TWh)", "← (TWh)", "Losses (GWh)", "Utilisation", "Hours at limit"], s.corridors.map {
                ["\($0.name) (\($0.from)–\($0.to))", twh($0.forwardMWh), twh($0.backwardMWh), gwh($0.lossMWh), Format.percent($0.utilisation), Format.number($0.hoursAtLimit)]
            }) + "\n\n"
        }
        if !s.storage.isEmpty {
            out += Format.table(["Storage", "Region", "Discharged (GWh)", "Charged (GWh)", "Cycles"], s.storage.map {
                [$0.name, $0.region, gwh($0.dischargeMWh), gwh($0.chargeMWh), Format.number($0.cycles, decimals: 1)]
            }) + "\n\n"
        }
        if !s.shiftable.isEmpty {
            // (MWh: programmes are small beside the system's GWh; unpaid debt is part of unserved energy, not of any class's shed)
            out += Format.table(["Shiftable DR", "Region", "Deferred (MWh)", "Paid back (MWh)", "Unpaid, unserved (MWh)"], s.shiftable.map {
                [$0.name, $0.region, Format.number($0.borrowedMWh, decimals: 1), Format.number($0.paidBackMWh, decimals: 1), Format.number($0.unpaidMWh, decimals: 1)]
            }) + "\n" + "(Unpaid shifted load is unserved energy beside the classes' shed; with interest the debt grows between deferral and payback.)\n\n"
        }
        if !s.reservoirs.isEmpty {
            out += Format.table(["Reservoir", "Region", "Start (GWh)", "End (GWh)", "Lowest (GWh)", "Lowest (% live)", "Hours at dead level", "Inflow (GWh)", "Generated (GWh)", "Spilled (GWh)"], s.reservoirs.map {
                [$0.name, $0.region, gwh($0.initialMWh), gwh($0.endMWh), gwh($0.lowestMWh), Format.percent($0.lowestLiveFraction),
                 Format.number($0.hoursAtDeadLevel), gwh($0.inflowMWh), gwh($0.generationMWh), gwh($0.spilledMWh)]
            }) + "\n" + "(Levels in GWh-equivalent, water counted as the energy it would generate, at the end of each step; live storage is the water above the dead level; hours at dead level count the steps that end there.)\n\n"
        }
        if !s.fuels.isEmpty {
            out += Format.table(["Fuel", "Burnt (kt)", "Lowest stock (kt)", "Lowest (days)", "Reserve drawn (kt)", "Fuel-limited plant-h", "Spot cargoes", "Cargo lost, full (kt)", "Supply not taken, full (kt)"], s.fuels.map {
                [$0.name, Format.number($0.burnT / 1e3), Format.number($0.lowestStockT / 1e3), Format.number($0.lowestStockDays, decimals: 1),
                 Format.number($0.strategicReserveDrawnT / 1e3, decimals: 1), Format.number($0.fuelLimitedPlantHours), Format.number($0.spotCargoes), Format.number($0.deliveriesLostToFullStorageT / 1e3),
                 Format.number($0.supplyNotTakenT / 1e3)]
            }) + "\n"
        }
        return out
    }

    public static func targets(_ results: [TargetResult]) -> String {
        let withProbability = results.contains { $0.probabilityHolds != nil }
        return Format.table(["Target", "Value", "Limit", "Margin"] + (withProbability ? ["P(holds)"] : []) + ["Result"], results.map {
            [$0.name, Format.value($0.value, unit: $0.unit), ($0.kind == "min" ? "≥ " : "≤ ") + Format.value($0.threshold, unit: $0.unit),
             Format.value($0.margin, unit: $0.unit)] + (withProbability ? [$0.probabilityHolds.map { Format.percent($0) } ?? "—"] : [])
                + [$0.passed ? "pass" : "FAIL"]
        })
    }
}
