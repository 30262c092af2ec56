"""The recorder: what a run keeps of each day as it goes.

The day kernel writes each day's flows straight into the recorder's row buffer (route quantities,
then destination ones: the bands' columns) and adds them to the run's totals. The :class:`Recorder`
keeps, every day, the quantiles across replicates of every row (``bands``), the ensemble's tons per
route and, when asked, the full per-replicate daily arrays; tables.py turns what it kept into
DataFrames. It is given what it reads (the network, the levers, the totals the kernels add to, the
bands kernel), never the model.
"""

from __future__ import annotations

import mmap
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor_sim import kernels
from corridor_sim.kernels.contract import (
    COST_PARTS,
    DEST_QUANTITIES,
    ENSEMBLE_SUMS,
    ROUTE_QUANTITIES,
    SUM_WRITTEN,
    TOTAL_QUANTITIES,
)

if TYPE_CHECKING:
    from corridor_sim.levers import Levers
    from corridor_sim.network import Network

QUANTILES = (0.05, 0.5, 0.95)
# Quantities the ensemble sums hold per route (the DataCollector's reporters): all but the "written" flag.
ENSEMBLE_QUANTITIES = ENSEMBLE_SUMS[:SUM_WRITTEN]


class BandJob:
    """Days' band rows, claimed a few rows at a time by whichever thread is free.

    Threads end their share of a day (or span of days) at different times, and the main thread has
    the bookkeeping to do in between; rows claimed as threads come free keep them all busy. Each
    row's quantiles do not depend on which thread computes them (each thread has its own scratch row).
    """

    BATCH = 4  # rows per claim: a few tens of microseconds of work at 10,000 replicates

    def __init__(self, recorder: Recorder, days: list[tuple[int, np.ndarray, np.ndarray]]):
        self.recorder = recorder
        self.days = days  # (day, its band rows, rows whose bands are known), in the order they are claimed
        self._day = 0
        self._next = 0
        self._lock = threading.Lock()

    def work(self, part: int, stop: Callable[[], bool] | None = None) -> None:
        """Compute rows until none are left (or until ``stop()`` is true), with thread ``part``'s scratch."""
        rec = self.recorder
        kernel, work = rec._bands_kernel, rec._work[part]
        while stop is None or not stop():
            with self._lock:
                while self._day < len(self.days) and self._next >= self.days[self._day][1].shape[0]:
                    self._day, self._next = self._day + 1, 0
                if self._day == len(self.days):
                    return
                day, stack, known = self.days[self._day]
                first = self._next
                last = self._next = min(stack.shape[0], first + self.BATCH)
            # Rows first .. last - 1: the kernel walks rows first_row, first_row + step, ... of what it is given.
            kernel(stack[:last], rec._positions, rec._fractions, rec.band_stats[day], work, first, 1, known)


