"""Shared pieces of the tests: the crosstalk binary, a recorder on a free port, the caller's script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "examples"))  # the offline bot

from offline_bot import REPLIES, SCRIPT  # noqa: E402,F401 - the caller's script and the bot's replies


def crosstalk_bin() -> str:
    """$CROSSTALK_BIN, else `crosstalk` on PATH; the tests that need it fail (not skip) without it."""
    path = os.environ.get("CROSSTALK_BIN") or shutil.which("crosstalk")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("no crosstalk binary: set CROSSTALK_BIN (make pipecat-test sets it to the debug build)")
    return path


@dataclass
class Recorder:
    """A `crosstalk record --listen 127.0.0.1:0 --once` process and where it listens."""

    process: subprocess.Popen[str]
    port: int
    archive: Path

    def wait(self, timeout_s: float = 30.0) -> tuple[int, str, str]:
        out, err = self.process.communicate(timeout=timeout_s)
        return self.process.returncode, out, err


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[Recorder]:
    archive = tmp_path / "call.ctk"
    process = subprocess.Popen([crosstalk_bin(), "record", "--listen", "127.0.0.1:0", "-o", str(archive), "--once"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("listening on 127.0.0.1:"), first
    yield Recorder(process, int(first.rsplit(":", 1)[1]), archive)
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)
