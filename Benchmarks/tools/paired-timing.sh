#!/bin/bash
# Compares two r70 binaries by paired runs: in each round both run the same Monte Carlo at the same time,
# one thread each, pinned to different cores (swapped every round), so that both see the same moment of
# this VM's speed, which drifts by up to 2× from minute to minute. Prints each round's times and the
# median of the B/A ratios (below 1: B is faster).
#
#   Benchmarks/tools/paired-timing.sh A_BINARY B_BINARY [rounds] [trials] [scenario]
#   (defaults: 10 rounds of 150 trials of scenarios/vn-2030-base.yaml; needs 2 cores and taskset)
set -euo pipefail
a=$1; b=$2; rounds=${3:-10}; trials=${4:-150}; scenario=${5:-scenarios/vn-2030-base.yaml}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$rounds"); do
  if (( i % 2 )); then ca=0; cb=1; else ca=1; cb=0; fi
  /usr/bin/time -f "%e" -o "$work/a" taskset -c $ca "$a" run "$scenario" --trials "$trials" --threads 1 --seed "$i" --quiet >/dev/null &
  /usr/bin/time -f "%e" -o "$work/b" taskset -c $cb "$b" run "$scenario" --trials "$trials" --threads 1 --seed "$i" --quiet >/dev/null &
  wait
  echo "$(cat "$work/a") $(cat "$work/b")"
done | python3 -c '
import sys, statistics
rows = [tuple(map(float, line.split())) for line in sys.stdin]
for i, (a, b) in enumerate(rows, 1): print(f"round {i:2}: A {a:6.2f} s  B {b:6.2f} s  B/A {b / a:.3f}")
ratios = [b / a for a, b in rows]
print(f"median B/A {statistics.median(ratios):.3f} over {len(rows)} rounds (min A {min(a for a, _ in rows):.2f} s, min B {min(b for _, b in rows):.2f} s)")
'
