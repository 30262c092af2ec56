"""Many design points in one model: a sweep's runs at the speed of an ensemble.

A model pays a fixed cost per day (its Python bookkeeping) whatever its replicates, so a sweep that
builds one small model per design point (8 replicates, say) spends most of its time on that. Points
that differ only in numbers the model draws per replicate (lever start values, probabilities,
capacities, fleet sizes, costs, the shipper's uncertain parameters) can share one model instead:
its replicates are the points' replicates one after another, each point's drawn from its own seed
and replicate indices (:meth:`Streams.grouped <corridor_sim.streams.Streams.grouped>`) and its
varied numbers given per replicate. A point's outcomes are then exactly those it gets alone.

A varied key the model does not draw per replicate (transit and loading days, timeline dates and
values, rule delays and probabilities, the shipper's fixed constants, lever costs, payload factors,
a number that is absent in the base scenario) is *structural*: such points run one model each, as
before. docs/architecture.md lists them. The check is made on the model itself: every varied key's
stream must have been read while the model was built, or the group is refused
(:class:`GroupingRefused`) and its points run alone.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from corridor_sim.streams import BLOCK, Streams
from corridor_sim.sweep.outcomes import OutcomeLayout, run_outcomes, scenario_for

# Key paths the model reads per replicate, by their first part and length; a lever's start value is
# named by the lever (``actors.us.levers.land_surveillance``) and read as its ``.value``.
PER_REPLICATE_ROOTS = ("actors", "segments", "nodes", "fleets", "cargo", "destinations", "shipper")


class GroupingRefused(Exception):
    """These design points cannot share a model (a varied key is structural): run them one by one."""


@dataclass(frozen=True)
class GroupRun:
    """One design point's replicates in a group: its varied values, seed and replicate range."""

    values: tuple[float, ...]
    seed: int
    first_replicate: int
    replicates: int


def source_of(key_path: str) -> str:
    """The stream a varied key's number is read from (a lever's start value is its ``.value``)."""
    parts = key_path.split(".")
    if len(parts) == 4 and parts[0] == "actors" and parts[2] == "levers":
        return key_path + ".value"
    return key_path


def can_group(key_paths: Sequence[str], runs: Sequence[GroupRun]) -> bool:
    """Whether runs may be tried as one model: more than one, sizes that pack into blocks, keys that may vary."""
    sizes = {run.replicates for run in runs}
    fits = all(BLOCK % n == 0 or n % BLOCK == 0 for n in sizes) and len(sizes) == 1
    return len(runs) > 1 and fits and all(k.split(".")[0] in PER_REPLICATE_ROOTS for k in key_paths)


def simulate_group(
    raw: Mapping[str, Any],
    key_paths: Sequence[str],
    runs: Sequence[GroupRun],
    *,
    days: int | None,
    layout: OutcomeLayout,
    daily: bool = False,
    source: str = "<sweep>",
) -> list[tuple[dict[str, np.ndarray], pd.DataFrame | None]]:
    """Run several design points in one model; each run's outcome columns (and daily table), in order.

    Raises :class:`GroupingRefused` when a varied key turns out not to be read per replicate.
    """
    from corridor_sim.model import CorridorModel

    spec = scenario_for(copy.deepcopy(dict(raw)), days, source=source)
    overrides = {
        source_of(key): np.concatenate([np.full(run.replicates, run.values[k], dtype=float) for run in runs])
        for k, key in enumerate(key_paths)
    }
    streams = Streams.grouped([(run.seed, run.first_replicate, run.replicates) for run in runs], overrides)
    model = CorridorModel(spec, streams=streams, keep_daily=False, keep_bands=False, collect=False, threads=1)
    unread = sorted(set(overrides) - streams.read)
    if unread:
        raise GroupingRefused(f"not drawn per replicate: {', '.join(unread)}")
    values, by_mode = run_outcomes(model, layout, daily)
    out, start = [], 0
    for run in runs:
        rows = slice(start, start + run.replicates)
        start = rows.stop
        ids = run.first_replicate + np.arange(run.replicates)
        out.append(({k: v[rows] for k, v in values.items()}, by_mode.frame(ids, rows) if by_mode else None))
    return out
