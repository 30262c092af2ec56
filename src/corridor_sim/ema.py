"""Running corridor_sim from the EMA Workbench (exploratory modelling and analysis).

:func:`run_corridor` is a plain model function in EMA's style: keyword
arguments in (scenario values by key path or flat name), a dict of scalar
outcomes out (each the mean over the run's replicates). :func:`ema_model`
wraps it in an ``ema_workbench.Model`` with uncertainties, levers and
outcomes declared over corridor_sim's key paths and outcome columns::

    from ema_workbench import SequentialEvaluator, perform_experiments
    from corridor_sim.ema import ema_model

    model = ema_model(
        scenario="scenarios/crossing_open_militia.yaml",
        uncertainties={"fleets.trucks.count": (80, 160)},
        levers={"actors.us.levers.land_surveillance": (0.0, 1.0)},
        replicates=16,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=20, policies=4, evaluator=evaluator)

EMA 3 names must be Python identifiers, so each key path or outcome column
gets one (:func:`ema_name`: ``actors.us.levers.land_surveillance`` ->
``actors_us_levers_land_surveillance``) and EMA passes the real key path
to the function through ``variable_name``. Every experiment runs with the
same seed: common random numbers, so differences between experiments come
from the parameters, not from chance.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corridor_sim.extras import require
from corridor_sim.scenario import ScenarioError, default_scenario_path, flat_names, load_raw, set_key_path, validate
from corridor_sim.sweep.outcomes import GROUPS, OutcomeLayout, simulate

DEFAULT_OUTCOMES = (
    "delivered_tons",
    "delivered_tons:mode:air",
    "delivered_tons:mode:sea",
    "delivered_tons:mode:land",
    "share_met",
    "cost_per_delivered_ton",
    "land_overtakes_air",
    "land_overtakes_air_day",
)


def ema_name(column: str) -> str:
    """A Python identifier for a key path or an outcome column."""
    name = re.sub(r"\W+", "_", column).strip("_")
    return name if name and not name[0].isdigit() else f"p_{name}"


@functools.lru_cache(maxsize=16)
def _base(scenario: str) -> dict[str, Any]:
    return load_raw(scenario)


@functools.lru_cache(maxsize=16)
def _layout(scenario: str, cargo: str | None) -> OutcomeLayout:
    spec = validate(copy.deepcopy(_base(scenario)), scenario)
    return OutcomeLayout.from_spec(spec, groups=tuple(GROUPS), cargo=cargo)


def run_corridor(
    scenario: str | Path | None = None,
    replicates: int = 16,
    seed: int = 1,
    days: int | None = None,
    cargo: str | None = None,
    **parameters: float,
) -> dict[str, float]:
    """Run one experiment and return every outcome column's mean over the replicates.

    Args:
        scenario: base scenario file (None: the shipped baseline).
        replicates: replicates to run (all at once, vectorised).
        seed: the run's seed; replicate i depends only on (seed, i).
        days: horizon (None: the scenario's).
        cargo: the cargo class outcomes count (needed when the scenario has several).
        **parameters: scenario values by key path (``actors.us.levers.land_surveillance``) or
            flat name (``us_land_surveillance``).

    Returns:
        outcome column -> mean over the replicates where it is defined (NaN where undefined in every
        replicate): ``land_overtakes_air`` is the share of replicates in which land overtakes air,
        ``land_overtakes_air_day`` the mean day among those (NaN when it never does).
    """
    path = str(scenario) if scenario is not None else str(default_scenario_path())
    raw = _base(path)
    names = flat_names(raw)
    assignments = {names.get(k, k): _number(v) for k, v in parameters.items()}
    layout = _layout(path, cargo)
    values, _ = simulate(raw, assignments, seed=seed, replicates=replicates, days=days, layout=layout, source=path)
    out = {}
    for column, v in values.items():
        v = np.asarray(v, dtype=float)
        out[column] = float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")
    return out


def _number(value: Any) -> float:
    return float(value.item() if hasattr(value, "item") else value)


def ema_model(
    name: str = "corridor",
    *,
    scenario: str | Path | None = None,
    uncertainties: Mapping[str, Any] | None = None,
    levers: Mapping[str, Any] | None = None,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    replicates: int = 16,
    seed: int = 1,
    days: int | None = None,
    cargo: str | None = None,
):
    """An ``ema_workbench.Model`` over corridor_sim.

    Args:
        name: the model's name (a Python identifier).
        scenario: base scenario file (None: the shipped baseline).
        uncertainties: key path or flat name -> ``(low, high)`` (a RealParameter), a list of
            values (a CategoricalParameter), or a ready EMA parameter.
        levers: the same, for the policy levers.
        outcomes: outcome columns to report (see docs/experiments.md), each a ScalarOutcome.
        replicates: replicates per experiment.
        seed: the seed every experiment uses.
        days: horizon (None: the scenario's).
        cargo: the cargo class outcomes count.

    Raises:
        ScenarioError: an unknown key path, a value the scenario rejects, or an unknown outcome.
    """
    ema = require("ema_workbench", extra="ema", needed_by="corridor_sim.ema")
    Constant, Model, ScalarOutcome = ema.Constant, ema.Model, ema.ScalarOutcome

    path = str(scenario) if scenario is not None else str(default_scenario_path())
    raw = _base(path)
    uncertainties, levers = dict(uncertainties or {}), dict(levers or {})
    _check(raw, path, {**uncertainties, **levers}, outcomes, cargo)
    model = Model(name, function=run_corridor)
    model.uncertainties = [_parameter(k, v) for k, v in uncertainties.items()]
    model.levers = [_parameter(k, v) for k, v in levers.items()]
    constants = {"scenario": path, "replicates": replicates, "seed": seed, "days": days, "cargo": cargo}
    model.constants = [Constant(k, v) for k, v in constants.items() if v is not None]
    model.outcomes = [ScalarOutcome(ema_name(c), variable_name=c) for c in outcomes]
    return model


def _parameter(key: str, spec: Any):
    ema = require("ema_workbench", extra="ema", needed_by="corridor_sim.ema")
    Parameter = require("ema_workbench.em_framework.parameters", extra="ema", needed_by="corridor_sim.ema").Parameter
    CategoricalParameter, RealParameter = ema.CategoricalParameter, ema.RealParameter

    if isinstance(spec, Parameter):
        return spec
    if isinstance(spec, tuple) and len(spec) == 2:
        return RealParameter(ema_name(key), float(spec[0]), float(spec[1]), variable_name=key)
    if isinstance(spec, list) and spec:
        return CategoricalParameter(ema_name(key), [float(v) for v in spec], variable_name=key)
    raise ScenarioError(key, [(key, f"expected (low, high), a list of values or an EMA parameter, got {spec!r}")])


def _check(raw: dict[str, Any], path: str, parameters: Mapping[str, Any], outcomes: Sequence[str], cargo) -> None:
    """Every key path settable to its extreme values, and every outcome a known column."""
    names = flat_names(raw)
    problems: list[tuple[str, str]] = []
    for key, spec in parameters.items():
        values = [spec[0], spec[-1]] if isinstance(spec, (tuple, list)) and spec else []
        for value in values:
            trial = copy.deepcopy(raw)
            try:
                set_key_path(trial, names.get(key, key), float(value), path)
                validate(trial, path)
            except ScenarioError as err:
                problems += [(key, f"{value!r}: {message}") for _, message in err.problems[:2]]
                break
    try:
        columns = _layout(path, cargo).columns()
    except ValueError as err:
        raise ScenarioError(path, problems + [("cargo", str(err))]) from None
    problems += [(c, "unknown outcome column") for c in outcomes if c not in columns]
    if problems:
        raise ScenarioError(path, problems)
