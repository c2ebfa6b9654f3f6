"""A real, offline Pipecat 1.14 voice bot recorded by Crosstalk (also the tests' bot).

The caller is espeak-ng speech (or a WAV), the VAD is Silero, the end of turn Smart Turn v3 (Pipecat's
default stop strategy), the STT and the LLM are scripted, the TTS is espeak-ng, and a transport plays
the audio in and out in real time. Nothing leaves the machine.

    crosstalk record --listen 127.0.0.1:7070 -o call.ctk --once &
    .engines/pipecat-venv/bin/python integrations/pipecat/examples/offline_bot.py --port 7070
    crosstalk verify call.ctk && crosstalk report call.ctk
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import wave
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import soxr
from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    EndFrame,
    Frame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    OutputAudioRawFrame,
    StartFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.observers.base_observer import BaseObserver, FramePushed
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TTSService
from pipecat.transports.base_input import BaseInputTransport
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import TransportParams
from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies
from pipecat.utils.time import time_now_iso8601
from pipecat.workers.runner import WorkerRunner

MIC_RATE = 16000
FRAME_MS = 20

#: The caller: (silence before, sentence), spoken by espeak-ng. The second sentence comes while the
#: bot's first (long) reply plays, so the session has a barge-in.
SCRIPT = [(0.6, "What time do you close?"), (4.5, "Thank you very much.")]
REPLIES = ["We close at eleven tonight, and the kitchen takes its last orders at half past ten. "
           "Would you like me to book a table for you?",
           "You are welcome. Goodbye."]


def espeak(text: str, rate: int, voice: str = "en-us", speed: int = 165) -> np.ndarray:
    """`text` spoken by espeak-ng, as int16 samples at `rate` Hz."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        native = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if native == rate:
        return samples.copy()
    return soxr.resample(samples.astype(np.float32), native, rate).clip(-32768, 32767).astype(np.int16)


def caller_audio(script: Sequence[tuple[float, str]], tail_s: float) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The caller's side: each (silence before, sentence) spoken by espeak-ng; and each sentence's span (s)."""
    parts: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    at = 0
    for silence_s, sentence in script:
        gap = np.zeros(int(silence_s * MIC_RATE), dtype=np.int16)
        speech = espeak(sentence, MIC_RATE, voice="en-gb", speed=150)
        parts += [gap, speech]
        at += len(gap)
        spans.append((at / MIC_RATE, (at + len(speech)) / MIC_RATE))
        at += len(speech)
    parts.append(np.zeros(int(tail_s * MIC_RATE), dtype=np.int16))
    return np.concatenate(parts), spans


class WavInput(BaseInputTransport):
    """Plays `samples` as the mic: one `InputAudioRawFrame` per 20 ms, paced by the loop clock."""

    def __init__(self, samples: np.ndarray, done: asyncio.Event, chunk_ms: int = FRAME_MS) -> None:
        super().__init__(TransportParams(audio_in_enabled=True, audio_in_sample_rate=MIC_RATE))
        self._samples = samples
        self._done = done
        self._chunk = MIC_RATE * chunk_ms // 1000
        self._feeder: asyncio.Task[None] | None = None

    async def start(self, frame: StartFrame) -> None:
        await super().start(frame)
        await self.set_transport_ready(frame)
        self._feeder = self.create_task(self._feed())

    async def _feed(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index, first in enumerate(range(0, len(self._samples), self._chunk)):
            due = start + (index + 1) * self._chunk / MIC_RATE  # a chunk exists once captured
            await asyncio.sleep(max(0.0, due - loop.time()))
            pcm = self._samples[first: first + self._chunk].tobytes()
            await self.push_audio_frame(InputAudioRawFrame(audio=pcm, sample_rate=MIC_RATE, num_channels=1))
        self._done.set()

    async def _stop_feeder(self) -> None:
        if self._feeder is not None:
            await self.cancel_task(self._feeder)
            self._feeder = None

    async def stop(self, frame: EndFrame) -> None:
        await self._stop_feeder()
        await super().stop(frame)

    async def cancel(self, frame: Frame) -> None:  # type: ignore[override]
        await self._stop_feeder()
        await super().cancel(frame)  # type: ignore[arg-type]


class PacedOutput(BaseOutputTransport):
    """A speaker: takes each output chunk and returns once it has "played" (real time)."""

    def __init__(self) -> None:
        super().__init__(TransportParams(audio_out_enabled=True))
        self._next_free = 0.0
        self.played: list[bytes] = []

    async def start(self, frame: StartFrame) -> None:
        await super().start(frame)
        await self.set_transport_ready(frame)

    async def write_audio_frame(self, frame: OutputAudioRawFrame) -> bool:
        loop = asyncio.get_running_loop()
        now = loop.time()
        begin = max(now, self._next_free)
        self._next_free = begin + len(frame.audio) / 2 / frame.sample_rate
        await asyncio.sleep(max(0.0, self._next_free - now))
        self.played.append(frame.audio)
        return True


class ScriptedSTT(FrameProcessor):
    """A speech recogniser that knows the script: a partial at each VAD start, the segment's text at each stop."""

    def __init__(self, segments: Sequence[str]) -> None:
        super().__init__()
        self._segments = list(segments)
        self._index = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, VADUserStartedSpeakingFrame) and self._index < len(self._segments):
            text = self._segments[self._index].split(" ")[0]
            await self.push_frame(InterimTranscriptionFrame(text=text, user_id="caller", timestamp=time_now_iso8601()))
        elif isinstance(frame, VADUserStoppedSpeakingFrame) and self._index < len(self._segments):
            text = self._segments[self._index]
            self._index += 1
            await self.push_frame(TranscriptionFrame(text=text, user_id="caller", timestamp=time_now_iso8601(),
                                                     finalized=True))


