#!/usr/bin/env bash
# Benchmark: speed of the real engines (speex AEC, WebRTC VAD, Silero VAD, pocketsphinx) as
# multiples of real time, release build, pinned to one core. Needs `make engines`.
# Builds Benchmarks/real-engines/main.swift against a scratch copy of the package (an extra
# executable target there, so Package.swift stays untouched). Usage: Benchmarks/real-engines/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$root" --exclude='./.build*' --exclude='./sessions' --exclude='./.engines' -cf - . | tar -C "$work" -xf -
mkdir -p "$work/Sources/RealEnginesBench"
cp "$root/Benchmarks/real-engines/main.swift" "$work/Sources/RealEnginesBench/main.swift"
cat >> "$work/Package.swift" <<'SWIFT'
package.targets.append(.executableTarget(name: "RealEnginesBench", dependencies: ["Engines", "Core"], path: "Sources/RealEnginesBench"))
SWIFT
# Reuse the dependency checkouts of the main build when present (no network needed).
[ -d "$root/.build/checkouts" ] && mkdir -p "$work/.build" && cp -r "$root/.build/checkouts" "$root/.build/repositories" "$work/.build/" 2>/dev/null || true
swift build -c release --package-path "$work" --product RealEnginesBench >&2
export CROSSTALK_ENGINES_DIR="${CROSSTALK_ENGINES_DIR:-$root/.engines}"
taskset -c 0 "$work/.build/release/RealEnginesBench" 2>/dev/null || "$work/.build/release/RealEnginesBench"
