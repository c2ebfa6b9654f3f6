"""The CI test: a real offline Pipecat 1.14 bot recorded by `crosstalk record`, then verified and read back."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess

import numpy as np
from conftest import REPLIES, SCRIPT, Recorder, crosstalk_bin
from offline_bot import run_bot

from crosstalk_pipecat import CrosstalkObserver

ONE_FRAME_US = 20_000


def test_a_real_pipecat_session_records_verifies_and_holds_pipecat_s_own_turn_ends(recorder: Recorder) -> None:
    observer = CrosstalkObserver(port=recorder.port, name="pipecat offline bot", session_id="pipecat-ci",
                                 codec="pcm16")
    run = asyncio.run(run_bot([observer], SCRIPT, REPLIES, tail_s=4.0))
    assert run.finished
    code, out, err = recorder.wait()
    assert code == 0, err
    assert "0 rejected lines" in out and "ended by end" in out, out
    assert observer.sender.errors == [] and observer.sender.failed is None
    assert observer.sender.end_reply is not None and observer.sender.end_reply["ok"] is True

    verify = subprocess.run([crosstalk_bin(), "verify", str(recorder.archive)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    report = subprocess.run([crosstalk_bin(), "report", str(recorder.archive)], capture_output=True, text=True)
    assert report.returncode in (0, 1), report.stderr
    replay = subprocess.run([crosstalk_bin(), "replay", str(recorder.archive)], capture_output=True, text=True)
    assert replay.returncode == 0, replay.stdout + replay.stderr  # the recorded events reproduce exactly

    db = sqlite3.connect(recorder.archive)
    events = [(t, k, turn, json.loads(d)) for t, k, turn, d in
              db.execute("SELECT t_us, kind, turn, data FROM events ORDER BY seq")]

    # Pipecat's own turn ends, where Pipecat decided them (the test's own observer saw the frames).
    turn_ends = [(t, turn, d) for t, k, turn, d in events if k == "turn.end"]
    assert len(turn_ends) >= 1 and len(turn_ends) == len(run.witness.turn_ends_us)
    for (t, _, _), seen in zip(turn_ends, run.witness.turn_ends_us):
        assert abs(t - seen) <= ONE_FRAME_US
    assert [turn for _, turn, _ in turn_ends] == list(range(1, len(turn_ends) + 1))
    for t, _, d in turn_ends:
        assert d["reason"] in ("smart_turn", "timeout")
        assert 0 <= d["speech_end_us"] < t

    # Every Smart Turn verdict, with Pipecat's probability and outcome.
    predictions = [d for _, k, _, d in events if k == "eot.prediction"]
    assert predictions
    for d in predictions:
        assert 0.0 <= d["probability"] <= 1.0
        assert d["outcome"] == ("complete" if d["probability"] > 0.5 else "incomplete")
        assert d["inference_ms"] > 0

    # The reply chain of turn 1, anchored after its turn end; the barge-in of the second sentence.
    first_end = turn_ends[0][0]
    requests = [t for t, k, turn, _ in events if k == "llm.request" and turn == 1]
    assert requests and requests[0] >= first_end
    kinds = [k for _, k, _, _ in events]
    for kind in ("vad.start", "vad.stop", "stt.partial", "stt.final", "llm.token", "llm.done",
                 "tts.request", "tts.chunk", "play.start", "play.stop"):
        assert kind in kinds, kind
    assert "bargein" in kinds
    stops = [d for _, k, _, d in events if k == "play.stop"]
    assert any(d["reason"] == "interrupted" and d["heard_text"] for d in stops)

    # Mic and bot audio, and VAD rows with Silero's probabilities.
    streams = dict(db.execute("SELECT stream, COUNT(*) FROM audio GROUP BY stream").fetchall())
    assert streams.get("mic", 0) > 0 and streams.get("bot", 0) > 0
    bot = np.frombuffer(b"".join(row[0] for row in db.execute(
        "SELECT data FROM audio WHERE stream = 'bot' ORDER BY frame")), dtype=np.int16)
    assert np.abs(bot).max() > 1000  # espeak-ng's voice, not only silence
    play_start = next(t for t, k, _, _ in events if k == "play.start")
    first_loud = int(np.argmax(np.abs(bot) > 1000)) * 1_000_000 // 16000
    assert abs(first_loud - play_start) < 300_000  # the bot's audio is where Pipecat played it
    rows = db.execute("SELECT prob, speech FROM vad ORDER BY frame").fetchall()
    assert len(rows) == streams["mic"]
    assert max(p for p, _ in rows) > 0.7 and any(s for _, s in rows)
    assert all(0.0 <= p <= 1.0 for p, _ in rows)

    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    settings = json.loads(meta["recorded_settings"])
    assert settings["pipeline.vad.stop_ms"] == 200 and settings["pipeline.endpointing.max_delay_ms"] == 3000
    assert json.loads(meta["stream_rates"]) == {"bot": 24000}


def test_a_silence_timeout_bot_records_its_reason_and_settings(recorder: Recorder) -> None:
    from pipecat.turns.user_stop import SpeechTimeoutUserTurnStopStrategy

    observer = CrosstalkObserver(port=recorder.port, name="silence bot")
    run = asyncio.run(run_bot([observer], [(0.4, "What time do you close?")], ["At eleven."], tail_s=2.5,
                              stop_strategy=SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=0.4)))
    assert run.finished
    code, out, err = recorder.wait()
    assert code == 0 and "0 rejected lines" in out, out + err
    db = sqlite3.connect(recorder.archive)
    ends = [(t, json.loads(d)) for t, d in db.execute("SELECT t_us, data FROM events WHERE kind = 'turn.end'")]
    assert len(ends) == len(run.witness.turn_ends_us) >= 1
    assert all(d["reason"] == "silence" for _, d in ends)
    assert all(abs(t - seen) <= ONE_FRAME_US for (t, _), seen in zip(ends, run.witness.turn_ends_us))
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    settings = json.loads(meta["recorded_settings"])
    assert settings["pipeline.endpointing.mode"] == "silence"
    assert settings["pipeline.endpointing.silence_ms"] == 200 + 400  # VAD stop_secs + user_speech_timeout
    assert "pipeline.endpointing.max_delay_ms" not in settings
