"""`CrosstalkObserver`: a Pipecat observer that streams the session to `crosstalk record --listen`."""

from __future__ import annotations

import logging
from collections import deque
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    MetricsFrame,
    OutputAudioRawFrame,
    StartFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    TTSTextFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import TurnMetricsData
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.processors.aggregators.llm_response_universal import LLMAssistantAggregator, LLMUserAggregator
from pipecat.processors.frame_processor import FrameDirection
from pipecat.transports.base_output import BaseOutputTransport

from . import pipeline_settings
from .frame_deduplicator import FrameDeduplicator
from .line_sender import LineSender
from .session_mapper import SessionMapper

log = logging.getLogger("crosstalk_pipecat")

#: Messages held before `hello` (while the pipeline's StartFrame reaches the user aggregator).
_MAX_BEFORE_HELLO = 500


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


class CrosstalkObserver(BaseObserver):
    """Streams a Pipecat session to `crosstalk record --listen HOST:PORT` (docs/pipecat.md).

    Add it as `PipelineWorker(pipeline, observers=[CrosstalkObserver(port=7070)])`. It sends the
    mic and bot audio, Silero's speech probabilities, and the pipeline's events on one time base
    (the pipeline clock, µs since the pipeline started), then `end` when the pipeline ends. All
    socket I/O runs in its own task behind a bounded queue: an unreachable or vanished recorder is
    logged once and the bot goes on. Smart Turn's verdicts need `PipelineParams(enable_metrics=True)`
    (they arrive as `TurnMetricsData`).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 7070, *, name: str | None = None,
                 session_id: str | None = None, codec: str = "opus", sample_rate: int = 16000,
                 frame_ms: int = 20, vad_analyzer: Any = None, settings: dict[str, Any] | None = None,
                 max_queue: int = 10_000, **kwargs: Any) -> None:
        """An observer recording to `host:port`.

        `name`, `session_id` and `codec` (`opus` or `pcm16`) go into the hello; `sample_rate` and
        `frame_ms` are the archive's format (each stream is resampled to it by the recorder).
        `vad_analyzer` is the pipeline's VAD analyzer, when it is not the user aggregator's own
        (found by itself otherwise); `settings` adds or overrides Crosstalk `--set` keys sent in the
        hello (the ones read from the pipeline are in docs/pipecat.md).
        """
        super().__init__(observe_every_push=True, **kwargs)
        self._session_name = name
        self._session_id = session_id
        self._codec = codec
        self._sample_rate = sample_rate
        self._frame_ms = frame_ms
        self._extra_settings = dict(settings or {})
        self._sender = LineSender(host, port, max_queue=max_queue)
        self._dedup = FrameDeduplicator()
        self._spoken = FrameDeduplicator()
        self._mapper: SessionMapper | None = None
        self._hello_sent = False
        self._aggregator: Any = None
        self._explicit_vad = vad_analyzer
        self._settings: dict[str, Any] = {}
        self._config: dict[str, Any] = {"framework": "pipecat"}
        self._single_stop_strategy: str | None = None
        self._stop_reasons: list[str | None] = []
        self._scores: deque[tuple[int, float]] = deque()
        self._vad_position = 0
        self._mic_samples = 0
        self._mic_marks: list[tuple[int, int]] = []
        self._last_us = 0
        self._warned: set[str] = set()

    @property
    def sender(self) -> LineSender:
        """The connection to the recorder (its state and replies)."""
        return self._sender

    # Pipecat observer interface -------------------------------------------------------------------

    async def on_push_frame(self, data: FramePushed) -> None:
        """Handles one push; never raises into the pipeline."""
        try:
            self.observe(data.source, data.destination, data.frame, data.direction, data.timestamp)
        except Exception as e:  # noqa: BLE001 - an observer must not break the bot
            self._warn_once("observer", f"crosstalk: observer error ({type(e).__name__}: {e}); going on")

    async def cleanup(self) -> None:
        """Sends `end` if the pipeline's end was not seen, and waits (bounded) for the recorder."""
        try:
            self._finish(self._last_us)
        except Exception as e:  # noqa: BLE001
            self._warn_once("cleanup", f"crosstalk: error at cleanup ({e})")
        await self._sender.close()
        await super().cleanup()

    # Frame handling (synchronous, quick) --------------------------------------------------------

    def observe(self, source: Any, destination: Any, frame: Any, direction: Any, timestamp_ns: int) -> None:
        """One push of `frame` from `source` at pipeline time `timestamp_ns` (the observer's core)."""
        t_us = max(0, int(timestamp_ns) // 1000)
        self._last_us = max(self._last_us, t_us)
        if self._aggregator is None and isinstance(source, LLMUserAggregator):
            self._discover(source)
        if isinstance(frame, TTSTextFrame) and isinstance(source, BaseOutputTransport):
            if self._mapper is not None and self._spoken.first_push(frame.id):
                self._mapper.spoken_text(frame.text)
        if isinstance(frame, StartFrame):
            if self._mapper is None:
                # The rates as the pipeline started with them; read from the frame's fields directly
                # (the attributes are deprecated since 1.8 for processors, which get them at setup).
                fields = vars(frame)
                mic_rate = int(fields.get("audio_in_sample_rate") or 16000)
                bot_rate = int(fields.get("audio_out_sample_rate") or 24000)
                self._mapper = SessionMapper(mic_rate, bot_rate)
            if not self._hello_sent and self._aggregator is not None:
                self._send_hello()
        first = self._dedup.first_push(frame.id)
        mapper = self._mapper
        if mapper is None or mapper.ended:
            return
        if isinstance(frame, (EndFrame, CancelFrame)):
            if isinstance(source, BaseOutputTransport) or type(destination).__name__ == "PipelineSink":
                self._finish(t_us)
            return
        if not first or FrameDeduplicator.is_upstream_copy(frame.broadcast_sibling_id,
                                                            direction == FrameDirection.UPSTREAM):
            self._flush()
            return
        self._dispatch(mapper, source, frame, direction, t_us)
        self._drain_vad_scores(mapper)
        self._flush()

    def _dispatch(self, m: SessionMapper, source: Any, frame: Any, direction: Any, t: int) -> None:
        if isinstance(frame, InputAudioRawFrame):
            if self._audio_ok(frame, m.mic.sample_rate, "mic"):
                placed_at = m.mic_audio(t, frame.audio)
                if placed_at is not None:  # where the VAD's windows from this sample on are in time
                    self._mic_marks.append((self._mic_samples, placed_at))
                self._mic_samples += len(frame.audio) // 2
        elif isinstance(frame, OutputAudioRawFrame) and isinstance(source, BaseOutputTransport):
            if self._audio_ok(frame, m.bot.sample_rate, "bot"):
                m.bot_audio(t, frame.audio)
        elif isinstance(frame, TTSTextFrame):
            m.tts_text(frame.text)
        elif isinstance(frame, TTSAudioRawFrame):
            m.tts_chunk(t, len(frame.audio) // 2 // max(1, frame.num_channels), frame.sample_rate)
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            m.vad_start(t, frame.start_secs)
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            m.vad_stop(t, frame.stop_secs)
        elif isinstance(frame, InterimTranscriptionFrame):
            m.stt_partial(t, frame.text)
        elif isinstance(frame, TranscriptionFrame):
            m.stt_final(t, frame.text)
        elif isinstance(frame, MetricsFrame):
            for item in frame.data:
                if isinstance(item, TurnMetricsData):
                    m.eot_prediction(t, item.probability, item.is_complete, item.e2e_processing_time_ms,
                                     item.processor or None)
        elif isinstance(frame, UserStoppedSpeakingFrame):
            number = m.turns.user_turn
            strategy = self._stop_reasons[number - 1] if len(self._stop_reasons) >= number else self._single_stop_strategy
            m.turn_end(t, m.reason_for(strategy))
        elif isinstance(frame, LLMContextFrame):
            # A context going to the LLM: down from the user side, or up from the assistant
            # aggregator (a function call's result); the assistant's own copy downstream is not.
            to_llm = (direction == FrameDirection.UPSTREAM) == isinstance(source, LLMAssistantAggregator)
            if to_llm:
                m.llm_request(t, bool(getattr(frame, "speculation", False)))
        elif isinstance(frame, LLMFullResponseStartFrame):
            m.llm_start(t)
        elif isinstance(frame, LLMFullResponseEndFrame):
            m.llm_done(t)
        elif isinstance(frame, LLMTextFrame):
            m.llm_token(t, frame.text)
        elif isinstance(frame, TTSStartedFrame):
            m.tts_request(t)
        elif isinstance(frame, TTSStoppedFrame):
            m.tts_done(t)
        elif isinstance(frame, BotStartedSpeakingFrame):
            m.play_start(t)
        elif isinstance(frame, BotStoppedSpeakingFrame):
            m.play_stop(t)
        elif isinstance(frame, InterruptionFrame):
            m.interruption(t)
        else:
            m.tick(t)

    def _audio_ok(self, frame: Any, rate: int, stream: str) -> bool:
        if frame.sample_rate == rate and frame.num_channels == 1:
            return True
        self._warn_once(f"rate-{stream}", f"crosstalk: {stream} audio at {frame.sample_rate} Hz × "
                        f"{frame.num_channels} channels, not the pipeline's {rate} Hz mono; such frames are not recorded")
        return False

    # Discovery of the user aggregator: settings, VAD probabilities, the deciding stop strategy ------

    def _discover(self, aggregator: Any) -> None:
        self._aggregator = aggregator
        params = getattr(aggregator, "_params", None)
        vad = self._explicit_vad if self._explicit_vad is not None else getattr(params, "vad_analyzer", None)
        try:
            self._settings, self._config = pipeline_settings.describe(params, vad)
        except Exception as e:  # noqa: BLE001
            self._warn_once("settings", f"crosstalk: could not read the pipeline's settings ({e})")
        stops = self._config.get("user_turn_stop") or []
        if len(stops) == 1:
            self._single_stop_strategy = str(stops[0].get("class"))
        try:
            aggregator.add_event_handler("on_user_turn_stopped", self._on_user_turn_stopped)
        except Exception:  # noqa: BLE001 - then the reason comes from the configuration alone
            pass
        if vad is not None:
            self._hook_vad(vad)

    async def _on_user_turn_stopped(self, _aggregator: Any, strategy: Any, *_args: Any) -> None:
        self._stop_reasons.append(type(strategy).__name__ if strategy is not None else None)

    def _hook_vad(self, analyzer: Any) -> None:
        """Wraps the analyzer's `voice_confidence` (its public per-window hook) to copy each score."""
        if getattr(analyzer, "_crosstalk_hooked", False):
            return
        original = analyzer.voice_confidence
        scores = self._scores

        def voice_confidence(buffer: bytes) -> Any:
            confidence = original(buffer)
            try:
                scores.append((len(buffer) // 2, float(np.asarray(confidence, dtype=np.float64).reshape(-1)[0])))
            except Exception:  # noqa: BLE001
                pass
            return confidence

        analyzer.voice_confidence = voice_confidence
        analyzer._crosstalk_hooked = True

    def _mic_time_of_sample(self, sample: int, rate: int) -> int | None:
        mark: tuple[int, int] | None = None
        for index, candidate in enumerate(self._mic_marks):
            if candidate[0] <= sample:
                mark = candidate
            else:
                del self._mic_marks[: max(0, index - 1)]
                break
        if mark is None:
            return None
        return mark[1] + (sample - mark[0]) * 1_000_000 // rate

    def _drain_vad_scores(self, m: SessionMapper) -> None:
        while self._scores:
            samples, probability = self._scores.popleft()
            t = self._mic_time_of_sample(self._vad_position, m.mic.sample_rate)
            self._vad_position += samples
            if t is not None:
                m.vad_window(t, probability)

    # Sending ----------------------------------------------------------------------------------------

    def _send_hello(self) -> None:
        m = self._mapper
        assert m is not None
        self._hello_sent = True
        hello: dict[str, Any] = {"type": "hello", "sample_rate": self._sample_rate, "frame_ms": self._frame_ms,
                                 "codec": self._codec,
                                 "client": f"pipecat {_package_version('pipecat-ai')} "
                                           f"crosstalk-pipecat {_package_version('crosstalk-pipecat')}"}
        if self._session_name:
            hello["name"] = self._session_name
        if self._session_id:
            hello["session_id"] = self._session_id
        rates = {s: r for s, r in (("mic", m.mic.sample_rate), ("bot", m.bot.sample_rate)) if r != self._sample_rate}
        if rates:
            hello["stream_rates"] = rates
        settings = {**self._settings, **self._extra_settings}
        if settings:
            hello["settings"] = settings
        hello["config"] = self._config
        self._sender.send(hello)

    def _flush(self) -> None:
        m = self._mapper
        if m is None:
            return
        if not self._hello_sent:
            if len(m.outbox) < _MAX_BEFORE_HELLO and not m.ended:
                return
            self._send_hello()
        for message in m.outbox:
            self._sender.send(message)
        m.outbox.clear()

    def _finish(self, t_us: int) -> None:
        m = self._mapper
        if m is None or m.ended:
            return
        self._drain_vad_scores(m)
        m.end(t_us)
        self._flush()

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)
