#!/usr/bin/env python3
"""Runs a real LiveKit Agents 1.8 session offline and keeps what `console --record` would keep.

The session is livekit-agents' own AgentSession (its VAD handling, endpointing, interruption logic,
RecorderIO and session report), with stand-ins at the edges only: a job context from
`livekit.agents.testing.fake_job_context` and a mock room, an audio input that plays espeak-ng speech
in real time, an audio output that "plays" in real time, a scripted STT, LLM and TTS (espeak-ng), and
Silero VAD from the livekit-plugins-silero wheel. The user says three turns and talks over the second
reply. Takes about 30 s (real time). Writes OUTDIR/audio.ogg and OUTDIR/session_report.json.

Needs a venv with livekit-agents==1.8.9 and livekit-plugins-silero==1.8.9 (see the README section
"Importing a LiveKit session"). Usage: record-livekit-session.py OUTDIR
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import sys
import time
from typing import Any, AsyncIterator

from livekit import rtc
from livekit.agents import Agent, AgentSession, llm, stt, tts, utils
from livekit.agents.ipc.mock_room import create_mock_room
from livekit.agents.language import LanguageCode
from livekit.agents.testing import fake_job_context
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions
from livekit.agents.voice.io import AudioInput, AudioOutput, AudioOutputCapabilities
from livekit.plugins import silero

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_livekit_session", os.path.join(HERE, "make-livekit-session.py"))
assert _spec and _spec.loader
generator = importlib.util.module_from_spec(_spec)
sys.modules["make_livekit_session"] = generator
_spec.loader.exec_module(generator)

IN_RATE = 16_000
TTS_RATE = 24_000
USER_TURNS = ["I would like to book a table for tonight.", "For four people at eight.",
              "Actually, make it five people, inside please."]
REPLIES = ["Sure. For how many people, and at what time?",
           "Great, a table for four at eight tonight. Would you like a table inside or on the terrace?",
           "Done, five people inside, at eight."]


def resample(samples: list[int], to: int) -> bytes:
    """48 kHz → `to` Hz by nearest sample (a stand-in microphone needs no better)."""
    n = len(samples) * to // 48_000
    return b"".join(int(samples[i * 48_000 // to]).to_bytes(2, "little", signed=True) for i in range(n))


class SpokenInput(AudioInput):
    """The user's microphone: queued speech, else silence, in 10 ms frames at real-time pace."""

    def __init__(self) -> None:
        super().__init__(label="spoken-input")
        self.pending = bytearray()
        self.next_at: float | None = None

    def say(self, pcm: bytes) -> None:
        self.pending += pcm

    def __aiter__(self) -> AsyncIterator[rtc.AudioFrame]:
        return self

    async def __anext__(self) -> rtc.AudioFrame:
        n = IN_RATE // 100
        now = time.monotonic()
        self.next_at = (self.next_at or now) + 0.01
        await asyncio.sleep(max(0.0, self.next_at - now))
        chunk = bytes(self.pending[: 2 * n])
        del self.pending[: 2 * n]
        chunk += b"\x00\x00" * (n - len(chunk) // 2)
        return rtc.AudioFrame(data=chunk, sample_rate=IN_RATE, num_channels=1, samples_per_channel=n)


class TimedOutput(AudioOutput):
    """A loudspeaker: playback starts with the first frame and lasts as long as the audio."""

    def __init__(self) -> None:
        super().__init__(label="timed-output", capabilities=AudioOutputCapabilities(pause=False))
        self.pushed = 0.0
        self.started: float | None = None
        self.done: asyncio.TimerHandle | None = None

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        self.pushed += frame.duration
        if self.started is None:
            self.started = time.time()
            self.on_playback_started(created_at=self.started)

    def flush(self) -> None:
        super().flush()
        if not self.pushed or self.started is None:
            return
        pushed, left = self.pushed, max(0.0, self.started + self.pushed - time.time())

        def finished() -> None:
            self.reset()
            self.on_playback_finished(playback_position=pushed, interrupted=False)

        self.done = asyncio.get_event_loop().call_later(left, finished)

    def clear_buffer(self) -> None:
        if not self.pushed or self.started is None:
            return
        played = min(self.pushed, time.time() - self.started)
        self.reset()
        self.on_playback_finished(playback_position=played, interrupted=True)

    def reset(self) -> None:
        if self.done:
            self.done.cancel()
        self.pushed, self.started, self.done = 0.0, None, None


class ScriptedSTT(stt.STT):
    """Recognizes each VAD-cut utterance as the next scripted user turn."""

    def __init__(self) -> None:
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self.turn = 0

    async def _recognize_impl(self, buffer: Any, *, language: Any = None, conn_options: APIConnectOptions) -> stt.SpeechEvent:
        await asyncio.sleep(0.15)
        text = USER_TURNS[min(self.turn, len(USER_TURNS) - 1)]
        self.turn += 1
        return stt.SpeechEvent(type=stt.SpeechEventType.FINAL_TRANSCRIPT,
                               alternatives=[stt.SpeechData(language=LanguageCode("en"), text=text, confidence=0.95)])


class ScriptedLLM(llm.LLM):
    """Answers the n-th user turn with the n-th scripted reply after 300 ms."""

    def chat(self, *, chat_ctx: llm.ChatContext, tools: Any = None, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
             **_: Any) -> llm.LLMStream:
        return ScriptedStream(self, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options)


class ScriptedStream(llm.LLMStream):
    async def _run(self) -> None:
        users = sum(1 for i in self.chat_ctx.items if i.type == "message" and i.role == "user")
        await asyncio.sleep(0.3)
        text = REPLIES[min(max(users, 1), len(REPLIES)) - 1]
        for i in range(0, len(text), 12):
            self._event_ch.send_nowait(llm.ChatChunk(id="scripted", delta=llm.ChoiceDelta(role="assistant", content=text[i:i + 12])))


class EspeakTTS(tts.TTS):
    """espeak-ng speech after 150 ms."""

    def __init__(self) -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False), sample_rate=TTS_RATE, num_channels=1)

    def synthesize(self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS) -> tts.ChunkedStream:
        return EspeakStream(tts=self, input_text=text, conn_options=conn_options)


