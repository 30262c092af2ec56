"""Experiment files: what to vary, how to sample it, and what to keep from each run.

An experiment file (YAML) names a base scenario, the parameters to vary as
key paths into it, a design, replicates per design point, a horizon and the
outcomes to keep. :func:`load_experiment` reads it, checks every part
against the scenario (unknown key paths, empty ranges, values the scenario's
own validation rejects, designs the parameter count does not allow) and
returns a frozen :class:`Experiment`, or raises :class:`ExperimentError`
naming the file, the key path and the problem — before any run starts.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corridor_sim.scenario import Scenario, ScenarioError, flat_names, load_raw, set_key_path, validate
from corridor_sim.sweep.outcomes import GROUPS, RESERVED_COLUMNS, OutcomeLayout, scenario_for

DESIGNS = ("grid", "lhs", "sobol", "morris")
MAX_GRID_POINTS = 200_000


class ExperimentError(ScenarioError):
    """An experiment file that cannot be run, with every problem found and its key path."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """One varied parameter: a list of ``values``, or a range ``low``..``high``."""

    values: list[float] | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = Field(default=None, ge=2, description="Grid designs: evenly spaced values over the range.")
    integer: bool = Field(default=False, description="Round sampled values to whole numbers.")
    label: str = ""


class DesignSpec(_Strict):
    """How design points are chosen."""

    kind: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(
        default=None,
        ge=1,
        description="lhs: points; sobol: base sample N (a power of 2); morris: trajectories.",
    )
    second_order: bool = Field(default=False, description="sobol: also estimate second-order indices.")
    levels: int = Field(default=4, ge=2, description="morris: grid levels (even).")


class SmokeSpec(_Strict):
    """The tiny version of the experiment that ``--smoke`` runs."""

    replicates: int = Field(default=4, ge=1)
    days: int = Field(default=60, ge=1)
    samples: int | None = Field(default=None, ge=1)


class ExperimentSpec(_Strict):
    """The experiment file, validated."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    question: str = ""
    scenario: str
    seed: int = Field(default=1, ge=0)
    replicates: int = Field(default=32, ge=1)
    days: int | None = Field(default=None, ge=1)
    design: DesignSpec = DesignSpec()
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    outcomes: list[str] = Field(default_factory=lambda: list(GROUPS), min_length=1)
    report: list[str] = Field(default_factory=list, description="Outcome columns `analyze` prints by default.")
    cargo: str | None = None
    daily: bool = False
    common_random_numbers: bool = False
    points_per_chunk: int | None = Field(default=None, ge=1)
    smoke: SmokeSpec = SmokeSpec()

    @field_validator("parameters", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``key: [a, b, c]`` is short for ``key: {values: [a, b, c]}``."""
        if isinstance(value, dict):
            return {k: ({"values": v} if isinstance(v, list) else v) for k, v in value.items()}
        return value


# Fields that describe an experiment without changing its results (left out of its fingerprint).
DESCRIPTIVE = ("description", "question")


@dataclass(frozen=True)
class Parameter:
    """A varied parameter, resolved: its column name, its key path in the scenario and its domain."""

    name: str
    key_path: str
    values: tuple[float, ...] | None
    low: float | None
    high: float | None
    steps: int | None
    integer: bool

    @property
    def discrete(self) -> bool:
        return self.values is not None

    def grid_values(self) -> list[float]:
        """The values a grid design takes."""
        if self.values is not None:
            return list(self.values)
        assert self.low is not None and self.high is not None and self.steps is not None
        step = (self.high - self.low) / (self.steps - 1)
        return [self._round(self.low + i * step) for i in range(self.steps)]

    def bounds(self) -> tuple[float, float]:
        """Sampling bounds: the range, or [0, number of values) for a list (each value an equal share)."""
        if self.values is not None:
            return 0.0, float(len(self.values))
        assert self.low is not None and self.high is not None
        return self.low, self.high

    def value_of(self, x: float) -> float:
        """The parameter value for a sample ``x`` drawn within :meth:`bounds`."""
        if self.values is not None:
            return self.values[min(int(math.floor(x)), len(self.values) - 1)]
        return self._round(x)

    def checked_values(self) -> list[float]:
        """Values checked against the scenario before a sweep: every listed value, or both ends and the middle."""
        if self.values is not None:
            return list(dict.fromkeys(self.values))
        assert self.low is not None and self.high is not None
        return list(dict.fromkeys([self.low, self._round((self.low + self.high) / 2), self.high]))

    def _round(self, x: float) -> float:
        return float(round(x)) if self.integer else float(x)


@dataclass(frozen=True)
class Experiment:
    """A checked experiment, ready to sweep (``smoke`` already applied)."""

    spec: ExperimentSpec
    source: str
    scenario_path: Path
    base: dict[str, Any]
    parameters: tuple[Parameter, ...]
    design: DesignSpec
    replicates: int
    days: int
    layout: OutcomeLayout
    smoke: bool

    @property
    def name(self) -> str:
        return self.spec.name + ("-smoke" if self.smoke else "")

    @property
    def seed(self) -> int:
        return self.spec.seed

    def fingerprint(self) -> str:
        """A hash of everything that decides the sweep's results: same fingerprint, same outcome tables."""
        from corridor_sim import __version__
        from corridor_sim.provenance import model_code_hash

        payload = {
            "experiment": self.spec.model_dump(mode="json", exclude=set(DESCRIPTIVE)),
            "scenario": self.base,
            "smoke": self.smoke,
            "corridor_sim_version": __version__,
            "model_code": model_code_hash(),
        }
        text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The experiment as plain data, as the manifest records it."""
        out = self.spec.model_dump(mode="json", exclude_none=True)
        out["scenario_path"] = str(self.scenario_path)
        out["effective"] = {
            "replicates": self.replicates,
            "days": self.days,
            "design": self.design.model_dump(mode="json", exclude_none=True),
            "smoke": self.smoke,
        }
        return out


# ----------------------------------------------------------------------------- loading


def load_experiment(path: str | Path, *, smoke: bool = False) -> Experiment:
    """Read and check an experiment file.

    Args:
        path: the experiment YAML file.
        smoke: the tiny version (few points and replicates, short horizon).

    Raises:
        ExperimentError: naming the file, the key path and the problem.
    """
    source = str(path)
    data = _read(Path(path), source)
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as err:
        raise ExperimentError(source, _problems(err)) from None
    scenario_path = _scenario_path(Path(path), spec.scenario, source)
    try:
        base = load_raw(scenario_path)
        base_spec = validate(base, str(scenario_path))
    except ScenarioError as err:
        raise ExperimentError(source, [("scenario", line) for line in err.format().splitlines()]) from None
    return resolve(spec, source=source, scenario_path=scenario_path, base=base, base_spec=base_spec, smoke=smoke)


def resolve(
    spec: ExperimentSpec,
    *,
    source: str,
    scenario_path: Path,
    base: dict[str, Any],
    base_spec: Scenario,
    smoke: bool = False,
) -> Experiment:
    """Check a validated experiment against its scenario and apply ``smoke``."""
    problems: list[tuple[str, str]] = []
    days = spec.days or base_spec.days
    replicates = spec.replicates
    design = spec.design
    if smoke:
        days = min(days, spec.smoke.days)
        replicates = min(replicates, spec.smoke.replicates)
    parameters = []
    names = flat_names(base)
    for name, p in spec.parameters.items():
        where = f"parameters.{name}"
        key_path = names.get(name, name)
        problem = _domain_problem(p, design.kind)
        if problem:
            problems.append((where, problem))
            continue
        param = Parameter(
            name=name,
            key_path=key_path,
            values=tuple(float(v) for v in p.values) if p.values is not None else None,
            low=p.low,
            high=p.high,
            steps=p.steps,
            integer=p.integer,
        )
        if name in RESERVED_COLUMNS:
            problems.append((where, f"'{name}' is a column of the outcome tables; use the key path instead"))
            continue
        problems += _scenario_problems(base, param, days, where)
        parameters.append(param)
    if smoke:
        design, parameters = _smoke_design(spec, parameters)
    problems += _design_problems(design, parameters)
    layout = None
    try:
        layout = OutcomeLayout.from_spec(base_spec, groups=tuple(spec.outcomes), cargo=spec.cargo)
    except ValueError as err:
        key = "cargo" if "cargo" in str(err) else "outcomes"
        problems.append((key, str(err)))
    if layout is not None:
        columns = layout.columns()
        for name in spec.report:
            if name not in columns:
                close = difflib.get_close_matches(name, columns, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(("report", f"{name!r} is not one of the experiment's outcome columns{hint}"))
    if problems:
        raise ExperimentError(source, problems)
    assert layout is not None
    return Experiment(
        spec=spec,
        source=source,
        scenario_path=scenario_path,
        base=base,
        parameters=tuple(parameters),
        design=design,
        replicates=replicates,
        days=days,
        layout=layout,
        smoke=smoke,
    )


def _read(path: Path, source: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExperimentError(source, [("", "file not found")]) from None
    except OSError as exc:
        raise ExperimentError(source, [("", f"cannot read file: {exc.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ExperimentError(source, [("", f"{where}not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        raise ExperimentError(source, [("", "an experiment file must be a mapping of keys to values")])
    return data


def _scenario_path(path: Path, scenario: str, source: str) -> Path:
    """The base scenario: relative to the experiment file, or a shipped scenario by name."""
    candidate = Path(scenario) if Path(scenario).is_absolute() else path.parent / scenario
    if candidate.exists():
        return candidate
    shipped = Path(str(resources.files("corridor_sim") / "scenarios"))
    for name in (scenario, f"{scenario}.yaml"):
        if (shipped / name).is_file():
            return shipped / name
    known = sorted(p.stem for p in shipped.glob("*.yaml"))
    hint = difflib.get_close_matches(Path(scenario).stem, known, n=1)
    more = f" (did you mean '{hint[0]}'?)" if hint else f" (shipped scenarios: {', '.join(known)})"
    raise ExperimentError(source, [("scenario", f"{scenario!r} not found (looked in {path.parent}){more}")])


def _problems(err: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for e in err.errors():
        loc = [str(p) for p in e["loc"] if not str(p).startswith(("function-", "literal["))]
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            options = _fields_at(loc[:-1])
            close = difflib.get_close_matches(loc[-1], options, n=1)
            msg = "unknown key" + (f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(options)})")
        elif e["type"] == "missing":
            msg = "required key is missing"
        elif "input" in e and not isinstance(e["input"], (dict, list)):
            msg = f"{e['input']!r}: {msg}"
        problems.append((".".join(loc), msg))
    return list(dict.fromkeys(problems))


def _fields_at(loc: list[str]) -> list[str]:
    """Keys allowed at a location of the experiment schema, for 'did you mean' hints."""
    model: type[BaseModel] = ExperimentSpec
    parts = list(loc)
    if parts and parts[0] == "parameters":
        return list(ParameterSpec.model_fields) if len(parts) == 2 else list(ExperimentSpec.model_fields)
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
        if any(math.isnan(v) or math.isinf(v) for v in p.values):
            return "values must be finite numbers"
        if kind != "grid" and len(set(p.values)) < 2:
            return f"a {kind} design needs at least two distinct values to sample from"
        return None
    if p.low is None or p.high is None:
        return "give 'values' or a range with both 'low' and 'high'"
    if not (math.isfinite(p.low) and math.isfinite(p.high)):
        return "low and high must be finite numbers"
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
        points = math.prod(len(p.grid_values()) for p in parameters)
        if points > MAX_GRID_POINTS:
            problems.append(
                ("design", f"the grid has {points:,} points (more than {MAX_GRID_POINTS:,}): use fewer values or lhs")
            )
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
            values = p.grid_values()
            ends = tuple(dict.fromkeys([values[0], values[-1]]))
            shrunk.append(
                Parameter(
                    name=p.name, key_path=p.key_path, values=ends, low=None, high=None, steps=None, integer=p.integer
                )
            )
        return design, shrunk
    default = {"lhs": 4, "sobol": 4, "morris": 2}[design.kind]
    samples = spec.smoke.samples or default
    if design.samples is not None:
        samples = min(samples, design.samples)
    return design.model_copy(update={"samples": samples}), parameters
