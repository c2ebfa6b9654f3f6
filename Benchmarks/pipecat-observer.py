#!/usr/bin/env python3
"""The Pipecat observer's own cost: CPU per second of call, on the pipeline side and in its sender.

Pushes the frames of a synthetic call through `CrosstalkObserver.observe` as Pipecat would (every frame
re-pushed at 6 hops): 20 ms mic frames, a Silero score every 32 ms, the bot's 40 ms output chunks half the
time, a turn every 6 s (VAD start/stop, transcripts, a Smart Turn verdict, the turn end, 20 LLM tokens,
TTS start/stop, bot start/stop). The sender's work (JSON + base64 of every line) is timed apart by
encoding each queued message as `LineSender` does. No socket, no pipeline: the figure is the observer's.

    .engines/pipecat-venv/bin/python Benchmarks/pipecat-observer.py --minutes 10
"""

from __future__ import annotations

import argparse
import json
import time

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    InputAudioRawFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    MetricsFrame,
    StartFrame,
    TranscriptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
    UserStoppedSpeakingFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.metrics.metrics import TurnMetricsData
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMUserAggregator, LLMUserAggregatorParams
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import TransportParams

from crosstalk_pipecat import CrosstalkObserver

HOPS = 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()

    queued: list[dict[str, object]] = []
    observer = CrosstalkObserver(port=1)
    observer.sender.send = queued.append  # type: ignore[method-assign]
    user = LLMUserAggregator(LLMContext(), params=LLMUserAggregatorParams())
    output = BaseOutputTransport(TransportParams(audio_out_enabled=True))
    hops = [FrameProcessor() for _ in range(HOPS)]
    down = FrameDirection.DOWNSTREAM
    pushes = 0

    def push(frame: object, t_us: int, source: object = None) -> None:
        nonlocal pushes
        for hop in range(HOPS):
            observer.observe(source if hop == 0 and source is not None else hops[hop], hops[-1], frame, down,
                             (t_us + hop) * 1000)
            pushes += 1

    mic = b"\x10\x00" * 320
    bot = b"\x20\x00" * 960
    total_us = int(args.minutes * 60_000_000)
    start = time.process_time()
    push(StartFrame(), 0, user)
    for t in range(0, total_us, 20_000):
        push(InputAudioRawFrame(audio=mic, sample_rate=16000, num_channels=1), t + 20_000, hops[0])
        in_turn = t % 6_000_000
        if in_turn == 500_000:
            push(VADUserStartedSpeakingFrame(start_secs=0.2), t, user)
        elif in_turn == 2_500_000:
            push(VADUserStoppedSpeakingFrame(stop_secs=0.2), t, user)
            push(TranscriptionFrame(text="book a table for two", user_id="u", timestamp=""), t, hops[0])
        elif in_turn == 2_580_000:
            push(MetricsFrame(data=[TurnMetricsData(processor="BaseSmartTurn", is_complete=True, probability=0.9,
                                                    e2e_processing_time_ms=70.0)]), t, user)
            push(UserStoppedSpeakingFrame(), t, user)
            push(LLMFullResponseStartFrame(), t, hops[2])
            for i in range(20):
                push(LLMTextFrame(text=f" w{i}"), t + i * 100, hops[2])
            push(LLMFullResponseEndFrame(), t + 2000, hops[2])
            push(TTSStartedFrame(), t + 2100, hops[3])
            push(TTSStoppedFrame(), t + 2200, hops[3])
        elif in_turn == 2_800_000:
            push(BotStartedSpeakingFrame(), t, output)
        elif in_turn == 5_800_000:
            push(BotStoppedSpeakingFrame(), t, output)
        if 2_800_000 <= in_turn < 5_800_000 and t % 40_000 == 0:
            push(TTSAudioRawFrame(audio=bot, sample_rate=24000, num_channels=1), t + 40_000, output)
        if t % 32_000 < 20_000:
            observer._scores.append((512, 0.42))  # a Silero window scored (the hook's record)
    observer._finish(total_us)
    pipeline_s = time.process_time() - start

    start = time.process_time()
    encoded = sum(len(json.dumps(m, separators=(",", ":"), ensure_ascii=False)) + 1 for m in queued)
    sender_s = time.process_time() - start
    call_s = total_us / 1e6
    print(f"call {call_s:.0f} s: {pushes} pushes, {len(queued)} lines, {encoded / 1e6:.1f} MB")
    print(f"observer (pipeline side): {pipeline_s:.3f} s CPU = {1e6 * pipeline_s / pushes:.2f} µs per push, "
          f"{100 * pipeline_s / call_s:.3f} % of one core during the call")
    print(f"sender (JSON lines): {sender_s:.3f} s CPU = {100 * sender_s / call_s:.3f} % of one core")


if __name__ == "__main__":
    main()
