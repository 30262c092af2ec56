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
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from corridor_sim.extras import require
from corridor_sim.sweep.experiment import DesignSpec, Parameter


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
