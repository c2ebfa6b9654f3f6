"""The bot keeps running when the recorder is unreachable or goes away mid-session."""

from __future__ import annotations

import asyncio
import socket

from offline_bot import run_bot

from crosstalk_pipecat import CrosstalkObserver

SHORT = [(0.4, "What time do you close?")]
REPLY = ["At eleven."]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_recorder_is_logged_once_and_the_bot_finishes(caplog) -> None:  # type: ignore[no-untyped-def]
    observer = CrosstalkObserver(port=free_port(), name="nobody listening")
    run = asyncio.run(run_bot([observer], SHORT, REPLY, tail_s=4.0))
    assert run.finished
    assert run.witness.turn_ends_us, "the bot ran its turn"
    assert run.output.played, "and spoke"
    assert observer.sender.failed is not None and "cannot connect" in observer.sender.failed
    warnings = [r for r in caplog.records if r.name == "crosstalk_pipecat"]
    assert len(warnings) == 1


def test_a_recorder_that_goes_away_mid_session_does_not_stop_the_bot() -> None:
    received: list[bytes] = []

    async def scenario() -> tuple[object, CrosstalkObserver]:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            received.append(await reader.readline())  # the hello, then hang up
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        observer = CrosstalkObserver(port=port, name="recorder leaves")
        try:
            run = await run_bot([observer], SHORT, REPLY, tail_s=4.0)
        finally:
            server.close()
            await server.wait_closed()
        return run, observer

    run, observer = asyncio.run(scenario())
    assert run.finished  # type: ignore[attr-defined]
    assert run.witness.turn_ends_us and run.output.played  # type: ignore[attr-defined]
    assert received and b'"type":"hello"' in received[0]
    assert observer.sender.failed is not None
