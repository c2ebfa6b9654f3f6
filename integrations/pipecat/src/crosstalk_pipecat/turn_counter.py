"""The protocol's turn numbering (docs/record-protocol.md, "Turn convention")."""

from __future__ import annotations


class TurnCounter:
    """User turns run 1, 2, 3, …; turn N from the first `vad.start` after `turn.end` N−1 to `turn.end` N.

    User-side events (`vad.*`, `stt.*`, `eot.prediction`, `turn.end`) carry the turn in progress;
    the bot's reply (`llm.*`, `tts.*`, `play.*`) and the `bargein` that cuts it carry the last turn
    that ended, and events before any turn ended (a greeting) carry none.
    """

    def __init__(self) -> None:
        """No turn ended yet."""
        self.ended = 0
        #: Whether a `vad.start` came since the last `turn.end` (the user turn is open).
        self.open = False

    @property
    def user_turn(self) -> int:
        """The turn user-side events belong to now."""
        return self.ended + 1

    @property
    def reply_turn(self) -> int | None:
        """The turn the bot's reply events belong to now (None before the first turn ended)."""
        return self.ended if self.ended > 0 else None

    def speech_started(self) -> None:
        """A `vad.start`: the user turn is open."""
        self.open = True

    def turn_ended(self) -> int:
        """A `turn.end`: returns its turn number; later user events belong to the next turn."""
        number = self.user_turn
        self.ended = number
        self.open = False
        return number
