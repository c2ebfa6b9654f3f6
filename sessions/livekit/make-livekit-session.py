#!/usr/bin/env python3
"""Writes a stand-in LiveKit Agents console recording: session-fixture/audio.ogg + session_report.json.

What `python agent.py console --record` leaves in `console-recordings/session-…/`, rebuilt from the
documented fields so `crosstalk import --livekit` can be tested without LiveKit. The field list
comes from livekit-agents 1.8.9 (PyPI): `livekit/agents/voice/report.py` (`SessionReport.to_dict`:
job_id, room_id, room, events, audio_recording_path, audio_recording_started_at, options, chat_history,
timestamp, usage, sdk_version, agent_name, tags, duration_ms, user_turns, errors, close_reason),
`voice/events.py` (each event's `type` and fields, `created_at` in unix seconds; `user_state_changed`
to listening is backdated to the last speaking time), `llm/chat_context.py` (`ChatMessage`, its
`metrics`: started/stopped_speaking_at, transcription_delay, end_of_turn_delay,
on_user_turn_completed_delay, llm_node_ttft, tts_node_ttfb, e2e_latency) and
`voice/recorder_io/recorder_io.py` (stereo Ogg/Opus at 48 kHz, channel 0 the user as received,
channel 1 the agent as played, one timeline from `audio_recording_started_at`). `eot_prediction`
(probability, threshold, inference_duration, delay) is the turn detector's verdict; 1.8.9 sends it
to a remote session host only, other versions put it in the report, so the fixture has one per turn.

The session: a greeting, then three user turns; the user talks over the agent's second reply, which
stops interrupted 0.5 s after the user starts (min_interruption_duration). Speech is espeak-ng
(libespeak-ng through ctypes), the Ogg is written by libsndfile (both are the project's own APT
packages). Also writes the expected timeline in microseconds (expected.json, the generator's own
placements, for the tests) and two bad files: vorbis.ogg (Ogg that is not Opus), mono.ogg (one channel).

Usage: sessions/livekit/make-livekit-session.py [OUTDIR]   (default: sessions/livekit/session-fixture)
"""
from __future__ import annotations

import ctypes
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

RATE = 48_000
T0 = 1_764_756_000.0  # audio_recording_started_at (unix seconds)
HERE = os.path.dirname(os.path.abspath(__file__))


def synthesize(text: str, voice: str) -> list[int]:
    """espeak-ng speech for `text`, trimmed of leading/trailing silence, resampled to 48 kHz."""
    lib = ctypes.CDLL("libespeak-ng.so.1")
    chunks: list[int] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def collect(wav: Any, count: int, _events: Any) -> int:
        if count > 0:
            chunks.extend(wav[:count])
        return 0

    keep = callback_type(collect)
    rate = lib.espeak_Initialize(2, 0, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS
    lib.espeak_SetSynthCallback(keep)
    lib.espeak_SetVoiceByName(voice.encode())
    lib.espeak_SetParameter(1, 165, 0)  # espeakRATE, words per minute
    data = text.encode() + b"\0"
    lib.espeak_Synth(data, len(data), 0, 1, 0, 0, None, None)
    lib.espeak_Synchronize()
    loud = [i for i, s in enumerate(chunks) if abs(s) > 300]
    samples = chunks[loud[0]:loud[-1] + 1]
    # Linear interpolation is plenty for a fixture (the importer resamples anyway).
    n = len(samples) * RATE // rate
    out = []
    for i in range(n):
        x = i * rate / RATE
        j = int(x)
        a = samples[j]
        b = samples[min(j + 1, len(samples) - 1)]
        out.append(int(round(a + (b - a) * (x - j))))
    return out


@dataclass
class Session:
    """The two channels, the report's events and chat items, and what the tests expect."""
    user: list[int] = field(default_factory=list)
    agent: list[int] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    emitted: list[tuple[float, int]] = field(default_factory=list)
    expected: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"turn_ends": [], "plays": [], "bargeins": [], "vad": [], "eot": [], "stt_finals": []})

    def place(self, track: list[int], samples: list[int], at: float) -> float:
        """Mixes `samples` into `track` from `at` seconds; returns the end (s)."""
        start = round(at * RATE)
        need = start + len(samples)
        track.extend([0] * max(0, need - len(track)))
        for i, s in enumerate(samples):
            track[start + i] = max(-32768, min(32767, track[start + i] + s))
        return need / RATE

    def event(self, kind: str, at: float, emitted: float | None = None, **fields: Any) -> None:
        """An event stamped `at` (s after T0), emitted at `emitted` (default `at`): the report lists
        events in emission order."""
        self.emitted.append((emitted if emitted is not None else at, len(self.events)))
        self.events.append({"type": kind, **fields, "created_at": T0 + at})

    def in_emission_order(self) -> list[dict[str, Any]]:
        return [self.events[i] for _, i in sorted(self.emitted)]


def us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def ms3(x: float) -> float:
    """Times on a millisecond grid, so `created_at - T0` converts to exact microseconds."""
    return round(x, 3)


