"""StreamPlacer: chunks appended or placed by time, cut to one second, no sample lost."""

from __future__ import annotations

import base64

from crosstalk_pipecat.stream_placer import StreamPlacer


def pcm(samples: int, value: int = 1) -> bytes:
    return value.to_bytes(2, "little", signed=True) * samples


def test_the_first_chunk_is_placed_where_its_audio_started() -> None:
    p = StreamPlacer("mic", 16000)
    chunks = p.place(pushed_at_us=520_000, pcm16=pcm(320))  # 20 ms captured by 520 ms
    assert [c.t_us for c in chunks] == [500_000]
    assert p.end_us == 520_000


def test_jittery_chunks_are_appended_and_a_real_gap_is_placed() -> None:
    p = StreamPlacer("bot", 24000)
    first = p.place(1_040_000, pcm(960))  # 40 ms
    late = p.place(1_095_000, pcm(960))  # 15 ms late: jitter, appended
    early = p.place(1_100_000, pcm(960))  # early: appended
    after_gap = p.place(3_040_000, pcm(960))  # the bot spoke again 1.9 s later
    assert [c.t_us for c in first + late + early + after_gap] == [1_000_000, None, None, 3_000_000]
    assert p.end_us == 3_040_000


def test_a_chunk_longer_than_a_second_is_cut_without_losing_samples() -> None:
    p = StreamPlacer("bot", 24000)
    audio = b"".join(pcm(1, i % 100) for i in range(60_000))  # 2.5 s
    chunks = p.place(2_500_000, audio)
    assert [len(c.pcm16) // 2 for c in chunks] == [24000, 24000, 12000]
    assert [c.t_us for c in chunks] == [0, None, None]
    assert b"".join(c.pcm16 for c in chunks) == audio
    message = chunks[0].message()
    assert message["stream"] == "bot" and message["sample_rate"] == 24000 and message["t_us"] == 0
    assert base64.b64decode(str(message["pcm16"])) == audio[:48000]
    assert "t_us" not in chunks[1].message()


def test_empty_and_odd_chunks() -> None:
    p = StreamPlacer("mic", 16000)
    assert p.place(10_000, b"") == []
    assert p.place(10_000, b"\x01") == []
    chunks = p.place(20_000, pcm(160) + b"\x01")
    assert len(chunks[0].pcm16) == 320
