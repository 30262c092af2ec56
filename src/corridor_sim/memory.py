"""How much memory a run needs, and whether this machine has it.

A run's arrays are sized by the replicates, the days, the legs and routes, the
longest transit and turnaround (the pipeline and return rings) and whether the
daily tables are kept. :func:`memory_needed` adds up the main terms from the
network alone (no array is made), so the model can refuse a run that cannot
fit before allocating anything: ``days: 100000000`` or ``--reps 1000000000000``
would otherwise ask the allocator for terabytes. Checking takes microseconds.

The memory available is what the operating system reports as available (Linux
``MemAvailable``, within a cgroup limit if there is one), or the cap in the
environment variable :data:`CAP_VARIABLE` (bytes, or with a unit: ``8GB``).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from corridor_sim.distributions import support_of
from corridor_sim.kernels import contract
from corridor_sim.kernels.contract import CHUNK
from corridor_sim.network import route_turnaround
from corridor_sim.scenario import Scenario

CAP_VARIABLE = "CORRIDOR_SIM_MEMORY"
FLOAT = 8
# Chunk-major arrays hold a whole number of chunks (CHUNK) of replicates.
ROUTE_QUANTITIES, DEST_QUANTITIES = len(contract.ROUTE_QUANTITIES), len(contract.DEST_QUANTITIES)
# Writing the daily tables turns them into DataFrames (replicate, day, date and the values per row),
# sorts them into a copy and hands them to Arrow: bytes per row beyond the arrays, measured with the
# baseline at 100 to 2,000 replicates (docs/performance.md).
ROUTE_ROW = 225  # timeseries.parquet, per replicate x day x route x cargo
LEVER_ROW = 140  # actors.parquet, per replicate x day x lever
OVERHEAD = 200 * 10**6  # compiled kernels and the run's other fixed costs, beyond the imported libraries


@dataclass(frozen=True)
class Need:
    """Bytes a run needs, split by what drives them (the largest part names the culprit)."""

    per_replicate: int  # state the daily loop keeps for every replicate (rings, queues, attributes)
    per_day: int  # the bands and, with daily tables, every replicate's daily flows and lever values
    fixed: int

    @property
    def total(self) -> int:
        return self.per_replicate + self.per_day + self.fixed


def memory_needed(
    spec: Scenario, replicates: int, *, keep_daily: bool, tables: bool = False, threads: int = 1, span: int = 8
) -> Need:
    """The memory a run of ``replicates`` x ``spec.days`` needs, from the sizes of its arrays.

    Counted from the scenario (see model._init_state, recorder.Recorder and schedule.Scheduler for
    the arrays), in Python integers, so that absurd sizes give absurd numbers rather than overflows.
    ``tables``: the daily tables will also be built as DataFrames and written (``corridor-sim run --out``).
    """
    n, d = int(replicates), int(spec.days)
    padded = -(-n // CHUNK) * CHUNK
    routes, cargo, dests = len(spec.routes), len(spec.cargo), len(spec.destinations)
    legs = sum(len(r.segments) for r in spec.routes.values())
    fleets, levers = len(spec.fleets), sum(len(a.levers) for a in spec.actors.values())
    ring = sum(spec.segments[s].transit_days + 1 for r in spec.routes.values() for s in r.segments)
    returns = max(route_turnaround(spec, r) for r in spec.routes) + 1
    band_columns = (ROUTE_QUANTITIES * routes + DEST_QUANTITIES * dests) * cargo
    # Chunk-major state: pipeline rings, queues and cargo in transit, leg totals, the shipper's counts, route totals.
    chunked = ring * cargo + 4 * legs * cargo + 5 * legs + 4 * routes + 9 * routes * cargo
    chunked += _storage_rows(spec) * cargo  # cargo in airport storage, by day (kernels/storage.py)
    # Replicate-last state: fleet return rings and counts, segment and node attributes, demand, levers, window.
    plain = returns * fleets + 4 * fleets + 2 * 5 * len(spec.segments) + 2 * 3 * len(spec.nodes) + 5 * len(spec.nodes)
    amounts = [a for dest in spec.destinations.values() for a in dest.demand.values()]
    phases = max((len(a) if isinstance(a, list) else 1 for a in amounts), default=1)  # demand per phase
    plain += (2 + phases) * dests * cargo + cargo + 3 * levers + 4 * routes + 60 * (routes + legs)
    # The recorder's span buffers (two with threads) and cost parts.
    buffers = (2 if threads > 1 else 1) * span * band_columns + span * 3 * routes * cargo
    per_replicate = FLOAT * (padded * chunked + n * (plain + buffers))
    per_day = FLOAT * d * 4 * band_columns
    if keep_daily:
        per_day += FLOAT * d * n * (ROUTE_QUANTITIES * routes * cargo + levers)
        if tables:
            per_day += d * n * (ROUTE_ROW * routes * cargo + LEVER_ROW * levers)
    return Need(per_replicate=per_replicate, per_day=per_day, fixed=FLOAT * threads * span * CHUNK * legs + OVERHEAD)


def _storage_rows(spec: Scenario) -> int:
    """The most rows the storing legs' rings can take: each air leg into a storage with a leg after it."""
    rows = 0
    for route in spec.routes.values():
        for seg_id in route.segments[:-1]:
            seg = spec.segments[seg_id]
            storage = spec.nodes[seg.to].storage if seg.to in spec.nodes else None
            if seg.mode == "air" and storage is not None:
                rows += int(min(support_of(storage.dwell_days)[1], 1e6)) + 2
    return rows


