#!/usr/bin/env bash
# Run benchmarks/ids_quality.py as one process per (attack, ratio, seed), JOBS at
# a time, then merge the parts into one report. Same protocol and numbers as a
# single `python benchmarks/ids_quality.py` run; only faster on a many-core
# machine (with a GPU, the neural samplers share it).
#
# Usage: JOBS=10 DEVICE=auto DATA=path/to/ciciot2023_sample.csv.gz \
#            bash benchmarks/ids_quality_parallel.sh [extra ids_quality.py options]
# Writes benchmarks/ids_quality.md and .csv (OUT=... to write elsewhere); the
# per-job logs and CSVs go to $PARTS (a temporary folder by default).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
JOBS="${JOBS:-4}"
DEVICE="${DEVICE:-auto}"
DATA="${DATA:-$here/../../shared/data/ciciot2023_sample.csv.gz}"
OUT="${OUT:-$here/ids_quality.md}"
PARTS="${PARTS:-$(mktemp -d)}"
PYTHON="${PYTHON:-python}"
ATTACKS="${ATTACKS:-Spoofing DDoS Mirai}"
RATIOS="${RATIOS:-0.1 0.02}"
SEEDS="${SEEDS:-5}"
mkdir -p "$PARTS"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1

jobs_list() {
    for attack in $ATTACKS; do
        for ratio in $RATIOS; do
            for ((seed = 0; seed < SEEDS; seed++)); do
                echo "$attack $ratio $seed"
            done
        done
    done
}

run_one() {
    local attack=$1 ratio=$2 seed=$3
    shift 3
    local name="$PARTS/part_${attack}_${ratio}_${seed}"
    "$PYTHON" "$here/ids_quality.py" --data "$DATA" --device "$DEVICE" \
        --attacks "$attack" --ratios "$ratio" --first-seed "$seed" --seeds 1 \
        --n-jobs 1 --out "$name.md" "$@" >"$name.log" 2>&1 ||
        echo "FAILED: $attack $ratio $seed (see $name.log)" >&2
}
export -f run_one
export here PARTS PYTHON DATA DEVICE

# {} is "attack ratio seed", split into three words by bash.
jobs_list | xargs -P "$JOBS" -I{} bash -c 'run_one {} "$@"' _ "$@"
shopt -s nullglob
parts=("$PARTS"/part_*.csv)
if ((${#parts[@]} == 0)); then
    echo "no part finished; logs in $PARTS" >&2
    exit 1
fi
"$PYTHON" "$here/ids_quality.py" --out "$OUT" "$@" --summarise "${parts[@]}" \
    --command "JOBS=$JOBS DEVICE=$DEVICE bash benchmarks/ids_quality_parallel.sh${*:+$(printf ' %q' "$@")}"
