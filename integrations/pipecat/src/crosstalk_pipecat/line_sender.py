"""JSON lines to the recorder over TCP, off the pipeline's path: a bounded queue and one task."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

log = logging.getLogger("crosstalk_pipecat")

_END = object()


class LineSender:
    """Sends messages to `crosstalk record --listen` from its own asyncio task.

    `send` never blocks and never raises: it puts the message on a bounded queue. The task
    connects, sends the lines, reads the recorder's replies (logging the errors) and, after
    `end`, waits for the summary. When the recorder is unreachable, goes away, or the queue is
    full (the recorder cannot keep up), the sender logs one warning and drops everything from
    then on; the pipeline never notices.
    """

    def __init__(self, host: str, port: int, max_queue: int = 10_000, connect_timeout_s: float = 2.0) -> None:
        """A sender to `host:port`, holding at most `max_queue` unsent messages."""
        self.host = host
        self.port = port
        self.connect_timeout_s = connect_timeout_s
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=max_queue)
        self._task: asyncio.Task[None] | None = None
        self.failed: str | None = None
        #: Error replies from the recorder (the first 20), for logs and tests.
        self.errors: list[dict[str, Any]] = []
        #: The recorder's replies to `hello` and `end`.
        self.hello_reply: dict[str, Any] | None = None
        self.end_reply: dict[str, Any] | None = None

    def start(self) -> None:
        """Starts the task (needs a running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="crosstalk-sender")

    def send(self, message: dict[str, Any]) -> None:
        """Queues one message (the first one starts the task and connects); dropped once the sender has failed."""
        if self.failed is not None:
            return
        if self._task is None:
            self.start()
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self._fail(f"more than {self._queue.maxsize} messages waiting; the recorder is not keeping up")

    async def close(self, timeout_s: float = 5.0) -> None:
        """Lets the queued messages go out (at most `timeout_s`), then stops the task."""
        if self._task is None:
            return
        if self.failed is None:
            try:
                self._queue.put_nowait(_END)
            except asyncio.QueueFull:
                self._fail("queue full at close")
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            self._fail(f"the recorder did not finish within {timeout_s} s")
        except Exception as e:  # noqa: BLE001 - the sender must never raise into the pipeline
            self._fail(f"sender stopped: {e}")
        if not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except BaseException:  # noqa: BLE001
                pass

    def _fail(self, why: str) -> None:
        if self.failed is None:
            self.failed = why
            log.warning("crosstalk: %s:%d: %s; not recording this session (the bot goes on)", self.host, self.port, why)
        while not self._queue.empty():
            self._queue.get_nowait()
        if self._task is not None and not self._task.done() and asyncio.current_task() is not self._task:
            self._task.cancel()

    async def _run(self) -> None:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port),
                                                    self.connect_timeout_s)
        except (OSError, asyncio.TimeoutError) as e:
            self._fail(f"cannot connect ({e or type(e).__name__})")
            return
        replies = asyncio.get_running_loop().create_task(self._read(reader))
        try:
            while True:
                message = await self._queue.get()
                if message is _END:
                    break
                line = json.dumps(message, separators=(",", ":"), ensure_ascii=False) + "\n"
                writer.write(line.encode("utf-8"))
                if writer.transport.get_write_buffer_size() > 1 << 20:
                    await writer.drain()
                if message.get("type") == "end":
                    await writer.drain()
                    await asyncio.wait_for(asyncio.shield(replies), 5.0)
                    break
            await writer.drain()
        except (OSError, asyncio.TimeoutError) as e:
            self._fail(f"connection lost ({e or type(e).__name__})")
        finally:
            replies.cancel()
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError, asyncio.CancelledError):
                pass

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            raw = await reader.readline()
            if not raw:
                return
            try:
                reply = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(reply, dict):
                continue
            if "error" in reply:
                if len(self.errors) < 20:
                    self.errors.append(reply)
                    log.warning("crosstalk: recorder rejected line %s: %s", reply.get("line"), reply.get("error"))
                if self.hello_reply is None and reply.get("line") == 1:
                    self._fail(f"hello rejected: {reply.get('error')}")
                    return
            elif reply.get("type") == "hello":
                self.hello_reply = reply
            elif reply.get("type") == "end":
                self.end_reply = reply
                return
