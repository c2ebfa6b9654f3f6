"""LineSender: lines in order to a recorder, its replies read, and every way of failing is one warning."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from crosstalk_pipecat.line_sender import LineSender


async def fake_recorder(replies: dict[str, dict[str, object]], got: list[dict[str, object]]) -> asyncio.Server:
    """Answers `hello` and `end` with the given replies and keeps every line it reads."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while raw := await reader.readline():
            message = json.loads(raw)
            got.append(message)
            reply = replies.get(str(message.get("type")))
            if reply is not None:
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
            if message.get("type") == "end":
                break
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


def test_lines_go_out_in_order_and_the_summary_comes_back() -> None:
    got: list[dict[str, object]] = []

    async def scenario() -> LineSender:
        server = await fake_recorder({"hello": {"type": "hello", "ok": True},
                                      "end": {"type": "end", "ok": True, "events": 2}}, got)
        sender = LineSender("127.0.0.1", server.sockets[0].getsockname()[1])
        sender.start()
        sender.send({"type": "hello", "sample_rate": 16000, "frame_ms": 20})
        for i in range(100):
            sender.send({"type": "event", "t_us": i, "kind": "llm.token"})
        sender.send({"type": "end"})
        await sender.close()
        server.close()
        return sender

    sender = asyncio.run(scenario())
    assert [m["type"] for m in got] == ["hello"] + ["event"] * 100 + ["end"]
    assert [m["t_us"] for m in got[1:-1]] == list(range(100))
    assert sender.hello_reply == {"type": "hello", "ok": True}
    assert sender.end_reply == {"type": "end", "ok": True, "events": 2}
    assert sender.failed is None


def test_a_rejected_hello_stops_the_session_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    got: list[dict[str, object]] = []

    async def scenario() -> LineSender:
        server = await fake_recorder({"hello": {"error": "hello: settings: unknown key pipeline.x", "line": 1}}, got)
        sender = LineSender("127.0.0.1", server.sockets[0].getsockname()[1])
        sender.start()
        sender.send({"type": "hello"})
        await asyncio.sleep(0.2)
        for i in range(10):
            sender.send({"type": "event", "t_us": i})
        await sender.close()
        server.close()
        return sender

    with caplog.at_level(logging.WARNING, logger="crosstalk_pipecat"):
        sender = asyncio.run(scenario())
    assert sender.failed is not None and "hello rejected" in sender.failed
    assert len(got) <= 2  # nothing streams after the rejection (at most a line already in flight)
    assert sum(1 for r in caplog.records if "not recording" in r.getMessage()) == 1


def test_a_full_queue_drops_the_session_once_and_never_blocks(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> LineSender:
        sender = LineSender("127.0.0.1", 9, max_queue=3)  # the task has not run yet: the queue fills
        sender.start()
        for i in range(50):
            sender.send({"type": "event", "t_us": i})
        await sender.close(timeout_s=1.0)
        return sender

    with caplog.at_level(logging.WARNING, logger="crosstalk_pipecat"):
        sender = asyncio.run(scenario())
    assert sender.failed is not None and "not keeping up" in sender.failed
    assert sum(1 for r in caplog.records if "not recording" in r.getMessage()) == 1
