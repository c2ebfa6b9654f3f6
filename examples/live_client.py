#!/usr/bin/env python3
"""Stream a voice session to `crosstalk record --listen` (Python 3 standard library only).

It plays the part of a voice pipeline: the caller's audio (a WAV file, or a synthesized tone
"utterance") is the mic stream, a small energy VAD finds the speech, and the session gets the
events a real pipeline would emit (vad.start/stop, stt.final, turn.end, play.start/stop) plus a
bot "reply" tone on the bot stream. Protocol: docs/record-protocol.md.

    crosstalk record --listen 127.0.0.1:7070 -o live.ctk --once &
    python3 examples/live_client.py --port 7070                 # synthesized 4 s session
    python3 examples/live_client.py --port 7070 --wav call.wav  # 16-bit WAV at 8/16/24/48 kHz
    crosstalk report live.ctk && crosstalk verify live.ctk

Every reply from crosstalk is printed as it arrives; the exit status is 0 when the session ended
with {"ok": true} and no line was rejected, 1 otherwise.
"""

import argparse
import base64
import json
import math
import socket
import struct
import sys
import threading
import time
import wave

RATES = (8000, 16000, 24000, 48000)


def synthesize(rate, seconds):
    """A caller 'utterance': 220 Hz with a syllable-like tremolo from 0.5 s to 2.0 s, silence around it."""
    samples = []
    for n in range(int(rate * seconds)):
        t = n / rate
        if 0.5 <= t < 2.0:
            envelope = 0.55 + 0.45 * math.sin(2 * math.pi * 4 * t)
            samples.append(int(9000 * envelope * math.sin(2 * math.pi * 220 * t)))
        else:
            samples.append(0)
    return samples