class ScriptedLLM(FrameProcessor):
    """An LLM that streams fixed replies, one word at a time (`token_s` apart); interruptible."""

    def __init__(self, replies: Sequence[str], token_s: float = 0.03) -> None:
        super().__init__()
        self._replies = list(replies)
        self._token_s = token_s
        self._count = 0
        self._task: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            reply = self._replies[min(self._count, len(self._replies) - 1)]
            self._count += 1
            await self._cancel()
            self._task = self.create_task(self._stream(reply))
            return
        if isinstance(frame, InterruptionFrame):
            await self._cancel()
        await self.push_frame(frame, direction)

    async def _cancel(self) -> None:
        if self._task is not None:
            await self.cancel_task(self._task)
            self._task = None

    async def _stream(self, reply: str) -> None:
        await self.push_frame(LLMFullResponseStartFrame())
        for index, word in enumerate(reply.split(" ")):
            await asyncio.sleep(self._token_s)
            await self.push_frame(LLMTextFrame(text=word if index == 0 else " " + word))
        await self.push_frame(LLMFullResponseEndFrame())
        self._task = None


class EspeakTTS(TTSService):
    """espeak-ng as a Pipecat TTS service (the CLI, `--stdout`), resampled to the output rate."""

    def __init__(self, voice: str = "en-us") -> None:
        super().__init__(push_start_frame=True, push_stop_frames=True,
                         settings=TTSSettings(model=None, voice=voice, language=None))
        self._voice = voice

    def can_generate_metrics(self) -> bool:
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame | None, None]:
        samples = await asyncio.to_thread(espeak, text, self.sample_rate, self._voice)
        step = self.sample_rate // 5  # 200 ms pieces, as a streaming TTS delivers them
        for first in range(0, len(samples), step):
            yield TTSAudioRawFrame(audio=samples[first: first + step].tobytes(), sample_rate=self.sample_rate,
                                   num_channels=1, context_id=context_id)


