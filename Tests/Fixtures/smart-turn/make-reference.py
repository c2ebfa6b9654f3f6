#!/usr/bin/env python3
"""Reference Smart Turn v3.2 features and probabilities, from pipecat's own code, for the WAVs here.

Run with the Python that has pipecat-ai installed (`make pipecat` puts it in .engines/pipecat-venv):

    .engines/pipecat-venv/bin/python Tests/Fixtures/smart-turn/make-reference.py > Tests/Fixtures/smart-turn/reference.json

For each WAV (16 kHz mono PCM16, cut from Debian's pocketsphinx-testdata, BSD-licensed) and each instant
in INSTANTS (the audio from the file's start up to that instant taken as one user turn, as
`crosstalk eot score FILE --at T` does), it records what `LocalSmartTurnAnalyzerV3` computes: the
probability, and the log-mel features (`compute_whisper_log_mel_features` on the audio truncated or
left-padded to 8 s exactly as the analyzer does) for a sample of frames: every 100th frame and the last
40, each 80 values (5 decimals). Tests/CoreTests/WhisperLogMelTests.swift compares Crosstalk's features with these.
"""

import json
import os
import sys
import wave

import numpy as np
from pipecat.audio.turn.smart_turn._whisper_features import compute_whisper_log_mel_features
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3

HERE = os.path.dirname(os.path.abspath(__file__))
INSTANTS: dict[str, list[float]] = {
    "goforward.wav": [0.9, 2.78],
    "something.wav": [1.5, 2.99],
    "numbers-cut.wav": [1.6],
}
WINDOW = 8 * 16000


def samples(name: str) -> np.ndarray:
    with wave.open(os.path.join(HERE, name), "rb") as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def last_eight_seconds(audio: np.ndarray) -> np.ndarray:
    """The analyzer's window: the last 8 s, zero-padded at the beginning when shorter."""
    if len(audio) >= WINDOW:
        return audio[-WINDOW:]
    return np.pad(audio, (WINDOW - len(audio), 0))


def main() -> None:
    analyzer = LocalSmartTurnAnalyzerV3()
    frames = sorted(set(range(0, 800, 100)) | set(range(760, 800)))
    out: dict[str, object] = {"frames": frames, "cases": []}
    cases: list[dict[str, object]] = []
    for name, instants in INSTANTS.items():
        audio = samples(name)
        for t in instants:
            turn = audio[: int(round(t * 16000))]
            features = compute_whisper_log_mel_features(last_eight_seconds(turn), do_normalize=True)
            probability = analyzer._predict_endpoint(turn)["probability"]
            cases.append({
                "file": name, "at": t, "samples": len(turn), "probability": round(float(probability), 6),
                "features": [[round(float(v), 5) for v in features[:, f]] for f in frames],
            })
    out["cases"] = cases
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
