"""pytest for make-livekit-session.py: the stand-in report is shaped like LiveKit's (run: pytest sessions/livekit)."""
from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType
from typing import Any

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_livekit_session", os.path.join(HERE, "make-livekit-session.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_livekit_session"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built() -> tuple[Any, dict[str, Any], ModuleType]:
    gen = load()
    session, report = gen.build()
    return session, report, gen


def test_events_are_in_emission_order_with_only_lookback_backdating(built: tuple[Any, dict[str, Any], ModuleType]) -> None:
    _, report, _ = built
    latest = 0.0
    backdated = 0
    for e in report["events"]:
        if e["created_at"] < latest:
            # Only the user's stop of speaking is stamped earlier than what precedes it, by < 2 s.
            assert e["type"] == "user_state_changed" and e["new_state"] == "listening"
            assert latest - e["created_at"] < 2.0
            backdated += 1
        latest = max(latest, e["created_at"])
    assert backdated == 3


def test_expected_turn_ends_are_livekits_decision_times(built: tuple[Any, dict[str, Any], ModuleType]) -> None:
    session, report, gen = built
    t0 = report["audio_recording_started_at"]
    users = [i for i in report["chat_history"]["items"] if i["role"] == "user"]
    ends = [round((u["metrics"]["stopped_speaking_at"] + u["metrics"]["end_of_turn_delay"] - t0) * 1e6) for u in users]
    assert ends == [e["t_us"] for e in session.expected["turn_ends"]]
    thinking = [round((e["created_at"] - t0) * 1e6) for e in report["events"]
                if e["type"] == "agent_state_changed" and e["new_state"] == "thinking"]
    assert thinking == ends


def test_the_interrupted_reply_is_cut_in_the_agent_channel(built: tuple[Any, dict[str, Any], ModuleType]) -> None:
    session, report, gen = built
    cut = next(p for p in session.expected["plays"] if p["reason"] == "interrupted")
    stop = cut["stop_us"] * gen.RATE // 1_000_000
    following = next(p for p in session.expected["plays"] if p["start_us"] > cut["stop_us"])
    start = following["start_us"] * gen.RATE // 1_000_000
    assert any(abs(s) > 1000 for s in session.agent[stop - gen.RATE // 2:stop])
    assert all(s == 0 for s in session.agent[stop:start])
    item = next(i for i in report["chat_history"]["items"] if i["role"] == "assistant" and i["interrupted"])
    assert item["content"] == [cut["heard_text"]]
