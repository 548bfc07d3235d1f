#!/usr/bin/env bash
# Renders r70's dashboards in headless Chromium (tools/browser_check.py) and fails on a console error, a
# network reference, an empty chart or a missing section: vn-2030-base deterministic and with 100 trials
# (written by `run --html` and again by `report DIR --html`), a merged sharded study, and a small sweep.
# Screenshots go to $SCREENSHOTS (default .build-browser/screenshots); `make screenshots` copies them to docs/.
# First it checks that the checker itself fails a page with those faults.
set -euo pipefail
R70=${1:?usage: test-browser.sh PATH-TO-r70}
cd "$(dirname "$0")/.."
WORK=.build-browser
SCREENSHOTS=${SCREENSHOTS:-$WORK/screenshots}
rm -rf "$WORK/reports" && mkdir -p "$WORK/reports" "$SCREENSHOTS"
CHECK="/usr/bin/python3 tools/browser_check.py --out $SCREENSHOTS"

# The checker must catch what it is for.
if out=$($CHECK tools/browser-fixtures/broken.html:targets,network 2>&1); then
  echo "$out"; echo "test-browser: the checker passed a broken page"; exit 1
fi
for expected in "console error: deliberate console error" "uncaught exception" "requests http://127.0.0.1:9/style.css" \
                "empty chart: empty-one" "missing section: network" "wider than a phone"; do
  grep -qF "$expected" <<<"$out" || { echo "$out"; echo "test-browser: the checker missed: $expected"; exit 1; }
done
rm -f "$SCREENSHOTS"/broken*.png
echo "the checker fails a broken page on each of its faults"

D=$WORK/reports
BASE=scenarios/vn-2030-base.yaml
RUN_SECTIONS=targets,network,dispatch,duration,storage,fuels,shortfall,tou
"$R70" run $BASE --html $D/vn-2030-base.html --out $D/base-out > /dev/null
"$R70" report $D/base-out --html $D/vn-2030-base-from-out.html > /dev/null
cmp $D/vn-2030-base.html $D/vn-2030-base-from-out.html || { echo "test-browser: report DIR differs from run --html"; exit 1; }
"$R70" run $BASE --trials 100 --seed 7 --quiet --html $D/vn-2030-base-100-trials.html > /dev/null
for i in 1 2; do "$R70" run $BASE --trials 100 --seed 7 --quiet --shard $i/2 --partial-out $D/shard$i.json > /dev/null; done
"$R70" merge $D/shard1.json $D/shard2.json --merged-out $D/merged.json > /dev/null
"$R70" report $D/merged.json --html $D/vn-2030-base-merged.html > /dev/null
cmp $D/vn-2030-base-100-trials.html $D/vn-2030-base-merged.html || { echo "test-browser: the merged study's report differs from the unsharded one"; exit 1; }
rm -f $D/sweep.sqlite
"$R70" sweep $BASE --vary 'storage[bess-n].power_mw=0,4000,8000' --vary 'corridors[north-central].limit_forward_mw=5000,7500' \
  --trials 8 --seed 3 --quiet --db $D/sweep.sqlite > /dev/null
"$R70" report $D/sweep.sqlite --html $D/vn-2030-base-sweep.html > /dev/null

/usr/bin/python3 tools/browser_check.py --out "$SCREENSHOTS" \
  $D/vn-2030-base.html:$RUN_SECTIONS \
  $D/vn-2030-base-100-trials.html:$RUN_SECTIONS \
  $D/vn-2030-base-sweep.html:sweep
