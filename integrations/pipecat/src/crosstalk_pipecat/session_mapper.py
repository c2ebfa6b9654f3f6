"""What happened in the pipeline, turned into protocol lines (no Pipecat, no I/O: unit-testable)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .stream_placer import StreamPlacer
from .turn_counter import TurnCounter

#: The recorder rejects an event more than 1 s older than the latest one; events are kept this
#: close to it (moved later if needed, with `observed_us` telling the original time).
REORDER_MARGIN_US = 900_000
#: An `LLMContextFrame` pushed just before the `UserStoppedSpeakingFrame` of the same turn is held
#: this long for that turn end, so the request follows its `turn.end` (protocol item 9).
REQUEST_HOLD_US = 100_000

Message = dict[str, object]


@dataclass
class _Play:
    """The bot's speech in progress (between `play.start` and `play.stop`)."""

    turn: int | None
    interrupted: bool = False
    heard: list[str] = field(default_factory=list)


@dataclass
class _Segment:
    """A piece of reply text the TTS spoke, and how long its audio is (µs)."""

    text: str
    audio_us: int


class SessionMapper:
    """Keeps the session's state and turns each pipeline happening into protocol messages.

    Every method takes the pipeline time in µs (the pipeline clock since start). Messages collect in
    `outbox` (drained by the caller) in sending order. State machines: the VAD (quiet/speaking),
    the user turn (`TurnCounter`), the LLM response (open/closed), the bot's playback (`_Play`).
    """

    def __init__(self, mic_rate: int, bot_rate: int, eot_threshold: float = 0.5) -> None:
        """A session whose mic arrives at `mic_rate` Hz and bot audio at `bot_rate` Hz."""
        self.outbox: list[Message] = []
        self.turns = TurnCounter()
        self.mic = StreamPlacer("mic", mic_rate)
        self.bot = StreamPlacer("bot", bot_rate)
        self.eot_threshold = eot_threshold
        self._latest_us = 0
        self._vad_speaking = False
        self._onset_us: int | None = None
        self._speech_end_us: int | None = None
        self._last_prediction_complete: bool | None = None
        self._transcripts: list[str] = []
        self._held_request: tuple[int, Message] | None = None
        self._llm_open = False
        self._llm_tokens = 0
        self._tts_open = False
        self._play: _Play | None = None
        # Heard text: Pipecat queues each sentence's TTSTextFrame behind its audio, so the output
        # passes it on once the sentence has played. The sentence being played when the bot is
        # cut is estimated by how much of its audio played (words in proportion).
        self._segments: deque[_Segment] = deque()
        self._tts_audio_us = 0
        self._played_us = 0
        self._last_vad_row: tuple[float, bool] | None = None
        self._vad_row_us = -1
        self.ended = False

    # Events -----------------------------------------------------------------------------------

    def _event(self, t_us: int, kind: str, turn: int | None, data: Message | None = None) -> None:
        floor = max(self._latest_us, self.mic.end_us or 0) - REORDER_MARGIN_US
        payload: Message = dict(data or {})
        if t_us < floor:
            payload["observed_us"] = t_us
            t_us = floor
        self._latest_us = max(self._latest_us, t_us)
        self.outbox.append({"type": "event", "t_us": t_us, "kind": kind, "turn": turn, "data": payload})

    def tick(self, t_us: int) -> None:
        """Time passed: release a held `llm.request` whose turn end did not come."""
        if self._held_request is not None and t_us - self._held_request[0] > REQUEST_HOLD_US:
            held_t, data = self._held_request
            self._held_request = None
            self._event(held_t, "llm.request", self.turns.reply_turn, data)

    def vad_start(self, t_us: int, start_secs: float) -> None:
        """The VAD reports speech (after `start_secs` of it); repeated reports are ignored."""
        self.tick(t_us)
        if self._vad_speaking:
            return
        self._vad_speaking = True
        self.turns.speech_started()
        self._onset_us = max(0, t_us - round(start_secs * 1_000_000))
        self._last_prediction_complete = None
        self._event(t_us, "vad.start", self.turns.user_turn, {"onset_us": self._onset_us})

    def vad_stop(self, t_us: int, stop_secs: float) -> None:
        """The VAD reports silence (after `stop_secs` of it); repeated reports are ignored."""
        self.tick(t_us)
        if not self._vad_speaking:
            return
        self._vad_speaking = False
        self._speech_end_us = max(0, t_us - round(stop_secs * 1_000_000))
        self._event(t_us, "vad.stop", self.turns.user_turn, {"speech_end_us": self._speech_end_us})

    def vad_window(self, t_us: int, probability: float) -> None:
        """The VAD model's speech probability for the window starting at `t_us` (a `vad` row)."""
        if t_us <= self._vad_row_us:
            return
        prob = min(1.0, max(0.0, float(probability)))
        row = (round(prob, 4), self._vad_speaking)
        self._vad_row_us = t_us
        if row == self._last_vad_row:
            return  # the value holds until the next row
        self._last_vad_row = row
        self.outbox.append({"type": "vad", "t_us": t_us, "prob": row[0], "speech": row[1]})

    def stt_partial(self, t_us: int, text: str) -> None:
        """An interim transcript."""
        self.tick(t_us)
        self._event(t_us, "stt.partial", self.turns.user_turn, {"text": text})

    def stt_final(self, t_us: int, text: str) -> None:
        """A final transcript; it covers the audio up to the VAD's speech end when the VAD stopped."""
        self.tick(t_us)
        data: Message = {"text": text}
        if not self._vad_speaking and self._speech_end_us is not None:
            data["audio_end_us"] = self._speech_end_us
        if text.strip():
            self._transcripts.append(text.strip())
        self._event(t_us, "stt.final", self.turns.user_turn, data)

    def eot_prediction(self, t_us: int, probability: float, complete: bool, inference_ms: float | None,
                       analyzer: str | None = None) -> None:
        """An end-of-turn model's verdict on the turn's audio so far (`analyzer`: who judged, if known).

        `threshold` is Smart Turn's fixed cut (0.5) and is given only when the analyzer is Smart Turn
        (or not named); another analyzer's threshold is not known from outside.
        """
        self.tick(t_us)
        self._last_prediction_complete = complete
        data: Message = {"probability": min(1.0, max(0.0, float(probability))),
                         "outcome": "complete" if complete else "incomplete"}
        if analyzer is None or "SmartTurn" in analyzer:
            data["threshold"] = self.eot_threshold
        if analyzer:
            data["analyzer"] = analyzer
        if inference_ms is not None and inference_ms >= 0:
            data["inference_ms"] = round(float(inference_ms), 3)
        if self._speech_end_us is not None and not self._vad_speaking:
            data["audio_end_us"] = self._speech_end_us
        self._event(t_us, "eot.prediction", self.turns.user_turn, data)

    def turn_end(self, t_us: int, reason: str) -> None:
        """The pipeline ended the user turn (`reason`: the stop strategy that decided)."""
        data: Message = {"reason": reason, "transcript": " ".join(self._transcripts)}
        if self._speech_end_us is not None:
            data["speech_end_us"] = self._speech_end_us
            data["waited_ms"] = max(0, t_us - self._speech_end_us) // 1000
        number = self.turns.turn_ended()
        self._event(t_us, "turn.end", number, data)
        self._transcripts = []
        if self._held_request is not None:
            held_t, request = self._held_request
            self._held_request = None
            self._event(max(held_t, t_us), "llm.request", number, request)

    def reason_for(self, strategy: str | None) -> str:
        """The `turn.end` reason of a Pipecat stop strategy's class name (None: not known)."""
        if strategy == "TurnAnalyzerUserTurnStopStrategy":
            return "smart_turn" if self._last_prediction_complete else "timeout"
        if strategy == "SpeechTimeoutUserTurnStopStrategy":
            return "silence"
        if strategy is None:
            return "smart_turn" if self._last_prediction_complete else "unknown"
        name = strategy.removesuffix("UserTurnStopStrategy") or strategy
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    def llm_request(self, t_us: int, speculative: bool = False) -> None:
        """The LLM was asked for a reply (a context pushed to it)."""
        self.tick(t_us)
        data: Message = {"speculative": True} if speculative else {}
        if self.turns.open:
            if self._held_request is not None:
                self._event(self._held_request[0], "llm.request", self.turns.reply_turn, self._held_request[1])
            self._held_request = (t_us, data)
        else:
            self._event(t_us, "llm.request", self.turns.reply_turn, data)

    def llm_start(self, t_us: int) -> None:
        """The LLM's response begins."""
        self.tick(t_us)
        self._llm_open = True
        self._llm_tokens = 0

    def llm_token(self, t_us: int, text: str) -> None:
        """A piece of the LLM's response."""
        self.tick(t_us)
        self._event(t_us, "llm.token", self.turns.reply_turn, {"index": self._llm_tokens, "text": text})
        self._llm_tokens += 1

    def llm_done(self, t_us: int) -> None:
        """The LLM's response ended."""
        self.tick(t_us)
        if not self._llm_open:
            return
        self._llm_open = False
        self._event(t_us, "llm.done", self.turns.reply_turn, {"tokens": self._llm_tokens})

    def tts_request(self, t_us: int) -> None:
        """The TTS started a reply's audio."""
        self.tick(t_us)
        if self._tts_open:
            return
        self._tts_open = True
        self._event(t_us, "tts.request", self.turns.reply_turn)

    def tts_chunk(self, t_us: int, samples: int, sample_rate: int) -> None:
        """The TTS produced audio."""
        self.tick(t_us)
        self._tts_audio_us += samples * 1_000_000 // max(1, sample_rate)
        self._event(t_us, "tts.chunk", self.turns.reply_turn,
                    {"samples": samples, "ms": samples * 1000 // max(1, sample_rate)})

    def tts_done(self, t_us: int) -> None:
        """The TTS finished a reply's audio."""
        self.tick(t_us)
        if not self._tts_open:
            return
        self._tts_open = False
        self._event(t_us, "tts.done", self.turns.reply_turn)

    def tts_text(self, text: str) -> None:
        """The TTS finished a piece of text: its audio is the TTS audio since the previous piece."""
        self._segments.append(_Segment(text.strip(), self._tts_audio_us))
        self._tts_audio_us = 0
        while len(self._segments) > 256:
            self._segments.popleft()

    def spoken_text(self, text: str) -> None:
        """The output played a piece of text in full (what a listener heard so far)."""
        if self._segments:
            self._segments.popleft()
        self._played_us = 0
        if self._play is not None and text.strip():
            self._play.heard.append(text.strip())

    def _heard_of_cut_segment(self) -> str:
        if not self._segments or self._played_us <= 0:
            return ""
        segment = self._segments[0]
        words = segment.text.split()
        if segment.audio_us <= 0:
            return ""
        count = min(len(words), len(words) * self._played_us // segment.audio_us)
        return " ".join(words[:count])

    def play_start(self, t_us: int) -> None:
        """The bot started speaking."""
        self.tick(t_us)
        if self._play is not None:
            return
        self._play = _Play(turn=self.turns.reply_turn)
        self._event(t_us, "play.start", self._play.turn)

    def play_stop(self, t_us: int) -> None:
        """The bot stopped speaking (done, or cut by an interruption)."""
        self.tick(t_us)
        if self._play is None:
            return
        play, self._play = self._play, None
        heard = list(play.heard)
        if play.interrupted and (partial := self._heard_of_cut_segment()):
            heard.append(partial)
        self._segments.clear()
        self._tts_audio_us = 0
        self._played_us = 0
        self._event(t_us, "play.stop", play.turn, {"reason": "interrupted" if play.interrupted else "done",
                                                   "heard_text": " ".join(heard)})

    def interruption(self, t_us: int) -> None:
        """The pipeline interrupted the bot: a `bargein` when the bot was speaking; an open LLM response is cancelled."""
        self.tick(t_us)
        if self._llm_open:
            self._llm_open = False
            self._event(t_us, "llm.cancel", self.turns.reply_turn, {"tokens": self._llm_tokens})
        if self._tts_open:
            self._tts_open = False
            self._event(t_us, "tts.cancel", self.turns.reply_turn)
        if self._play is None or self._play.interrupted:
            return
        self._play.interrupted = True
        data: Message = {"trigger": "vad"}
        if self._vad_speaking and self._onset_us is not None:
            data["onset_us"] = self._onset_us
            data["speech_ms"] = max(0, t_us - self._onset_us) // 1000
        self._event(t_us, "bargein", self._play.turn, data)

    # Audio --------------------------------------------------------------------------------------

    def mic_audio(self, pushed_at_us: int, pcm16: bytes) -> int | None:
        """Mic audio whose end was captured at `pushed_at_us`; returns its start when placed by time."""
        chunks = self.mic.place(pushed_at_us, pcm16)
        self.outbox.extend(chunk.message() for chunk in chunks)
        return chunks[0].t_us if chunks else None

    def bot_audio(self, pushed_at_us: int, pcm16: bytes) -> None:
        """Bot audio whose end was written to the output at `pushed_at_us`."""
        self._played_us += (len(pcm16) // 2) * 1_000_000 // self.bot.sample_rate
        self.outbox.extend(chunk.message() for chunk in self.bot.place(pushed_at_us, pcm16))

    # End ----------------------------------------------------------------------------------------

    def end(self, t_us: int) -> None:
        """The session ends: release what is held, close open spans, then `end`."""
        if self.ended:
            return
        self.tick(t_us + REQUEST_HOLD_US + 1)
        if self._play is not None:
            self.play_stop(t_us)
        self.ended = True
        last = max(t_us, self._latest_us)
        self.outbox.append({"type": "end", "t_us": last})
