#!/usr/bin/env python3
"""Regenerates scenarios/profiles/load-YEAR.csv (YEAR = 2023, 2025, 2030) and load-2023-may-june.csv: hourly load shapes of
North, Central and South Vietnam for a whole year (8,760 or 8,784 rows), relative values (scenarios scale
them to their peak and energy).

Built from what the data brief (shared/data/vietnam-power-brief.md) states in §8, with sources:
- The hour of the day: the brief's normalised hot-season weekday profile (§8, E/M), anchored on the sourced
  peak windows (13:00–15:00 and 20:00–23:00, EVN, S/H), the time of the annual maximum (13:30–14:00, S/H),
  the daily minimum at 03–05 h and the evening peak at ≈ 0.95–0.98 of the 13:30 peak. It is the North's
  (min/peak 0.60); the South's is the same curve mapped linearly to min/peak 0.70 (§8), the Centre's to
  0.65 (E: between the two, as SWITCH's load factors are, §8). One daily shape serves every month: the
  brief gives no cool-season shape.
- The month: each region's daily peak relative to its annual peak, below (E). The brief states only where
  the peaks fall: the North's heat season May–August with its records in June–August, national records in
  April–June (§8, S/H). The levels between are estimates that respect those facts; each day's level is
  interpolated between mid-month values so that no month boundary shows as a step. SWITCH-Vietnam's
  month × hour table (§8, S(model)/L) is no longer used: its months put the North's peak in September
  and its lowest month in May, against the sourced records.
- Weekends: Saturday 0.95, Sunday 0.90 of a weekday (E). Public holidays on fixed dates (1 Jan, 30 Apr,
  1 May, 2 Sep): 0.85 (E); Hùng Kings' day (a lunar date) is not included.
- Tết (lunar new year: 22 Jan 2023, 29 Jan 2025, 3 Feb 2030): from two days before to five days after, by
  day 0.90, 0.80, 0.70, 0.70, 0.72, 0.80, 0.88, 0.95 of a normal day (E, anchored on §8: the 2025 Tết
  night minimum, 12,275 MW, was ≈ 50 % of normal load; the brief's Tết average, 29,007 MW over a period it
  does not state, is not reproduced: the window averages about 24 GW nationally in vn-2025-reference).
The facts are checked by a test (ProfileFactsTests in Tests/GridModelTests) on every file written here.
Usage (from scenarios/): python3 tools/make_load_profiles.py
"""
import datetime

# Brief §8: "Proposed normalised weekday profile for a hot-season day (E/M)", h0..23.
HOT_DAY = [.66, .63, .61, .60, .60, .62, .68, .76, .84, .90, .94, .95, .93, .98, 1.00, .99, .95, .91, .92, .96, .97, .94, .85, .75]
MIN_TO_PEAK = {"north": 0.60, "central": 0.65, "south": 0.70}   # §8 (North, South); Centre E

# Daily peak of each month relative to the region's annual peak (E; placed by the §8 facts above).
MONTHLY_PEAK = {
    # North: heat season May–Aug, records Jun–Aug; winter lowest (no air conditioning), Tết in Jan/Feb.
    "north":   [0.76, 0.74, 0.79, 0.85, 0.93, 1.00, 0.99, 0.97, 0.91, 0.85, 0.81, 0.78],
    # Centre: as the North, a little flatter (E).
    "central": [0.80, 0.78, 0.83, 0.89, 0.95, 1.00, 0.99, 0.97, 0.92, 0.87, 0.84, 0.82],
    # South: hot all year; the dry-season heat of Apr–May gives its (and the nation's) records Apr–Jun.
    "south":   [0.88, 0.87, 0.93, 1.00, 0.99, 0.95, 0.93, 0.92, 0.91, 0.91, 0.90, 0.89],
}
TET = {2023: datetime.date(2023, 1, 22), 2025: datetime.date(2025, 1, 29), 2030: datetime.date(2030, 2, 3)}
TET_FACTORS = [0.90, 0.80, 0.70, 0.70, 0.72, 0.80, 0.88, 0.95]   # days −2 … +5
FIXED_HOLIDAYS = [(1, 1), (4, 30), (5, 1), (9, 2)]
REGIONS = ("north", "central", "south")


def day_shape(region):
    """The hot day mapped to the region's min/peak ratio: 1 stays 1, 0.60 becomes MIN_TO_PEAK."""
    lo = MIN_TO_PEAK[region]
    return [lo + (v - 0.60) * (1 - lo) / (1 - 0.60) for v in HOT_DAY]


