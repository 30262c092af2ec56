"""Each adapter in corridor_sim.adapters works against the installed version of the library it adapts."""

from __future__ import annotations

import mesa
from matplotlib.figure import Figure

from corridor_sim.adapters.matplotlib_titles import figure_title
from corridor_sim.adapters.mesa_events import next_event_time


class _Counter:
    """Something with a bound method to schedule (Mesa holds callbacks by weak reference)."""

    def __init__(self):
        self.calls = 0

    def tick(self) -> None:
        self.calls += 1


def test_mesa_adapter_sees_the_next_scheduled_event_and_skips_cancelled_ones():
    model = mesa.Model(rng=1)
    assert next_event_time(model) == 1.0  # Mesa puts the model's first step at time 1
    counter = _Counter()
    model.schedule_event(counter.tick, at=0.5)
    early = model.schedule_event(counter.tick, at=0.25)
    assert next_event_time(model) == 0.25
    early.cancel()
    assert next_event_time(model) == 0.5
    model.run_for(0.75)
    assert counter.calls == 1 and next_event_time(model) == 1.0


def test_matplotlib_adapter_reads_a_suptitle_and_none_without_one():
    titled = Figure()
    titled.suptitle("Tons delivered\nper route")
    assert figure_title(titled) == "Tons delivered\nper route"
    assert figure_title(Figure()) is None
