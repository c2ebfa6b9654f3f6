#!/usr/bin/env bash
# Stops the LLM server that Benchmarks/llm-server/start.sh started (by its recorded pid).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pidfile="$root/.engines/llm/server.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    echo "stopped LLM server (pid $(cat "$pidfile"))"
fi
rm -f "$pidfile"
