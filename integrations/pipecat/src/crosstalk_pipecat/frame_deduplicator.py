"""Which observed pushes are new: Pipecat re-pushes a frame at every hop and broadcasts copies."""

from __future__ import annotations

from collections import OrderedDict


class FrameDeduplicator:
    """Lets each frame through once, and one copy of each broadcast pair.

    - A frame is pushed again by every processor that passes it on (same `id`, another source):
      only its first push counts (the one from the processor that made it, at its time).
    - `broadcast_frame` makes two frames, one per direction, linked by `broadcast_sibling_id`:
      the upstream copy is dropped. (Copies with no sibling id, such as the user aggregator's
      queued VAD frames, are left to the state machines downstream: a second "started" while
      started changes nothing.)
    Memory is bounded: the last `capacity` ids are remembered (frames in flight are far fewer).
    """

    def __init__(self, capacity: int = 8192) -> None:
        """Remembers at most `capacity` frame ids."""
        self.capacity = capacity
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_push(self, frame_id: int) -> bool:
        """Whether this is the first push of frame `frame_id` seen (and remembers it)."""
        if frame_id in self._seen:
            return False
        self._seen[frame_id] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True

    @staticmethod
    def is_upstream_copy(sibling_id: int | None, upstream: bool) -> bool:
        """Whether a push is the upstream half of a broadcast pair."""
        return sibling_id is not None and upstream
