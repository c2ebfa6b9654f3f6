"""SessionMapper: turn numbering, reply ordering, barge-in, playback, VAD rows (no Pipecat running)."""

from __future__ import annotations

from crosstalk_pipecat.session_mapper import REORDER_MARGIN_US, SessionMapper


def events(m: SessionMapper) -> list[tuple[int, str, int | None]]:
    return [(e["t_us"], e["kind"], e["turn"]) for e in m.outbox if e["type"] == "event"]  # type: ignore[misc]


def kinds(m: SessionMapper) -> list[str]:
    return [k for _, k, _ in events(m)]


def data_of(m: SessionMapper, kind: str) -> list[dict[str, object]]:
    return [e["data"] for e in m.outbox if e.get("kind") == kind]  # type: ignore[misc]


def user_turn(m: SessionMapper, start: int, stop: int, end: int, text: str = "hello") -> None:
    m.vad_start(start, 0.2)
    m.vad_stop(stop, 0.2)
    m.stt_final(stop + 5_000, text)
    m.eot_prediction(stop + 80_000, 0.9, True, 75.0)
    m.turn_end(end, "smart_turn")


def test_turns_are_numbered_by_the_protocol_convention() -> None:
    m = SessionMapper(16000, 24000)
    m.play_start(100_000)  # a greeting: before any turn ended
    m.play_stop(900_000)
    user_turn(m, 1_200_000, 2_000_000, 2_100_000)
    m.llm_request(2_100_000)
    m.play_start(2_600_000)
    m.play_stop(3_000_000)
    user_turn(m, 3_500_000, 4_000_000, 4_300_000)
    turns = {(k, t) for _, k, t in events(m)}
    assert ("play.start", None) in turns and ("play.stop", None) in turns
    assert [t for _, k, t in events(m) if k == "turn.end"] == [1, 2]
    assert [t for _, k, t in events(m) if k == "vad.start"] == [1, 2]
    assert [t for _, k, t in events(m) if k == "eot.prediction"] == [1, 2]
    assert [t for _, k, t in events(m) if k == "play.start"] == [None, 1]
    assert [t for _, k, t in events(m) if k == "llm.request"] == [1]


def test_a_context_pushed_just_before_the_turn_end_is_sent_after_it() -> None:
    m = SessionMapper(16000, 24000)
    m.vad_start(500_000, 0.2)
    m.vad_stop(1_500_000, 0.2)
    m.llm_request(1_799_900)  # Pipecat pushes LLMContextFrame ~0.1 ms before UserStoppedSpeakingFrame
    m.turn_end(1_800_000, "smart_turn")
    evs = events(m)
    assert [k for _, k, _ in evs][-2:] == ["turn.end", "llm.request"]
    assert evs[-1] == (1_800_000, "llm.request", 1)


def test_a_held_request_without_a_turn_end_is_released_with_the_reply_turn() -> None:
    m = SessionMapper(16000, 24000)
    user_turn(m, 100_000, 500_000, 700_000)
    m.vad_start(1_000_000, 0.2)  # turn 2 open
    m.llm_request(1_100_000)  # e.g. a speculative request, no turn end follows
    assert "llm.request" not in kinds(m)
    m.tick(1_300_000)
    assert events(m)[-1] == (1_100_000, "llm.request", 1)


def test_repeated_vad_reports_are_one_start_and_one_stop() -> None:
    m = SessionMapper(16000, 24000)
    m.vad_start(1_000_000, 0.2)
    m.vad_start(1_000_050, 0.2)  # the aggregator's queued copy
    m.vad_stop(2_000_000, 0.3)
    m.vad_stop(2_000_040, 0.3)
    assert kinds(m) == ["vad.start", "vad.stop"]
    assert data_of(m, "vad.start") == [{"onset_us": 800_000}]
    assert data_of(m, "vad.stop") == [{"speech_end_us": 1_700_000}]


def test_turn_end_carries_speech_end_wait_and_transcript() -> None:
    m = SessionMapper(16000, 24000)
    m.vad_start(400_000, 0.2)
    m.vad_stop(1_400_000, 0.2)
    m.stt_final(1_410_000, "book a table")
    m.turn_end(1_650_000, "smart_turn")
    assert data_of(m, "turn.end") == [{"reason": "smart_turn", "speech_end_us": 1_200_000, "waited_ms": 450,
                                       "transcript": "book a table"}]
    assert data_of(m, "stt.final") == [{"text": "book a table", "audio_end_us": 1_200_000}]


def test_bargein_only_when_the_bot_was_speaking() -> None:
    m = SessionMapper(16000, 24000)
    user_turn(m, 100_000, 500_000, 700_000)
    m.interruption(800_000)  # Pipecat interrupts at every user turn start, bot silent: no barge-in
    assert "bargein" not in kinds(m)
    m.play_start(1_000_000)
    m.spoken_text("We close")
    m.vad_start(1_500_000, 0.2)
    m.interruption(1_500_500)
    m.interruption(1_500_900)  # the broadcast copy
    m.spoken_text("at eleven")  # after the cut: still what was played before the stop
    m.play_stop(1_520_000)
    assert kinds(m).count("bargein") == 1
    assert data_of(m, "bargein") == [{"trigger": "vad", "onset_us": 1_300_000, "speech_ms": 200}]
    assert [t for _, k, t in events(m) if k == "bargein"] == [1]
    assert data_of(m, "play.stop") == [{"reason": "interrupted", "heard_text": "We close at eleven"}]


