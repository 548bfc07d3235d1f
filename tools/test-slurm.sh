#!/usr/bin/env bash
# `make test-slurm`: a single-node Slurm on localhost (see shared/design/local-slurm.md) runs a 4-shard
# study of vn-2030-base as a job array, then its merge; the merged result must equal the single-process
# run's --json byte for byte. Installs slurm-wlm and munge if missing; all state lives in a temporary
# folder; the daemons are stopped by their pid files whatever happens.
#
#   tools/test-slurm.sh [r70 binary]   (default: .build/release/r70)
set -euo pipefail
cd "$(dirname "$0")/.."
R70=$(readlink -f "${1:-.build/release/r70}")
TRIALS=40 SEED=5 SHARDS=4

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # The packages' scripts must not start system services: policy-rc.d answers 101 while they install.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d
  for i in 1 2 3 4 5 6; do
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      slurm-wlm slurmctld slurmd slurm-client munge && break
    echo "apt busy or failed; retrying in 10 s"; sleep 10
  done
  $SUDO rm -f /usr/sbin/policy-rc.d
fi

B=$(mktemp -d /tmp/r70-slurm.XXXXXX)
NODE=$(hostname -s)
stop() {
  for d in slurmd slurmctld munged; do
    f="$B/run/$d.pid"
    if [ -f "$f" ]; then
      pid=$(cat "$f")
      if [ -n "$pid" ] && grep -q "$d" "/proc/$pid/comm" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    fi
  done
  sleep 0.3
  rm -rf "$B"
}
trap stop EXIT

mkdir -p "$B/munge/run" "$B/ctld" "$B/spool" "$B/run" "$B/log"
chmod a+x "$B" "$B/munge" "$B/munge/run"
mungekey -c -k "$B/munge/munge.key" >/dev/null 2>&1 || dd if=/dev/urandom of="$B/munge/munge.key" bs=1 count=1024 2>/dev/null
chmod 400 "$B/munge/munge.key"
munged --socket="$B/munge/run/munge.socket" --key-file="$B/munge/munge.key" --pid-file="$B/run/munged.pid" \
  --log-file="$B/log/munged.log" --seed-file="$B/munge/seed" -f

CPUS=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' | head -1)
SOCKETS=$(slurmd -C | sed -n 's/.*Sockets=\([0-9]*\).*/\1/p' | head -1)
CORES=$(slurmd -C | sed -n 's/.*CoresPerSocket=\([0-9]*\).*/\1/p' | head -1)
THREADS=$(slurmd -C | sed -n 's/.*ThreadsPerCore=\([0-9]*\).*/\1/p' | head -1)
cat > "$B/slurm.conf" <<CONF
ClusterName=localci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$B/munge/run/munge.socket
StateSaveLocation=$B/ctld
SlurmdSpoolDir=$B/spool
SlurmctldPidFile=$B/run/slurmctld.pid
SlurmdPidFile=$B/run/slurmd.pid
SlurmctldLogFile=$B/log/slurmctld.log
SlurmdLogFile=$B/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MailProg=/bin/true
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=${CPUS:-2} Sockets=${SOCKETS:-1} CoresPerSocket=${CORES:-2} ThreadsPerCore=${THREADS:-1} RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$B/slurm.conf"
slurmctld -i
slurmd -N "$NODE"
for i in $(seq 1 100); do
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) break ;; drain*|down*) scontrol update nodename="$NODE" state=resume 2>/dev/null || true ;; esac
  sleep 0.2
done
echo "slurm up: node $NODE ${state:-?}"

# Waits for the array and merge jobs named in a `--submit` output; fails unless every task exited 0.
wait_jobs() {
  local ids array merge codes
  ids=$(sed -n 's/^Submitted: [a-z]* job \([0-9]*\), merge job \([0-9]*\).*/\1 \2/p' "$1")
  array=${ids% *}; merge=${ids#* }
  [ -n "$array" ] && [ -n "$merge" ] || { echo "FAIL: no job ids"; return 1; }
  for i in $(seq 1 1500); do
    if [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then break; fi
    sleep 0.2
  done
  for j in $array $merge; do
    codes=$(scontrol show job "$j" 2>/dev/null | sed -n 's/.*ExitCode=\([0-9:]*\).*/\1/p' | sort -u | tr '\n' ' ')
    echo "job $j exit codes: $codes"
    [ "$codes" = "0:0 " ] || return 1
  done
}
fail() { echo "FAIL: $1"; ls -R "$B" | head -60; tail -20 "$B"/job*/logs/* "$B/log/slurmctld.log" 2>/dev/null | tail -80; exit 1; }

# A study in shards, one per task, and its merge.
"$R70" slurm scenarios/vn-2030-base.yaml --trials $TRIALS --seed $SEED --shards $SHARDS --out "$B/job" --cpus 1 --time 00:10:00 --submit | tee "$B/submitted"
wait_jobs "$B/submitted" || fail "the shard jobs"
"$R70" run scenarios/vn-2030-base.yaml --trials $TRIALS --seed $SEED --json --quiet > "$B/single.json"
cmp -s "$B/single.json" "$B/job/result/study.json" || fail "the merged shards differ from the single-process run"
echo "PASS: $SHARDS Slurm shards merged equal the single-process run (vn-2030-base, $TRIALS trials, seed $SEED)"

# A sweep, one point per task; the merge job alone writes the database.
VARY=(--vary "storage[bess-n].power_mw=2000,6000" --vary "corridors[north-central].limit_forward_mw=5000,6000")
"$R70" slurm scenarios/vn-2030-base.yaml "${VARY[@]}" --trials 20 --seed $SEED --db "$B/cluster.sqlite" --out "$B/job-sweep" --cpus 1 --time 00:10:00 --submit | tee "$B/submitted-sweep"
wait_jobs "$B/submitted-sweep" || fail "the sweep jobs"
"$R70" sweep scenarios/vn-2030-base.yaml "${VARY[@]}" --trials 20 --seed $SEED --db "$B/local.sqlite" --quiet > /dev/null
query="SELECT p.point_index, m.metric, m.region, m.mean, m.standard_error FROM point p JOIN metric m ON m.point_id = p.id ORDER BY 1, 2, 3"
sqlite3 "$B/cluster.sqlite" "$query" > "$B/cluster.txt"; sqlite3 "$B/local.sqlite" "$query" > "$B/local.txt"
[ "$(sqlite3 "$B/cluster.sqlite" 'SELECT count(*) FROM point')" = 4 ] && cmp -s "$B/cluster.txt" "$B/local.txt" || fail "the sweep's database differs from a local sweep"
echo "PASS: a 4-point sweep as a Slurm array records the same metrics as the local sweep"
