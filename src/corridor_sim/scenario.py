"""Scenario files: load YAML, resolve ``extends:``, apply overrides, validate.

The pipeline is load -> merge parents -> override -> validate types (pydantic,
``extra="forbid"`` so an unknown key is an error) -> check cross references
(nodes, segments, levers, dates) -> a frozen :class:`Scenario`.  Every problem
is reported with the file and the key path it concerns, e.g.
``scenarios/x.yaml: actors.us.levers.land_surveillance.value: 1.4 is not within [0, 1]``.

This module loads (YAML, ``extends:``, overrides, defaults, truncation) and is the public face:
the schema (:mod:`corridor_sim.scenario_schema`) and the checks (:mod:`corridor_sim.scenario_checks`)
are re-exported from here.
"""

from __future__ import annotations

import copy
import types
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from corridor_sim.calibrated import KEY as CALIBRATION_KEY
from corridor_sim.calibrated import apply_calibration
from corridor_sim.distributions import DISTRIBUTIONS
from corridor_sim.scenario_checks import _suggest, check_metric, check_references
from corridor_sim.scenario_schema import (
    ACTOR_ID,
    METRICS,
    MODES,
    NODE_ATTRIBUTES,
    NODE_KINDS,
    SEGMENT_ATTRIBUTES,
    SIZE_FIELDS,
    TERRITORIAL,
    Actor,
    ActorId,
    Adaptive,
    CargoClass,
    Change,
    Condition,
    Destination,
    Effect,
    Fleet,
    Lever,
    Mode,
    Node,
    Route,
    Rule,
    RuleAction,
    Scenario,
    Segment,
    ShipperSpec,
    actor_id_problem,
)
from corridor_sim.yamlfile import YamlProblem, load_yaml, read_text

__all__ = [
    "ACTOR_ID",
    "Actor",
    "ActorId",
    "Adaptive",
    "CargoClass",
    "Change",
    "Condition",
    "Destination",
    "Effect",
    "Fleet",
    "Lever",
    "METRICS",
    "MODES",
    "Mode",
    "NODE_ATTRIBUTES",
    "NODE_KINDS",
    "Node",
    "RESOLVED_MARK",
    "Route",
    "Rule",
    "RuleAction",
    "SEGMENT_ATTRIBUTES",
    "SIZE_FIELDS",
    "Scenario",
    "ScenarioError",
    "Segment",
    "ShipperSpec",
    "TERRITORIAL",
    "check_metric",
    "check_references",
    "deep_merge",
    "default_scenario_path",
    "flat_name_clashes",
    "flat_names",
    "load_raw",
    "load_scenario",
    "resolved_run",
    "set_key_path",
    "truncate",
    "validate",
]

# ----------------------------------------------------------------------------- errors


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found and where it is."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        super().__init__(self.format())

    def format(self) -> str:
        lines = [
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
            for path, message in self.problems
        ]
        return "\n".join(lines)


def _loc(parts: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in parts if not str(p).startswith("function-"))


def _from_validation_error(source: str, err: ValidationError) -> ScenarioError:
    problems = []
    for e in err.errors():
        loc = [
            p
            for p in e["loc"]
            if p not in (*DISTRIBUTIONS, "number", "distribution", "demand-amount", "demand-phases")
            and not (isinstance(p, str) and p.startswith(("float", "tagged-union", "function-")))
        ]
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "union_tag_not_found":
            msg = f"a distribution needs 'dist' (one of {', '.join(DISTRIBUTIONS)})"
        elif e["type"] == "union_tag_invalid":
            msg = f"unknown distribution {e['ctx']['tag']!r} (one of {', '.join(DISTRIBUTIONS)})"
        if "[key]" in loc:
            # A mapping key that is not allowed: an actor id that is not identifier-like.
            loc = loc[: loc.index("[key]")]
            if loc[0] == "actors":
                problems.append((_loc(loc), f"{e.get('input')!r}: {actor_id_problem(e.get('input')) or msg}"))
                continue
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
            parent = loc[:-1]
            msg += _suggest(str(loc[-1]) if loc else "", _known_keys(parent))
        elif e["type"] == "missing":
            msg = "required key is missing"
        elif (
            "input" in e
            and not isinstance(e["input"], (dict, list, set, frozenset))
            and not msg.startswith(DISTRIBUTIONS)
        ):
            msg = f"{e['input']!r}: {msg}"
        problems.append((_loc(loc), msg))
    # One problem per key path, in order.
    seen: dict[str, str] = {}
    for path, msg in problems:
        seen.setdefault(path, msg)
    return ScenarioError(source, list(seen.items()))


