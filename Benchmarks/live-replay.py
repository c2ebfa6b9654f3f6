#!/usr/bin/env python3
"""Record a long synthetic live session over loopback, then replay it counterfactually.

Prints two whole-process figures: the recording's real-time factor (session seconds per wall second
while `crosstalk record` took the stream) and a counterfactual replay's real-time factor
(`crosstalk replay live.ctk --set pipeline.endpointing.silence_ms=800`). The session: every 6 s a
caller turn of 1.2 s speech, a 500 ms pause, 0.8 s speech; VAD rows, vad/stt/turn.end events of a
pipeline that cuts the turn off in the pause, and a 1.5 s bot reply on the bot stream.

    python3 Benchmarks/live-replay.py --minutes 30 [--bin .build/release/crosstalk]
"""

import argparse
import base64
import json
import os
import socket
import subprocess
import tempfile
import time

FRAME_US = 20_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--bin", default=".build/debug/crosstalk")
    args = parser.parse_args()
    frames = int(args.minutes * 60 * 1_000_000 / FRAME_US)
    out = os.path.join(tempfile.mkdtemp(), "live.ctk")
    recorder = subprocess.Popen([args.bin, "record", "--listen", "127.0.0.1:0", "-o", out, "--once", "--force"],
                                stdout=subprocess.PIPE, text=True)
    assert recorder.stdout is not None
    port = int(recorder.stdout.readline().rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port))
    reader = sock.makefile("r")

    def send(obj: dict) -> None:
        sock.sendall((json.dumps(obj, separators=(",", ":")) + "\n").encode())

    send({"type": "hello", "sample_rate": 16000, "frame_ms": 20, "codec": "opus", "name": "live benchmark"})
    reader.readline()
    speech = base64.b64encode(b"".join((int(6000 if (n // 20) % 2 else -6000)).to_bytes(2, "little", signed=True) for n in range(320))).decode()
    silence = base64.b64encode(bytes(640)).decode()
    tone = base64.b64encode(b"".join((int(3000 if (n // 30) % 2 else -3000)).to_bytes(2, "little", signed=True) for n in range(320))).decode()
    turn = 0
    started = time.monotonic()
    for f in range(frames):
        t = f * FRAME_US
        phase = t % 6_000_000
        talking = 500_000 <= phase < 1_700_000 or 2_200_000 <= phase < 3_000_000
        base = t - phase
        events = []
        if phase == 0:
            turn += 1
        if phase == 560_000 or phase == 2_260_000:
            events.append(("vad.start", {"onset_us": t - 60_000}))
        if phase == 1_900_000:
            events += [("vad.stop", {"speech_end_us": base + 1_700_000}), ("stt.final", {"text": "a table for"})]
        if phase == 2_000_000:
            events += [("turn.end", {"reason": "smart_turn", "speech_end_us": base + 1_700_000}), ("llm.request", {})]
        if phase == 3_200_000:
            events += [("vad.stop", {"speech_end_us": base + 3_000_000}), ("stt.final", {"text": "four people."})]
        if phase == 3_300_000:
            events += [("turn.end", {"reason": "smart_turn", "speech_end_us": base + 3_000_000}), ("llm.request", {})]
        if phase == 3_800_000:
            events.append(("play.start", {}))
        if phase == 5_300_000:
            events.append(("play.stop", {"reason": "done", "heard_text": "Great, a table for four."}))
        # Turn N of the convention: the cut-off end is turn 2N-1, the real one 2N.
        for kind, data in events:
            n = 2 * turn - 1 if phase <= 2_000_000 else 2 * turn
            send({"type": "event", "t_us": t, "kind": kind, "turn": n, "data": data})
        send({"type": "audio", "stream": "mic", "frame": f, "pcm16": speech if talking else silence})
        playing = 3_800_000 <= phase < 5_300_000
        send({"type": "audio", "stream": "bot", "frame": f, "pcm16": tone if playing else silence})
        send({"type": "vad", "frame": f, "prob": 0.9 if talking else 0.05, "speech": talking})
    send({"type": "end"})
    reply = json.loads(reader.readline())
    recorded = time.monotonic() - started
    recorder.wait()
    seconds = frames * FRAME_US / 1_000_000
    print(f"recorded {seconds:.0f} s session in {recorded:.1f} s: {seconds / recorded:.0f}x real time ({reply['frames']} frames)")
    started = time.monotonic()
    result = subprocess.run([args.bin, "replay", out, "--set", "pipeline.endpointing.silence_ms=800"],
                            capture_output=True, text=True, check=True)
    replayed = time.monotonic() - started
    print(f"counterfactual replay (silence_ms=800) in {replayed:.2f} s: {seconds / replayed:.0f}x real time")
    print(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