def read_wav(path):
    """Mono 16-bit samples and the rate of a WAV file (the first channel of a stereo one)."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            sys.exit(f"{path}: need 16-bit PCM, not {8 * w.getsampwidth()}-bit")
        if w.getframerate() not in RATES:
            sys.exit(f"{path}: sample rate {w.getframerate()} is not one of {', '.join(map(str, RATES))}")
        channels, raw = w.getnchannels(), w.readframes(w.getnframes())
        samples = struct.unpack(f"<{len(raw) // 2}h", raw)[::channels]
        return list(samples), w.getframerate()


def frames_of(samples, per_frame):
    """The samples cut into whole frames (the last one padded with silence)."""
    padded = samples + [0] * (-len(samples) % per_frame)
    return [padded[i:i + per_frame] for i in range(0, len(padded), per_frame)]


def pipeline_events(frames, frame_us, threshold=600.0, start_frames=3, stop_frames=10):
    """An energy VAD with hysteresis, and the events a pipeline would emit around each utterance.

    Returns (vad rows, events, bot playback spans in frames)."""
    rows, events, replies = [], [], []
    speaking, run, onset, turn = False, 0, 0, 1
    for i, frame in enumerate(frames):
        rms = math.sqrt(sum(s * s for s in frame) / len(frame))
        loud = rms > threshold
        run = run + 1 if loud != speaking else 0
        if not speaking and run >= start_frames:
            speaking, run, onset = True, 0, (i - start_frames + 1) * frame_us
            events.append({"t_us": (i + 1) * frame_us, "kind": "vad.start", "turn": turn, "data": {"onset_us": onset}})
        elif speaking and run >= stop_frames:
            speaking, run = False, 0
            end = (i - stop_frames + 1) * frame_us
            now = (i + 1) * frame_us
            text = f"utterance {turn}"
            events.append({"t_us": now, "kind": "vad.stop", "turn": turn, "data": {"speech_end_us": end}})
            events.append({"t_us": now + 100_000, "kind": "stt.final", "turn": turn,
                           "data": {"text": text, "audio_end_us": end}})
            turn_end = now + 300_000
            events.append({"t_us": turn_end, "kind": "turn.end", "turn": turn,
                           "data": {"reason": "silence", "waited_ms": (turn_end - end) // 1000,
                                    "transcript": text, "speech_end_us": end}})
            play = turn_end + 400_000
            first, last = play // frame_us, (play + 800_000) // frame_us
            replies.append((first, last))
            events.append({"t_us": first * frame_us, "kind": "play.start", "turn": turn, "data": {}})
            events.append({"t_us": last * frame_us, "kind": "play.stop", "turn": turn,
                           "data": {"reason": "done", "heard_text": f"reply {turn}"}})
            turn += 1
        rows.append({"frame": i, "prob": round(min(1.0, rms / (4 * threshold)), 3), "speech": speaking})
    events.sort(key=lambda e: e["t_us"])
    return rows, events, replies


def bot_frame(i, per_frame, rate, replies):
    """Frame i of the bot stream: a 330 Hz reply tone inside a playback span, else silence."""
    if not any(first <= i < last for first, last in replies):
        return [0] * per_frame
    return [int(6000 * math.sin(2 * math.pi * 330 * (i * per_frame + k) / rate)) for k in range(per_frame)]


def pcm16(samples):
    return base64.b64encode(struct.pack(f"<{len(samples)}h", *samples)).decode("ascii")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7070)
    parser.add_argument("--wav", help="mono or stereo 16-bit WAV to stream as the mic (default: a synthesized tone)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the synthesized session")
    parser.add_argument("--rate", type=int, default=16000, choices=RATES, help="sample rate of the synthesized session")
    parser.add_argument("--frame-ms", type=int, default=20, choices=(10, 20, 40, 60))
    parser.add_argument("--codec", default="opus", choices=("opus", "pcm16"), help="how crosstalk stores the audio")
    parser.add_argument("--name", default="live-client example")
    parser.add_argument("--session-id")
    parser.add_argument("--realtime", action="store_true", help="pace the frames at the speed of speech")
    args = parser.parse_args()

    samples, rate = read_wav(args.wav) if args.wav else (synthesize(args.rate, args.seconds), args.rate)
    per_frame = rate * args.frame_ms // 1000
    frame_us = args.frame_ms * 1000
    mic = frames_of(samples, per_frame)
    vad_rows, events, replies = pipeline_events(mic, frame_us)
    # Keep the line open (silence on the mic) until the last reply has played.
    for i in range(len(mic), max([last for _, last in replies], default=0)):
        mic.append([0] * per_frame)
        vad_rows.append({"frame": i, "prob": 0.0, "speech": False})

    sock = socket.create_connection((args.host, args.port))
    replies_in = sock.makefile("rb")

    def send(message):
        sock.sendall((json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8"))

    hello = {"type": "hello", "sample_rate": rate, "frame_ms": args.frame_ms, "codec": args.codec,
             "name": args.name, "client": "examples/live_client.py"}
    if args.session_id:
        hello["session_id"] = args.session_id
    send(hello)
    first = json.loads(replies_in.readline() or b"{}")
    print("hello ->", json.dumps(first), flush=True)
    if not first.get("ok"):
        return 1

    # Everything after the hello is answered only on errors and at the end: read on a thread.
    answers = []

    def read_replies():
        for line in replies_in:
            reply = json.loads(line)
            answers.append(reply)
            print("reply ->", json.dumps(reply), flush=True)

    reader = threading.Thread(target=read_replies, daemon=True)
    reader.start()

    started, pending = time.monotonic(), list(events)
    for i, frame in enumerate(mic):
        if args.realtime:
            time.sleep(max(0.0, started + i * args.frame_ms / 1000 - time.monotonic()))
        t_us = i * frame_us
        send({"type": "audio", "stream": "mic", "frame": i, "t_us": t_us, "pcm16": pcm16(frame)})
        send({"type": "vad", "t_us": t_us, **vad_rows[i]})
        send({"type": "audio", "stream": "bot", "frame": i, "t_us": t_us,
              "pcm16": pcm16(bot_frame(i, per_frame, rate, replies))})
        while pending and pending[0]["t_us"] < t_us + frame_us:
            send({"type": "event", **pending.pop(0)})
    for event in pending:  # events after the last frame (a reply still playing)
        send({"type": "event", **event})
    send({"type": "end"})
    reader.join(timeout=30)
    sock.close()
    ended = answers and answers[-1].get("ok") and answers[-1].get("type") == "end"
    errors = [a for a in answers if "error" in a]
    return 0 if ended and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