def user_turn(s: Session, turn: int, text: str, at: float, eot: tuple[float, float], eot_delay: float) -> tuple[float, float]:
    """The user says `text` from `at`; returns (speech end, turn end)."""
    end = ms3(s.place(s.user, synthesize(text, "en-us"), at))
    vad_start = ms3(at + 0.1)
    speech_end = ms3(end + 0.02)
    final_at = ms3(end + 0.35)
    eot_at = ms3(speech_end + 0.6)
    turn_end = ms3(speech_end + eot_delay)
    words = text.split()
    s.event("user_state_changed", vad_start, old_state="listening", new_state="speaking")
    s.event("user_input_transcribed", ms3(at + 0.6), transcript=" ".join(words[: max(1, len(words) // 2)]),
            is_final=False, item_id=None, speaker_id=None, language="en")
    s.event("user_input_transcribed", final_at, transcript=text, is_final=True, item_id=None, speaker_id=None, language="en")
    # Emitted after the final (at the VAD's end of silence) but backdated to the last speaking time.
    s.event("user_state_changed", speech_end, emitted=speech_end + 0.55, old_state="speaking", new_state="listening")
    s.event("eot_prediction", eot_at, probability=eot[0], threshold=eot[1], inference_duration=0.021, delay=ms3(eot_at - speech_end))
    s.event("agent_state_changed", turn_end, old_state="listening", new_state="thinking")
    item_id = f"item_user{turn}"
    s.items.append({
        "id": item_id, "type": "message", "role": "user", "content": [text], "interrupted": False,
        "transcript_confidence": 0.97, "extra": {}, "created_at": T0 + vad_start,
        "metrics": {"started_speaking_at": T0 + vad_start, "stopped_speaking_at": T0 + speech_end,
                    "transcription_delay": ms3(final_at - speech_end), "end_of_turn_delay": eot_delay,
                    "on_user_turn_completed_delay": 0.001}})
    s.event("conversation_item_added", turn_end, item=s.items[-1])
    x = s.expected
    x["vad"] += [{"kind": "vad.start", "t_us": us(vad_start), "turn": turn}, {"kind": "vad.stop", "t_us": us(speech_end), "turn": turn}]
    x["stt_finals"].append({"t_us": us(final_at), "turn": turn, "text": text})
    x["eot"].append({"t_us": us(eot_at), "turn": turn, "probability": eot[0], "threshold": eot[1],
                     "outcome": "complete" if eot[0] >= eot[1] else "incomplete"})
    x["turn_ends"].append({"t_us": us(turn_end), "turn": turn, "speech_end_us": us(speech_end), "transcript": text})
    return speech_end, turn_end


def agent_reply(s: Session, turn: int | None, text: str, start: float, speech_end: float | None,
                cut_at: float | None = None, heard: str | None = None) -> float:
    """The agent plays `text` from `start` (cut at `cut_at` if interrupted); returns its stop time."""
    audio = synthesize(text, "en")
    if cut_at is not None:
        keep = round((cut_at - start) * RATE)
        fade = min(480, keep)
        audio = audio[:keep]
        for i in range(fade):  # 10 ms fade-out, as a player stops
            audio[keep - fade + i] = audio[keep - fade + i] * (fade - i) // fade
    end = ms3(s.place(s.agent, audio, start))
    stop = end if cut_at is None else cut_at
    s.event("agent_state_changed", start, old_state="thinking" if turn else "listening", new_state="speaking")
    s.event("agent_state_changed", stop, old_state="speaking", new_state="listening")
    metrics: dict[str, Any] = {"started_speaking_at": T0 + start,
                               # LiveKit stamps an interrupted reply's stop late; the state change has the truth.
                               "stopped_speaking_at": T0 + stop + (2.9 if cut_at is not None else 0.0)}
    if turn is not None:
        metrics.update({"llm_node_ttft": 0.38, "tts_node_ttfb": 0.22})
        if speech_end is not None:
            metrics["e2e_latency"] = ms3(start - speech_end)
    said = heard if heard is not None else text
    s.items.append({"id": f"item_agent{turn or 0}", "type": "message", "role": "assistant", "content": [said],
                    "interrupted": cut_at is not None, "transcript_confidence": None, "extra": {},
                    "created_at": T0 + start, "metrics": metrics})
    s.event("conversation_item_added", stop, item=s.items[-1])
    s.expected["plays"].append({"turn": turn, "start_us": us(start), "stop_us": us(stop),
                                "reason": "interrupted" if cut_at is not None else "done", "heard_text": said})
    return stop


def usage(s: Session, at: float) -> None:
    s.event("session_usage_updated", at, usage={"model_usage": []})


def build() -> tuple[Session, dict[str, Any]]:
    s = Session()
    s.event("agent_state_changed", -0.05, old_state="initializing", new_state="listening")
    s.event("speech_created", 0.35, user_initiated=True, source="say")
    g_stop = agent_reply(s, None, "Hello! How can I help you today?", 0.4, None)

    # The reply to turn N starts after on_user_turn_completed + LLM TTFT + TTS TTFB + playback latency.
    reply_lag = 0.001 + 0.38 + 0.22 + 0.049
    end1, te1 = user_turn(s, 1, "I would like to book a table for tonight.", g_stop + 0.8, (0.91, 0.5), 0.7)
    s.event("speech_created", te1, user_initiated=False, source="generate_reply")
    r1 = ms3(te1 + reply_lag)
    stop1 = agent_reply(s, 1, "Sure. For how many people, and at what time?", r1, end1)
    usage(s, stop1 + 0.1)

    end2, te2 = user_turn(s, 2, "For four people at eight.", stop1 + 0.9, (0.86, 0.5), 0.65)
    s.event("speech_created", te2, user_initiated=False, source="generate_reply")
    r2 = ms3(te2 + reply_lag)
    long_reply = "Great, a table for four at eight tonight. Would you like a table inside or on the terrace?"
    # The user starts 1.6 s into the reply; VAD says speaking 0.1 s later; the agent stops 0.5 s after that.
    u3 = ms3(r2 + 1.6)
    cut = ms3(u3 + 0.1 + 0.5)
    heard = "Great, a table for four"
    stop2 = agent_reply(s, 2, long_reply, r2, end2, cut_at=cut, heard=heard)
    s.expected["bargeins"].append({"turn": 2, "t_us": us(stop2), "onset_us": us(u3 + 0.1), "speech_ms": 500})
    end3, te3 = user_turn(s, 3, "Actually, make it five people, inside please.", u3, (0.77, 0.5), 0.6)
    s.event("speech_created", te3, user_initiated=False, source="generate_reply")
    r3 = ms3(te3 + reply_lag)
    stop3 = agent_reply(s, 3, "Done, five people inside, at eight.", r3, end3)
    usage(s, stop3 + 0.1)
    end = ms3(stop3 + 0.8)
    s.event("close", end, error=None, reason="user_initiated")

    n = round(end * RATE)
    s.user += [0] * (n - len(s.user))
    s.agent += [0] * (n - len(s.agent))
    report = {
        "job_id": "fixture-job-1",
        "room_id": "RM_fixture",
        "room": "console",
        "events": s.in_emission_order(),
        "audio_recording_path": "/home/dev/agent/console-recordings/session-12-03-110000/audio.ogg",
        "audio_recording_started_at": T0,
        "options": {
            "allow_interruptions": True, "discard_audio_if_uninterruptible": True,
            "min_interruption_duration": 0.5, "min_interruption_words": 0,
            "min_endpointing_delay": 0.5, "max_endpointing_delay": 3.0, "max_tool_steps": 3,
            "user_away_timeout": 15.0, "min_consecutive_speech_delay": 0.0,
            "preemptive_generation": {"enabled": False}, "recording_options": {"audio": True},
        },
        "chat_history": {"items": s.items},
        "timestamp": T0 + end + 0.2,
        "usage": None,
        "sdk_version": "1.8.9",
        "agent_name": "",
        "tags": [],
        "duration_ms": round((end + 0.2) * 1000),
        "user_turns": 3,
        "errors": {"llm": 0, "stt": 0, "tts": 0, "realtime": 0, "interruption": 0},
        "close_reason": "CR_USER_INITIATED",
    }
    s.expected["audio"] = [{"duration_us": us(n / RATE)}]
    return s, report


class SFInfo(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int), ("channels", ctypes.c_int),
                ("format", ctypes.c_int), ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]


def write_ogg(path: str, channels: list[list[int]], subtype: int, rate: int = RATE) -> None:
    """Writes interleaved 16-bit samples as Ogg (`subtype` 0x64 Opus, 0x60 Vorbis) with libsndfile."""
    lib = ctypes.CDLL("libsndfile.so.1")
    lib.sf_open.restype = ctypes.c_void_p
    info = SFInfo(0, rate, len(channels), 0x200000 | subtype, 0, 0)
    handle = lib.sf_open(path.encode(), 0x20, ctypes.byref(info))
    if not handle:
        raise SystemExit(f"cannot write {path}")
    frames = len(channels[0])
    buf = (ctypes.c_short * (frames * len(channels)))()
    for c, samples in enumerate(channels):
        for i, v in enumerate(samples):
            buf[i * len(channels) + c] = v
    lib.sf_writef_short(ctypes.c_void_p(handle), buf, ctypes.c_int64(frames))
    lib.sf_close(ctypes.c_void_p(handle))


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "session-fixture")
    os.makedirs(out, exist_ok=True)
    s, report = build()
    write_ogg(os.path.join(out, "audio.ogg"), [s.user, s.agent], 0x64)
    with open(os.path.join(out, "session_report.json"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(s.expected, f, indent=2, sort_keys=True)
        f.write("\n")
    second = RATE  # one second of each for the bad files
    write_ogg(os.path.join(out, "vorbis.ogg"), [s.user[:second], s.agent[:second]], 0x60)
    write_ogg(os.path.join(out, "mono.ogg"), [s.user[:second]], 0x64)
    print(f"wrote {out}: {len(s.user) / RATE:.2f} s, {len(report['events'])} events")


if __name__ == "__main__":
    main()