class EspeakStream(tts.ChunkedStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        output_emitter.initialize(request_id=utils.shortuuid("espeak_"), sample_rate=TTS_RATE, num_channels=1, mime_type="audio/pcm")
        await asyncio.sleep(0.15)
        pcm = resample(generator.synthesize(self.input_text, "en"), TTS_RATE)
        step = TTS_RATE // 50 * 2
        for i in range(0, len(pcm), step):
            output_emitter.push(pcm[i:i + step])
            await asyncio.sleep(0)
        output_emitter.flush()


async def converse(out: str) -> None:
    user = SpokenInput()
    speaking = asyncio.Event()
    listening = asyncio.Event()
    session: AgentSession[None] = AgentSession(vad=silero.VAD.load(), stt=ScriptedSTT(), llm=ScriptedLLM(), tts=EspeakTTS(),
                           turn_detection="vad", min_endpointing_delay=0.5, min_interruption_duration=0.5)

    @session.on("agent_state_changed")
    def _state(ev: Any) -> None:
        if ev.new_state == "speaking":
            speaking.set()
        if ev.old_state == "speaking":
            listening.set()

    session.input.audio = user
    session.output.audio = TimedOutput()
    with fake_job_context(room=create_mock_room()) as job:
        await session.start(Agent(instructions="Book tables."), record=True)
        turns = [resample(generator.synthesize(t, "en-us"), IN_RATE) for t in USER_TURNS]
        await asyncio.sleep(1.0)
        for n, pcm in enumerate(turns):
            speaking.clear()
            listening.clear()
            user.say(pcm)
            await asyncio.wait_for(speaking.wait(), 20)
            if n == 1:
                # Talk over the second reply 1.2 s into it.
                await asyncio.sleep(1.2)
                continue
            await asyncio.wait_for(listening.wait(), 30)
            await asyncio.sleep(0.8)
        await asyncio.wait_for(listening.wait(), 30)
        await asyncio.sleep(1.0)
        await session.aclose()
        report = job.make_session_report(session).to_dict()
        os.makedirs(out, exist_ok=True)
        shutil.copy(os.path.join(job.session_directory, "audio.ogg"), os.path.join(out, "audio.ogg"))
        with open(os.path.join(out, "session_report.json"), "w") as f:
            json.dump(report, f, indent=2, default=str)
            f.write("\n")
    print(f"wrote {out}: {len(report['events'])} events")


if __name__ == "__main__":
    asyncio.run(converse(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "real-session")))
