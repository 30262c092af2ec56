"""Mesa's event list: when the next scheduled event is due.

The model simulates several days at a time (a span) only when no event scheduled with
``schedule_event`` (a timed change, a ramp step, a user's event) falls inside the span, so it must
know when the next event is due. Mesa 3.5 offers no public way to ask: the events live in
``Model._event_list`` (a ``mesa.time.EventList``), whose ``peek_ahead`` and ``is_empty`` are
public methods of a private attribute. Known to work on Mesa 3.5.0 and 3.5.1 (pyproject.toml:
``mesa>=3.5,<3.6``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import mesa


def next_event_time(model: mesa.Model) -> float | None:
    """Mesa time of the earliest event not cancelled on ``model``'s event list, or None if there is none."""
    events = model._event_list
    if events.is_empty():
        return None
    ahead = events.peek_ahead(1)
    return ahead[0].time if ahead else None
