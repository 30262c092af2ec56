"""Designs: which design points a sweep runs.

- ``grid``: every combination of each parameter's values (the first parameter varies slowest).
- ``lhs``: a Latin hypercube over the parameters' ranges (``scipy.stats.qmc``).
- ``sobol``: Saltelli's extension of the Sobol' sequence (SALib), for Sobol indices.
- ``morris``: Morris trajectories (SALib), for elementary effects.

A parameter given as a list of ``values`` is sampled as a discrete uniform
choice: the sampler draws x in [0, number of values) and the point takes
value number floor(x). Designs depend only on the experiment (its seed
included), never on how the sweep is run.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor_sim.extras import require
from corridor_sim.streams import BLOCK

if TYPE_CHECKING:
    from corridor_sim.sweep.specs import DesignSpec, Parameter

# What a sweep may ask of the machine; a design beyond any of these is refused before it is built
# (docs/experiments.md, "Size limits").
MAX_POINTS = 200_000
MAX_MEMORY_BYTES = 2 * 1000**3  # the design and the plan, held by the sweep process
MAX_OUTPUT_BYTES = 100 * 1000**3  # outcome files (and daily/ with ``daily: true``), uncompressed
MAX_CORE_HOURS = 10_000

# Costs measured on the development machine: building a design takes up to about 70 bytes and
# 10 us per point and parameter (the sampler's arrays and the value table); the plan about 150
# bytes per unit; a model about 90 us per unit and day (its Python bookkeeping: global_sobol's
# 7,424 units x 730 days ran in 480 core-seconds) plus 1.2 us per replicate-day.
_DESIGN_BYTES_PER_VALUE = 70
_DESIGN_SECONDS_PER_VALUE = 1e-5
_PLAN_BYTES_PER_UNIT = 150
_SECONDS_PER_UNIT_DAY = 9e-5
_SECONDS_PER_REPLICATE_DAY = 1.2e-6
_UNIT_REPLICATES = 4 * BLOCK  # the largest unit (chunks.MAX_UNIT_BLOCKS blocks)


@dataclass(frozen=True)
class Design:
    """Design points: ``values[i, j]`` is parameter j's value at point i.

    ``samples`` holds the sampler's own coordinates (what SALib analyses
    need); it equals ``values`` except for parameters given as value lists.
    """

    kind: str
    parameters: tuple[Parameter, ...]
    values: np.ndarray
    samples: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def n_points(self) -> int:
        return int(self.values.shape[0])

    def problem(self) -> dict[str, Any]:
        """The SALib problem: names and sampling bounds."""
        return {
            "num_vars": len(self.parameters),
            "names": self.names,
            "bounds": [list(p.bounds()) for p in self.parameters],
        }

    def assignments(self, point: int) -> dict[str, float]:
        """Key path -> value at one design point."""
        return {p.key_path: float(self.values[point, j]) for j, p in enumerate(self.parameters)}

    def frame(self) -> pd.DataFrame:
        """The design as a table: point, each parameter's value and, for value lists, ``sample:NAME``."""
        out = {"point": np.arange(self.n_points, dtype=np.int64)}
        out.update({p.name: self.values[:, j] for j, p in enumerate(self.parameters)})
        out.update({f"sample:{p.name}": self.samples[:, j] for j, p in enumerate(self.parameters) if p.discrete})
        return pd.DataFrame(out)

    def describe(self) -> dict[str, Any]:
        """What the manifest records about the design."""
        return {
            "kind": self.kind,
            "n_points": self.n_points,
            "parameters": [
                {
                    "name": p.name,
                    "key_path": p.key_path,
                    "bounds": list(p.bounds()),
                    **({"values": list(p.values)} if p.values is not None else {"low": p.low, "high": p.high}),
                }
                for p in self.parameters
            ],
            **self.settings,
        }


def count_points(parameters: Sequence[Parameter], spec: DesignSpec) -> int:
    """How many points a design has, worked out without building it (0 for a sampler without ``samples``)."""
    d = len(parameters)
    if spec.kind == "grid":
        return math.prod(p.n_values for p in parameters)
    samples = spec.samples or 0
    if spec.kind == "sobol":
        return samples * (2 * d + 2 if spec.second_order else d + 2)
    if spec.kind == "morris":
        return samples * (d + 1)
    return samples


