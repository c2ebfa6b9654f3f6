#!/usr/bin/env python3
"""Record a long synthetic live session over loopback, then replay it counterfactually.

Prints two whole-process figures: the recording's real-time factor (session seconds per wall second
while `crosstalk record` took the stream, from the first byte sent to the `end` reply) with the
recorder's peak memory, and a counterfactual replay's real-time factor
(`crosstalk replay live.ctk --set pipeline.endpointing.silence_ms=800`). The client builds every line
before it connects and sends them in large writes, so the figure is the recorder's, not Python's.
`--form chunks` sends what a real pipeline sends instead of archive frames: mic in 10 ms chunks, bot
audio at 24 kHz in 40 ms chunks only while the bot speaks, VAD rows by time every 32 ms. The session: every 6 s a
caller turn of 1.2 s speech, a 500 ms pause, 0.8 s speech; VAD rows, vad/stt/turn.end events of a
pipeline that cuts the turn off in the pause, and a 1.5 s bot reply on the bot stream.

    python3 Benchmarks/live-replay.py --minutes 30 [--bin .build/release/crosstalk] [--form frames|chunks]
"""

import argparse
import base64
import json
import math
import os
import resource
import socket
import subprocess
import tempfile
import time

FRAME_US = 20_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--bin", default=".build/debug/crosstalk")
    parser.add_argument("--form", choices=["frames", "chunks"], default="frames")
    args = parser.parse_args()
    chunks = args.form == "chunks"
    frames = int(args.minutes * 60 * 1_000_000 / FRAME_US)
    out = os.path.join(tempfile.mkdtemp(), "live.ctk")
    recorder = subprocess.Popen([args.bin, "record", "--listen", "127.0.0.1:0", "-o", out, "--once", "--force"],
                                stdout=subprocess.PIPE, text=True)
    assert recorder.stdout is not None
    port = int(recorder.stdout.readline().rsplit(":", 1)[1])
    lines: list[bytes] = []

    def send(obj: dict) -> None:
        lines.append((json.dumps(obj, separators=(",", ":")) + "\n").encode())

    hello = {"type": "hello", "sample_rate": 16000, "frame_ms": 20, "codec": "opus", "name": "live benchmark"}
    if chunks:
        hello["stream_rates"] = {"bot": 24000}
    send(hello)

    def pcm(samples: list[int]) -> str:
        return base64.b64encode(b"".join(v.to_bytes(2, "little", signed=True) for v in samples)).decode()

    speech = pcm([6000 if (n // 20) % 2 else -6000 for n in range(320)])
    silence = pcm([0] * 320)
    tone = pcm([3000 if (n // 30) % 2 else -3000 for n in range(320)])
    speech10, silence10 = pcm([6000 if (n // 20) % 2 else -6000 for n in range(160)]), pcm([0] * 160)
    tone24k = pcm([int(3000 * math.sin(2 * math.pi * 300 * n / 24000)) for n in range(960)])
    turn = 0
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
        playing = 3_800_000 <= phase < 5_300_000
        if not chunks:
            send({"type": "audio", "stream": "mic", "frame": f, "pcm16": speech if talking else silence})
            send({"type": "audio", "stream": "bot", "frame": f, "pcm16": tone if playing else silence})
            send({"type": "vad", "frame": f, "prob": 0.9 if talking else 0.05, "speech": talking})
            continue
        for _ in range(2):
            send({"type": "audio", "stream": "mic", "pcm16": speech10 if talking else silence10})
        if playing and phase % 40_000 == 0:
            send({"type": "audio", "stream": "bot", "t_us": t, "sample_rate": 24000, "pcm16": tone24k})
        if t // 32_000 != (t + FRAME_US) // 32_000:
            send({"type": "vad", "t_us": (t + FRAME_US) // 32_000 * 32_000, "prob": 0.9 if talking else 0.05, "speech": talking})
    send({"type": "end"})
    payload = b"".join(lines)
    sock = socket.create_connection(("127.0.0.1", port))
    reader = sock.makefile("r")
    started = time.monotonic()
    sock.sendall(payload[: len(lines[0])])
    reader.readline()
    view = memoryview(payload)[len(lines[0]):]
    for offset in range(0, len(view), 1 << 20):
        sock.sendall(view[offset:offset + (1 << 20)])
    reply = json.loads(reader.readline())
    recorded = time.monotonic() - started
    recorder.wait()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    seconds = frames * FRAME_US / 1_000_000
    print(f"recorded {seconds:.0f} s session ({args.form}, {len(payload) / 1e6:.0f} MB of lines) in {recorded:.1f} s: "
          f"{seconds / recorded:.0f}x real time ({reply['frames']} frames, {reply['rejected']} rejected), recorder peak {peak_mb:.0f} MB, "
          f"{cpu:.1f} CPU s ({seconds / cpu:.0f}x real time per CPU second)")
    started = time.monotonic()
    result = subprocess.run([args.bin, "replay", out, "--set", "pipeline.endpointing.silence_ms=800"],
                            capture_output=True, text=True, check=True)
    replayed = time.monotonic() - started
    print(f"counterfactual replay (silence_ms=800) in {replayed:.2f} s: {seconds / replayed:.0f}x real time")
    print(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