class TurnEndWitness(BaseObserver):
    """The test's own observer: when Pipecat pushed each `UserStoppedSpeakingFrame` (µs, pipeline clock)."""

    def __init__(self) -> None:
        super().__init__(observe_every_push=False)
        self.turn_ends_us: list[int] = []
        self.vad_stops_us: list[int] = []

    async def on_push_frame(self, data: FramePushed) -> None:
        if data.direction != FrameDirection.DOWNSTREAM:
            return
        if isinstance(data.frame, UserStoppedSpeakingFrame):
            self.turn_ends_us.append(data.timestamp // 1000)
        elif isinstance(data.frame, VADUserStoppedSpeakingFrame):
            self.vad_stops_us.append(data.timestamp // 1000)


@dataclass
class BotRun:
    """What a run of the bot left: the witness, the speaker, and whether it ended by itself."""

    witness: TurnEndWitness
    output: PacedOutput
    finished: bool = False
    spans: list[tuple[float, float]] = field(default_factory=list)


async def run_bot(observers: Sequence[BaseObserver], script: Sequence[tuple[float, str]], replies: Sequence[str],
                  tail_s: float = 3.0, timeout_s: float = 90.0, stop_strategy: Any = None) -> BotRun:
    """Runs the bot over the caller `script` with `observers` attached, until the audio ends (+ `tail_s`).

    The user turn ends by `stop_strategy` (default: Smart Turn v3, Pipecat's default)."""
    samples, spans = caller_audio(script, tail_s)
    done = asyncio.Event()
    mic = WavInput(samples, done)
    speaker = PacedOutput()
    vad = SileroVADAnalyzer(params=VADParams(stop_secs=0.2))
    context = LLMContext(messages=[{"role": "system", "content": "You take restaurant bookings."}])
    aggregators = LLMContextAggregatorPair(context, user_params=LLMUserAggregatorParams(
        vad_analyzer=vad,
        user_turn_strategies=UserTurnStrategies(
            stop=[stop_strategy or TurnAnalyzerUserTurnStopStrategy(turn_analyzer=LocalSmartTurnAnalyzerV3())]),
    ))
    pipeline = Pipeline([mic, ScriptedSTT([s for _, s in script]), aggregators.user(), ScriptedLLM(replies),
                         EspeakTTS(), speaker, aggregators.assistant()])
    witness = TurnEndWitness()
    worker = PipelineWorker(pipeline, params=PipelineParams(enable_metrics=True),
                            observers=[*observers, witness], idle_timeout_secs=None)

    async def end_after_audio() -> None:
        await done.wait()
        await worker.queue_frame(EndFrame())

    runner = WorkerRunner(handle_sigint=False)
    ender = asyncio.create_task(end_after_audio())
    run = BotRun(witness=witness, output=speaker, spans=spans)
    try:
        await runner.add_workers(worker)
        await asyncio.wait_for(runner.run(), timeout_s)
        run.finished = True
    finally:
        ender.cancel()
    return run


def main() -> int:
    """Runs the bot once with a `CrosstalkObserver`; exit 0 when the recorder took the session cleanly."""
    import argparse
    import logging

    from crosstalk_pipecat import CrosstalkObserver

    parser = argparse.ArgumentParser(description="An offline Pipecat bot recorded by `crosstalk record --listen`.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7070)
    parser.add_argument("--name", default="pipecat offline bot")
    parser.add_argument("--codec", default="opus", choices=("opus", "pcm16"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from loguru import logger

    logger.remove()  # Pipecat logs every frame hop at DEBUG
    logger.add(sys.stderr, level="WARNING")
    observer = CrosstalkObserver(host=args.host, port=args.port, name=args.name, codec=args.codec)
    run = asyncio.run(run_bot([observer], SCRIPT, REPLIES, tail_s=4.0))
    print(f"turn ends (µs, pipeline clock): {run.witness.turn_ends_us}")
    print(f"recorder: {observer.sender.end_reply or observer.sender.failed}")
    return 0 if run.finished and observer.sender.end_reply and not observer.sender.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
