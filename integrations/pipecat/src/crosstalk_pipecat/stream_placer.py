"""Where an audio chunk goes on its stream: appended, or placed at a time after a gap."""

from __future__ import annotations

import base64
from dataclasses import dataclass

#: A gap longer than this between a stream's end and a chunk's start is real silence (the bot
#: not speaking, a muted mic) and the chunk is placed by time; shorter ones are scheduling jitter
#: and the chunk is appended, so the audio itself never gets silence inserted into it.
GAP_TOLERANCE_US = 100_000


@dataclass
class AudioChunk:
    """One `audio` line of the protocol (chunk form): samples at the stream's own rate."""

    stream: str
    sample_rate: int
    pcm16: bytes
    #: Where the chunk starts (µs since the session start), or None: appended at the stream's end.
    t_us: int | None

    def message(self) -> dict[str, object]:
        """The JSON object of the `audio` line."""
        msg: dict[str, object] = {"type": "audio", "stream": self.stream, "sample_rate": self.sample_rate,
                                  "pcm16": base64.b64encode(self.pcm16).decode("ascii")}
        if self.t_us is not None:
            msg["t_us"] = self.t_us
        return msg


class StreamPlacer:
    """Tracks one stream's end (in samples at its rate) and places each chunk on it.

    A pipeline reports an audio frame when it is pushed, that is when it has been captured (mic) or
    written to the device (bot): the frame's audio ends at that instant. The first chunk, and every
    chunk that starts more than `gap_tolerance_us` after the stream's end, is sent with its start
    time; every other chunk is appended. Chunks longer than one second are cut (the protocol's
    limit); samples are never dropped or reordered.
    """

    def __init__(self, stream: str, sample_rate: int, gap_tolerance_us: int = GAP_TOLERANCE_US) -> None:
        """A placer for `stream` whose audio arrives at `sample_rate` Hz."""
        self.stream = stream
        self.sample_rate = sample_rate
        self.gap_tolerance_us = gap_tolerance_us
        self._end_samples: int | None = None

    @property
    def end_us(self) -> int | None:
        """Where the stream ends now, in µs (None before its first chunk)."""
        if self._end_samples is None:
            return None
        return self._end_samples * 1_000_000 // self.sample_rate

    def place(self, pushed_at_us: int, pcm16: bytes) -> list[AudioChunk]:
        """The `audio` lines for a chunk whose audio ends at `pushed_at_us` (odd trailing bytes dropped)."""
        samples = len(pcm16) // 2
        if samples == 0:
            return []
        duration_us = samples * 1_000_000 // self.sample_rate
        start_us = max(0, pushed_at_us - duration_us)
        t_us: int | None = None
        end_us = self.end_us
        if end_us is None or start_us > end_us + self.gap_tolerance_us:
            t_us = start_us
            self._end_samples = start_us * self.sample_rate // 1_000_000
        chunks: list[AudioChunk] = []
        per_line = self.sample_rate  # at most one second per line
        for first in range(0, samples, per_line):
            piece = pcm16[2 * first: 2 * min(samples, first + per_line)]
            chunks.append(AudioChunk(self.stream, self.sample_rate, piece, t_us if first == 0 else None))
        assert self._end_samples is not None
        self._end_samples += samples
        return chunks
