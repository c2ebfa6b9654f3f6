"""Record a Pipecat bot's sessions with Crosstalk: `observers=[CrosstalkObserver(port=7070)]`."""

from .observer import CrosstalkObserver
from .session_mapper import SessionMapper
from .stream_placer import StreamPlacer
from .turn_counter import TurnCounter

__all__ = ["CrosstalkObserver", "SessionMapper", "StreamPlacer", "TurnCounter"]
