#!/bin/bash
# Instructions and (simulated) branch mispredictions per simulated step, by function: a measure of the
# per-step loop that does not depend on this VM's speed, which varies by up to 2× from minute to minute.
# It runs valgrind's cachegrind on 1 and on 3 trial years and divides the difference by 2 × the steps
# of a year, so loading the scenario drops out.
#
#   Benchmarks/tools/step-instructions.sh [r70 binary] [scenario] [rows]
#   (defaults: .build/release/r70, scenarios/vn-2030-base.yaml, 15 rows; needs valgrind, ≈ 1 minute)
#
# valgrind 3.19 cannot read the DWARF 5 debug information of Swift 6 binaries, so a stripped copy is used.
set -euo pipefail
bin=${1:-.build/release/r70}
scenario=${2:-scenarios/vn-2030-base.yaml}
rows=${3:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip -g -o "$work/r70" "$bin"
for trials in 1 3; do
  valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes --cachegrind-out-file="$work/$trials.out" \
    "$work/r70" run "$scenario" --trials $trials --threads 1 --seed 1 --quiet >/dev/null 2>&1 &
done
wait
steps=$("$work/r70" run "$scenario" --quiet 2>/dev/null | sed -n "s/.* in \([0-9,]*\) steps.*/\1/p" | tr -d , | head -1)
steps=${steps:-8760}
python3 - "$work/1.out" "$work/3.out" "$rows" "$steps" <<'PY'
import sys, re, collections
def load(path):
    totals = collections.defaultdict(lambda: [0, 0]); fn = None
    for line in open(path):
        if line.startswith('fn='): fn = line[3:].strip(); continue
        if line[:1].isdigit() and fn:
            f = line.split()
            totals[fn][0] += int(f[1]); totals[fn][1] += int(f[3])
    return totals
one, three = load(sys.argv[1]), load(sys.argv[2])
rows, steps = int(sys.argv[3]), int(sys.argv[4])
per = sorted(((v[0] - one.get(k, [0, 0])[0]) / 2 / steps, (v[1] - one.get(k, [0, 0])[1]) / 2 / steps, k)
             for k, v in three.items())[::-1]
print(f"{sum(p[0] for p in per):9.0f} instructions {sum(p[1] for p in per):7.1f} mispredictions  per step, all functions")
for ins, mis, name in per[:rows]:
    print(f"{ins:9.0f} instructions {mis:7.1f} mispredictions  {re.sub(r'^[$]s[0-9]+', '', name)[:80]}")
PY
