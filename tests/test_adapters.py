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


def test_numba_refcounts_adapter_compiles_a_function_that_allocates_nothing():
    import numba
    import numpy as np

    from corridor_sim.adapters.numba_refcounts import without_refcounts

    def total(x, n):
        s = 0.0
        for i in range(n):
            s += x[i]
        return s

    compiled = numba.njit(**without_refcounts())(total)
    assert compiled(np.arange(5.0), 5) == 10.0


def test_numba_events_adapter_reports_a_real_compile_and_its_function():
    import numba

    from corridor_sim.adapters.numba_events import compiled_function, listen_to_compiles

    seen = []

    class Listener:
        def on_start(self, event):
            seen.append(("start", compiled_function(event).__name__))

        def on_end(self, event):
            seen.append(("end", compiled_function(event).__name__))

    listen_to_compiles(Listener)

    def adapter_probe(x):
        return x + 1

    assert numba.njit(adapter_probe)(1) == 2
    assert ("start", "adapter_probe") in seen and ("end", "adapter_probe") in seen
