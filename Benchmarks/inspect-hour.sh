#!/usr/bin/env bash
# Benchmark: `crosstalk inspect` on one hour of conversation, without a terminal.
# Simulates Benchmarks/hour.yaml (unless an archive is given), then runs `inspect --bench`: open +
# first screen, a 419-key script (step, turn, zoom, pan, ends) timed key → redrawn grid, a walk
# over every turn, and memory; plus the whole process's peak RSS from /usr/bin/time.
# Usage: Benchmarks/inspect-hour.sh PATH/TO/crosstalk [ARCHIVE.ctk]
set -euo pipefail
bin=${1:?usage: $0 path/to/crosstalk [archive.ctk]}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
archive=${2:-}
if [ -z "$archive" ]; then
  archive="$out/hour.ctk"
  "$bin" simulate "$here/hour.yaml" -o "$archive" --force > /dev/null
fi
/usr/bin/time -f '%M' -o "$out/rss" "$bin" inspect "$archive" --bench --width 120 --height 40
echo "  whole process peak RSS: $(( $(cat "$out/rss") / 1024 )) MB"
