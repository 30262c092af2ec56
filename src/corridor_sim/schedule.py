"""Which days the kernels simulate at a time, on which threads, and each day's bookkeeping after.

The model's :meth:`~corridor_sim.model.CorridorModel.step` hands each day to its :class:`Scheduler`.
Inside ``run``/``run_for``, days on which nothing outside the kernels can act are simulated several at
a time (a span; :meth:`Scheduler.span_length`), each group of replicates through all of them before
the next, which keeps a group's state in cache; each day is still recorded, collected and checked by
the rules at its own step, in order, so the results are those of day-by-day stepping, bit for bit.
Large ensembles run each day (or span) on several threads, each taking whole blocks of replicates;
replicates never read each other's values, so the results are the same on any number of threads.
See docs/ODD.md ("Spans") and docs/performance.md.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from corridor_sim.streams import BLOCK

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    import mesa

    from corridor_sim.metrics import RuleMetrics
    from corridor_sim.policies import ReactiveRule
    from corridor_sim.recorder import Recorder
    from corridor_sim.streams import InterdictionDraws

# observer(model, day, flows), flows: quantity -> (replicates, routes, cargo) array of that day.
Observer = Callable[[Any, int, Mapping[str, np.ndarray]], None]


class SteppedModel(Protocol):
    """What the scheduler reads of its model as it runs (a CorridorModel), as they are each day."""

    observers: list[Observer]
    datacollector: mesa.DataCollector


class Scheduler:
    """Takes a model's days through the kernels, a span at a time where it can, and does each day's bookkeeping.

    Args:
        model: the model (its observers and DataCollector are read each day; it is what they are given).
        engine: the kernels (``kernels.engine``): ``day`` and ``span`` are called here.
        kernel_args: the model's ``(net, fx, par, st)`` tuples the kernels work on.
        recorder: keeps each day's flows (the kernels write into its buffers).
        metrics: the rules' metrics.
        rules: the reactive rules, checked after each day and fired when due.
        draws: the run's daily interdiction uniforms (``Streams.interdiction``).
        days: the horizon.
        threads: threads a day runs on.
        max_span: the most days simulated at a time (1: day by day).
        spannable: whether spans are possible at all: every rule watches only levers or the day, which
            stay as they were over a span (a rule on flows must see each day's before the next runs), and
            no flow window is kept (it must hold each day's own flows when read; a span writes days ahead).
        collect: run the model's DataCollector after each day.
        next_event: the Mesa time of the next scheduled event, or None (adapters.mesa_events).
    """

    SPAN_GROUP = BLOCK  # replicates taken through a span's days together: their state stays in cache

    def __init__(
        self,
        model: SteppedModel,
        *,
        engine: Any,
        kernel_args: tuple,
        recorder: Recorder,
        metrics: RuleMetrics,
        rules: list[ReactiveRule],
        draws: InterdictionDraws,
        days: int,
        threads: int,
        max_span: int,
        spannable: bool,
        collect: bool,
        next_event: Callable[[], float | None],
    ):
        self.model = model
        self._engine = engine
        self._kernel_args = kernel_args
        self.recorder = recorder
        self.metrics = metrics
        self.rules = rules
        self.replicates = n = recorder.n_replicates
        self.days = days
        self.threads = threads
        self.max_span = max_span
        self.spannable = spannable
        self.collect = collect
        self._next_event = next_event
        self.until: float | None = None  # the Mesa time run_for is advancing to, while it runs
        self._ahead: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # days simulated, not yet recorded
        self.spans = 0  # spans of more than one day taken so far
        self.draws = draws
        # Each thread's uniforms for a span's group of replicates, reused group after group (so in cache).
        group = self.SPAN_GROUP // BLOCK
        self._span_uniforms = [draws.span_buffers(group, max_span) for _ in range(threads)] if max_span > 1 else []
        # Where each thread's share of the replicates starts and stops (whole blocks, each a whole number of
        # chunks; the first shares take the extra blocks).
        n_blocks = -(-n // BLOCK)
        edges = [min(n, (t * n_blocks // threads) * BLOCK) for t in range(threads + 1)]
        edges[-1] = n
        self._thread_ranges = list(zip(edges[:-1], edges[1:], strict=True))
        # Each thread takes a share of the replicate blocks through the day (draws and kernel) and a share of
        # the band rows of the day before.
        self._worker = _worker(threads - 1) if threads > 1 else None

    def step(self, d: int) -> None:
        """Day d: record it if a span that began on an earlier day simulated it, else simulate it (and maybe more)."""
        if self._ahead:
            for rule in self.rules:
                if (rule.pending_day == d).any():  # pragma: no cover - span_length rules this out
                    raise RuntimeError(f"rule {rule.rule_id} came due on day {d}, inside a span")
            self._after_day(d, self._ahead.pop(0))
            return
        for rule in self.rules:
            rule.fire_due(d)
        n = self.span_length(d)
        self.spans += n > 1
        job = self.recorder.band_job() if self._worker is not None else None
        # The cost parts only observers read: without them the kernels do not compute them.
        rows, parts, sums = self.recorder.buffers(n, parts=bool(self.model.observers))
        days = [(rows[k], parts[k], sums[k]) for k in range(n)]
        if self._worker is None:
            self._run_span(d, n, (rows, parts, sums), 0, self.replicates, 0)
            self._after_day(d, days[0])
        else:
            self._threaded_span(d, n, (rows, parts, sums), days[0], job)
        self._ahead = days[1:]

    def finish(self) -> None:
        """At the horizon: the bands still to do, and the threads let go."""
        self.recorder.finish()
        if self._worker is not None:
            self._worker.shutdown()

    def span_length(self, d: int) -> int:
        """How many days, from day d, the kernels may simulate before Python must act again.

        Day by day (1) outside run_for, with observers (they see each day's flows) or with a rule
        on flows. Otherwise up to :attr:`max_span`, the end of run_for and the horizon, and ending
        before
        * any scheduled event other than the steps (timed changes, ramp steps, a user's events):
          an event between two steps could change levers;
        * any rule firing already armed;
        * the earliest day a firing armed during the span could land: a rule's trial on day t fires
          on day t + 1 + delay or later, so a span in which a rule could arm a firing is no longer
          than its delay plus one. Over a span the levers, and so the rules' metrics (levers, the
          day), are known in advance, so a rule that would not arm anything does not limit it.
        Levers therefore stay as they are over the span, the rules' metrics can be computed
        afterwards for each of its days, and recording, collecting and checking each day at its own
        step does what it would have done day by day.
        """
        if self.until is None or self.max_span == 1 or self.model.observers or not self.spannable:
            return 1
        n = min(self.max_span, self.days - d, math.floor(self.until) - d)
        for rule in self.rules:
            armed = rule.pending_day[rule.pending_day >= 0]
            if armed.size:
                n = min(n, int(armed.min()) - d)
        # Day t's step runs at Mesa time t + 1, and this step's successor is not yet scheduled, so every
        # event on the list is someone else's. Strictly before day d + n's step time: n < time - d.
        event = self._next_event()
        if event is not None:
            n = min(n, math.ceil(event - d) - 1)
        for rule in self.rules:
            if n > rule.rule.delay_days + 1 and rule.could_arm(self.metrics.ahead(rule.rule.when.metric, d, n)):
                n = rule.rule.delay_days + 1
        return max(n, 1)

    def _after_day(self, d: int, out: tuple) -> None:
        """The day's bookkeeping once every replicate has run it: outputs, observers, collectors, rules."""
        model = self.model
        flows = self.recorder.record(d, *out, observed=bool(model.observers))
        if model.observers:
            public = _ReplicateFirst(flows)
            for observer in model.observers:
                observer(model, d, public)
        if self.collect:
            model.datacollector.collect(model)
        for rule in self.rules:
            rule.check(d, self.metrics.value(rule.rule.when.metric, d, d + 1))

    def _threaded_span(self, d: int, n: int, arrays: tuple, first: tuple, job) -> None:
        """Days d .. d + n - 1 on the model's threads, with the previous days' bands and day d's bookkeeping.

        Each thread runs its share of the replicates, then takes band rows of the days recorded
        before (``job``) as they come; the main thread, once every share is done, does day d's
        bookkeeping (which the next day's rules need) while the others go on with the bands, then
        helps finish them.
        """
        left, lock, all_run = [self.threads - 1], threading.Lock(), threading.Event()

        def share(start: int, stop: int, part: int) -> None:
            try:
                self._run_span(d, n, arrays, start, stop, part)
            finally:
                with lock:
                    left[0] -= 1
                    if left[0] == 0:
                        all_run.set()
            if job is not None:
                job.work(part)

        others = [
            self._worker.submit(share, start, stop, part)
            for part, (start, stop) in enumerate(self._thread_ranges)
            if part > 0
        ]
        start, stop = self._thread_ranges[0]
        self._run_span(d, n, arrays, start, stop, 0)
        if job is not None:
            job.work(0, stop=all_run.is_set)
        all_run.wait()
        for other in others:  # a share that failed raises here
            if other.done():
                other.result()
        self._after_day(d, first)
        if job is not None:
            job.work(0)
        for other in others:  # the band rows they took: the next span writes over their buffer
            other.result()

    def _run_span(self, d: int, n: int, arrays: tuple, r_start: int, r_stop: int, part: int) -> None:
        """Days d .. d + n - 1 for replicates r_start .. r_stop - 1 on thread ``part``: uniforms, then kernel.

        One day: all the replicates' uniforms, then the day kernel. Several: group by group of
        :attr:`SPAN_GROUP` replicates, the group's uniforms for the span (into the thread's own
        small buffer, still in cache when the kernel reads it), then the span kernel.
        """
        rows, parts, sums = arrays
        net, fx, par, st = self._kernel_args
        if n == 1:
            u, us = self.draws.fill(r_start // BLOCK, -(-r_stop // BLOCK))
            self._engine.day(d, u, us, net, fx, par, st, rows[0], parts[0], sums[0], r_start, r_stop)
            return
        for g0 in range(r_start, r_stop, self.SPAN_GROUP):
            g1 = min(r_stop, g0 + self.SPAN_GROUP)
            u, us = self.draws.fill_span(n, g0 // BLOCK, -(-g1 // BLOCK), *self._span_uniforms[part])
            self._engine.span(d, n, u, us, net, fx, par, st, rows, parts, sums, g0, g1)


class _ReplicateFirst(Mapping):
    """The day's flows for observers, (replicates, routes, cargo) per quantity, each made when first read."""

    def __init__(self, flows: Mapping[str, np.ndarray]):
        self._flows = flows
        self._made: dict[str, np.ndarray] = {}

    def __getitem__(self, quantity: str) -> np.ndarray:
        if quantity not in self._made:
            self._made[quantity] = np.moveaxis(self._flows[quantity], -1, 0)
        return self._made[quantity]

    def __iter__(self):
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)


def thread_count(asked: int | None, replicates: int, threaded_from: int, ceiling: int) -> int:
    """Threads a run uses: as asked (at most one per block of replicates), or the default."""
    blocks = -(-replicates // BLOCK)
    if asked is not None:
        if asked < 1:
            raise ValueError(f"threads must be at least 1, got {asked}")
        return min(asked, blocks)
    if replicates < threaded_from:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, ceiling, replicates // (threaded_from // 2)))


def _worker(n: int) -> ThreadPoolExecutor:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=n, thread_name_prefix="corridor-worker")
