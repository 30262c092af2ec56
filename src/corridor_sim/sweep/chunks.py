"""The plan of a sweep: design points' replicates cut into units, and units into chunks.

A *unit* is a run of one design point's replicates, a whole number of blocks of
:data:`corridor_sim.streams.BLOCK` (the point's last unit may be short; see
:func:`unit_blocks`); a *chunk* is a few units, the piece of work a worker runs
and the store writes as one file. The plan depends only on the experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from corridor_sim.streams import BLOCK

MAX_POINTS_PER_CHUNK = 16  # units a chunk holds at most, where units are whole blocks of replicates
MAX_RUNS_PER_CHUNK = 2048  # replicates a chunk holds at most, where units are smaller (they share one model)
TARGET_CHUNKS = 64
SMALL_UNIT_CHUNKS = 16  # chunks a sweep of small units is cut into, at least (as long as each holds a point)
MAX_UNIT_BLOCKS = 4  # most replicate blocks in a unit (1,024 replicates): see unit_blocks
MIN_UNITS = 8  # fewest units a sweep is cut into, where it has enough blocks


@dataclass(frozen=True)
class Unit:
    """One design point's replicates ``first_replicate .. first_replicate + replicates - 1``."""

    point: int
    first_replicate: int
    replicates: int


@dataclass(frozen=True)
class Chunk:
    index: int
    units: tuple[Unit, ...]

    @property
    def runs(self) -> int:
        return sum(u.replicates for u in self.units)


def unit_blocks(n_points: int, replicates: int) -> int:
    """Blocks of replicates a unit runs as one model: as many as :data:`MAX_UNIT_BLOCKS`, and a point's.

    A model pays a fixed cost per day (its Python bookkeeping) whatever its replicates, so bigger
    units are cheaper per replicate: in one process, a point's 2,048 replicates x 365 days ran at
    605,000 replicate-days per second as units of 256, 850,000 as units of 1,024 (whose state, about
    25 MB, still fits in the cache), 780,000 as one unit. Small sweeps keep at least
    :data:`MIN_UNITS` units so that workers share them evenly. A replicate's outcomes do not depend on
    the unit it runs in.
    """
    per_point = -(-replicates // BLOCK)
    return max(1, min(MAX_UNIT_BLOCKS, per_point, n_points * per_point // MIN_UNITS))


def plan_chunks(n_points: int, replicates: int, points_per_chunk: int | None = None) -> list[Chunk]:
    """Cut the sweep into chunks: units in point order, ``points_per_chunk`` units a chunk.

    Without ``points_per_chunk``, about :data:`TARGET_CHUNKS` chunks of at most
    :data:`MAX_POINTS_PER_CHUNK` units; or, where a point's replicates are fewer than a block,
    :data:`SMALL_UNIT_CHUNKS` chunks or more of at most :data:`MAX_RUNS_PER_CHUNK` replicates: small
    units share one model (sweep/grouping.py), so more of them a chunk makes the sweep faster, and
    16 chunks still keep workers evenly busy. The plan depends only on the design and the
    replicates, never on the workers.
    """
    size = unit_blocks(n_points, replicates) * BLOCK
    units = [
        Unit(p, first, min(size, replicates - first)) for p in range(n_points) for first in range(0, replicates, size)
    ]
    if replicates >= BLOCK:
        size = max(1, min(MAX_POINTS_PER_CHUNK, len(units) // TARGET_CHUNKS))
    else:
        size = max(1, min(MAX_RUNS_PER_CHUNK // replicates, len(units) // SMALL_UNIT_CHUNKS))
    size = points_per_chunk or size
    return [Chunk(i, tuple(units[k : k + size])) for i, k in enumerate(range(0, len(units), size))]


@dataclass
class ChunkResult:
    index: int
    outcomes: pd.DataFrame | None
    daily: pd.DataFrame | None
    failures: list[dict[str, Any]]
    seconds: float
