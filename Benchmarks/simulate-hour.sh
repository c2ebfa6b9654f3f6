#!/usr/bin/env bash
# Benchmark: simulate + record one hour of conversation with the default settings (Opus archive).
# Reports x real time (conversation seconds per wall second, whole process), archive bytes per
# conversation second, and peak memory (max RSS). Usage: Benchmarks/simulate-hour.sh PATH/TO/crosstalk
set -euo pipefail
bin=${1:?usage: $0 path/to/crosstalk}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for scenario in "${SCENARIOS:-$here/hour.yaml}"; do
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$out/rss" "$bin" simulate "$scenario" -o "$out/s.ctk" --force > "$out/table"
  end=$(date +%s.%N)
  dur_ms=$("$bin" report "$out/s.ctk" --json | grep -o '"duration_ms":[0-9]*' | cut -d: -f2)
  bytes=$(stat -c %s "$out/s.ctk")
  awk -v s="$start" -v e="$end" -v d="$dur_ms" -v b="$bytes" -v r="$(cat "$out/rss")" -v n="$(basename "$scenario")" 'BEGIN {
    wall = e - s; audio = d / 1000;
    printf "%s: %.0f s of conversation in %.2f s wall = %.0fx real time; archive %d bytes = %.0f B per conversation second; peak RSS %.0f MB\n",
      n, audio, wall, audio / wall, b, b / audio, r / 1024 }'
done
