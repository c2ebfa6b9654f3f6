#!/usr/bin/env bash
# Benchmark: espeak-ng synthesis, Resampler and Opus speed/packet sizes (release build, one core).
# Builds Benchmarks/engines/main.swift against a scratch copy of the package (an extra executable
# target there, so Package.swift stays untouched). Usage: Benchmarks/engines/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$root" --exclude='./.build*' --exclude='./sessions' -cf - . | tar -C "$work" -xf -
mkdir -p "$work/Sources/EnginesBench"
cp "$root/Benchmarks/engines/main.swift" "$work/Sources/EnginesBench/main.swift"
cat >> "$work/Package.swift" <<'EOF'
package.targets.append(.executableTarget(name: "EnginesBench", dependencies: ["Engines", "Core"], path: "Sources/EnginesBench"))
EOF
# Reuse the dependency checkouts of the main build when present (no network needed).
[ -d "$root/.build/checkouts" ] && mkdir -p "$work/.build" && cp -r "$root/.build/checkouts" "$root/.build/repositories" "$work/.build/" 2>/dev/null || true
swift build -c release --package-path "$work" --product EnginesBench >&2
taskset -c 0 "$work/.build/release/EnginesBench" 2>/dev/null || "$work/.build/release/EnginesBench"
