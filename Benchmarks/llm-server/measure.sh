#!/usr/bin/env bash
# Warm time to first token and tokens/s of the local LLM server as OpenAIChatModel sees them (the
# real-server tests, three rounds). Uses $CROSSTALK_LLM_BASE_URL when set; otherwise starts the
# server from `make llm-server` on port ${LLM_PORT:-8080} and stops it afterwards.
# Usage: Benchmarks/llm-server/measure.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${CROSSTALK_LLM_BASE_URL:-}" ]; then
    port="${LLM_PORT:-8080}"
    Benchmarks/llm-server/start.sh "$port" >&2
    trap 'Benchmarks/llm-server/stop.sh >&2' EXIT
    export CROSSTALK_LLM_BASE_URL="http://127.0.0.1:$port/v1"
fi
swift build --build-tests >&2
export CROSSTALK_LLM_MEASURE=1  # enables the measuring test, which make test skips
echo "server: $CROSSTALK_LLM_BASE_URL; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
    swift test --skip-build --filter LlamaServerTests 2>&1 | grep -E "warm TTFT|after cancel|real server reply|✘|Test run" || true
done
