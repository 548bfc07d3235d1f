// The r70 scenario format: the one table behind the decoder, docs/scenario-format.md and `r70 schema`.
// Defaults say where they come from: "brief §N" is ../shared/data/vietnam-power-brief.md; S = stated by a
// source, D = derived from sourced figures, E = an estimate or modelling assumption.

public enum Technology: String, CaseIterable, Sendable {
    case coal, domesticGas = "domestic_gas", lng, oil, hydroReservoir = "hydro_reservoir", runOfRiver = "run_of_river"
    case solar, onshoreWind = "onshore_wind", offshoreWind = "offshore_wind", biomass, nuclear, imports, flexible

    /// Documented defaults per technology.
    public struct Defaults: Sendable {
        public var capacityCredit: Double
        public var forcedOutageRate: Double
        public var meanTimeToRepairHours: Double
        public var emissionTPerMWh: Double
        public var clean: Bool
        public var source: String
    }

    public var defaults: Defaults {
        switch self {
        case .coal: return .init(capacityCredit: 0.85, forcedOutageRate: 0.09, meanTimeToRepairHours: 50, emissionTPerMWh: 0.90, clean: false,
                                 source: "credit brief §1.3 (E); FOR brief §10 coal 8–10 % (E/L); MTTR E; emissions brief §11 sub/supercritical 0.95/0.85 (D)")
        case .domesticGas: return .init(capacityCredit: 0.80, forcedOutageRate: 0.045, meanTimeToRepairHours: 40, emissionTPerMWh: 0.37, clean: false,
                                        source: "credit brief §1.3 (E); FOR brief §10 CCGT 4–5 % (E/L); emissions brief §11 (D)")
        case .lng: return .init(capacityCredit: 0.88, forcedOutageRate: 0.045, meanTimeToRepairHours: 40, emissionTPerMWh: 0.32, clean: false,
                                source: "credit brief §1.3 (E); FOR brief §10 CCGT (E/L); emissions brief §11 H-class (D)")
        case .oil: return .init(capacityCredit: 0.85, forcedOutageRate: 0.06, meanTimeToRepairHours: 30, emissionTPerMWh: 0.80, clean: false,
                                source: "credit and FOR E; emissions brief §11 oil OCGT (D)")
        case .hydroReservoir: return .init(capacityCredit: 0.55, forcedOutageRate: 0.025, meanTimeToRepairHours: 24, emissionTPerMWh: 0, clean: true,
                                           source: "credit brief §1.3 dry season (E); FOR brief §10 hydro 2–3 % (E/L)")
        case .runOfRiver: return .init(capacityCredit: 0.30, forcedOutageRate: 0.025, meanTimeToRepairHours: 24, emissionTPerMWh: 0, clean: true,
                                       source: "credit E; FOR brief §10 hydro (E/L)")
        case .solar: return .init(capacityCredit: 0, forcedOutageRate: 0, meanTimeToRepairHours: 24, emissionTPerMWh: 0, clean: true,
                                  source: "credit brief §1.3 (0 at the evening peak, E); outages of many small units average out (E)")
        case .onshoreWind: return .init(capacityCredit: 0.10, forcedOutageRate: 0.02, meanTimeToRepairHours: 48, emissionTPerMWh: 0, clean: true,
                                        source: "credit brief §1.3 (E); FOR E")
        case .offshoreWind: return .init(capacityCredit: 0.25, forcedOutageRate: 0.03, meanTimeToRepairHours: 96, emissionTPerMWh: 0, clean: true,
                                         source: "credit brief §1.3 (E); FOR E")
        case .biomass: return .init(capacityCredit: 0.60, forcedOutageRate: 0.08, meanTimeToRepairHours: 40, emissionTPerMWh: 0, clean: true,
                                    source: "credit brief §1.3 (E); FOR E; biogenic CO2 counted as zero (E)")
        case .nuclear: return .init(capacityCredit: 0.90, forcedOutageRate: 0.05, meanTimeToRepairHours: 120, emissionTPerMWh: 0, clean: true,
                                    source: "credit and FOR E")
        case .imports: return .init(capacityCredit: 0.70, forcedOutageRate: 0.02, meanTimeToRepairHours: 24, emissionTPerMWh: 0, clean: false,
                                    source: "credit brief §1.3 (E); emissions counted where generated (E); not counted as clean (E)")
        case .flexible: return .init(capacityCredit: 0.90, forcedOutageRate: 0.05, meanTimeToRepairHours: 24, emissionTPerMWh: 0.55, clean: false,
                                     source: "credit brief §1.3 (E); FOR E; gas engines ≈0.55 t/MWh (E)")
        }
    }

    public var isVariableRenewable: Bool { [.solar, .onshoreWind, .offshoreWind, .runOfRiver].contains(self) }
}

public enum ScenarioSchema {
    static let tech = FieldType.enumeration(Technology.allCases.map(\.rawValue))

    static let profile = ObjectSchema("Profile", doc: "An hourly series read from a CSV file with a header row: one value per hour of the horizon (or 8,760/8,784 hours, read from the horizon's day of year). Values must be finite and non-negative. The file is RFC 4180 CSV in UTF-8: fields may be quoted (a quote inside doubled, commas and line ends allowed inside quotes), lines may end in CRLF, and every row has as many fields as the header.", fields: [
        FieldSchema("file", .path, required: true, "CSV file, relative to the scenario file."),
        FieldSchema("column", .string, required: true, "Header of the column to read."),
    ])

