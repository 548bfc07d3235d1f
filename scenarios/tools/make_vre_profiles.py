#!/usr/bin/env python3
"""Regenerates scenarios/profiles/vn-2030-vre.csv: hourly availability (0..1) of solar, onshore and
offshore wind for North, Central and South Vietnam in a typical year (2030 calendar, local time UTC+7).

How it is made (all assumptions are E unless noted):
- Solar: clear-sky shape from solar geometry at each region's latitude (N 21.0, C 14.0, S 10.8 deg)
  and longitude (105.8, 108.2, 106.7 deg E), times a monthly cloud factor (North: cloudy, drizzly
  Feb-Apr; South and Central: rainy season May-Oct) and a day-to-day cloud draw (fixed seed), scaled
  so the annual capacity factor matches brief §10: North 0.135, Central 0.17, South 0.195 (D/E).
- Onshore wind: monsoon seasonality (north-east monsoon Nov-Feb strongest; south-west Jun-Aug in the
  South), an afternoon diurnal peak, and a day-to-day draw; annual capacity factor North 0.22,
  Central 0.30, South 0.30 (brief §10, E/L). Offshore: same seasonality, weaker diurnal cycle, 0.42.
- Rooftop solar (behind the meter): the region's solar shape (same sun and clouds) times 14 / 17, so that the
  rooftops' national capacity factor is the brief's 14 % (§10, D/E): their farms' factors below, weighted by
  vn-2030-base's rooftop MW by region (N 3,069, C 1,860, S 4,371), average 17 % (D).
Usage: python3 scenarios/tools/make_vre_profiles.py > scenarios/profiles/vn-2030-vre.csv
"""
import math, random, datetime

YEAR = 2030
ROOFTOP_FACTOR = 0.14 / 0.17   # rooftops' national CF 14 % (brief §10) over their regions' farm CF, 17 % weighted by rooftop MW (D)
REGIONS = {  # lat, lon, solar CF, onshore CF, offshore CF
    "north": (21.0, 105.8, 0.135, 0.22, 0.42),
    "central": (14.0, 108.2, 0.17, 0.30, 0.42),
    "south": (10.8, 106.7, 0.195, 0.30, 0.42),
}
SOLAR_CLOUD = {  # monthly mean clear-sky fraction
    "north":   [0.55, 0.45, 0.45, 0.55, 0.75, 0.75, 0.75, 0.70, 0.75, 0.80, 0.75, 0.65],
    "central": [0.75, 0.85, 0.90, 0.90, 0.80, 0.75, 0.75, 0.70, 0.65, 0.55, 0.55, 0.60],
    "south":   [0.90, 0.95, 0.95, 0.90, 0.75, 0.65, 0.65, 0.65, 0.60, 0.65, 0.75, 0.85],
}
WIND_SEASON = {  # monthly relative wind speed
    "north":   [1.25, 1.15, 1.0, 0.85, 0.75, 0.8, 0.85, 0.75, 0.8, 1.0, 1.2, 1.3],
    "central": [1.3, 1.2, 1.0, 0.8, 0.7, 0.8, 0.85, 0.8, 0.8, 1.0, 1.25, 1.35],
    "south":   [1.3, 1.3, 1.15, 0.9, 0.75, 0.9, 1.0, 1.0, 0.85, 0.8, 1.0, 1.2],
}

def solar_elevation_sin(lat, lon, doy, hour):
    decl = math.radians(23.44) * math.sin(2 * math.pi * (284 + doy) / 365)
    solar_time = hour + 0.5 + (lon - 105.0) / 15.0  # mid-hour, UTC+7 meridian 105 E
    ha = math.radians(15 * (solar_time - 12))
    la = math.radians(lat)
    return math.sin(la) * math.sin(decl) + math.cos(la) * math.cos(decl) * math.cos(ha)

def scaled(raw, target):
    """Scale to an annual mean of `target`, clipping at 1 (a few passes)."""
    k = target / (sum(raw) / len(raw))
    for _ in range(20):
        vals = [min(1.0, v * k) for v in raw]
        mean = sum(vals) / len(vals)
        k *= target / mean
    return [min(1.0, v * k) for v in raw]

hours = []
start = datetime.datetime(YEAR, 1, 1)
n = 8760
for h in range(n):
    hours.append(start + datetime.timedelta(hours=h))
cols = {}
for name, (lat, lon, cf_s, cf_w, cf_o) in REGIONS.items():
    rng = random.Random(f"r70-{name}")
    day_cloud = [min(1.0, max(0.05, rng.gauss(0, 0.25))) for _ in range(366)]
    day_wind = [max(0.2, rng.gauss(1.0, 0.3)) for _ in range(366)]
    solar, onshore, offshore = [], [], []
    for t in hours:
        doy, m = t.timetuple().tm_yday - 1, t.month - 1
        s = max(0.0, solar_elevation_sin(lat, lon, doy, t.hour))
        clear = SOLAR_CLOUD[name][m]
        cloud = min(1.0, max(0.1, clear + day_cloud[doy] * (1 - clear) * (1 if day_cloud[doy] > 0 else 0) - 0.5 * abs(day_cloud[doy]) * clear * 0.5))
        solar.append(s ** 1.15 * cloud)
        speed = WIND_SEASON[name][m] * day_wind[doy] * (1 + 0.25 * math.sin(2 * math.pi * (t.hour - 9) / 24))
        onshore.append(min(1.0, max(0.0, (speed - 0.35) / 1.3)) ** 1.5)
        speed_o = WIND_SEASON[name][m] * day_wind[doy] * (1 + 0.08 * math.sin(2 * math.pi * (t.hour - 9) / 24))
        offshore.append(min(1.0, max(0.0, (speed_o - 0.25) / 1.2)) ** 1.3)
    cols[f"solar_{name}"] = scaled(solar, cf_s)
    cols[f"onshore_wind_{name}"] = scaled(onshore, cf_w)
    cols[f"offshore_wind_{name}"] = scaled(offshore, cf_o)
for name in REGIONS:
    cols[f"rooftop_solar_{name}"] = [v * ROOFTOP_FACTOR for v in cols[f"solar_{name}"]]

names = list(cols)
print("hour,timestamp," + ",".join(names))
for i, t in enumerate(hours):
    print(f"{i},{t:%Y-%m-%dT%H:%M}," + ",".join(f"{cols[c][i]:.4f}" for c in names))