class RunTooLarge(ValueError):
    """A run that would not fit in memory (or past the last date).

    ``culprit`` is ``"replicates"`` or the key path to change; the message is ``subject`` (what is too
    large, e.g. "1000 replicates x 730 days") followed by ``problem``.
    """

    def __init__(self, subject: str, problem: str, culprit: str):
        self.subject, self.problem, self.culprit = subject, problem, culprit
        super().__init__(f"{subject} {problem}")


def check_fits(
    spec: Scenario,
    replicates: int,
    *,
    keep_daily: bool,
    tables: bool = False,
    threads: int = 1,
    span: int = 8,
    available: int | None = None,
) -> Need:
    """Raise :class:`RunTooLarge` unless the run fits in the memory available; return what it needs.

    Args are :func:`memory_needed`'s; ``available``: bytes (default :func:`memory_available`).
    """
    sizes = {"keep_daily": keep_daily, "tables": tables, "threads": threads, "span": span}
    need = memory_needed(spec, replicates, **sizes)
    room = memory_available() if available is None else available
    if need.total > room:
        capped = available is None and os.environ.get(CAP_VARIABLE, "").strip()
        has = (
            f"{CAP_VARIABLE} allows {show_bytes(room)}" if capped else f"this machine has {show_bytes(room)} available"
        )
        alone = memory_needed(spec, 1, **sizes)
        if alone.total > room:  # the scenario itself is too large: name the key that sizes the largest part
            culprit, what, _ = _largest_size(spec, alone)
            raise RunTooLarge(what, f"need about {show_bytes(alone.total)} of memory for one replicate; {has}", culprit)
        base = memory_needed(spec, 0, **sizes).total
        fit = (room - base) * replicates // max(1, need.total - base)
        daily = " with daily tables" if keep_daily else ""
        # A ring longer than the horizon (a transit or turnaround of years) deserves the blame by name.
        culprit, what, length = _largest_size(spec, alone)
        mostly = f" (mostly for {culprit}: {what})" if culprit != "days" and length > spec.days else ""
        raise RunTooLarge(
            f"{replicates} replicates x {spec.days} days{daily}",
            f"need about {show_bytes(need.total)} of memory{mostly}; {has} "
            f"(about {fit:,} {'replicate' if fit == 1 else 'replicates'} would fit)",
            "replicates",
        )
    if spec.days > (dt.date.max - spec.start_date).days + 1:
        raise RunTooLarge(
            f"{spec.days} days from {spec.start_date}",
            f"end after {dt.date.max}, the last date the model can represent",
            "days",
        )
    return need


def _largest_size(spec: Scenario, need: Need) -> tuple[str, str, int]:
    """What makes one replicate large (the days, a transit or a turnaround): key path, description, days."""
    if need.per_day >= need.per_replicate:
        return "days", f"{spec.days} days", spec.days
    transit = max(
        ((s, spec.segments[s].transit_days) for r in spec.routes.values() for s in r.segments), key=lambda x: x[1]
    )
    turnaround = max(((r, route_turnaround(spec, r)) for r in spec.routes), key=lambda x: x[1])
    route = spec.routes[turnaround[0]]
    # A transit's ring is kept for a whole chunk of replicates, a turnaround's for each replicate.
    if not route.turnaround_days and transit[1] * len(spec.cargo) * CHUNK >= turnaround[1] * len(spec.fleets):
        return f"segments.{transit[0]}.transit_days", f"{transit[1]} days in transit", transit[1]
    key = f"routes.{turnaround[0]}.turnaround_days" if route.turnaround_days else f"fleets.{route.fleet}.loading_days"
    return key, f"a turnaround of {turnaround[1]} days", turnaround[1]


def memory_available() -> int:
    """Bytes this process may use: the cap in CORRIDOR_SIM_MEMORY if set, else what the system has available."""
    cap = os.environ.get(CAP_VARIABLE, "").strip()
    if cap:
        return parse_size(cap)
    return _system_available()


def _system_available() -> int:
    available = _meminfo_available()
    limit = _cgroup_room()
    return min(available, limit) if limit is not None else available


_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50}


def parse_size(text: str) -> int:
    """Bytes from ``123``, ``512MB``, ``8G`` or ``1.5TB`` (binary units). ValueError if malformed."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([KMGTP]?)(?:I?B)?\s*", text.upper())
    if match is None:
        raise ValueError(f"{CAP_VARIABLE}={text!r} is not a size such as 8GB")
    return int(float(match[1]) * _UNITS[match[2]])


def _meminfo_available() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover - neither Linux nor psutil
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _cgroup_room() -> int | None:
    """Room left under this process's cgroup memory limit (v2, then v1), or None if it has none."""
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            limit = Path(limit_file).read_text().strip()
            if limit == "max" or int(limit) >= 2**60:
                return None
            return max(0, int(limit) - int(Path(usage_file).read_text()))
        except (OSError, ValueError):
            continue
    return None


def show_bytes(n: int | float) -> str:
    """1.2 GB, 9.1 PB, 3e+21 YB: decimal units, as disks and memory are sold."""
    try:
        n = float(n)
    except OverflowError:
        return "more than any machine has"
    for unit in ("B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.2g} YB" if math.isfinite(n) else "more than any machine has"