def _unwrap(tp: Any) -> Any:
    """The model, dict or list type inside an optional or union annotation."""
    if get_origin(tp) in (Union, types.UnionType):
        for arg in get_args(tp):
            if (isinstance(arg, type) and issubclass(arg, BaseModel)) or get_origin(arg) in (dict, list):
                return arg
    return tp


def _known_keys(parent: list[Any]) -> list[str]:
    """Field names allowed at a key path, for 'did you mean' hints (walks the schema)."""
    tp: Any = Scenario
    for part in parent:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = next((f for n, f in tp.model_fields.items() if part in (n, f.alias)), None)
            if field is None:
                return []
            tp = field.annotation
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        else:
            return []
        tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


# ----------------------------------------------------------------------------- loading


def default_scenario_path() -> Path:
    """The shipped baseline scenario."""
    return Path(str(resources.files("corridor_sim") / "scenarios" / "baseline.yaml"))


def _read_yaml(path: Path, source: str) -> dict[str, Any]:
    try:
        data = load_yaml(read_text(path))
    except FileNotFoundError:
        raise ScenarioError(source, [("", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [("", "is a folder, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioError(source, [("", f"cannot read file: {exc.strerror}")]) from None
    except YamlProblem as problem:
        raise ScenarioError(source, [(problem.key_path, problem.message)]) from None
    if not isinstance(data, dict):
        holds = "is empty" if data is None else f"holds a {type(data).__name__} ({str(data)[:40]!r})"
        raise ScenarioError(source, [("", f"a scenario file must be a mapping of keys to values; this one {holds}")])
    return data


RESOLVED_MARK = "corridor_sim_version"


def resolved_run(path: str | Path) -> dict[str, Any]:
    """The seed and replicates recorded in a run's ``scenario.resolved.yaml`` ({} for an ordinary file).

    Problems with the file are left for :func:`load_scenario` to report.
    """
    try:
        text = read_text(Path(path))
        if RESOLVED_MARK not in text:  # an ordinary scenario file: not parsed twice
            return {}
        data = load_yaml(text)
    except (OSError, YamlProblem):
        return {}
    if not isinstance(data, dict) or RESOLVED_MARK not in data:
        return {}
    return {k: data[k] for k in ("seed", "replicates") if isinstance(data.get(k), int) and data[k] >= 0}


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base``: mappings merge key by key, anything else replaces.

    A key set to ``null`` in the override removes it from the result.
    """
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_raw(path: str | Path, _chain: tuple[Path, ...] = (), *, calibrated: bool = True) -> dict[str, Any]:
    """Read a scenario file and the files it ``extends:``, merged, not yet validated.

    A file's ``calibration:`` names its calibrated values (:mod:`corridor_sim.calibrated`), set after
    the merge with its parents unless ``calibrated`` is False (calibration reads the priors).
    """
    path = Path(path)
    source = str(path)
    resolved = path.resolve()
    if resolved in _chain:
        raise ScenarioError(source, [("extends", "scenarios extend each other in a loop")])
    data = _read_yaml(path, source)
    if RESOLVED_MARK in data:
        # A run's scenario.resolved.yaml: the scenario is stored whole under 'scenario'.
        if not isinstance(data.get("scenario"), dict):
            raise ScenarioError(source, [("scenario", "a resolved scenario file must hold the scenario mapping")])
        return data["scenario"]
    calibration = data.pop(CALIBRATION_KEY, None) if isinstance(data, dict) else None
    merged = _merge_parent(path, data, _chain + (resolved,), calibrated)
    if calibration is not None:
        apply_calibration(merged, path, calibration, calibrated, ScenarioError, set_key_path)
    return merged


def _merge_parent(path: Path, data: dict[str, Any], chain: tuple[Path, ...], calibrated: bool) -> dict[str, Any]:
    """A file's mapping merged over the file it ``extends:`` (itself if none)."""
    source = str(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(source, [("extends", "must be the path of another scenario file")])
    parent_path = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
    if not parent_path.exists():
        raise ScenarioError(source, [("extends", f"{parent!r} not found (looked in {path.parent})")])
    if not parent_path.is_file():
        raise ScenarioError(source, [("extends", f"{parent!r} is not a file (it is {parent_path.resolve()})")])
    try:
        base = load_raw(parent_path, chain, calibrated=calibrated)
    except ScenarioError as err:
        # The parent's own problems, reported under this file's 'extends' (a chain nests them).
        raise ScenarioError(
            source,
            [("extends", f"{parent!r}: " + (f"{where}: {what}" if where else what)) for where, what in err.problems],
        ) from None
    return deep_merge(base, data)


def set_key_path(
    raw: dict[str, Any], key_path: str, value: Any, source: str = "override", *, create: bool = False
) -> None:
    """Set ``a.b.c`` in a raw scenario dict; the path must already exist unless ``create``.

    A numeric part indexes a list (``actors.us.levers.land_surveillance.effects.0.coef``).
    A path ending at a lever (``actors.us.levers.land_surveillance``) sets its
    start value.
    """
    parts = key_path.split(".")
    node: Any = raw
    if create and _known_keys(parts[:-1]) and parts[-1] in _known_keys(parts[:-1]):
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        return

    def step(container: Any, part: str, where: str) -> tuple[Any, Any]:
        """The container's entry named by one path part: a mapping key or a list index."""
        if isinstance(container, dict) and part in container:
            return container, part
        if isinstance(container, list) and part.isdigit() and int(part) < len(container):
            return container, int(part)
        options = (
            list(container)
            if isinstance(container, dict)
            else [str(i) for i in range(len(container))]
            if isinstance(container, list)
            else []
        )
        raise ScenarioError(source, [(key_path, f"unknown key path at '{where}'" + _suggest(part, options))])

    for i, part in enumerate(parts[:-1]):
        container, key = step(node, part, ".".join(parts[: i + 1]))
        node = container[key]
    container, leaf = step(node, parts[-1], key_path)
    if isinstance(container[leaf], dict) and "value" in container[leaf] and not isinstance(value, dict):
        container[leaf]["value"] = value
    else:
        container[leaf] = value


def flat_names(raw: Mapping[str, Any]) -> dict[str, str]:
    """Flat override names accepted by ``CorridorModel(**overrides)`` -> key paths.

    ``days`` and ``start_date``; ``<actor>_<lever>`` for a lever's start value;
    ``shipper_<field>``; ``demand_<destination>_<cargo>``. A name that two key paths would
    share (actor ``us`` with lever ``navy_patrols`` and actor ``us_navy`` with lever ``patrols``) is
    left out: only its key paths set those values (see :func:`flat_name_clashes`).
    """
    clashes = flat_name_clashes(raw)
    return {name: path for name, path in _flat_pairs(raw) if name not in clashes}


def flat_name_clashes(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    """Flat names that would stand for more than one key path, with those key paths."""
    paths: dict[str, list[str]] = {}
    for name, path in _flat_pairs(raw):
        paths.setdefault(name, [])
        if path not in paths[name]:
            paths[name].append(path)
    return {name: found for name, found in paths.items() if len(found) > 1}


def _flat_pairs(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = [("days", "days"), ("start_date", "start_date")]
    # The raw file is not validated yet: a section of the wrong shape simply offers no names.
    for actor, spec in _items(raw.get("actors")):
        for lever, _ in _items(_items_of(spec, "levers")):
            pairs.append((f"{actor}_{lever}", f"actors.{actor}.levers.{lever}.value"))
    for field in ShipperSpec.model_fields:
        pairs.append((f"shipper_{field}", f"shipper.{field}"))
    for dest, spec in _items(raw.get("destinations")):
        for cargo, _ in _items(_items_of(spec, "demand")):
            pairs.append((f"demand_{dest}_{cargo}", f"destinations.{dest}.demand.{cargo}"))
    return pairs


def _items(section: Any) -> list[tuple[Any, Any]]:
    return list(section.items()) if isinstance(section, Mapping) else []


def _items_of(spec: Any, key: str) -> Any:
    return spec.get(key) if isinstance(spec, Mapping) else None


def load_scenario(
    source: str | Path | Mapping[str, Any] | Scenario | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    days: int | None = None,
    calibrated: bool = True,
) -> Scenario:
    """Load and validate a scenario.

    Args:
        source: a YAML file path, a raw mapping, an already loaded Scenario, or
            None for the shipped baseline.
        overrides: key paths (``actors.us.levers.land_surveillance``) or flat
            names (``us_land_surveillance``, ``days``) and their new values.
        days: a new horizon (``corridor-sim run --days``): a shorter one drops the
            timed changes dated after it, each with a UserWarning (see :func:`truncate`).
        calibrated: set the calibrated values a file's ``calibration:`` names (False: the priors).

    Raises:
        ScenarioError: naming the file, the key path and the problem.
    """
    spec = _load(source, overrides, calibrated)
    if days is None:
        return spec
    spec, dropped = truncate(spec, int(days))
    for message in dropped:  # attributed to the caller's line outside the package
        warnings.warn(message, UserWarning, skip_file_prefixes=(str(Path(__file__).parent),))
    return spec


def _load(
    source: str | Path | Mapping[str, Any] | Scenario | None,
    overrides: Mapping[str, Any] | None,
    calibrated: bool = True,
) -> Scenario:
    if isinstance(source, Scenario):
        if not overrides:
            return source
        raw, label = source.to_dict(), source.name
    elif source is None or isinstance(source, (str, Path)):
        path = Path(source) if source is not None else default_scenario_path()
        raw, label = load_raw(path, calibrated=calibrated), str(source) if source is not None else str(path)
    else:
        raw, label = copy.deepcopy(dict(source)), "<scenario>"
        raw.pop("extends", None)
        if CALIBRATION_KEY in raw:
            apply_calibration(raw, None, raw.pop(CALIBRATION_KEY), calibrated, ScenarioError, set_key_path)
    if overrides:
        names, clashes = flat_names(raw), flat_name_clashes(raw)
        for key, value in overrides.items():
            path = key if "." in key or key in raw else names.get(key)
            if path is None and key in clashes:
                raise ScenarioError(
                    label,
                    [(key, f"ambiguous override name: it could set {' or '.join(clashes[key])}; use the key path")],
                )
            if path is None:
                raise ScenarioError(label, [(key, "unknown override name" + _suggest(key, list(names)))])
            # Flat names may set fields the file leaves at their defaults.
            set_key_path(raw, path, value, label, create=key in names and key not in raw)
    return validate(raw, label)


def validate(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a raw scenario mapping into a frozen :class:`Scenario`."""
    try:
        spec = Scenario.model_validate(raw)
    except ValidationError as err:
        raise _from_validation_error(source, err) from None
    problems = check_references(spec)
    if problems:
        raise ScenarioError(source, problems)
    return spec


def truncate(spec: Scenario, days: int) -> tuple[Scenario, list[str]]:
    """Shorten a scenario's horizon, dropping timed changes after it (with warnings)."""
    if days == spec.days:
        return spec, []
    raw = spec.to_dict()
    raw["days"] = days
    dropped = []
    for aid, actor in spec.actors.items():
        for cid, change in actor.timeline.items():
            if spec.change_day(change) >= days:
                del raw["actors"][aid]["timeline"][cid]
                dropped.append(
                    f"actors.{aid}.timeline.{cid} (day {spec.change_day(change)}) is after the "
                    f"shortened horizon of {days} days and is dropped"
                )
    return validate(raw, spec.name), dropped
