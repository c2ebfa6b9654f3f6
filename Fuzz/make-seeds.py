#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz targets into Fuzz/seeds/<target>/ (committed).

The bundled files (sessions/scenarios/*.yaml, sessions/samples/*.ctk, sessions/calls/*.json) are
added to the corpora by Fuzz/run.sh at run time; these seeds cover what those files do not: live
protocol sessions built with examples/live_client.py's own functions, the protocol document's
examples, archive edit scripts (see Fuzz/Sources/FuzzArchive/ArchiveEditScript.swift), a sweep
result, and scenario overrides.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "examples"))
import live_client as client  # noqa: E402


def write(target, name, text):
    folder = os.path.join(HERE, "seeds", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
        f.write(text)


def line(message):
    return json.dumps(message, separators=(",", ":")) + "\n"


def live_session(rate, frame_ms, codec, seconds, max_frames):
    """The lines live_client.py sends for a synthesized session, cut to max_frames frames."""
    per_frame = rate * frame_ms // 1000
    frame_us = frame_ms * 1000
    mic = client.frames_of(client.synthesize(rate, seconds), per_frame)
    rows, events, replies = client.pipeline_events(mic, frame_us)
    out = [line({"type": "hello", "sample_rate": rate, "frame_ms": frame_ms, "codec": codec,
                 "name": "fuzz seed", "client": "examples/live_client.py"})]
    pending = list(events)
    for i, frame in enumerate(mic[:max_frames]):
        t_us = i * frame_us
        out.append(line({"type": "audio", "stream": "mic", "frame": i, "t_us": t_us, "pcm16": client.pcm16(frame)}))
        out.append(line({"type": "vad", "t_us": t_us, **rows[i]}))
        out.append(line({"type": "audio", "stream": "bot", "frame": i, "t_us": t_us,
                         "pcm16": client.pcm16(client.bot_frame(i, per_frame, rate, replies))}))
        while pending and pending[0]["t_us"] < t_us + frame_us:
            out.append(line({"type": "event", **pending.pop(0)}))
    for event in pending:
        out.append(line({"type": "event", **event}))
    out.append(line({"type": "end"}))
    return "".join(out)


def live_seeds():
    write("FuzzLive", "client-8k-10ms-pcm16.jsonl", live_session(8000, 10, "pcm16", 2.6, 6))
    write("FuzzLive", "client-8k-20ms-opus.jsonl", live_session(8000, 20, "opus", 2.6, 3))
    # Events only: the example's whole event stream with one short frame each (10 ms at 8 kHz).
    write("FuzzLive", "events-only.jsonl", live_session(8000, 10, "opus", 4.0, 1))
    # The protocol document's examples (docs/record-protocol.md), with a real frame of 8 kHz/10 ms.
    silence = client.pcm16([0] * 80)
    doc = [
        '{"type":"hello","sample_rate":8000,"frame_ms":10,"codec":"opus","session_id":"call-42",'
        '"name":"booking flow","client":"pipecat 1.14.0 crosstalk-pipecat 0.1.0","config":{"vad":{"engine":"silero"}}}',
        '{"type":"event","t_us":1500000,"kind":"turn.end","turn":1,'
        '"data":{"reason":"silence","waited_ms":500,"transcript":"book a table","speech_end_us":1000000}}',
        '{"type":"audio","stream":"mic","frame":0,"t_us":0,"pcm16":"%s"}' % silence,
        '{"type":"vad","frame":0,"prob":0.93,"speech":true}',
        '{"type":"audio","stream":"caller","frame":0,"pcm16":"%s"}' % silence,
        '{"type":"end","t_us":2000000}',
    ]
    write("FuzzLive", "protocol-doc.jsonl", "\n".join(doc) + "\n")
    # Rejected lines the decoder must survive: before hello, a bad hello corrected, gaps, a second hello.
    bad = [
        '{"type":"event","t_us":0,"kind":"vad.start"}',
        '{"type":"hello","sample_rate":44100,"frame_ms":20}',
        '{"type":"hello","sample_rate":8000,"frame_ms":10,"codec":"pcm16"}',
        '{"type":"hello","sample_rate":8000,"frame_ms":10}',
        '{"type":"audio","stream":"mic","frame":1,"pcm16":"%s"}' % silence,
        '{"type":"vad","frame":0,"prob":0.5,"speech":false}',
        '{"type":"event","t_us":-1,"kind":"vad.start"}',
        '{"type":"event","t_us":10,"kind":"nonsense"}',
        'not json\r',
        '   ',
        '{"type":"end"}',
        '{"type":"event","t_us":10,"kind":"vad.stop"}',
    ]
    write("FuzzLive", "rejections.jsonl", "\n".join(bad) + "\n")
    # A real pipeline's shape (docs/record-protocol.md, chunks): mic in 10 ms chunks, bot at 24 kHz placed
    # by t_us only while it speaks, VAD rows by time every 32 ms, events out of order within the window.
    chunk = [line({"type": "hello", "sample_rate": 8000, "frame_ms": 20, "codec": "opus",
                   "stream_rates": {"bot": 24000}, "settings": {"pipeline.endpointing.silence_ms": 300}})]
    for i in range(12):
        t_us = i * 10_000
        chunk.append(line({"type": "audio", "stream": "mic", "pcm16": client.pcm16([(k * 37 + i) % 2000 - 1000 for k in range(80)])}))
        if i % 3 == 0:
            chunk.append(line({"type": "vad", "t_us": t_us, "prob": 0.9 if i < 6 else 0.1, "speech": i < 6}))
        if i == 4:
            chunk.append(line({"type": "event", "t_us": 60_000, "kind": "llm.request", "turn": 1}))
            chunk.append(line({"type": "event", "t_us": 50_000, "kind": "turn.end", "turn": 1,
                               "data": {"reason": "smart_turn", "speech_end_us": 30_000}}))
            chunk.append(line({"type": "event", "t_us": 40_000, "kind": "eot.prediction", "turn": 1,
                               "data": {"probability": 0.93, "outcome": "complete", "inference_ms": 40}}))
        if i >= 8:
            chunk.append(line({"type": "audio", "stream": "bot", "t_us": t_us + 5_000, "sample_rate": 24000,
                               "pcm16": client.pcm16([(k * 91) % 4000 - 2000 for k in range(240)])}))
    chunk.append(line({"type": "end"}))
    write("FuzzLive", "pipeline-chunks.jsonl", "".join(chunk))


def archive_seeds():
    write("FuzzArchive", "edit-none-opus.txt", "ctk-edit live-opus\n")
    write("FuzzArchive", "edit-none-pcm16.txt", "ctk-edit live-pcm16\n")
    write("FuzzArchive", "edit-none-sample.txt", "ctk-edit sample\n")
    write("FuzzArchive", "edit-meta.txt", "ctk-edit live-pcm16\nmeta source simulated\nmeta frame_ms i:40\nmeta- session_id\n")
    write("FuzzArchive", "edit-events.txt",
          "ctk-edit live-opus\nset events 2 t_us i:5\nset events 3 data {\"text\":7}\ncopy events 1 9\n"
          "set events 4 kind llm.token\ndel events 0\nset events 5 turn f:1.5\n")
    write("FuzzArchive", "edit-audio.txt",
          "ctk-edit live-opus\nset audio mic:2 data x:fc00ff\nset audio bot:1 codec pcm16\ncopy audio mic:1 mic:7\n"
          "del audio caller:0\nset audio mic:3 t_us i:1\n")
    write("FuzzArchive", "edit-vad.txt", "ctk-edit live-pcm16\nset vad 2 prob f:7.5\nset vad 3 speech i:9\ndel vad 1\ncopy vad 0 40\n")
    write("FuzzArchive", "edit-clip.txt", "ctk-edit sample\nclip call.wav i:16000 x:01000200ff7f\nclip noise.wav i:8000 x:00\n")
    write("FuzzArchive", "edit-schema.txt", "ctk-edit live-pcm16\nversion 2\ndrop vad\n")
    write("FuzzArchive", "edit-sample-events.txt", "ctk-edit sample\nset events 10 data {\"reason\":\"done\"}\nset events 20 t_us i:999999999\n")


def transcript_seeds():
    write("FuzzTranscript", "words.json", json.dumps({
        "caller": [{"start": 0.5, "end": 2.1, "text": "Hi there",
                    "words": [{"word": "Hi", "start": 0.5, "end": 0.7}, {"word": "there", "start": 0.8, "end": 2.1}]},
                   {"words": [{"word": "yes", "start": 3.0, "end": 3.2}], "text": ""}],
        "bot": [{"start": 2.4, "end": 2.9, "text": "Hello."}, {"text": "Bye."}]}))
    write("FuzzTranscript", "sweep.json", json.dumps({
        "format": "crosstalk-sweep", "format_version": 1,
        "grid": [{"key": "pipeline.endpointing.silence_ms", "values": ["300", "600"]}],
        "overrides": [], "retime": [], "work_items": 2, "shard": {"index": 0, "count": 2},
        "archives": [{"path": "a.ctk", "session_id": "s1"}],
        "samples": [{"point": 0, "archive": 0, "turns": 2, "false_cutoffs": 0,
                     "endpoint_delay_ms": [500, 520], "voice_to_voice_ms": [900, 950]}]}, sort_keys=True))


def scenario_seeds():
    write("FuzzScenario", "overrides.yaml",
          "#set pipeline.endpointing.silence_ms=800\n#set caller.turns=[{say: hi}]\n#set seed=x\n"
          "name: o\ncaller:\n  turns:\n    - say: [\"a\", { pause_ms: 700 }, \"b\"]\n      barge_in_after_ms: 5\n"
          "bot:\n  replies: [\"ok\"]\n")
    write("FuzzScenario", "anchors.yaml", "name: &n a\ncaller:\n  turns:\n    - say: *n\n    - say: *n\nbot: { replies: [*n] }\n")


if __name__ == "__main__":
    live_seeds()
    archive_seeds()
    transcript_seeds()
    scenario_seeds()
