#!/usr/bin/env python3
"""Regenerates scenarios/profiles/load-YEAR.csv (YEAR = 2023, 2025, 2030) and load-2023-may-june.csv: hourly load shapes of North,
Central and South Vietnam for a whole year (8,760 or 8,784 rows), relative values (scenarios scale them
to their peak and energy).

How they are made:
- month x hour shapes of SWITCH-Vietnam zones VN00 (north), VN02 (central), VN05 (south), from
  shared/data/load_shape_switch_vietnam.csv (brief §8, S(model)/L: used for shape ratios only);
- weekends: Saturday 0.95, Sunday 0.90 of a weekday (E);
- public holidays on fixed dates (1 Jan, 30 Apr, 1 May, 2 Sep): 0.85 (E). Hùng Kings' day (a lunar date)
  is not included;
- Tết (lunar new year: 22 Jan 2023, 29 Jan 2025, 3 Feb 2030): from two days before to five days after, by
  day: 0.90, 0.80, 0.70, 0.70, 0.72, 0.80, 0.88, 0.95 of a normal day (E, anchored on brief §8: the 2025 Tết
  night minimum was ≈ 50 % of normal load and the Tết average 29,007 MW, about 80 % of the year's mean).
Usage (from scenarios/): python3 tools/make_load_profiles.py ../../shared/data/load_shape_switch_vietnam.csv
"""
import csv, sys, datetime

table = {}
for r in csv.DictReader(open(sys.argv[1])):
    table[(r["region"], int(r["month"]), int(r["hour"]))] = float(r["avg_load_pu_of_annual_peak"])
zones = {"north": "North(VN00)", "central": "Central(VN02)", "south": "South(VN05)"}
tet = {2023: datetime.date(2023, 1, 22), 2025: datetime.date(2025, 1, 29), 2030: datetime.date(2030, 2, 3)}
tet_factors = [0.90, 0.80, 0.70, 0.70, 0.72, 0.80, 0.88, 0.95]   # days −2 … +5
fixed_holidays = [(1, 1), (4, 30), (5, 1), (9, 2)]

for year, new_year in tet.items():
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    with open(f"profiles/load-{year}.csv", "w") as f:
        f.write("hour,timestamp,north,central,south\n")
        for d in range(days):
            day = start + datetime.timedelta(days=d)
            factor = [1, 1, 1, 1, 1, 0.95, 0.90][day.weekday()]
            if (day.month, day.day) in fixed_holidays:
                factor = min(factor, 0.85)
            offset = (day - new_year).days
            if -2 <= offset <= 5:
                factor = min(factor, tet_factors[offset + 2])
            for h in range(24):
                values = [table[(zones[z], day.month, h)] * factor for z in ("north", "central", "south")]
                f.write(f"{d * 24 + h},{day.isoformat()}T{h:02d}:00," + ",".join(f"{v:.4f}" for v in values) + "\n")
    print(f"wrote profiles/load-{year}.csv")

# The May–June 2023 replay's demand: the 2023 rows of 15 May – 22 June (936 hours), so that a scenario's
# peak refers to that period (the brief gives the northern demand during the event, §6).
rows = open("profiles/load-2023.csv").read().splitlines()
first = (datetime.date(2023, 5, 15) - datetime.date(2023, 1, 1)).days * 24
with open("profiles/load-2023-may-june.csv", "w") as f:
    f.write(rows[0] + "\n")
    for i, line in enumerate(rows[1 + first:1 + first + 39 * 24]):
        f.write(str(i) + line[line.index(","):] + "\n")
print("wrote profiles/load-2023-may-june.csv")
