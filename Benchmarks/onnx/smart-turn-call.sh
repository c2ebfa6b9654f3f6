#!/usr/bin/env bash
# Median time of one Smart Turn v3.2 inference in-process (the shim SmartTurnModel uses, -O2, one
# intra-op thread). Usage: Benchmarks/onnx/smart-turn-call.sh   (engines folder: $CROSSTALK_ENGINES_DIR or .engines)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
engines=${CROSSTALK_ENGINES_DIR:-$here/../../.engines}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -I "$here/../../Sources/COnnxRuntime/include" -o "$work/bench" "$here/smart-turn-call.c" \
    "$here/../../Sources/COnnxRuntime/crosstalk_ort.c" -ldl -lpthread
"$work/bench" "$engines/lib/onnxruntime-1.32.0/libonnxruntime.so" "$engines/models/smart-turn-v3.2-cpu.onnx"
