#!/usr/bin/env bash
# Benchmark: wall time and peak memory (max RSS) of every reader of an archive: verify, report,
# report --json, replay (exact), inspect --render, export --wav, export --trace.
# Each argument after the binary is an archive, or a number N: then an archive with N extra events
# is made from BASE (default sessions/samples/hesitation-pcm16.ctk) by Benchmarks/big-archive.py.
# RUNS runs per reader (default 1; the median is printed), each cut off after TIMEOUT s (default 120).
# Usage: Benchmarks/readers.sh PATH/TO/crosstalk (ARCHIVE.ctk | N)...
#   e.g. Benchmarks/readers.sh .build/release/crosstalk 1000000 10000000
set -uo pipefail
bin=${1:?usage: $0 path/to/crosstalk (archive.ctk | N)...}
shift
here=$(cd "$(dirname "$0")" && pwd)
base=${BASE:-$here/../sessions/samples/hesitation-pcm16.ctk}
runs=${RUNS:-1}
limit=${TIMEOUT:-120}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # name, then the command's arguments; prints "name: median wall s, median peak MB, exit"
  local name=$1; shift
  local walls=() rsss=() code=0
  for _ in $(seq "$runs"); do
    timeout -s KILL "$limit" /usr/bin/time -f '%e %M' -o "$out/time" "$bin" "$@" > /dev/null 2> "$out/err"
    code=$?
    if [ "$code" = 137 ]; then walls+=(">$limit"); rsss+=("?"); continue; fi
    read -r wall rss < <(tail -1 "$out/time")
    walls+=("$wall"); rsss+=("$((rss / 1024))")
  done
  local wall rss
  wall=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  rss=$(printf '%s\n' "${rsss[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  printf '  %-16s %8s s %7s MB  exit %s\n' "$name" "$wall" "$rss" "$code"
}

for arg in "$@"; do
  archive=$arg
  if [[ $arg =~ ^[0-9]+$ ]]; then
    archive="$out/e$arg.ctk"
    python3 "$here/big-archive.py" "$base" "$archive" "$arg"
  fi
  events=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM events").fetchone()[0])' "$archive")
  echo "$(basename "$archive"): $events events, $(($(stat -c %s "$archive") / 1048576)) MB"
  measure verify verify "$archive"
  measure report report "$archive"
  measure "report --json" report "$archive" --json
  measure replay replay "$archive"
  measure "inspect --render" inspect "$archive" --render --width 120 --height 40
  measure "export --wav" export "$archive" --wav "$out/x.wav" --force
  measure "export --trace" export "$archive" --trace "$out/x.json" --force
  rm -f "$out/x.wav" "$out/x.json"
done