@dataclass(frozen=True)
class SweepSize:
    """What a sweep of ``points`` x ``replicates`` x ``days`` costs, estimated before anything is built.

    ``row_columns`` is the width of an outcome row, ``daily_columns`` that of a daily row (0 without
    ``daily: true``). The figures are rough (within a factor of two or three), enough to tell a
    sweep the machine can run from one it cannot.
    """

    kind: str
    points: int
    parameters: int
    replicates: int
    days: int
    row_columns: int
    daily_columns: int = 0

    @property
    def runs(self) -> int:
        return self.points * self.replicates

    @property
    def replicate_days(self) -> int:
        return self.runs * self.days

    @property
    def units(self) -> int:
        return self.points * -(-self.replicates // _UNIT_REPLICATES)

    @property
    def memory_bytes(self) -> int:
        return self.points * self.parameters * _DESIGN_BYTES_PER_VALUE + self.units * _PLAN_BYTES_PER_UNIT

    @property
    def output_bytes(self) -> int:
        return 8 * self.runs * (self.row_columns + self.days * self.daily_columns)

    @property
    def core_hours(self) -> float:
        seconds = (
            _DESIGN_SECONDS_PER_VALUE * _approx(self.points * self.parameters)
            + _SECONDS_PER_UNIT_DAY * _approx(self.units * self.days)
            + _SECONDS_PER_REPLICATE_DAY * _approx(self.replicate_days)
        )
        return seconds / 3600

    def shape(self) -> str:
        """``22 points x 256 replicates x 730 days (4.1 M replicate-days)``."""
        return (
            f"{_count(self.points)} points x {_count(self.replicates)} replicates x {_count(self.days)} days "
            f"({_millions(self.replicate_days)} replicate-days)"
        )

    def describe(self) -> str:
        """``a grid design of 22 points x 256 replicates x 730 days (4.1 M replicate-days)``."""
        return f"{'an' if self.kind == 'lhs' else 'a'} {self.kind} design of {self.shape()}"

    def problem(self) -> str | None:
        """Why the machine cannot run this sweep (with the estimates and the limits), or None."""
        over = [
            limit
            for limit, exceeded in (
                (f"{MAX_POINTS:,} points", self.points > MAX_POINTS),
                (f"{_bytes(MAX_MEMORY_BYTES)} of memory", self.memory_bytes > MAX_MEMORY_BYTES),
                (f"{_bytes(MAX_OUTPUT_BYTES)} of outcome files", self.output_bytes > MAX_OUTPUT_BYTES),
                (f"{MAX_CORE_HOURS:,} core-hours", self.core_hours > MAX_CORE_HOURS),
            )
            if exceeded
        ]
        if not over:
            return None
        limits = over[0] if len(over) == 1 else f"{', '.join(over[:-1])} and {over[-1]}"
        return (
            f"{self.describe()} needs about {_bytes(self.memory_bytes)} of memory for the design, "
            f"{_bytes(self.output_bytes)} of outcome files and {_hours(self.core_hours)}; "
            f"the limit{' is' if len(over) == 1 else 's are'} {limits}"
        )


def _approx(n: int) -> float:
    """A count as a float, saturating at infinity (the counts of absurd designs overflow a float)."""
    return float(n) if n.bit_length() < 1000 else math.inf


def _count(n: int) -> str:
    return f"{n:,}" if n.bit_length() < 64 else f"about 10^{int(n.bit_length() * math.log10(2))}"


def _millions(n: int) -> str:
    if n < 1_000_000:
        return f"{n:,}"
    return f"{n / 1e6:,.1f} M" if n.bit_length() < 100 else _count(n)


def _bytes(n: int) -> str:
    value = _approx(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if value < 1000:
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f}".removesuffix(".0") + f" {unit}"
        value /= 1000
    return f"{value:,.1f} EB" if math.isfinite(value) else f"about 10^{int(n.bit_length() * math.log10(2))} bytes"


def _hours(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:,.0f} core-minutes"
    return f"{hours:,.0f} core-hours" if math.isfinite(hours) else "more core-hours than can be counted"


def build_design(parameters: Sequence[Parameter], spec: DesignSpec, seed: int) -> Design:
    """The design points of an experiment."""
    params = tuple(parameters)
    if spec.kind == "grid":
        values = np.array(list(itertools.product(*[p.grid_values() for p in params])), dtype=float)
        return Design("grid", params, values, values.copy(), {})
    assert spec.samples is not None
    bounds = np.array([p.bounds() for p in params], dtype=float)
    if spec.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(spec.samples)
        samples = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
        settings: dict[str, Any] = {"samples": spec.samples}
    elif spec.kind == "sobol":
        sobol = require("SALib.sample.sobol", extra="sweep", needed_by="a sobol design")

        problem = {"num_vars": len(params), "names": [p.name for p in params], "bounds": bounds.tolist()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (DeprecationWarning, FutureWarning))
            samples = sobol.sample(problem, spec.samples, calc_second_order=spec.second_order, seed=seed)
        settings = {"samples": spec.samples, "second_order": spec.second_order}
    else:
        morris = require("SALib.sample.morris", extra="sweep", needed_by="a morris design")

        problem = {"num_vars": len(params), "names": [p.name for p in params], "bounds": bounds.tolist()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (DeprecationWarning, FutureWarning))
            samples = morris.sample(problem, spec.samples, num_levels=spec.levels, seed=seed)
        settings = {"samples": spec.samples, "levels": spec.levels}
    samples = np.asarray(samples, dtype=float)
    values = np.array([[p.value_of(x) for p, x in zip(params, row, strict=True)] for row in samples], dtype=float)
    return Design(spec.kind, params, values.reshape(samples.shape), samples, settings)


def point_seed(experiment_seed: int, point: int) -> int:
    """A design point's seed, from the experiment's seed and the point's index only."""
    return int(np.random.SeedSequence(experiment_seed, spawn_key=(point,)).generate_state(1)[0])