def monthly_level(region, day):
    """The day's peak level, interpolated linearly between the 15th of each month."""
    levels = MONTHLY_PEAK[region]
    mid = datetime.date(day.year, day.month, 15)
    if day >= mid:
        nxt = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 15)
        a, b, span, into = levels[day.month - 1], levels[day.month % 12], (nxt - mid).days, (day - mid).days
    else:
        prev = datetime.date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 15)
        a, b, span, into = levels[(day.month - 2) % 12], levels[day.month - 1], (mid - prev).days, (day - prev).days
    return a + (b - a) * into / span


def day_factor(day, new_year):
    factor = [1, 1, 1, 1, 1, 0.95, 0.90][day.weekday()]
    if (day.month, day.day) in FIXED_HOLIDAYS:
        factor = min(factor, 0.85)
    offset = (day - new_year).days
    if -2 <= offset <= 5:
        factor = min(factor, TET_FACTORS[offset + 2])
    return factor


shapes = {r: day_shape(r) for r in REGIONS}
for year, new_year in TET.items():
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    with open(f"profiles/load-{year}.csv", "w") as f:
        f.write("hour,timestamp,north,central,south\n")
        for d in range(days):
            day = start + datetime.timedelta(days=d)
            factor = day_factor(day, new_year)
            for h in range(24):
                values = [shapes[r][h] * monthly_level(r, day) * factor for r in REGIONS]
                f.write(f"{d * 24 + h},{day.isoformat()}T{h:02d}:00," + ",".join(f"{v:.4f}" for v in values) + "\n")
    print(f"wrote profiles/load-{year}.csv")

# The May–June 2023 replay's demand: the 2023 rows of 15 May – 22 June (936 hours), so that a scenario's
# peak refers to that period (the brief gives the northern demand during the event, §6), with the days the
# brief describes (§6, S/H) set as it states them, given the replay's regional peaks (North 23,750 MW, §6
# S/H midpoint; Central 5,500 and South 15,500 MW, §12.2 E; vn-2023-north-shortage.yaml):
# - 9 June, "North ~16–17 GW on a cooler day": the North's values that day scaled to a 16,500 MW peak;
# - 21 June, national load 41,514 MW: the three regions' values that day scaled to that national peak;
# - late June (19, 20 and 22 June; 21 June has its own figure), "typical daily energy ~420 GWh" in the North (§12.2, S/M):
#   the North's values on those days scaled to 420 GWh a day.
REPLAY_PEAK_MW = {"north": 23750, "central": 5500, "south": 15500}
rows = open("profiles/load-2023.csv").read().splitlines()
first = (datetime.date(2023, 5, 15) - datetime.date(2023, 1, 1)).days * 24
replay = []
for line in rows[1 + first:1 + first + 39 * 24]:
    f = line.split(",")
    replay.append([f[1]] + [float(v) for v in f[2:]])
top = [max(r[1 + k] for r in replay) for k in range(3)]   # each column's peak over the replay: its peak_mw
def mw(r, k): return r[1 + k] / top[k] * REPLAY_PEAK_MW[REGIONS[k]]
day9 = [r for r in replay if r[0].startswith("2023-06-09")]
f9 = 16500 / max(mw(r, 0) for r in day9)
for r in day9: r[1] *= f9
day21 = [r for r in replay if r[0].startswith("2023-06-21")]
f21 = 41514 / max(sum(mw(r, k) for k in range(3)) for r in day21)
for r in day21:
    for k in range(3): r[1 + k] *= f21
late = {}
for day in ("2023-06-19", "2023-06-20", "2023-06-22"):
    hours = [r for r in replay if r[0].startswith(day)]
    late[day] = 420000 / sum(mw(r, 0) for r in hours)
    for r in hours: r[1] *= late[day]
with open("profiles/load-2023-may-june.csv", "w") as f:
    f.write(rows[0] + "\n")
    for i, r in enumerate(replay):
        f.write(f"{i},{r[0]}," + ",".join(f"{v:.4f}" for v in r[1:]) + "\n")
print(f"wrote profiles/load-2023-may-june.csv (9 June North × {f9:.3f}, 21 June × {f21:.3f}, late June North × "
      + ", ".join(f"{v:.3f}" for v in late.values()) + ")")