class Recorder:
    """Collects a run's outputs as it goes.

    Arrays are (..., replicates) like the model's. The day kernel writes each
    day's flows straight into a row buffer (route quantities, then destination
    ones: the bands' columns) and adds them to the running totals; the bands
    (quantiles and mean across replicates of every row) are then computed from
    that buffer: at once, or, when the model runs on several threads, while the
    next day (or span of days) runs, the threads claiming rows as they come free (see :class:`BandJob`).
    A span's days are simulated at once and recorded one by one, each at its own step.

    Args:
        net: the network (routes, cargo classes, destinations: the rows' layout).
        replicates: how many replicates the run holds.
        days: the horizon.
        levers: the levers (their values are kept each day with the daily tables).
        sums: the arrays the kernels add each day's flows to: the totals per quantity (chunk-major,
            :data:`TOTAL_QUANTITIES` x routes x cargo), cargo entering and lost in each leg's
            interdiction draw (chunk-major, 2 x legs x cargo), and capacity-days per route, (routes, replicates).
        bands_kernel: the kernels' ``bands`` (quantiles and mean of band rows).
        keep_daily: keep the per-replicate daily arrays (timeseries, lever values).
        threads: threads the run's days run on (each has its own scratch for the bands).
        keep_bands: compute the daily bands.
        span: the most days simulated at a time (the row buffers hold that many days).
    """

    def __init__(
        self,
        *,
        net: Network,
        replicates: int,
        days: int,
        levers: Levers,
        sums: tuple[np.ndarray, np.ndarray, np.ndarray],
        bands_kernel: Callable[..., None],
        keep_daily: bool,
        threads: int = 1,
        keep_bands: bool = True,
        span: int = 1,
    ):
        self.net = net
        self.n_replicates = n = replicates
        self.levers = levers
        self._totals, self._leg_totals, self.capacity_days = sums
        self._bands_kernel = bands_kernel
        self.shape = shape = (len(net.route_ids), len(net.cargo_ids), n)  # a day's flows per quantity
        self.keep_daily = keep_daily
        self.keep_bands = keep_bands
        self.daily: dict[str, np.ndarray] = {}
        self.lever_daily: np.ndarray | None = None
        if keep_daily:
            self.daily = {q: np.zeros((days, *shape)) for q in ROUTE_QUANTITIES}
            self.lever_daily = np.zeros((days, *levers.values.shape))
        n_cols = (len(ROUTE_QUANTITIES) * shape[0] + len(DEST_QUANTITIES) * len(net.destination_ids)) * shape[1]
        self.band_stats = np.zeros((days, len(QUANTILES) + 1, n_cols))  # the quantiles, then the mean
        self.days_recorded = 0
        self.threads = threads
        # A span of days writes its rows into one of the slots (reused, not reallocated); with threads, the
        # previous span's rows, in the other slot, are still being banded while the next span writes.
        # Pages are mapped only when first written: days past the longest span taken cost nothing, nor do
        # the rows of a cargo class a route does not carry (see _row_buffers).
        self._buffers = _row_buffers((2 if threads > 1 else 1, span, n_cols, n))
        self._slot = 0
        self._parts = np.zeros((span, len(COST_PARTS), *shape))  # filled only when asked (for observers)
        self._no_parts = np.zeros((span, 0, *shape))
        # Per chunk and route: payload tons dispatched, delivered, interdicted; 1 if the rows were written.
        self._ensemble_day = np.zeros((span, -(-n // kernels.CHUNK), len(ENSEMBLE_SUMS), shape[0]))
        n_cargo = shape[1]
        self._route_rows = [  # each route's rows in the band rows
            np.array(
                [q * shape[0] * n_cargo + k * n_cargo + c for q in range(len(ROUTE_QUANTITIES)) for c in range(n_cargo)]
            )
            for k in range(shape[0])
        ]
        # The rows of (route, cargo) pairs the route does not carry: the kernel never writes them (zeros).
        self._never_rows = np.array(
            [
                q * shape[0] * n_cargo + k * n_cargo + c
                for q in range(len(ROUTE_QUANTITIES))
                for k in range(shape[0])
                for c in range(n_cargo)
                if not net.route_cargo[k, c]
            ],
            dtype=np.intp,
        )
        # Payload tons dispatched, delivered and interdicted per route, summed over replicates and days.
        self._ensemble = np.zeros((len(ENSEMBLE_QUANTITIES), shape[0]))
        self.unbanded: list[tuple[int, np.ndarray, np.ndarray]] = []  # days recorded whose bands are still to do
        position = np.array(QUANTILES) * (n - 1)
        self._positions = np.floor(position).astype(np.intp)
        self._fractions = position - self._positions
        self._work = [kernels.band_work(n, len(QUANTILES)) for _ in range(threads)]  # each thread's, for the bands

    def buffers(self, days: int = 1, parts: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The arrays the next ``days`` days' kernels write into: band rows, cost parts and ensemble sums.

        Each has the day first: day k of the span writes ``(rows[k], parts[k], sums[k])``. Without
        ``parts`` the cost parts are empty arrays, which the kernels leave out (only observers read
        them). A threaded model's span alternates between two slots of band rows, so call this once
        per span, after taking the previous span's :meth:`band_job`.
        """
        self._slot = (self._slot + 1) % len(self._buffers)
        cost_parts = self._parts if parts else self._no_parts
        return self._buffers[self._slot, :days], cost_parts[:days], self._ensemble_day[:days]

    def record(
        self, day: int, stack: np.ndarray, parts: np.ndarray, sums: np.ndarray, *, observed: bool = False
    ) -> dict[str, np.ndarray]:
        """Keep what day ``day``'s kernel wrote; returns the day's flows per quantity, (routes, cargo, replicates).

        The cost parts (transport, fees, losses) are among them only if the kernel was given them.
        ``observed``: someone (an observer) reads the flows returned, so every row of them must hold its value.
        """
        known = self._unwritten_rows(stack, sums, self.keep_daily or observed)
        rows = self.shape[0] * self.shape[1]
        flows = {q: stack[i * rows : (i + 1) * rows].reshape(self.shape) for i, q in enumerate(ROUTE_QUANTITIES)}
        if len(parts):
            flows.update(zip(COST_PARTS, parts, strict=True))
        self._ensemble += sums[:, :SUM_WRITTEN].sum(axis=0)
        if self.keep_daily:
            for q in ROUTE_QUANTITIES:
                self.daily[q][day] = flows[q]
            self.lever_daily[day] = self.levers.values  # type: ignore[index]
        if self.keep_bands:
            self.band_stats[day][:, known] = 0.0  # rows of zeros: every quantile and the mean are zero
            self.unbanded.append((day, stack, known))
            if self.threads == 1:
                self.finish()
        self.days_recorded = day + 1
        return flows

    def _unwritten_rows(self, stack: np.ndarray, sums: np.ndarray, flows_read: bool) -> np.ndarray:
        """Zero the rows the kernel left unwritten where they will be read; returns the rows left all unwritten.

        A chunk with nothing on a route leaves the route's rows as they were (its ``written`` sum,
        ``sums[:, SUM_WRITTEN]``, is 0): they stand for zeros. A route no chunk had anything on has
        rows of zeros, whose bands need no pass over them: those rows are returned (a mask), and
        zeroed only if the day's flows are read
        (``flows_read``: daily tables, observers). A route some chunks had something on has the other
        chunks' parts zeroed now. The rows of a cargo class a route does not carry are never written
        (zeros from the start) and always known.
        """
        written = sums[:, SUM_WRITTEN, :] != 0.0  # (chunks, routes)
        anywhere = written.any(axis=0)
        known = np.zeros(stack.shape[0], dtype=np.bool_)
        known[self._never_rows] = True  # a class a route does not carry: rows of zeros the kernel never writes
        if flows_read:
            stack[self._never_rows] = 0.0  # as they stand for zeros, whatever a buffer held
        for k in np.flatnonzero(~written.all(axis=0)):
            rows = self._route_rows[k]
            if not anywhere[k]:
                known[rows] = True
                if flows_read:
                    stack[rows] = 0.0
                continue
            for ch in np.flatnonzero(~written[:, k]):
                stack[rows, ch * kernels.CHUNK : (ch + 1) * kernels.CHUNK] = 0.0
        return known

    def band_job(self) -> BandJob | None:
        """The bands still to do (the days recorded since the last job), as a job the model's threads share.

        None if there are none. The recorder forgets the days: whoever takes the job must see it
        through (:meth:`BandJob.work`).
        """
        if not self.unbanded:
            return None
        days, self.unbanded = self.unbanded, []
        return BandJob(self, days)

    def finish(self) -> None:
        """Compute the bands still to do (the last day's, after a threaded run)."""
        job = self.band_job()
        if job is not None:
            job.work(0)

    @property
    def totals(self) -> dict[str, np.ndarray]:
        """Totals over the days so far per quantity, (routes, cargo, replicates) copies."""
        per_quantity = kernels.replicate_last(self._totals, self.n_replicates)
        return dict(zip(TOTAL_QUANTITIES, per_quantity, strict=True))

    @property
    def leg_totals(self) -> np.ndarray:
        """Cargo that entered each leg's interdiction draw and cargo lost in it: (2, legs, cargo, replicates)."""
        return kernels.replicate_last(self._leg_totals, self.n_replicates)

    def mode_totals(self, quantity: str) -> np.ndarray:
        """Cumulative payload tons per route of dispatched, delivered or interdicted cargo, mean over replicates."""
        return self._ensemble[ENSEMBLE_QUANTITIES.index(quantity)] / self.n_replicates


def _row_buffers(shape: tuple[int, ...]) -> np.ndarray:
    """Zeros for the day's band rows, in the operating system's small pages where it has huge ones.

    A route's rows of a cargo class it does not carry are never written (half the rows of the
    baseline, each next to a written one). With transparent huge pages the system would zero 2 MB
    around each row first written, those rows included; with 4 KB pages it zeroes only the rows written.
    """
    size = int(np.prod(shape)) * np.dtype(np.float64).itemsize
    if size == 0 or not hasattr(mmap, "MADV_NOHUGEPAGE"):
        return np.zeros(shape)
    region = mmap.mmap(-1, size)  # anonymous: zeros
    region.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(region, dtype=np.float64).reshape(shape)


def mode_reporters(
    recorder: Recorder,
    mode_of_route: Mapping[str, np.ndarray],
    route_cargo: np.ndarray | None = None,
    cargo: Sequence[tuple[str, float]] = (),
) -> dict[str, Callable[[Any], float]]:
    """Mesa DataCollector model reporters ``<quantity>_<mode>``: the ensemble's cumulative amounts per mode.

    Each is the mean over replicates of what was dispatched, delivered or interdicted so far on the
    mode's routes (``mode_of_route``: a boolean mask over routes per mode), read from the recorder.
    With several cargo classes (``cargo``: id and payload factor of each; ``route_cargo``: which
    routes carry which), cargo classes are never added up: ``<quantity>_<mode>`` counts the first
    class, ``<quantity>_<mode>_<cargo>`` each other one, in its own unit, on the routes that carry
    that class alone (a route carrying several is left out: its totals are kept in payload tons only).
    """
    if len(cargo) <= 1 or route_cargo is None:
        return {
            f"{q}_{mode}": partial(_routes_total, recorder=recorder, quantity=q, routes=routes)
            for q in ENSEMBLE_QUANTITIES
            for mode, routes in mode_of_route.items()
        }
    alone = route_cargo.sum(axis=1) == 1
    out = {}
    for c, (cid, factor) in enumerate(cargo):
        suffix = "" if c == 0 else f"_{cid}"
        for q in ENSEMBLE_QUANTITIES:
            for mode, routes in mode_of_route.items():
                mask = routes & alone & route_cargo[:, c]
                out[f"{q}_{mode}{suffix}"] = partial(
                    _routes_total, recorder=recorder, quantity=q, routes=mask, factor=factor
                )
    return out


def _routes_total(model: Any, *, recorder: Recorder, quantity: str, routes: np.ndarray, factor: float = 1.0) -> float:
    """A reporter's value (Mesa passes it the model; the totals are the recorder's), payload tons x ``factor``."""
    return float(recorder.mode_totals(quantity)[routes].sum()) * factor