    static let demand = ObjectSchema("Demand", doc: "A region's hourly demand at the grid supply points (where NSMO measures load and Pmax), before distribution losses are taken out. Give `annual_energy_mwh`, `peak_mw`, or both: with both, the shape is raised to a power (d = P·(s / max s)^γ, γ solved) so that both hold and demand stays positive. Peak and energy refer to the shape's reference period: the horizon's start year for built-in shapes and full-year profiles (8,760/8,784 rows), the horizon itself for a profile with exactly one row per hour of the horizon (energy then pro rata to its hours).", fields: [
        FieldSchema("annual_energy_mwh", .number(NumberRange(min: 0, max: 1e10, minExclusive: true)), "Energy over a full year of the shape, in the base year (at most 10,000 TWh: more than any national system)."),
        FieldSchema("peak_mw", .number(NumberRange(min: 0, max: 1e6, minExclusive: true)), "Peak hourly demand in the base year (at most 1,000 GW)."),
        FieldSchema("shape", .enumeration(["vn-north", "vn-central", "vn-south", "flat"]), default: "flat",
                    "Built-in hourly shape: month × hour load shapes of Vietnam's North (VN00), Central (VN02) and South (VN05) zones from SWITCH-Vietnam (brief §8, `load_shape_switch_vietnam.csv`), with weekends at 0.95 (Saturday) and 0.90 (Sunday) of weekdays (E). Ignored when `profile` is given."),
        FieldSchema("profile", .object(profile), "An hourly shape from a CSV file instead of a built-in one."),
        FieldSchema("base_year", .integer(NumberRange(min: 1990, max: 2100)), "Year the energy and peak refer to; default: the horizon's year."),
        FieldSchema("growth_fraction_per_year", .number(NumberRange(min: -0.5, max: 1)), default: "0", "Demand growth from the base year to the horizon's year (0.105 = 10.5 %/yr; brief §1.2 implies ≈10.5 %/yr 2025→2030, D)."),
    ])

    static let availabilityDoc = "Availability: a constant `availability`, twelve `availability_monthly` values, or an `availability_profile` (one of them)."

    static let reservoir = ObjectSchema("Reservoir", doc: "A reservoir (or a cascade) with a level carried from month to month, counted in MWh-equivalent (water as the energy it would generate). Each step the level rises by the inflow (the hydro block's monthly figures, spread evenly over the month's hours and scaled by the trial's hydrological class) and falls by generation and spill; nothing is generated below the dead level, and what would rise above `max_mwh` is spilled. Dispatch: once per plan, a guide level path is computed on the scenario's own year by water-filling the expected regional net load day by day within the level limits (release where net load is highest, no spill a release could avoid, the end level reached), and every Monte Carlo trial follows it whatever its hydrological class; each day the plant's budget is the guide's release plus a seventh of its level's gap to the guide, spent in the day's highest net-load hours at its own cost; water beyond the budget is offered only in scarcity (at `storage_reliability_fraction_of_voll` × lowest VOLL). See the README.", fields: [
        FieldSchema("max_mwh", .number(.positive), required: true, "Level at the normal (full) water level, MWh-equivalent."),
        FieldSchema("dead_mwh", .number(.nonNegative), default: "0", "Level at the dead level: water below it cannot be released through the turbines (0: levels counted from the dead level)."),
        FieldSchema("initial_mwh", .number(.nonNegative), required: true, "Level at the start of the horizon (between the dead and the maximum level)."),
        FieldSchema("end_mwh", .number(.nonNegative), "Level the plan aims to leave at the end of the horizon (between the dead and the maximum level); default: the initial level (a year's plan neither borrows from nor leaves water to the next)."),
        FieldSchema("min_release_mw", .number(.nonNegative), default: "0", "Minimum release (environmental and downstream needs), MW-equivalent: must-run through the turbines while they are available (above demand, forced over-generation, as any must-run), the rest spilled, as long as there is water above the dead level."),
    ])

    static let hydro = ObjectSchema("Hydro", doc: "Reservoir hydro: without `reservoir`, the energy the reservoirs can release each month (unused energy does not carry over). With `reservoir`, the monthly figures are the inflows and the level carries over. Express a dry year or a wet year with other monthly figures.", fields: [
        FieldSchema("monthly_energy_mwh", .numberList(count: 12, .nonNegative), "Energy available (or, with `reservoir`, flowing in) in each month, January first."),
        FieldSchema("monthly_capacity_factor", .numberList(count: 12, .fraction), "Alternative: energy of each month as a fraction of nameplate × hours (brief §10 gives northern fractions, E/L-M)."),
        FieldSchema("reservoir", .object(reservoir), "A level with carry-over, dead and maximum levels, spill and minimum release."),
    ])

