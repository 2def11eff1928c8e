#!/usr/bin/env bash
# The Slurm recipe for real: starts a private single-node Slurm (munged, slurmctld, slurmd from
# Debian's munge and slurm-wlm) in a temporary folder, submits scripts/cluster/slurm_array.sh as a
# 4-task array, waits, merges the shards with `rapport merge`, and compares with an unsharded run
# byte for byte. Exits 77 (skipped, with the precise reason) when Slurm cannot start here; stops
# every daemon it started, by pid.
#   tests/cluster/slurm_test.sh path/to/rapport
set -uo pipefail
rapport=$(realpath "${1:?usage: slurm_test.sh RAPPORT_BINARY}")
recipe=$(realpath "$(dirname "$0")/../../scripts/cluster/slurm_array.sh")
skip() { echo "SKIPPED: Slurm could not start here: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }

for tool in munged mungekey slurmctld slurmd sbatch squeue sinfo scancel; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh --all installs munge and slurm-wlm)"
done
[[ $(id -u) == 0 ]] || skip "a private slurmd must run as root to start jobs (running as $(id -un))"

T=$(mktemp -d /tmp/rapport-slurm-XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
  [[ -n "${SLURM_CONF:-}" ]] && scancel --quiet --full -u root >/dev/null 2>&1
  for (( k=${#pids[@]}-1; k>=0; k-- )); do kill "${pids[k]}" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$T"
}
trap cleanup EXIT
show_logs() { for f in "$T"/*.log; do echo "--- $f"; tail -n 15 "$f"; done; }

# Free TCP ports for slurmctld and slurmd: chosen by the kernel where Python is at hand, else
# random ones in the ephemeral range that nothing answers on.
if command -v python3 >/dev/null; then
  read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
else
  free_port() {
    local p
    while :; do
      p=$((32768 + RANDOM % 28000))
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
  }
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
fi
host=$(hostname -s)

# munge: a fresh key and a private socket.
mungekey -c -k "$T/munge.key" >/dev/null 2>&1 || dd if=/dev/urandom of="$T/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$T/munge.key"
munged -F -f --key-file="$T/munge.key" --socket="$T/munge.sock" --pid-file="$T/munged.pid" \
  --log-file="$T/munged.log" --seed-file="$T/munged.seed" >"$T/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S "$T/munge.sock" ]] && break; sleep 0.1; done
[[ -S "$T/munge.sock" ]] || { show_logs; skip "munged did not start (see its log above)"; }

mkdir -p "$T/state" "$T/spool"
cat >"$T/slurm.conf" <<CONF
ClusterName=rapporttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge.sock
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/builtin
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf

slurmctld -D -i -f "$SLURM_CONF" >"$T/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$T/slurmd.out.log" 2>&1 &
pids+=($!)
ready=false
for _ in $(seq 150); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1)
  [[ "$state" == idle* ]] && { ready=true; break; }
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { show_logs; skip "a Slurm daemon exited on start (see its log above)"; }; done
  sleep 0.2
done
$ready || { show_logs; skip "the node did not become idle within 30 s (state: '${state:-none}'; logs above)"; }
echo "slurm: single node '$host' up (slurmctld :$ctld_port, slurmd :$slurmd_port)"

# The unsharded reference, and the same run as a 4-task array.
args=(--env function --tasks 10 --samples 3 --seed 11)
"$rapport" run "${args[@]}" --out "$T/all.jsonl" -q || fail "the unsharded run failed"
export RAPPORT="$rapport" RAPPORT_SHARDS="$T/shards"
jid=$(sbatch --parsable --array=0-3 --chdir="$T" --output="$T/shard-%a.log" "$recipe" "${args[@]}") ||
  fail "sbatch refused the array"
echo "slurm: submitted array job $jid"
for _ in $(seq 600); do
  [[ -z $(squeue -h -j "$jid" 2>/dev/null) ]] && break
  sleep 0.1
done
[[ -z $(squeue -h -j "$jid" 2>/dev/null) ]] || { show_logs; fail "array job $jid still queued or running after 60 s"; }
"$rapport" merge "$T/shards/out.{i}.jsonl" --shards 4 --out "$T/merged.jsonl" \
  --caches "$T"/shards/cache.*.sqlite --cache-out "$T/merged.sqlite" ||
  { show_logs; cat "$T"/shard-*.log; fail "rapport merge failed"; }
cmp "$T/all.jsonl" "$T/merged.jsonl" || fail "the merged shards differ from the unsharded run"
echo "PASSED: 4 Slurm array tasks merged into the unsharded run's file, byte for byte ($(wc -l <"$T/merged.jsonl") trajectories)"
