#!/usr/bin/env bash
# Starts the local OpenAI-compatible LLM server (llama-cpp-python with SmolLM2-135M-Instruct, from
# `make llm-server`) in the background on 127.0.0.1 and waits until it answers /v1/models.
# Usage: Benchmarks/llm-server/start.sh [PORT] [extra llama_cpp.server options…]   (PORT default 8080)
# Then: export CROSSTALK_LLM_BASE_URL=http://127.0.0.1:PORT/v1   Stop: Benchmarks/llm-server/stop.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
llm="$root/.engines/llm"
port="${1:-8080}"
shift || true
python="$llm/venv/bin/python"
model=$(ls "$llm"/models/*.gguf 2>/dev/null | head -n 1 || true)
if [ ! -x "$python" ] || [ -z "$model" ]; then
    echo "start.sh: no server installed; run \`make llm-server\` first" >&2
    exit 2
fi
if [ -f "$llm/server.pid" ] && kill -0 "$(cat "$llm/server.pid")" 2>/dev/null; then
    echo "start.sh: a server is already running (pid $(cat "$llm/server.pid")); stop it with Benchmarks/llm-server/stop.sh" >&2
    exit 2
fi
url="http://127.0.0.1:$port/v1"
# --interrupt_requests False: a new request does not abort the one in flight, so only the client's
# cancel (closing the connection) stops a reply, as with a hosted API; the tests check exactly that.
nohup "$python" -m llama_cpp.server --model "$model" --model_alias smollm2 \
    --host 127.0.0.1 --port "$port" --n_ctx 2048 --interrupt_requests False "$@" \
    >"$llm/server.log" 2>&1 &
pid=$!
echo "$pid" >"$llm/server.pid"
for _ in $(seq 1 240); do
    if "$python" -c "import urllib.request; urllib.request.urlopen('$url/models', timeout=2)" 2>/dev/null; then
        echo "LLM server up (pid $pid, log $llm/server.log)"
        echo "export CROSSTALK_LLM_BASE_URL=$url"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "start.sh: the server exited; last lines of $llm/server.log:" >&2
        tail -n 5 "$llm/server.log" >&2
        rm -f "$llm/server.pid"
        exit 1
    fi
    sleep 0.5
done
echo "start.sh: the server did not answer $url/models within 120 s (log: $llm/server.log)" >&2
exit 1
