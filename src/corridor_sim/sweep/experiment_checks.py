"""Checks of an experiment file, each problem a ``(key path, message)`` pair.

:mod:`corridor_sim.sweep.experiment` runs them while loading: the file's validation errors
turned into messages naming the key path, the base scenario found, each parameter's domain and
values tried against the scenario, the design's rules, and the smaller design ``--smoke`` runs.
The experiment's types are only annotations here, so this module does not import
:mod:`corridor_sim.sweep.experiment` (which imports it).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from pydantic import BaseModel, ValidationError

from corridor_sim.scenario import ScenarioError, set_key_path
from corridor_sim.sweep.outcomes import scenario_for
from corridor_sim.sweep.specs import _shown

if TYPE_CHECKING:
    from corridor_sim.sweep.specs import DesignSpec, ExperimentSpec, Parameter, ParameterSpec


class ExperimentError(ScenarioError):
    """An experiment file that cannot be run, with every problem found and its key path."""


def _scenario_path(path: Path, scenario: str, source: str) -> Path:
    """The base scenario: relative to the experiment file, or a shipped scenario by name."""
    try:
        candidate = Path(scenario) if Path(scenario).is_absolute() else path.parent / scenario
        if candidate.exists():
            return candidate
        shipped = Path(str(resources.files("corridor_sim") / "scenarios"))
        for name in (scenario, f"{scenario}.yaml"):
            if (shipped / name).is_file():
                return shipped / name
    except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the file system
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ExperimentError(source, [("scenario", f"{_shown(scenario)} is not a usable path: {reason}")]) from None
    known = sorted(p.stem for p in shipped.glob("*.yaml"))
    hint = difflib.get_close_matches(Path(scenario).stem, known, n=1)
    more = f" (did you mean '{hint[0]}'?)" if hint else f" (shipped scenarios: {', '.join(known)})"
    raise ExperimentError(source, [("scenario", f"{_shown(scenario)} not found (looked in {path.parent}){more}")])


def _problems(err: ValidationError, schema: type[ExperimentSpec]) -> list[tuple[str, str]]:
    """The file's validation errors against ``schema`` as (key path, message) pairs, without repeats."""
    problems = []
    for e in err.errors():
        loc = [str(p) for p in e["loc"] if not str(p).startswith(("function-", "literal["))]
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            options = _fields_at(schema, loc[:-1])
            close = difflib.get_close_matches(loc[-1], options, n=1)
            msg = "unknown key" + (f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(options)})")
        elif e["type"] == "missing":
            msg = "required key is missing"
        elif e["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        elif "input" in e and not isinstance(e["input"], (dict, list)):
            msg = f"{_shown(e['input'])}: {msg}"
        problems.append((".".join(loc), msg))
    return list(dict.fromkeys(problems))


def _fields_at(schema: type[ExperimentSpec], loc: list[str]) -> list[str]:
    """Keys allowed at a location of the experiment schema, for 'did you mean' hints."""
    model: type[BaseModel] = schema
    parts = list(loc)
    if parts and parts[0] == "parameters":
        entry: type[ParameterSpec] = get_args(schema.model_fields["parameters"].annotation)[1]  # dict[str, entry]
        return list(entry.model_fields) if len(parts) == 2 else list(schema.model_fields)
    for part in parts:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _domain_problem(p: ParameterSpec, kind: str) -> str | None:
    if p.values is not None:
        if p.low is not None or p.high is not None or p.steps is not None:
            return "give either 'values' or 'low' and 'high' (with 'steps' for a grid), not both"
        if not p.values:
            return "empty list of values: give at least one value"
        if kind != "grid" and len(set(p.values)) < 2:
            return f"a {kind} design needs at least two distinct values to sample from"
        return None
    if p.low is None or p.high is None:
        return "give 'values' or a range with both 'low' and 'high'"
    if not math.isfinite(p.high - p.low):
        return f"the range {p.low:g} to {p.high:g} is too wide to sample (its width overflows)"
    if p.low > p.high:
        return f"empty range: low {p.low:g} is above high {p.high:g}"
    if p.low == p.high:
        return f"empty range: low and high are both {p.low:g} (use 'values: [{p.low:g}]' for a fixed value)"
    if kind == "grid" and p.steps is None:
        return "a grid over a range needs 'steps' (how many evenly spaced values), or give 'values'"
    if kind != "grid" and p.steps is not None:
        return f"'steps' applies to grid designs only; a {kind} design samples the range"
    return None


def _scenario_problems(base: dict[str, Any], param: Parameter, days: int, where: str) -> list[tuple[str, str]]:
    """Problems setting the parameter's values into the scenario (unknown key path, rejected values)."""
    for value in param.checked_values():
        raw = copy.deepcopy(base)
        try:
            set_key_path(raw, param.key_path, value, "scenario")
        except ScenarioError as err:
            return [(where, message) for _, message in err.problems]
        try:
            scenario_for(raw, days, source="scenario")
        except ScenarioError as err:
            shown = "; ".join(f"{path}: {message}" if path else message for path, message in err.problems[:3])
            hint = (
                " (set 'integer: true' to sample whole numbers)" if "integer" in shown and param.low is not None else ""
            )
            return [(where, f"value {value:g} is rejected by the scenario: {shown}{hint}")]
    return []


def _design_problems(design: DesignSpec, parameters: list[Parameter]) -> list[tuple[str, str]]:
    d = len(parameters)
    kind = design.kind
    problems = []
    if kind == "grid":
        if design.samples is not None:
            problems.append(("design.samples", "a grid takes every combination of values; remove 'samples'"))
        return problems
    if design.samples is None:
        what = {"lhs": "design points", "sobol": "the base sample N (a power of 2)", "morris": "trajectories"}[kind]
        return [("design.samples", f"a {kind} design needs 'samples': {what}")]
    if kind in ("sobol", "morris") and d < 2:
        problems.append(
            ("parameters", f"a {kind} design needs at least 2 parameters to compare, got {d}: use a grid or lhs")
        )
    if kind == "lhs" and design.samples < 2:
        problems.append(("design.samples", "an lhs design needs at least 2 samples"))
    if kind == "sobol" and (design.samples < 2 or design.samples & (design.samples - 1)):
        problems.append(("design.samples", f"{design.samples}: a sobol design needs a power of 2 (2, 4, ..., 1024)"))
    if kind == "morris":
        if design.samples < 2:
            problems.append(("design.samples", "a morris design needs at least 2 trajectories"))
        if design.levels % 2:
            problems.append(("design.levels", f"{design.levels}: morris levels must be even (4 is usual)"))
    if kind != "sobol" and design.second_order:
        problems.append(("design.second_order", "second-order indices come from sobol designs only"))
    return problems


def _smoke_design(spec: ExperimentSpec, parameters: list[Parameter]) -> tuple[DesignSpec, list[Parameter]]:
    """A few points of the same kind of design: grids keep each parameter's ends, samplers a few samples."""
    design = spec.design
    if design.kind == "grid":
        shrunk = []
        for p in parameters:
            ends = tuple(dict.fromkeys([p.grid_value(0), p.grid_value(p.n_values - 1)]))
            shrunk.append(dataclasses.replace(p, values=ends, low=None, high=None, steps=None))
        return design, shrunk
    default = {"lhs": 4, "sobol": 4, "morris": 2}[design.kind]
    samples = spec.smoke.samples or default
    if design.samples is not None:
        samples = min(samples, design.samples)
    return design.model_copy(update={"samples": samples}), parameters
