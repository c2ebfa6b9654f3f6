"""CrosstalkObserver on real Pipecat frame classes pushed by hand (no pipeline running): dedup, hello, mapping."""

from __future__ import annotations

from typing import Any

import numpy as np
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    InputAudioRawFrame,
    InterruptionFrame,
    LLMContextFrame,
    MetricsFrame,
    StartFrame,
    TTSAudioRawFrame,
    TTSTextFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import TurnMetricsData
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMAssistantAggregator,
    LLMUserAggregator,
    LLMUserAggregatorParams,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import TransportParams

from crosstalk_pipecat import CrosstalkObserver

DOWN = FrameDirection.DOWNSTREAM
UP = FrameDirection.UPSTREAM


class Harness:
    """An observer whose sent lines are captured, and the processors that push frames to it."""

    def __init__(self, vad: Any = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.observer = CrosstalkObserver(port=1, name="unit")
        self.observer.sender.send = self.sent.append  # type: ignore[method-assign]
        self.vad = vad
        self.user = LLMUserAggregator(LLMContext(), params=LLMUserAggregatorParams(vad_analyzer=vad))
        self.assistant = LLMAssistantAggregator(LLMContext())
        self.transport_in = FrameProcessor()
        self.stt = FrameProcessor()
        self.output = BaseOutputTransport(TransportParams(audio_out_enabled=True))
        self.sink = FrameProcessor()

    def push(self, source: Any, frame: Any, t_ms: float, direction: FrameDirection = DOWN) -> None:
        self.observer.observe(source, self.sink, frame, direction, int(t_ms * 1_000_000))

    def start(self) -> None:
        start = StartFrame()
        self.push(self.transport_in, start, 0)  # the source's push, then every hop re-pushes it
        self.push(self.stt, start, 0.1)
        self.push(self.user, start, 0.2)

    def events(self) -> list[tuple[str, int | None]]:
        return [(m["kind"], m["turn"]) for m in self.sent if m["type"] == "event"]


def test_hello_waits_for_the_user_aggregator_and_carries_its_settings() -> None:
    h = Harness(vad=SileroVADAnalyzer(params=VADParams(stop_secs=0.3, start_secs=0.1, confidence=0.6)))
    start = StartFrame()
    h.push(h.transport_in, start, 0)
    h.push(h.transport_in, InputAudioRawFrame(audio=b"\x00\x00" * 320, sample_rate=16000, num_channels=1), 20)
    assert h.sent == []  # nothing before hello
    h.push(h.user, start, 21)
    assert [m["type"] for m in h.sent] == ["hello", "audio"]
    hello = h.sent[0]
    assert hello["sample_rate"] == 16000 and hello["stream_rates"] == {"bot": 24000}
    assert hello["settings"]["pipeline.vad.stop_ms"] == 300
    assert hello["settings"]["pipeline.vad.start_ms"] == 100
    assert hello["settings"]["pipeline.vad.threshold"] == 0.6
    assert hello["settings"]["pipeline.vad.engine"] == "silero"
    assert hello["settings"]["pipeline.endpointing.max_delay_ms"] == 3000  # Smart Turn's stop_secs (default strategy)
    assert hello["settings"]["pipeline.bargein.mode"] == "vad"
    assert hello["name"] == "unit"


def test_a_frame_re_pushed_at_every_hop_counts_once() -> None:
    h = Harness()
    h.start()
    audio = InputAudioRawFrame(audio=b"\x01\x00" * 320, sample_rate=16000, num_channels=1)
    for hop, source in enumerate([h.transport_in, h.stt, h.user]):
        h.push(source, audio, 20 + hop * 0.1)
    assert sum(1 for m in h.sent if m["type"] == "audio") == 1


def test_broadcast_pairs_and_queued_copies_are_one_event() -> None:
    h = Harness()
    h.start()
    started = [VADUserStartedSpeakingFrame(start_secs=0.2), VADUserStartedSpeakingFrame(start_secs=0.2)]
    h.push(h.user, started[0], 500)  # queued copies: no sibling id
    h.push(h.user, started[1], 500.1, UP)
    h.push(h.user, VADUserStoppedSpeakingFrame(stop_secs=0.2), 1500)
    h.push(h.user, MetricsFrame(data=[TurnMetricsData(processor="BaseSmartTurn", is_complete=True,
                                                      probability=0.93, e2e_processing_time_ms=80.0)]), 1580)
    h.push(h.user, LLMContextFrame(context=LLMContext()), 1580.0)  # just before the turn end
    down, up = UserStoppedSpeakingFrame(), UserStoppedSpeakingFrame()
    down.broadcast_sibling_id, up.broadcast_sibling_id = up.id, down.id
    h.push(h.user, down, 1580.1)
    h.push(h.user, up, 1580.1, UP)
    h.push(h.assistant, LLMContextFrame(context=LLMContext()), 3000)  # the assistant's copy downstream: not a request
    assert h.events() == [("vad.start", 1), ("vad.stop", 1), ("eot.prediction", 1), ("turn.end", 1),
                          ("llm.request", 1)]
    turn_end = next(m for m in h.sent if m.get("kind") == "turn.end")
    assert turn_end["t_us"] == 1_580_100
    assert turn_end["data"]["reason"] == "smart_turn"
    prediction = next(m for m in h.sent if m.get("kind") == "eot.prediction")
    assert prediction["data"] == {"probability": 0.93, "outcome": "complete", "threshold": 0.5,
                                  "analyzer": "BaseSmartTurn", "inference_ms": 80.0, "audio_end_us": 1_300_000}


def test_bot_audio_is_the_output_transport_s_and_heard_text_what_it_played() -> None:
    h = Harness()
    h.start()
    tts = FrameProcessor()
    chunk = TTSAudioRawFrame(audio=b"\x01\x00" * 4800, sample_rate=24000, num_channels=1)
    h.push(tts, chunk, 1000)  # from the TTS: a tts.chunk, not bot audio
    h.push(h.output, BotStartedSpeakingFrame(), 1001)
    played = TTSAudioRawFrame(audio=b"\x01\x00" * 960, sample_rate=24000, num_channels=1)
    h.push(h.output, played, 1041)
    text = TTSTextFrame(text="We close at eleven.", text_type="sentence")
    h.push(tts, text, 1000.5)  # first push: from the TTS, before it is spoken
    h.push(h.output, text, 1041.5)  # re-pushed by the output once played
    h.push(h.output, InterruptionFrame(), 1200)
    h.push(h.output, BotStoppedSpeakingFrame(), 1210)
    audio = [m for m in h.sent if m["type"] == "audio"]
    assert [(m["stream"], m.get("t_us")) for m in audio] == [("bot", 1_001_000)]
    assert ("tts.chunk", None) in h.events()
    assert ("bargein", None) in h.events()
    stop = next(m for m in h.sent if m.get("kind") == "play.stop")
    assert stop["data"] == {"reason": "interrupted", "heard_text": "We close at eleven."}


def test_vad_probabilities_come_from_the_analyzer_by_mic_time() -> None:
    vad = SileroVADAnalyzer()
    vad.set_sample_rate(16000)
    h = Harness(vad=vad)
    h.start()
    window = vad.num_frames_required()
    assert window == 512
    rng = np.random.default_rng(1)
    for i in range(4):  # 4 × 32 ms of mic, each scored by the analyzer as the aggregator would
        pcm = (rng.standard_normal(window) * 3000).astype(np.int16).tobytes()
        h.push(h.transport_in, InputAudioRawFrame(audio=pcm, sample_rate=16000, num_channels=1), 500 + 32 * (i + 1))
        vad.voice_confidence(pcm)
    h.push(h.transport_in, InputAudioRawFrame(audio=b"\x00\x00" * 512, sample_rate=16000, num_channels=1), 660)
    rows = [m for m in h.sent if m["type"] == "vad"]
    assert rows, "the analyzer's scores become vad rows"
    assert rows[0]["t_us"] == 500_000  # the first window starts with the first mic chunk
    assert all(0.0 <= r["prob"] <= 1.0 for r in rows)
    assert [r["t_us"] for r in rows] == sorted(r["t_us"] for r in rows)
    assert all((r["t_us"] - 500_000) % 32_000 == 0 for r in rows)


def test_end_is_sent_once_when_the_pipeline_ends() -> None:
    h = Harness()
    h.start()
    end = EndFrame()
    h.push(h.transport_in, end, 2000)  # on its way: not yet the end (audio still to play)
    assert not any(m["type"] == "end" for m in h.sent)
    h.push(h.output, end, 2500)
    h.push(h.sink, end, 2501)
    assert [m["type"] for m in h.sent].count("end") == 1
    assert h.sent[-1] == {"type": "end", "t_us": 2_500_000}


def test_a_cancelled_pipeline_ends_the_session_and_closes_playback() -> None:
    h = Harness()
    h.start()
    h.push(h.output, BotStartedSpeakingFrame(), 1000)
    h.push(h.output, CancelFrame(), 1500)
    assert h.events()[-1] == ("play.stop", None)
    assert h.sent[-1] == {"type": "end", "t_us": 1_500_000}
    h.push(h.transport_in, InputAudioRawFrame(audio=b"\x00\x00" * 320, sample_rate=16000, num_channels=1), 1600)
    assert h.sent[-1]["type"] == "end"  # nothing after the end


def test_audio_at_another_rate_is_not_recorded() -> None:
    h = Harness()
    h.start()
    h.push(h.transport_in, InputAudioRawFrame(audio=b"\x00\x00" * 160, sample_rate=8000, num_channels=1), 20)
    h.push(h.transport_in, InputAudioRawFrame(audio=b"\x00\x00" * 320, sample_rate=16000, num_channels=1), 40)
    audio = [m for m in h.sent if m["type"] == "audio"]
    assert len(audio) == 1 and audio[0]["sample_rate"] == 16000