def test_interruption_cancels_an_open_llm_response_once() -> None:
    m = SessionMapper(16000, 24000)
    user_turn(m, 100_000, 500_000, 700_000)
    m.llm_request(700_000)
    m.llm_start(710_000)
    m.llm_token(720_000, "We")
    m.interruption(730_000)
    m.llm_done(740_000)  # the end frame that follows a cancelled response is not a done
    assert kinds(m)[-2:] == ["llm.token", "llm.cancel"]
    assert data_of(m, "llm.cancel") == [{"tokens": 1}]


def test_an_old_event_is_moved_into_the_reorder_window() -> None:
    m = SessionMapper(16000, 24000)
    m.vad_start(5_000_000, 0.2)
    m.stt_partial(3_000_000, "late")
    t, kind, _ = events(m)[-1]
    assert kind == "stt.partial" and t == 5_000_000 - REORDER_MARGIN_US
    assert data_of(m, "stt.partial") == [{"text": "late", "observed_us": 3_000_000}]


def test_vad_rows_change_only_when_the_value_does_and_carry_the_speech_state() -> None:
    m = SessionMapper(16000, 24000)
    m.vad_window(0, 0.01)
    m.vad_window(32_000, 0.01)  # same value: holds
    m.vad_window(64_000, 0.95)
    m.vad_start(70_000, 0.2)
    m.vad_window(96_000, 0.95)  # same prob, speech state changed: a row
    m.vad_window(96_000, 0.5)  # not after the last row: ignored
    rows = [(r["t_us"], r["prob"], r["speech"]) for r in m.outbox if r["type"] == "vad"]
    assert rows == [(0, 0.01, False), (64_000, 0.95, False), (96_000, 0.95, True)]


def test_stop_strategy_names_become_reasons() -> None:
    m = SessionMapper(16000, 24000)
    assert m.reason_for("SpeechTimeoutUserTurnStopStrategy") == "silence"
    assert m.reason_for("TurnAnalyzerUserTurnStopStrategy") == "timeout"  # no complete verdict
    m.eot_prediction(1_000, 0.8, True, None)
    assert m.reason_for("TurnAnalyzerUserTurnStopStrategy") == "smart_turn"
    assert m.reason_for("ExternalUserTurnStopStrategy") == "external"


def test_end_closes_playback_releases_held_events_and_comes_last() -> None:
    m = SessionMapper(16000, 24000)
    m.vad_start(100_000, 0.2)
    m.llm_request(200_000)
    m.play_start(300_000)
    m.end(400_000)
    assert kinds(m)[-2:] == ["llm.request", "play.stop"]
    assert m.outbox[-1] == {"type": "end", "t_us": 400_000}
    m.end(500_000)
    assert sum(1 for e in m.outbox if e["type"] == "end") == 1


def test_heard_text_of_a_cut_reply_is_the_played_sentences_and_the_played_share_of_the_next() -> None:
    m = SessionMapper(16000, 24000)
    user_turn(m, 100_000, 500_000, 700_000)
    m.tts_chunk(800_000, 24000, 24000)  # 1 s of audio for the first sentence
    m.tts_text("We close at eleven.")
    m.tts_chunk(810_000, 48000, 24000)  # 2 s for the second
    m.tts_text("The kitchen takes its last orders at ten thirty.")
    m.play_start(900_000)
    m.bot_audio(1_900_000, b"\x00\x00" * 24000)
    m.spoken_text("We close at eleven.")  # the output passed the first sentence on: played
    m.bot_audio(2_900_000, b"\x00\x00" * 24000)  # half of the second one
    m.vad_start(2_950_000, 0.2)
    m.interruption(2_950_000)
    m.play_stop(2_960_000)
    assert data_of(m, "play.stop") == [{"reason": "interrupted",
                                        "heard_text": "We close at eleven. The kitchen takes its"}]  # 9 words, half played: 4
    m.play_start(4_000_000)  # the next reply starts from nothing left over
    m.spoken_text("Bye.")
    m.play_stop(4_500_000)
    assert data_of(m, "play.stop")[-1] == {"reason": "done", "heard_text": "Bye."}


def test_an_unknown_analyzer_s_verdict_has_no_threshold() -> None:
    m = SessionMapper(16000, 24000)
    m.eot_prediction(1_000, 0.3, False, 5.0, analyzer="KrispVivaTurn")
    m.eot_prediction(2_000, 0.7, True, None, analyzer="BaseSmartTurn")
    assert data_of(m, "eot.prediction") == [
        {"probability": 0.3, "outcome": "incomplete", "analyzer": "KrispVivaTurn", "inference_ms": 5.0},
        {"probability": 0.7, "outcome": "complete", "analyzer": "BaseSmartTurn", "threshold": 0.5}]
