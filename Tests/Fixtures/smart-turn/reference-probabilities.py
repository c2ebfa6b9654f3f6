#!/usr/bin/env python3
"""Reference Smart Turn v3.2 probabilities for fixed feature tensors, from pipecat's own ONNX session.

Run with the Python that has pipecat-ai installed (`make pipecat` puts it in .engines/pipecat-venv):

    .engines/pipecat-venv/bin/python Tests/Fixtures/smart-turn/reference-probabilities.py \
        > Tests/Fixtures/smart-turn/reference-probabilities.json

Each case is an input_features tensor [1, 80, 800] (row-major by mel bin) that the Swift test builds the
same way: all zeros; a ramp over the mel bins (value = -1 + 2 bin / 79, computed in double) or over the
frames (value = -1 + 2 frame / 799), each rounded once to float32; or a 32-bit linear congruential sequence (x = 1664525 x + 1013904223 mod 2^32,
starting from `seed`; value = lo + (hi - lo) * (x >> 8) / 2^24, exact in float32 for the ranges here).
Tests/EnginesTests/SmartTurnModelTests.swift compares SmartTurnModel's probabilities with these.
"""

import json
import sys

import numpy as np
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3

COUNT = 80 * 800
CASES: list[dict[str, object]] = [
    {"name": "zeros"},
    {"name": "bin-ramp"},
    {"name": "frame-ramp"},
    {"name": "lcg-1", "seed": 1, "lo": -1.0, "hi": 1.0},
    {"name": "lcg-2024", "seed": 2024, "lo": -1.5, "hi": 0.5},
]


def lcg(seed: int, lo: float, hi: float) -> np.ndarray:
    """COUNT values of the sequence, as float32."""
    x = seed
    values = np.empty(COUNT, dtype=np.float32)
    for i in range(COUNT):
        x = (1664525 * x + 1013904223) % (1 << 32)
        values[i] = lo + (hi - lo) * ((x >> 8) / float(1 << 24))
    return values


def features(case: dict[str, object]) -> np.ndarray:
    if case["name"] == "zeros":
        flat = np.zeros(COUNT, dtype=np.float32)
    elif case["name"] == "bin-ramp":
        bins = np.repeat(np.arange(80, dtype=np.float64), 800)
        flat = (-1.0 + 2.0 * bins / 79.0).astype(np.float32)
    elif case["name"] == "frame-ramp":
        frames = np.tile(np.arange(800, dtype=np.float64), 80)
        flat = (-1.0 + 2.0 * frames / 799.0).astype(np.float32)
    else:
        flat = lcg(int(case["seed"]), float(case["lo"]), float(case["hi"]))  # type: ignore[arg-type]
    return flat.reshape(1, 80, 800)


def main() -> None:
    session = LocalSmartTurnAnalyzerV3()._session
    out: list[dict[str, object]] = []
    for case in CASES:
        outputs = session.run(None, {"input_features": features(case)})
        probability = float(np.asarray(outputs[0]).reshape(-1)[0])
        out.append({**case, "probability": round(probability, 7)})
    json.dump({"cases": out}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
