#!/usr/bin/env bash
# One shard of a `rapport run` as a Slurm job array task. Every task runs shard
# $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT with its output and cache on node-local disk, then
# copies both to $RAPPORT_SHARDS (shared storage); `rapport merge` joins them afterwards.
#
#   export RAPPORT_SHARDS=$PWD/shards           # shared folder for the shards' results
#   jid=$(sbatch --parsable --array=0-7 scripts/cluster/slurm_array.sh \
#           --env travel --agent llm --model M --base-url http://vllm-a:8000/v1,http://vllm-b:8000/v1 --samples 8)
#   sbatch --dependency=afterok:$jid --wrap \
#     "rapport merge '$RAPPORT_SHARDS/out.{i}.jsonl' --shards 8 --out all.jsonl \
#        --caches $RAPPORT_SHARDS/cache.*.sqlite --cache-out all.sqlite"
#
# Arguments are those of `rapport run` (no --shard, --out or --cache: this script sets them). A task
# requeued on the same node resumes from its local files. RAPPORT names the binary (default: rapport).
#SBATCH --job-name=rapport-shard
#SBATCH --cpus-per-task=1
#SBATCH --output=rapport-shard-%A_%a.log
set -euo pipefail

: "${SLURM_ARRAY_TASK_ID:?run this with sbatch --array=0-N-1}"
: "${RAPPORT_SHARDS:?set RAPPORT_SHARDS to a shared folder for the results of the shards}"
rapport=${RAPPORT:-rapport}
i=$SLURM_ARRAY_TASK_ID
n=${SLURM_ARRAY_TASK_COUNT:-$((SLURM_ARRAY_TASK_MAX + 1))}

if [[ -f "$RAPPORT_SHARDS/out.$i.jsonl" && ! -e "$RAPPORT_SHARDS/out.$i.jsonl.pending" ]]; then
  echo "shard $i/$n is already complete in $RAPPORT_SHARDS"
  exit 0
fi
work=${SLURM_TMPDIR:-${TMPDIR:-/tmp}}/rapport-${SLURM_ARRAY_JOB_ID:-0}-$i
mkdir -p "$work" "$RAPPORT_SHARDS"
resume=()
[[ -f "$work/out.jsonl" || -f "$work/out.jsonl.pending" ]] && resume=(--resume)
"$rapport" run "$@" --shard "$i/$n" --out "$work/out.jsonl" --cache "$work/cache.sqlite" --progress off \
  "${resume[@]}"
# The cache first: a complete out.$i.jsonl means the shard is done.
cp "$work/cache.sqlite" "$RAPPORT_SHARDS/cache.$i.sqlite.partial"
mv "$RAPPORT_SHARDS/cache.$i.sqlite.partial" "$RAPPORT_SHARDS/cache.$i.sqlite"
cp "$work/out.jsonl" "$RAPPORT_SHARDS/out.$i.jsonl.partial"
mv "$RAPPORT_SHARDS/out.$i.jsonl.partial" "$RAPPORT_SHARDS/out.$i.jsonl"
rm -rf "$work"
