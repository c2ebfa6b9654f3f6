#!/usr/bin/env bash
# Benchmark: parameter sweeps over one hour of conversation (release build).
# 1. simulate Benchmarks/hour.yaml to a temp archive (not timed here; see simulate-hour.sh);
# 2. time one counterfactual `crosstalk replay ARCHIVE --set pipeline.endpointing.silence_ms=800`
#    (whole process: open the archive, synthesize the texts, replay on the fast path);
# 3. time `crosstalk sweep ARCHIVE --param pipeline.endpointing.silence_ms=200:1150:50` (20 points)
#    on all cores (JOBS=N to choose).
# Prints x real time (conversation seconds per wall second) and wall seconds for each.
# Targets: counterfactual replay >= 1000x real time; 20-point sweep over 1 h <= 10 s on 2 cores.
# Usage: Benchmarks/sweep-hour.sh PATH/TO/crosstalk
set -euo pipefail
bin=${1:?usage: $0 path/to/crosstalk}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
jobs=${JOBS:-$(nproc)}
archive="$out/hour.ctk"

"$bin" simulate "${SCENARIO:-$here/hour.yaml}" -o "$archive" --force > /dev/null
dur_ms=$("$bin" report "$archive" --json | grep -o '"duration_ms":[0-9]*' | cut -d: -f2)

# Wall seconds of a command (its output kept in $out/last).
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" > "$out/last"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

report() { # label wall_seconds conversation_seconds_processed
  awk -v l="$1" -v w="$2" -v a="$3" 'BEGIN { printf "%s: %.0f s of conversation in %.2f s wall = %.0fx real time\n", l, a, w, a / w }'
}

audio=$(awk -v d="$dur_ms" 'BEGIN { print d / 1000 }')
echo "archive: $(basename "${SCENARIO:-$here/hour.yaml}"), ${audio} s of conversation, $(stat -c %s "$archive") bytes; $jobs job(s) on $(nproc) core(s)"

if "$bin" replay --help > /dev/null 2>&1; then
  wall=$(timed "$bin" replay "$archive" --set pipeline.endpointing.silence_ms=800)
  report "counterfactual replay (silence_ms=800)" "$wall" "$audio"
else
  wall=$(timed "$bin" sweep "$archive" --param pipeline.endpointing.silence_ms=800 --jobs 1)
  report "counterfactual replay (1-point sweep, silence_ms=800; no 'replay' command yet)" "$wall" "$audio"
fi

wall=$(timed "$bin" sweep "$archive" --param pipeline.endpointing.silence_ms=200:1150:50 --jobs "$jobs")
points=$(grep -cE '^ +[0-9]+ ' "$out/last" || true)
report "sweep, $points points x 1 archive, $jobs job(s)" "$wall" "$(awk -v a="$audio" -v p="$points" 'BEGIN { print a * p }')"
awk -v w="$wall" 'BEGIN { printf "sweep wall time: %.2f s (target <= 10 s on 2 cores)\n", w }'
sed -n '/^latency at/,$p' "$out/last"
