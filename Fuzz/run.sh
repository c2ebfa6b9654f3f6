#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer + AddressSanitizer) and runs each for a fixed number of
# executions with a fixed seed, from a fresh corpus made of the seeds (Fuzz/seeds/<target>/ and the
# bundled scenarios, archives and transcripts). A crash, a hang (-timeout) or a memory blow-up
# (-rss_limit_mb / -malloc_limit_mb) fails the run and leaves the input in Fuzz/findings/<target>/.
#
#   Fuzz/run.sh [--runs N] [--seed S] [--no-build] [TARGET…]     (default: 20000 runs, seed 1, all targets)
#   Reproduce a finding:  .build-fuzz/debug/FuzzArchive Fuzz/findings/FuzzArchive/crash-…
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=20000
SEED=1
BUILD=1
TARGETS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) TARGETS+=("$1"); shift ;;
    esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(FuzzScenario FuzzArchive FuzzLive FuzzTranscript)
SCRATCH=$ROOT/.build-fuzz

if [ $BUILD = 1 ]; then
    # -sanitize=fuzzer instruments the Swift code for coverage and links libFuzzer; C code (libyaml,
    # SQLite, libopus) is not instrumented but its memory accesses are still checked by ASan's interceptors.
    swift build --package-path Fuzz -c debug -Xswiftc -sanitize=fuzzer,address --scratch-path "$SCRATCH" \
        2>&1 | grep -v "Cannot export local symbol"
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz: the build failed" >&2; exit 2; }
fi
BIN=$SCRATCH/debug

# The seeds of each target: its hand-made ones plus the bundled files it reads.
seeds() {
    echo Fuzz/seeds/"$1"/*
    case "$1" in
        FuzzScenario) echo sessions/scenarios/*.yaml sessions/live/*.yaml ;;
        # The bundled samples are too large to mutate fast (151 KB, 1.9 MB): barge-in.ctk is an edit
        # script's base instead, and FuzzArchive adds two small live archives as raw seeds.
        FuzzTranscript) echo sessions/calls/*.json ;;
    esac
}
# Largest input the fuzzer makes (the small raw archives are a few pages; protocol sessions a few KB).
max_len() { case "$1" in FuzzArchive) echo 65536 ;; FuzzLive) echo 16384 ;; *) echo 8192 ;; esac; }

# Per-input archives live on tmpfs when there is one: fsync there costs nothing.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
export SWIFT_BACKTRACE=enable=no  # else Swift's backtracer takes the crash signal before libFuzzer saves the input
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
failed=()
for target in "${TARGETS[@]}"; do
    [ -x "$BIN/$target" ] || { echo "fuzz: no such target $target (have: FuzzScenario FuzzArchive FuzzLive FuzzTranscript)" >&2; exit 2; }
    corpus=$SCRATCH/corpus/$target
    findings=Fuzz/findings/$target
    log=$SCRATCH/logs/$target.log
    rm -rf "$corpus" && mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    # shellcheck disable=SC2046
    cp $(seeds "$target") "$corpus"/
    start=$(date +%s)
    CROSSTALK_FUZZ_SEED_DIR=$corpus "$BIN/$target" "$corpus" -runs="$RUNS" -seed="$SEED" -max_len="$(max_len "$target")" \
        -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=1024 -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$findings/" >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc = 0 ]; then
        echo "fuzz $target: ok, ${execs:-?} executions in ${secs}s (${rate:-?}/s), $cov, seed $SEED"
    else
        echo "fuzz $target: FAILED (exit $rc) after ${secs}s, seed $SEED; log $log" >&2
        grep -E 'ERROR: |SUMMARY: |Fatal error|deadly signal|timeout|out-of-memory|malloc\(' "$log" | head -8 >&2
        grep -o "Test unit written to .*" "$log" | sed 's/^/  /' >&2
        echo "  reproduce: SWIFT_BACKTRACE=enable=no $BIN/$target <that file>" >&2
        failed+=("$target")
    fi
done
[ ${#failed[@]} = 0 ] || { echo "fuzz: findings in ${failed[*]} (inputs saved under Fuzz/findings/)" >&2; exit 1; }