    static let plant = ObjectSchema("Plant", doc: "A group of identical generating units of one technology in one region. \(availabilityDoc) Marginal cost is `marginal_cost_usd_per_mwh`, or fuel price × heat rate + variable O&M (the fuel price comes from the fuel stock when the plant burns from one).", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("technology", tech, required: true, "Technology; sets the defaults of capacity credit, outage rate, repair time, emissions and `clean` (see the technology table in the README)."),
        FieldSchema("units", .integer(NumberRange(min: 0, max: 10_000)), default: "1", "Number of units (at most 10,000: split larger fleets into several plants)."),
        FieldSchema("unit_size_mw", .number(NumberRange(min: 0, max: 100_000)), required: true, "Net capacity of one unit (at most 100 GW, for aggregated blocks)."),
        FieldSchema("marginal_cost_usd_per_mwh", .number(.nonNegative), "Marginal cost, directly."),
        FieldSchema("fuel_price_usd_per_gj", .number(.nonNegative), "Fuel price, when the plant does not burn from a fuel stock."),
        FieldSchema("heat_rate_gj_per_mwh", .number(.positive), "Heat rate (fuel energy per MWh generated)."),
        FieldSchema("vom_usd_per_mwh", .number(.nonNegative), default: "0", "Variable operation and maintenance cost."),
        FieldSchema("fuel", .string, "Name of the fuel stock the plant burns from (needs `heat_rate_gj_per_mwh`)."),
        FieldSchema("emission_t_per_mwh", .number(.nonNegative), "CO2 per MWh; default by technology (brief §11)."),
        FieldSchema("availability", .number(.fraction), "Constant fraction of capacity available (weather, maintenance)."),
        FieldSchema("availability_monthly", .numberList(count: 12, .fraction), "Fraction available in each month."),
        FieldSchema("availability_profile", .object(profile), "Hourly fraction available (0…1), e.g. a solar or wind profile."),
        FieldSchema("forced_outage_rate", .number(NumberRange(min: 0, max: 1, maxExclusive: true)), "Probability that a unit is on forced outage; default by technology (brief §10, E/L). The deterministic run derates capacity by it; the Monte Carlo draws outages."),
        FieldSchema("mean_time_to_repair_hours", .number(.positive), "Mean duration of a forced outage; default by technology (E)."),
        FieldSchema("capacity_credit", .number(.fraction), "Fraction of capacity counted as firm for the planning reserve margin; default by technology (brief §1.3, E)."),
        FieldSchema("min_output_mw", .number(.nonNegative), default: "0", "Must-run output of the whole group while available (e.g. minimum hydro release)."),
        FieldSchema("min_output_monthly_mw", .numberList(count: 12, .nonNegative), "Must-run output by month, January first (e.g. coal units kept on for voltage support or minimum stable generation in the dry season), instead of min_output_mw."),
        FieldSchema("maintenance_fraction_monthly", .numberList(count: 12, .fraction), "Fraction of the units out for planned maintenance in each month, January first: a scheduled outage, the same in every Monte Carlo trial, applied to the availability (forced outages are drawn on all units)."),
        FieldSchema("behind_the_meter", .boolean, default: "false", "Rooftop solar (or wind) behind the meter: its whole available output lowers the load the grid serves; it is never dispatched or curtailed by the grid, and has no capacity credit unless `capacity_credit` is given."),
        FieldSchema("hydro", .object(hydro), "Reservoir energy; required for `hydro_reservoir`."),
        FieldSchema("clean", .boolean, "Counts towards the clean-energy share; default by technology."),
        FieldSchema("follows_hydrology", .boolean, "Scaled by the trial year's hydrological class (its energy_factor): a reservoir's monthly energy, any other plant's available MW. Default: true for hydro_reservoir and run_of_river, false otherwise (set it on imports of hydro power, for instance)."),
    ])

    static let callable = ObjectSchema("CallableProgram", doc: "A demand-response program the system operator can call.", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("capacity_mw", .number(.nonNegative), required: true, "Load reduction when called."),
        FieldSchema("cost_usd_per_mwh", .number(.nonNegative), default: "300", "Payment per MWh not consumed (E)."),
        FieldSchema("max_hours_per_day", .number(NumberRange(min: 0, max: 24)), default: "4", "Hours it can be called per day (E)."),
    ])

    static let mandatory = ObjectSchema("MandatorySavings", doc: "Mandatory savings by large loads, switched on when the region's operating reserve (available capacity + what neighbours can spare over the corridors in service − demand) falls below a threshold.", fields: [
        FieldSchema("capacity_mw", .number(.nonNegative), required: true, "Load reduction large users must deliver (brief §9: DR ≥ 1,500 MW nationally by 2025, S)."),
        FieldSchema("trigger_reserve_mw", .number(.nonNegative), required: true, "Operating reserve below which the savings are switched on."),
        FieldSchema("max_hours_per_year", .number(.nonNegative), default: "200", "Hours a year they may be imposed (E)."),
        FieldSchema("cost_usd_per_mwh", .number(.nonNegative), default: "500", "Economic cost per MWh saved (E)."),
    ])

    static let shiftable = ObjectSchema("ShiftableProgram", doc: "Load that can be deferred and must be paid back (NREL PRAS's DemandResponse semantics): borrowing defers up to `borrow_mw` of the region's load, only to avoid shedding (after storage and the strategic fuel reserve, before any load is shed; units already owing energy first). Debt is repaid, up to `payback_mw`, from spare generation ahead of a reliability store's charging (not from storage, callable programmes dearer than every plant or other scarcity offers until its deadline step, when a store with energy repays it too, as in PRAS; a debt nearer its deadline first). One deadline covers a debt: `payback_hours` after its first borrow (borrowing more does not extend it), whatever is still owed is unserved energy of that step in the region, counted in EUE and LOLE; so is any debt left at the end of the horizon. The debt starts at zero. Deterministic runs, like storage, count the programme fully available; the Monte Carlo draws its outages.", fields: [
        FieldSchema("name", .string, required: true, "Unique name (among all shiftable programmes: it keys the programme's random stream)."),
        FieldSchema("borrow_mw", .number(NumberRange(min: 0, max: 1e6)), required: true, "Most load deferred in a step."),
        FieldSchema("payback_mw", .number(NumberRange(min: 0, max: 1e6)), "Most extra load paid back in a step; default: borrow_mw."),
        FieldSchema("energy_mwh", .number(NumberRange(min: 0, max: 1e9)), required: true, "Most energy owed at once."),
        FieldSchema("payback_hours", .number(NumberRange(min: 0, max: 8784, minExclusive: true)), required: true, "Hours after a debt's first borrow by which it must be repaid (rounded to whole steps, at least one)."),
        FieldSchema("borrow_efficiency", .number(NumberRange(min: 0, max: 1, minExclusive: true)), default: "1", "Debt per MWh deferred (PRAS's convention)."),
        FieldSchema("payback_efficiency", .number(NumberRange(min: 0, max: 1, minExclusive: true)), default: "1", "Debt repaid per MWh paid back is 1 / payback_efficiency (PRAS's convention: debt falls by payback / efficiency)."),
        FieldSchema("interest_per_hour", .number(NumberRange(min: -1, max: 1, minExclusive: true)), default: "0", "Growth of the debt per hour (PRAS's borrowed-energy interest); debt above energy_mwh is unserved at once."),
        FieldSchema("cost_usd_per_mwh", .number(.nonNegative), default: "0", "Payment per MWh deferred, counted in the system cost (E: an assumption; shifting is paid through the tariff in most programmes)."),
        FieldSchema("forced_outage_rate", .number(NumberRange(min: 0, max: 1, maxExclusive: true)), default: "0", "Probability the programme is unavailable (it can then neither borrow nor pay back; the deadline runs on) (E)."),
        FieldSchema("mean_time_to_repair_hours", .number(.positive), default: "1", "Mean length of an unavailability (E)."),
    ])

    static let regionalResponse = ObjectSchema("RegionalDemandResponse", doc: "Demand response available in a region.", fields: [
        FieldSchema("programs", .list(callable), "Callable programs."),
        FieldSchema("mandatory_savings", .object(mandatory), "Mandatory savings for large loads."),
        FieldSchema("shiftable", .list(shiftable), "Shiftable programmes: deferred load paid back within a deadline."),
    ])

    static let region = ObjectSchema("Region", doc: "A region with its demand, plants and demand response.", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("demand", .object(demand), required: true, "Hourly demand."),
        FieldSchema("distribution_loss_fraction", .number(NumberRange(min: 0, max: 0.5)), default: "0.045",
                    "Fraction of demand lost below the modelled 500 kV corridors (intra-regional transmission and distribution). Default: brief §5 puts 2030 T&D losses at 5.5 %, of which about 1 point is on inter-regional 500 kV flow (E)."),
        FieldSchema("class_shares", .numberList(count: nil, .fraction), "Share of demand in each demand class (in `demand_classes` order); default: the classes' own shares."),
        FieldSchema("plants", .list(plant), "Generating plants."),
        FieldSchema("demand_response", .object(regionalResponse), "Callable programs and mandatory savings."),
    ])

    static let lossPoint = ObjectSchema("LossPoint", doc: "A point of a corridor's loss curve: at `flow_fraction` of the limit, `loss_fraction` of the flow is lost in total.", fields: [
        FieldSchema("flow_fraction", .number(NumberRange(min: 0, max: 1, minExclusive: true)), required: true, "Flow as a fraction of the direction's limit."),
        FieldSchema("loss_fraction", .number(NumberRange(min: 0, max: 1, maxExclusive: true)), required: true, "Total losses as a fraction of that flow."),
    ])

    static let corridor = ObjectSchema("Corridor", doc: "A 500 kV interface between two regions. Received power = sent × (1 − loss). Losses are linear by default (`loss_fraction_at_rated` of every MW), quadratic (`loss_model: quadratic`, split into `loss_segments` linear pieces, with `loss_fraction_at_rated` lost at full flow), or a convex piecewise-linear `loss_curve`.", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("from", .string, required: true, "Region at one end."),
        FieldSchema("to", .string, required: true, "Region at the other end."),
        FieldSchema("limit_forward_mw", .number(NumberRange(min: 0, max: 1e6)), required: true, "Transfer limit from → to, with all circuits in service (at most 1,000 GW)."),
        FieldSchema("limit_backward_mw", .number(NumberRange(min: 0, max: 1e6)), "Transfer limit to → from; default: the forward limit (at most 1,000 GW)."),
        FieldSchema("circuits", .integer(NumberRange(min: 1, max: 100)), default: "2", "Parallel circuits; the limit scales with the circuits in service (E)."),
        FieldSchema("loss_fraction_at_rated", .number(NumberRange(min: 0, max: 0.5)), default: "0.036", "Fraction of the flow lost at the rated transfer (brief §4: 2.4–3.8 % per interface, D/E)."),
        FieldSchema("loss_model", .enumeration(["linear", "quadratic"]), default: "linear", "How losses grow with flow."),
        FieldSchema("loss_segments", .integer(NumberRange(min: 1, max: 20)), default: "4", "Linear pieces of the quadratic loss model."),
        FieldSchema("loss_curve", .list(lossPoint), "Explicit convex loss curve (replaces `loss_model`)."),
        FieldSchema("hurdle_cost_usd_per_mwh", .number(.nonNegative), default: "0.1", "Small cost per MWh sent; makes flows on loops unique (E). The dispatch uses at least 0.0001 $/MWh, so that flows stay unique with 0."),
        FieldSchema("circuit_forced_outage_rate", .number(NumberRange(min: 0, max: 1, maxExclusive: true)), default: "0.002", "Probability a circuit is on forced outage (E)."),
        FieldSchema("circuit_mean_time_to_repair_hours", .number(.positive), default: "12", "Mean circuit repair time (E)."),
    ])

    static let storage = ObjectSchema("Storage", doc: "A battery or pumped-hydro plant. Round-trip efficiency is split equally between charging and discharging (√η each). Policy `values` (the default): the values of its stored energy by level and hour come from a backward recursion, once per plan, against the expected year's system cost as a function of what its region's `values` stores inject (each hour's dispatch re-solved at 17 injections, with every other region, corridor and shortfall in it); each hour the store moves towards the level the recursion sets for its present level, offering discharge at the value of the energy above that level and bidding to charge at the value below it (never charging from scarcity resources), and releases the rest only when load would be shed. Every Monte Carlo trial uses the same tables, from its own level. It uses 51 levels of usable energy, more (up to 256) where a full-power step would move fewer than 5 of them; a store so long that 256 levels leave a step less than one (over ~235 steps' duration) is dispatched as `reliability`. Within 1e-4 of perfect foresight on the 3-region benchmark year with a battery. Policy `economic` (the rule before `values`, kept to compare): it discharges in the hours of highest forecast net load and charges in the lowest within a look-ahead window when the forecast price spread pays for the losses, holds back the energy the expected year's shortfalls need, and always discharges before load is shed. Policy `reliability`: it discharges only to avoid shedding and charges only from surplus (the convention of NREL PRAS).", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("region", .string, required: true, "Region it is connected in."),
        FieldSchema("technology", .enumeration(["battery", "pumped_hydro"]), default: "battery", "Kind of storage."),
        FieldSchema("power_mw", .number(NumberRange(min: 0, max: 1e6)), required: true, "Charge and discharge power (at most 1,000 GW)."),
        FieldSchema("energy_mwh", .number(NumberRange(min: 0, max: 1e9)), required: true, "Energy capacity (at most 1,000 TWh)."),
        FieldSchema("round_trip_efficiency", .number(NumberRange(min: 0, max: 1, minExclusive: true)), default: "0.85", "Energy out / energy in (battery ≈ 0.85, pumped hydro ≈ 0.75–0.8, E)."),
        FieldSchema("min_soc_fraction", .number(.fraction), default: "0", "Lowest state of charge, as a fraction of energy."),
        FieldSchema("max_soc_fraction", .number(.fraction), default: "1", "Highest state of charge."),
        FieldSchema("initial_soc_fraction", .number(.fraction), default: "0.5", "State of charge at the start."),
        FieldSchema("capacity_credit", .number(.fraction), "Fraction counted firm of the power its usable energy sustains for 4 h over the peak (at most its power: a store's credit follows its energy); default 0.75 battery, 0.95 pumped hydro (brief §1.3, E)."),
        FieldSchema("forced_outage_rate", .number(NumberRange(min: 0, max: 1, maxExclusive: true)), default: "0.02", "Forced outage probability (brief §10: BESS, PSH 2 %, E/L)."),
        FieldSchema("mean_time_to_repair_hours", .number(.positive), default: "24", "Mean repair time (E)."),
        FieldSchema("policy", .enumeration(["values", "economic", "reliability"]), default: "values", "Dispatch policy (see above)."),
    ])

    static let disruption = ObjectSchema("Disruption", doc: "A supply disruption: deliveries and continuous supply lost for a while.", fields: [
        FieldSchema("start_date", .date, required: true, "First day."),
        FieldSchema("duration_days", .number(.positive), required: true, "Length."),
        FieldSchema("deliveries_lost_fraction", .number(.fraction), default: "1", "Fraction of each cargo due in the window that is lost."),
        FieldSchema("supply_lost_fraction", .number(.fraction), default: "1", "Fraction of the continuous supply lost."),
    ])

    static let deliveries = ObjectSchema("Deliveries", doc: "Periodic cargo deliveries: one every `interval_days` (or, by month, `interval_days_monthly`: an annual delivery programme that follows the planned burn) from `first_day` (dated cargoes go in the fuel's `delivery_dates`). Give exactly one of the two intervals.", fields: [
        FieldSchema("cargo_t", .number(.positive), required: true, "Tonnes per cargo (an LNG carrier of 180,000 m³ brings ≈ 70,000–80,000 t, brief §7, D)."),
        FieldSchema("interval_days", .number(.positive), "Days between cargoes."),
        FieldSchema("interval_days_monthly", .numberList(count: 12, .positive), "Days between cargoes by month, January first: the next cargo comes the month's interval after the last one."),
        FieldSchema("first_day", .number(.nonNegative), "Day of the horizon (0 = first) of the first cargo; default: one interval in."),
    ])

    static let spot = ObjectSchema("Spot", doc: "Spot cargoes: when the stock falls to `order_below_t` and no spot cargo is on its way, one is bought and arrives `lead_time_days` later, unless a disruption (scheduled or, in the Monte Carlo, random) stops it; then it is lost and another may be bought. Spot cargoes are priced as the fuel (a spot premium is not modelled).", fields: [
        FieldSchema("cargo_t", .number(.positive), required: true, "Tonnes per spot cargo."),
        FieldSchema("order_below_t", .number(.nonNegative), required: true, "Stock at or below which a spot cargo is bought."),
        FieldSchema("lead_time_days", .number(.nonNegative), required: true, "Days from purchase to arrival."),
    ])

    static let fuel = ObjectSchema("Fuel", doc: "A physical fuel stock: an LNG terminal, a coal stockpile, a gas supply. Plants name it with `fuel`. A cargo that does not fit in storage is lost (recorded); continuous supply that does not fit is not taken (recorded, not a loss: the pipeline or the rail delivers less). The strategic reserve (`strategic_reserve_t`) is burnt only to avoid shedding load: it is offered at a premium of `strategic_reserve_fraction_of_voll` × the lowest VOLL.", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("kind", .enumeration(["coal", "lng", "gas", "oil", "biomass", "uranium"]), required: true, "Kind of fuel."),
        FieldSchema("energy_content_gj_per_t", .number(.positive), required: true, "Lower heating value (LNG ≈ 49.5, brief §7; imported coal ≈ 22–25, E)."),
        FieldSchema("price_usd_per_gj", .number(.nonNegative), required: true, "Delivered price (LNG $12–14/MMBtu ≈ 11.4–13.3 $/GJ, brief §7, S/L)."),
        FieldSchema("storage_capacity_t", .number(.positive), required: true, "Tonnes the terminal or stockpile can hold."),
        FieldSchema("initial_stock_t", .number(.nonNegative), required: true, "Tonnes in stock at the start."),
        FieldSchema("strategic_reserve_t", .number(.nonNegative), default: "0", "Reserve floor released only to avoid shedding load (Resolution 70 calls for strategic reserves; no target found, brief §7)."),
        FieldSchema("supply_t_per_day", .number(.nonNegative), default: "0", "Continuous supply (pipeline gas, domestic coal by rail/barge)."),
        FieldSchema("deliveries", .object(deliveries), "Periodic cargo deliveries."),
        FieldSchema("delivery_dates", .list(ObjectSchema("Delivery", doc: "One dated cargo.", fields: [
            FieldSchema("date", .date, required: true, "Arrival date."),
            FieldSchema("cargo_t", .number(.positive), required: true, "Tonnes."),
        ])), "Dated cargoes, in addition to periodic ones."),
        FieldSchema("spot", .object(spot), "Spot cargoes bought when the stock runs low, beside the contracted programme."),
        FieldSchema("disruptions", .list(disruption), "Supply disruptions (they stop spot cargoes too)."),
        FieldSchema("cargo_delay_probability", .number(.probability), default: "0.05", "Monte Carlo: probability a cargo arrives late (E)."),
        FieldSchema("cargo_mean_delay_days", .number(.nonNegative), default: "3", "Monte Carlo: mean delay of a late cargo, exponentially distributed (E)."),
        FieldSchema("cargo_cancellation_probability", .number(.probability), default: "0.01", "Monte Carlo: probability a cargo never arrives (E)."),
        FieldSchema("supply_shortfall_probability_per_day", .number(.probability), default: "0.02", "Monte Carlo: probability that a day's continuous supply falls short (E)."),
        FieldSchema("supply_shortfall_fraction", .number(.fraction), default: "0.3", "Monte Carlo: fraction of the day's supply lost in a shortfall (E)."),
        FieldSchema("disruption_rate_per_year", .number(.nonNegative), default: "0", "Monte Carlo: random disruption events per year (Poisson), each stopping deliveries and supply (E)."),
        FieldSchema("disruption_mean_duration_days", .number(.positive), default: "10", "Monte Carlo: mean length of a random disruption, exponentially distributed (E)."),
    ])

    static let touPeriod = ObjectSchema("TOUPeriod", doc: "A time-of-use window: its price relative to the normal tariff, the day types and hours it covers. Hours not covered are normal (ratio 1).", fields: [
        FieldSchema("name", .enumeration(["peak", "normal", "off_peak"]), required: true, "Period."),
        FieldSchema("price_ratio", .number(.positive), required: true, "Price / normal price (Decision 1279/QĐ-BCT: peak ≈ 1.80, off-peak ≈ 0.63, brief §9, S)."),
        FieldSchema("day_types", .enumerationList(["weekday", "saturday", "sunday"]), default: "[weekday, saturday, sunday]", "Days it applies to."),
        FieldSchema("from", .timeOfDay, required: true, "Start (HH:MM)."),
        FieldSchema("to", .timeOfDay, required: true, "End (HH:MM, after `from`; 24:00 for midnight)."),
    ])

    static let tou = ObjectSchema("TOU", doc: "Time-of-use pricing and the load it shifts. Each day, a participating load in an hour of price ratio ρ changes by elasticity × (ρ − 1); the reduction in dear hours moves to cheap hours pro rata to their load, so the day's energy is kept, less `saving_fraction` of the reduction. Without `periods`, Decision 963/QĐ-BCT (22 Apr 2026) applies: Mon–Sat peak 17:30–22:30 at 1.80, off-peak 00:00–06:00 every day at 0.63 (brief §9, S/M).", fields: [
        FieldSchema("participating_fraction", .number(.fraction), default: "0.5", "Share of demand billed by TOU and able to respond (production and business customers, brief §9; E)."),
        FieldSchema("elasticity", .number(NumberRange(min: -2, max: 0)), default: "-0.1", "Short-run own-price elasticity of the participating load (E)."),
        FieldSchema("saving_fraction", .number(.fraction), default: "0", "Fraction of the load reduced in dear hours that is saved rather than moved."),
        FieldSchema("periods", .list(touPeriod), "TOU windows; default: Decision 963/QĐ-BCT."),
    ])

    static let demandClass = ObjectSchema("DemandClass", doc: "A class of demand with its place in the shedding order and value of lost load. Defaults (all E): large_industry 35 % (first, 1,500 $/MWh), commercial 20 % (2,  4,000), residential 35 % (3, 6,000), essential (vulnerable users, hospitals, basic industry) 10 % (last, 20,000).", fields: [
        FieldSchema("name", .string, required: true, "Unique name."),
        FieldSchema("share", .number(.fraction), required: true, "Share of each region's demand (shares add up to 1)."),
        FieldSchema("shed_order", .integer(NumberRange(min: 1)), required: true, "1 is shed first; the value of lost load must not fall along the order."),
        FieldSchema("voll_usd_per_mwh", .number(.positive), required: true, "Value of lost load."),
    ])

    static let horizon = ObjectSchema("Horizon", doc: "Simulated period. Give `duration_days` or `duration_hours` (default 365 days).", fields: [
        FieldSchema("start_date", .date, required: true, "First day (00:00)."),
        FieldSchema("duration_days", .number(NumberRange(min: 0, max: 3660, minExclusive: true)), "Length in days."),
        FieldSchema("duration_hours", .integer(NumberRange(min: 1, max: 87840)), "Length in hours."),
        FieldSchema("step_minutes", .integerChoice([60, 30, 20, 15, 10, 5]), default: "60", "Step length, minutes (a divisor of an hour). Hourly profiles are held through the hour's steps; a profile with one row per step (sub-hourly steps only) is read step by step."),
    ])

    static let targets = ObjectSchema("Targets", doc: "Targets `r70 check` evaluates. Omitted optional targets are not checked.", fields: [
        FieldSchema("min_reserve_margin", .number(NumberRange(min: -1, max: 10)), default: "0.15", "Planning reserve margin on firm capacity (Resolution 70: ≥ 15 % by 2030, S)."),
        FieldSchema("max_loss_rate", .number(.fraction), default: "0.06", "Transmission + distribution losses / energy injected (2025 directive: < 6 %, brief §5, S; kept for 2030, E)."),
        FieldSchema("max_lole_hours", .number(.nonNegative), "Loss-of-load hours per year (with trials: the expected value)."),
        FieldSchema("max_eue_mwh", .number(.nonNegative), "Unserved energy per year (with trials: the expected value)."),
        FieldSchema("min_clean_share", .number(.fraction), "Clean generation / total generation."),
        FieldSchema("max_emissions_t", .number(.nonNegative), "CO2 over the horizon."),
        FieldSchema("capacity_credits", .enumeration(["assumed", "computed"]), default: "assumed", "The capacity credits the planning reserve margin uses: `assumed` (each plant's and store's `capacity_credit`; by default the brief §1.3 derating factors, E) or `computed` (the scenario's `computed_capacity_credits`: each technology's ELCC from `r70 capacity-credit --technology`). Reports name the basis."),
    ])

    static let computedCredit = ObjectSchema("ComputedCredit", doc: "A technology's capacity credit computed by r70 (its ELCC as a fraction of its capacity), with how it was computed.", fields: [
        FieldSchema("technology", .string, required: true, "A plant technology (coal, solar, ...) or a storage technology (battery, pumped_hydro)."),
        FieldSchema("credit", .number(NumberRange(min: 0, max: 1)), required: true, "ELCC / installed capacity."),
        FieldSchema("source", .string, "How it was computed (command, trials, seed)."),
    ])

    static let inflowClass = ObjectSchema("InflowClass", doc: "A hydrological year type: its probability and the factor it applies to every reservoir's monthly energy.", fields: [
        FieldSchema("name", .string, required: true, "dry, normal, wet, ..."),
        FieldSchema("probability", .number(.probability), required: true, "Probability of a trial year being of this class (the classes' probabilities add up to 1)."),
        FieldSchema("energy_factor", .number(.nonNegative), required: true, "Multiplier of the reservoirs' monthly energy."),
        FieldSchema("energy_factor_monthly", .numberList(count: 12, .nonNegative), "Multiplier by month, January first, of the reservoirs' monthly energy and inflows (a dry season drier than the year, say); default: energy_factor every month. Plants that follow hydrology without a reservoir use energy_factor."),
    ])

    static let hotDays = ObjectSchema("HotDays", doc: "Heat waves in the Monte Carlo: each day is hot or not, nationally (the same day in every region), by a two-state chain whose stationary probability in month m is `probability_monthly[m]` and whose spells last `mean_spell_days` on average. A hot day's demand is (1 + `demand_uplift_fraction`) × the profile's; the month's other days are lowered by uplift × p / (1 − p), so a month's expected energy stays the profile's (which already holds the season's average heat). Draws come from their own stream (`hot-days`).", fields: [
        FieldSchema("probability_monthly", .numberList(count: 12, .fraction), required: true, "Share of hot days in each month, January first (each below 1)."),
        FieldSchema("mean_spell_days", .number(NumberRange(min: 1, max: 60)), required: true, "Mean length of a heat wave, days."),
        FieldSchema("demand_uplift_fraction", .number(NumberRange(min: 0, max: 1)), required: true, "Demand on a hot day above the profile's, as a fraction."),
    ])

    static let stochastic = ObjectSchema("Stochastic", doc: "The random processes of the Monte Carlo (`r70 run --trials N`). Forced outages of every unit, storage plant and 500 kV circuit are two-state Markov chains in discrete steps: a unit in service fails in a step with probability λ = Δt / MTTF and one on outage is repaired with probability μ = Δt / MTTR, where MTTF = MTTR × (1 − FOR) / FOR; the time to the next change is drawn (geometric), not a number per step; a trial starts in the stationary state. Weather and demand: each day has a national factor and a regional one (correlation `regional_correlation`); solar and wind availability are multiplied by exp(σZ − σ²/2) (capped by the unit's capacity); demand by 1 + σ_day·Z_day (hot days: the demand factor's national part is shared with solar with `heat_solar_correlation`) and by a per-trial load-forecast error 1 + σ_year·Z_year. Hydro: each trial year draws an inflow class. Fuels: see the cargo and supply keys of each fuel.", fields: [
        FieldSchema("forced_outages", .boolean, default: "true", "Draw forced outages of units, storage and circuits."),
        FieldSchema("demand_forecast_error_sigma", .number(NumberRange(min: 0, max: 0.5)), default: "0.03", "Standard deviation of the per-trial load-forecast error (E)."),
        FieldSchema("demand_daily_sigma", .number(NumberRange(min: 0, max: 0.5)), default: "0.02", "Standard deviation of day-to-day demand noise (E)."),
        FieldSchema("solar_daily_sigma", .number(NumberRange(min: 0, max: 2)), default: "0.2", "Log-standard deviation of daily solar availability (E)."),
        FieldSchema("wind_daily_sigma", .number(NumberRange(min: 0, max: 2)), default: "0.3", "Log-standard deviation of daily wind availability (E)."),
        FieldSchema("regional_correlation", .number(.fraction), default: "0.7", "Correlation of daily weather and demand factors between regions (E)."),
        FieldSchema("heat_solar_correlation", .number(NumberRange(min: -1, max: 1)), default: "0.3", "Correlation of the national daily demand factor with the solar factor (hot, sunny days, E)."),
        FieldSchema("hot_days", .object(hotDays), "Heat waves raising demand on some days (none unless given)."),
        FieldSchema("hydro_inflow_classes", .list(inflowClass), "Hydrological year types; default dry 0.25 (× 0.7), normal 0.5 (× 1.0), wet 0.25 (× 1.2) (E; inflows in Apr–May 2023 were ≈ 50 % of average, brief §6)."),
    ])

    static let monteCarlo = ObjectSchema("MonteCarlo", doc: "Monte Carlo settings a scenario asks for (`r70 check` then uses them); command-line options override them.", fields: [
        FieldSchema("trials", .integer(NumberRange(min: 1, max: 10_000_000)), required: true, "Trial years."),
        FieldSchema("seed", .integer(NumberRange(min: 0, max: 1e15)), default: "1", "Seed of the study; trial i draws from a stream derived from (seed, i)."),
        FieldSchema("rel_error", .number(NumberRange(min: 0, max: 1, minExclusive: true)), "Stop once the standard error of EUE (of LOLE when EUE is 0) is below this fraction of the estimate."),
    ])

    static let dispatch = ObjectSchema("DispatchOptions", doc: "How each step is dispatched and how intertemporal resources are scheduled.", fields: [
        FieldSchema("lookahead_hours", .integer(NumberRange(min: 1, max: 168)), default: "24", "Window of forecast net load for the `economic` storage policy's schedules and held-back energy (the `values` policy looks at the whole year)."),
        FieldSchema("excess_penalty_usd_per_mwh", .number(.positive), default: "1000", "Cost of over-generation forced by must-run output (E)."),
        FieldSchema("storage_reliability_fraction_of_voll", .number(NumberRange(min: 0, max: 1, minExclusive: true, maxExclusive: true)), default: "0.5", "Off-schedule storage and hydro are offered at this fraction of the lowest VOLL: used only in scarcity (E)."),
        FieldSchema("strategic_reserve_fraction_of_voll", .number(NumberRange(min: 0, max: 1, minExclusive: true, maxExclusive: true)), default: "0.9", "Strategic fuel reserve offered at this fraction of the lowest VOLL (E)."),
        FieldSchema("derate_forced_outages", .boolean, default: "true", "Deterministic runs derate capacity by the forced outage rate (expected availability)."),
    ], retired: ["shortfall_sharing_steps": "remove it: shortfalls are shared by local matching and then in proportion to demand, exactly (README, Shortfall sharing)"])

    public static let scenario = ObjectSchema("Scenario", doc: "A scenario file: the system, its horizon and its targets.", fields: [
        FieldSchema("name", .string, required: true, "Scenario name."),
        FieldSchema("description", .string, "What the scenario represents."),
        FieldSchema("horizon", .object(horizon), required: true, "Simulated period."),
        FieldSchema("regions", .list(region), required: true, "Regions (at least one)."),
        FieldSchema("corridors", .list(corridor), "Inter-regional corridors."),
        FieldSchema("storage", .list(storage), "Batteries and pumped hydro."),
        FieldSchema("fuels", .list(fuel), "Fuel stocks."),
        FieldSchema("demand_classes", .list(demandClass), "Demand classes; default as in DemandClass."),
        FieldSchema("tou", .object(tou), "Time-of-use demand response; none when omitted."),
        FieldSchema("targets", .object(targets), "Targets; the defaults apply when omitted."),
        FieldSchema("computed_capacity_credits", .list(computedCredit), "Capacity credits computed by r70 (scenarios/tools/make_credits.py), used by the reserve margin when `targets.capacity_credits` is `computed`."),
        FieldSchema("dispatch", .object(dispatch), "Dispatch options."),
        FieldSchema("stochastic", .object(stochastic), "Random processes of the Monte Carlo; the defaults apply when omitted."),
        FieldSchema("monte_carlo", .object(monteCarlo), "Monte Carlo settings for `r70 check` (and `run` without --trials)."),
    ])

    public static let referencePreface = """
    Generated by `r70 schema --format markdown` from the schema the decoder uses (Sources/GridModel/ScenarioSchema.swift); \
    a test fails when this file and the schema differ. Every quantity has its unit in its key. Unknown keys are errors. \
    Paths are relative to the scenario file. Defaults say where they come from: "brief §N" is \
    shared/data/vietnam-power-brief.md; S stated by a source, D derived, E estimate or assumption.
    """
}
