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

import difflib
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from corridor_sim.scenario import Scenario, ScenarioError, flat_names, load_raw, validate
from corridor_sim.sweep.design import SweepSize, count_points
from corridor_sim.sweep.experiment_checks import (
    ExperimentError,
    _design_problems,
    _domain_problem,
    _problems,
    _scenario_path,
    _scenario_problems,
    _shown,
    _smoke_design,
)
from corridor_sim.sweep.outcomes import RESERVED_COLUMNS, OutcomeLayout
from corridor_sim.sweep.specs import (
    DESCRIPTIVE,
    DesignSpec,
    ExperimentSpec,
    Parameter,
)
from corridor_sim.yamlfile import YamlProblem, load_yaml, read_text


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

    def size(self) -> SweepSize:
        """The sweep's size and cost, as checked before it runs."""
        return _size(self.spec, self.design, self.parameters, self.layout, self.replicates, self.days)

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

    The full design is checked even with ``smoke``: a file that only its smoke version could run
    is refused.

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
        raise ExperimentError(source, _problems(err, ExperimentSpec)) from None
    scenario_path = _scenario_path(Path(path), spec.scenario, source)
    try:
        base = load_raw(scenario_path)
        base_spec = validate(base, str(scenario_path))
    except ScenarioError as err:
        raise ExperimentError(source, [("scenario", line) for line in err.format().splitlines()]) from None
    except (UnicodeDecodeError, RecursionError) as err:  # in case the scenario loader lets them through
        problem = "not a UTF-8 text file" if isinstance(err, UnicodeDecodeError) else "nested too deeply"
        raise ExperimentError(source, [("scenario", f"{scenario_path}: {problem}")]) from None
    return resolve(spec, source=source, scenario_path=scenario_path, base=base, base_spec=base_spec, smoke=smoke)


def looks_like_experiment(path: str | Path) -> bool:
    """Whether a YAML file is an experiment rather than a scenario, by its top-level keys.

    An experiment has ``design:`` or ``parameters:``; a scenario has ``nodes:`` or ``extends:``
    (a file with both is a scenario, whose checks then name the stray keys). A file that cannot be
    read as YAML is judged by the lines that start a top-level key.
    """
    try:
        data = _read(Path(path), str(path))
        keys = set(data)
    except ExperimentError:
        keys = set(re.findall(r"^([A-Za-z_]+)[ \t]*:", _peek(Path(path)), flags=re.MULTILINE))
    return bool(keys & {"design", "parameters"}) and not keys & {"nodes", "extends"}


def _peek(path: Path, limit: int = 1 << 20) -> str:
    """The start of a file as text, whatever its encoding (UTF-16, gzip, broken UTF-8), for guessing its kind."""
    try:
        with path.open("rb") as f:
            raw = f.read(limit)
    except OSError:
        return ""
    if raw.startswith(b"\x1f\x8b"):
        try:
            raw = zlib.decompressobj(wbits=31).decompress(raw, limit)
        except zlib.error:
            return ""
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    return raw.decode(encoding, errors="replace")


def resolve(
    spec: ExperimentSpec,
    *,
    source: str,
    scenario_path: Path,
    base: dict[str, Any],
    base_spec: Scenario,
    smoke: bool = False,
) -> Experiment:
    """Check a validated experiment against its scenario and apply ``smoke``.

    The full design is checked (its rules and its size) whether or not ``smoke`` is asked for.
    """
    problems: list[tuple[str, str]] = []
    full_days = spec.days or base_spec.days
    days, replicates, design = full_days, spec.replicates, spec.design
    if smoke:
        days = min(days, spec.smoke.days)
        replicates = min(replicates, spec.smoke.replicates)
    parameters = []
    names = flat_names(base)
    set_by: dict[str, str] = {}
    for name, p in spec.parameters.items():
        where = f"parameters.{name}"
        key_path = names.get(name, name)
        problem = _domain_problem(p, design.kind)
        if problem:
            problems.append((where, problem))
            continue
        if key_path in set_by:
            problems.append((where, f"sets the same key path as parameters.{set_by[key_path]} ({key_path})"))
            continue
        set_by[key_path] = name
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
    layout = None
    try:
        layout = OutcomeLayout.from_spec(base_spec, groups=tuple(spec.outcomes), cargo=spec.cargo)
    except ValueError as err:
        key = "cargo" if "cargo" in str(err) else "outcomes"
        problems.append((key, str(err)))
    full_problems = _design_problems(design, parameters)
    problems += full_problems
    if not full_problems and layout is not None:
        size = _size(spec, design, parameters, layout, spec.replicates, full_days)
        if size.problem():
            problems.append(("design", size.problem()))
    if smoke:
        design, parameters = _smoke_design(spec, parameters)
        problems += [
            ("smoke.samples" if key == "design.samples" and spec.smoke.samples else key, f"--smoke: {message}")
            for key, message in _design_problems(design, parameters)
            if (key, message) not in full_problems
        ]
    if layout is not None:
        columns = layout.columns()
        for name in spec.report:
            if name not in columns:
                close = difflib.get_close_matches(name, columns, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(("report", f"{_shown(name)} is not one of the experiment's outcome columns{hint}"))
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


def _size(
    spec: ExperimentSpec,
    design: DesignSpec,
    parameters: list[Parameter] | tuple[Parameter, ...],
    layout: OutcomeLayout,
    replicates: int,
    days: int,
) -> SweepSize:
    return SweepSize(
        kind=design.kind,
        points=count_points(parameters, design),
        parameters=len(parameters),
        replicates=replicates,
        days=days,
        row_columns=3 + len(parameters) + len(layout.columns()),
        daily_columns=3 + 3 * len(layout.modes) if spec.daily else 0,
    )


def _read(path: Path, source: str) -> dict[str, Any]:
    """The experiment file's mapping, read as every YAML input is (corridor_sim.yamlfile)."""
    try:
        data = load_yaml(read_text(path))
    except FileNotFoundError:
        raise ExperimentError(source, [("", "file not found")]) from None
    except OSError as exc:
        raise ExperimentError(source, [("", f"cannot read file: {exc.strerror or exc}")]) from None
    except YamlProblem as exc:
        raise ExperimentError(source, [(exc.key_path, exc.message)]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a tagged value its constructor refuses
        raise ExperimentError(source, [("", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise ExperimentError(source, [("", "an experiment file must be a mapping of keys to values")])
    return data
