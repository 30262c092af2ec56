"""Scenario files: load YAML, resolve ``extends:``, apply overrides, validate.

The pipeline is load -> merge parents -> override -> validate types (pydantic,
``extra="forbid"`` so an unknown key is an error) -> check cross references
(nodes, segments, levers, dates) -> a frozen :class:`Scenario`.  Every problem
is reported with the file and the key path it concerns, e.g.
``scenarios/x.yaml: actors.us.levers.land_surveillance.value: 1.4 is not within [0, 1]``.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
import types
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from corridor_sim.distributions import DISTRIBUTIONS, Number, support_of, within_largest
from corridor_sim.yamlfile import YamlProblem, load_yaml, read_text

MODES = ("air", "sea", "land")
ACTORS = ("iran", "militias", "us", "iraq", "egypt", "israel", "gulf")
# Parties that hold ground but have no levers in the model.
TERRITORIAL = ("syria", "lebanon", "international")
NODE_KINDS = ("origin", "hub", "airport", "port", "border_crossing", "chokepoint", "destination")
SEGMENT_ATTRIBUTES = (
    "interdiction_probability",
    "cost_usd_per_ton",
    "fee_usd_per_ton",
    "capacity_tons_per_day",
)
# Also the rows of the model's node attribute table, in the order of the kernels' NODE_* positions.
NODE_ATTRIBUTES = ("interdiction_probability", "capacity_tons_per_day")
METRICS = (
    "lever",
    "delivered_7d",
    "interdicted_30d",
    "interdiction_rate_30d",
    "share_met",
    "backlog",
)

Mode = Literal["air", "sea", "land"]
ActorId = Literal["iran", "militias", "us", "iraq", "egypt", "israel", "gulf"]


# Whole numbers that size the run's arrays: the model's memory check, not LARGEST, bounds them.
SIZE_FIELDS = ("days", "transit_days", "turnaround_days", "loading_days")


class _Spec(BaseModel):
    """Every scenario section: unknown keys refused, frozen, and every number finite and at most LARGEST."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_sets(cls, value: Any) -> Any:
        # A YAML !!set has no order: as a list its order would follow the interpreter's hash seed.
        if isinstance(value, (set, frozenset)):
            raise ValueError("a set (!!set) has no order: write a list")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _not_huge(cls, value: Any, info: ValidationInfo) -> Any:
        # Numbers (plain or drawn) check themselves in distributions.Number; this covers the plain fields.
        if isinstance(value, (int, float)) and not isinstance(value, bool) and info.field_name not in SIZE_FIELDS:
            within_largest(value)
        return value


class CargoClass(_Spec):
    """A kind of cargo, accounted separately from every other kind."""

    unit: str = "tons"
    value_usd_per_ton: Number = 0.0
    reservation_cost_usd_per_ton: Number = Field(
        default=1e12,
        description="Highest expected cost per delivered unit the shipper will pay on a route.",
    )
    payload_factor: float = Field(default=1.0, gt=0, description="Units carried per ton of payload.")
    label: str = ""


class Node(_Spec):
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: Literal["origin", "hub", "airport", "port", "border_crossing", "chokepoint", "destination"]
    controller: str
    capacity_tons_per_day: Number | None = None
    interdiction_probability: Number = 0.0
    source: str = ""


class Segment(_Spec):
    from_: str = Field(alias="from")
    to: str
    mode: Mode
    transit_days: int = Field(ge=1)
    cost_usd_per_ton: Number = 0.0
    fee_usd_per_ton: Number = 0.0
    interdiction_probability: Number = 0.0
    capacity_tons_per_day: Number | None = None
    max_payload_tons: Number | None = None
    distance_km: float | None = Field(default=None, ge=0)
    label: str = ""
    source: str = ""


class Fleet(_Spec):
    mode: Mode
    payload_tons: Number
    count: Number
    cost_usd_per_vehicle_day: Number = 0.0
    loading_days: int = Field(default=1, ge=0)
    label: str = ""
    source: str = ""


class Route(_Spec):
    segments: list[str] = Field(min_length=1)
    fleet: str
    mode: Mode | None = None
    turnaround_days: int | None = Field(default=None, ge=1)
    cargo: list[str] | None = None
    label: str = ""


class Destination(_Spec):
    node: str
    demand: dict[str, Number]
    label: str = ""


class ShipperSpec(_Spec):
    actor: ActorId = "iran"
    risk_aversion: Number = 1.0
    inertia: Number = 0.8
    belief_memory: Number = 0.98
    prior_weight_loads: float = Field(default=5.0, gt=0)
    choice_temperature: float = Field(default=0.25, gt=0)
    urgency_usd_per_ton_day: Number = 0.0


class Effect(_Spec):
    segments: list[str] = []
    nodes: list[str] = []
    attribute: Literal["interdiction_probability", "cost_usd_per_ton", "fee_usd_per_ton", "capacity_tons_per_day"]
    coef: Number
    invert: bool = False
    factors: list[str] = []


class Adaptive(_Spec):
    rate: float = Field(gt=0, le=1)
    floor: float = Field(default=0.2, ge=0, le=1)


class Lever(_Spec):
    value: Number
    min: float = 0.0
    max: float = 1.0
    unit: str = ""
    label: str = ""
    cost_usd_per_day: float = Field(default=0.0, ge=0)
    effects: list[Effect] = []
    adaptive: Adaptive | None = None
    source: str = ""


class Change(_Spec):
    lever: str
    day: int | None = Field(default=None, ge=0)
    date: dt.date | None = None
    set: float | None = None
    ramp_to: float | None = None
    ramp_days: int | None = Field(default=None, ge=1)
    label: str = ""


class Actor(_Spec):
    label: str = ""
    levers: dict[str, Lever] = {}
    timeline: dict[str, Change] = {}


class Condition(_Spec):
    metric: str
    above: float | None = None
    below: float | None = None


class RuleAction(_Spec):
    actor: ActorId
    lever: str
    set: float


class Rule(_Spec):
    label: str = ""
    when: Condition
    probability: Number = 1.0
    delay_days: int = Field(default=0, ge=0)
    delay_max_days: int | None = Field(default=None, ge=0)
    then: list[RuleAction] = Field(min_length=1)
    max_firings: int = Field(default=1, ge=1)


class Scenario(_Spec):
    """A fully resolved, validated scenario. Immutable: build a new one to change it."""

    name: str
    description: str = ""
    start_date: dt.date = dt.date(2019, 1, 1)
    days: int = Field(default=730, ge=1)
    cargo: dict[str, CargoClass] = Field(min_length=1)
    nodes: dict[str, Node] = Field(min_length=2)
    segments: dict[str, Segment] = Field(min_length=1)
    fleets: dict[str, Fleet] = Field(min_length=1)
    routes: dict[str, Route] = Field(min_length=1)
    destinations: dict[str, Destination] = Field(min_length=1)
    shipper: ShipperSpec = ShipperSpec()
    actors: dict[ActorId, Actor] = {}
    rules: dict[str, Rule] = {}

    @field_validator("start_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _parse_date(value)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (what ``scenario.resolved.yaml`` holds)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def change_day(self, change: Change) -> int:
        """The model day a timed change takes effect."""
        if change.day is not None:
            return change.day
        assert change.date is not None  # guaranteed by check_references
        return (change.date - self.start_date).days

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def lever(self, ref: str) -> Lever:
        actor, lever = ref.split(".", 1)
        return self.actors[actor].levers[lever]  # type: ignore[index]


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
            if p not in (*DISTRIBUTIONS, "number", "distribution")
            and not (isinstance(p, str) and p.startswith(("float", "tagged-union", "function-")))
        ]
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "union_tag_not_found":
            msg = f"a distribution needs 'dist' (one of {', '.join(DISTRIBUTIONS)})"
        elif e["type"] == "union_tag_invalid":
            msg = f"unknown distribution {e['ctx']['tag']!r} (one of {', '.join(DISTRIBUTIONS)})"
        if "[key]" in loc:
            # A mapping key that is not allowed, e.g. an actor id outside the fixed vocabulary.
            loc = loc[: loc.index("[key]")]
            if loc[0] == "actors":
                problems.append((_loc(loc), f"unknown actor {e.get('input')!r} (actors are {', '.join(ACTORS)})"))
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


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _parse_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form") from None
    return value


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


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and the files it ``extends:``, merged, not yet validated."""
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
        base = load_raw(parent_path, _chain + (resolved,))
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
    ``shipper_<field>``; ``demand_<destination>_<cargo>``.
    """
    names = {"days": "days", "start_date": "start_date"}
    # The raw file is not validated yet: a section of the wrong shape simply offers no names.
    for actor, spec in _items(raw.get("actors")):
        for lever, _ in _items(_items_of(spec, "levers")):
            names[f"{actor}_{lever}"] = f"actors.{actor}.levers.{lever}.value"
    for field in ShipperSpec.model_fields:
        names[f"shipper_{field}"] = f"shipper.{field}"
    for dest, spec in _items(raw.get("destinations")):
        for cargo, _ in _items(_items_of(spec, "demand")):
            names[f"demand_{dest}_{cargo}"] = f"destinations.{dest}.demand.{cargo}"
    return names


def _items(section: Any) -> list[tuple[Any, Any]]:
    return list(section.items()) if isinstance(section, Mapping) else []


def _items_of(spec: Any, key: str) -> Any:
    return spec.get(key) if isinstance(spec, Mapping) else None


def load_scenario(
    source: str | Path | Mapping[str, Any] | Scenario | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    days: int | None = None,
) -> Scenario:
    """Load and validate a scenario.

    Args:
        source: a YAML file path, a raw mapping, an already loaded Scenario, or
            None for the shipped baseline.
        overrides: key paths (``actors.us.levers.land_surveillance``) or flat
            names (``us_land_surveillance``, ``days``) and their new values.
        days: a new horizon (``corridor-sim run --days``): a shorter one drops the
            timed changes dated after it, each with a UserWarning (see :func:`truncate`).

    Raises:
        ScenarioError: naming the file, the key path and the problem.
    """
    spec = _load(source, overrides)
    if days is None:
        return spec
    spec, dropped = truncate(spec, int(days))
    for message in dropped:  # attributed to the caller's line outside the package
        warnings.warn(message, UserWarning, skip_file_prefixes=(str(Path(__file__).parent),))
    return spec


def _load(source: str | Path | Mapping[str, Any] | Scenario | None, overrides: Mapping[str, Any] | None) -> Scenario:
    if isinstance(source, Scenario):
        if not overrides:
            return source
        raw, label = source.to_dict(), source.name
    elif source is None or isinstance(source, (str, Path)):
        path = Path(source) if source is not None else default_scenario_path()
        raw, label = load_raw(path), str(source) if source is not None else str(path)
    else:
        raw, label = copy.deepcopy(dict(source)), "<scenario>"
        raw.pop("extends", None)
    if overrides:
        names = flat_names(raw)
        for key, value in overrides.items():
            path = key if "." in key or key in raw else names.get(key)
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


# ----------------------------------------------------------------------------- cross checks


def _in_range(path: str, value: Number, low: float, high: float, what: str = "") -> list[tuple[str, str]]:
    lo, hi = support_of(value)
    if math.isnan(lo) or math.isnan(hi):
        return [(path, f"{value} is not a number")]
    if lo < low or hi > high:
        shown = value if not hasattr(value, "dist") else f"{value.dist} with support [{lo}, {hi}]"
        return [(path, f"{shown} is not within [{low}, {high}]{what}")]
    return []


def _lever_ref(spec: Scenario, ref: str) -> str | None:
    """Problem with a lever reference ``actor.lever`` or ``1 - actor.lever``, or None."""
    name = ref.removeprefix("1 -").removeprefix("1-").strip()
    if "." not in name:
        return f"{ref!r} is not 'actor.lever' or '1 - actor.lever'"
    actor, lever = name.split(".", 1)
    if actor not in ACTORS:
        return f"unknown actor {actor!r} (actors are {', '.join(ACTORS)})"
    if actor not in spec.actors or lever not in spec.actors[actor].levers:  # type: ignore[operator]
        known = list(spec.actors[actor].levers) if actor in spec.actors else []  # type: ignore[index]
        return f"unknown lever {name!r}" + _suggest(lever, known)
    return None


def check_metric(spec: Scenario, metric: str) -> str | None:
    """Problem with a rule metric string, or None."""
    kind, _, selector = metric.partition(":")
    if kind == "day" and not selector:
        return None
    if kind not in METRICS:
        return f"unknown metric {kind!r} (one of day, {', '.join(METRICS)})"
    if kind == "lever":
        return _lever_ref(spec, selector)
    if kind in ("share_met", "backlog"):
        if selector not in spec.destinations:
            return f"unknown destination {selector!r}" + _suggest(selector, list(spec.destinations))
        return None
    if selector == "all" or selector.removeprefix("mode:") in MODES and selector.startswith("mode:"):
        return None
    if selector.startswith("route:") and selector[6:] in spec.routes:
        return None
    return f"unknown selector {selector!r}: use all, mode:<air|sea|land> or route:<route id>"


def check_references(spec: Scenario) -> list[tuple[str, str]]:
    """Every cross-reference and range problem in a typed scenario."""
    p: list[tuple[str, str]] = []
    for cid, cargo in spec.cargo.items():
        p += _in_range(f"cargo.{cid}.value_usd_per_ton", cargo.value_usd_per_ton, 0, float("inf"))
        p += _in_range(
            f"cargo.{cid}.reservation_cost_usd_per_ton",
            cargo.reservation_cost_usd_per_ton,
            0,
            float("inf"),
            ": must not be negative",
        )
    for nid, node in spec.nodes.items():
        if node.controller not in ACTORS + TERRITORIAL:
            p.append(
                (
                    f"nodes.{nid}.controller",
                    f"unknown actor {node.controller!r} (one of {', '.join(ACTORS + TERRITORIAL)})",
                )
            )
        p += _in_range(f"nodes.{nid}.interdiction_probability", node.interdiction_probability, 0, 1)
        if node.capacity_tons_per_day is not None:
            p += _in_range(
                f"nodes.{nid}.capacity_tons_per_day",
                node.capacity_tons_per_day,
                0,
                float("inf"),
                ": a capacity cannot be negative",
            )
    for sid, seg in spec.segments.items():
        for end in ("from", "to"):
            nid = seg.from_ if end == "from" else seg.to
            if nid not in spec.nodes:
                p.append((f"segments.{sid}.{end}", f"names a missing node {nid!r}" + _suggest(nid, list(spec.nodes))))
        p += _in_range(f"segments.{sid}.interdiction_probability", seg.interdiction_probability, 0, 1)
        for key in ("cost_usd_per_ton", "fee_usd_per_ton"):
            p += _in_range(f"segments.{sid}.{key}", getattr(seg, key), 0, float("inf"), ": must not be negative")
        for key in ("capacity_tons_per_day", "max_payload_tons"):
            if getattr(seg, key) is not None:
                p += _in_range(
                    f"segments.{sid}.{key}", getattr(seg, key), 0, float("inf"), ": a capacity cannot be negative"
                )
    for fid, fleet in spec.fleets.items():
        p += _in_range(f"fleets.{fid}.payload_tons", fleet.payload_tons, 1e-9, float("inf"), ": must be positive")
        p += _in_range(f"fleets.{fid}.count", fleet.count, 0, float("inf"), ": must not be negative")
        p += _in_range(
            f"fleets.{fid}.cost_usd_per_vehicle_day",
            fleet.cost_usd_per_vehicle_day,
            0,
            float("inf"),
            ": must not be negative",
        )
    dest_nodes = {d.node for d in spec.destinations.values()}
    for rid, route in spec.routes.items():
        path = f"routes.{rid}"
        if route.fleet not in spec.fleets:
            p.append((f"{path}.fleet", f"unknown fleet {route.fleet!r}" + _suggest(route.fleet, list(spec.fleets))))
        for c in route.cargo or []:
            if c not in spec.cargo:
                p.append((f"{path}.cargo", f"unknown cargo class {c!r}"))
        missing = [s for s in route.segments if s not in spec.segments]
        for s in missing:
            p.append((f"{path}.segments", f"unknown segment {s!r}" + _suggest(s, list(spec.segments))))
        if missing:
            continue
        segs = [spec.segments[s] for s in route.segments]
        for a, b, (sa, sb) in zip(segs, segs[1:], zip(route.segments, route.segments[1:], strict=False), strict=False):
            if a.to != b.from_:
                p.append(
                    (
                        f"{path}.segments",
                        f"route does not connect: {sa!r} ends at {a.to!r} but {sb!r} starts at {b.from_!r}",
                    )
                )
        if segs[-1].to not in dest_nodes:
            p.append((f"{path}.segments", f"route ends at {segs[-1].to!r}, which is no destination's node"))
        if len(set(route.segments)) != len(route.segments):
            p.append((f"{path}.segments", "a route may not use a segment twice"))
    for did, dest in spec.destinations.items():
        if dest.node not in spec.nodes:
            p.append((f"destinations.{did}.node", f"names a missing node {dest.node!r}"))
        for c, amount in dest.demand.items():
            if c not in spec.cargo:
                p.append((f"destinations.{did}.demand.{c}", f"unknown cargo class {c!r}"))
            p += _in_range(f"destinations.{did}.demand.{c}", amount, 0, float("inf"), ": must not be negative")
    sh = spec.shipper
    p += _in_range("shipper.inertia", sh.inertia, 0, 1)
    p += _in_range("shipper.belief_memory", sh.belief_memory, 0, 1)
    p += _in_range("shipper.risk_aversion", sh.risk_aversion, 0, float("inf"))
    p += _in_range(
        "shipper.urgency_usd_per_ton_day", sh.urgency_usd_per_ton_day, 0, float("inf"), ": must not be negative"
    )
    for aid, actor in spec.actors.items():
        for lid, lever in actor.levers.items():
            lp = f"actors.{aid}.levers.{lid}"
            if lever.min > lever.max:
                p.append((f"{lp}.min", f"min {lever.min} exceeds max {lever.max}"))
            p += _in_range(f"{lp}.value", lever.value, lever.min, lever.max)
            for k, eff in enumerate(lever.effects):
                ep = f"{lp}.effects.{k}"
                if not eff.segments and not eff.nodes:
                    p.append((ep, "an effect needs segments or nodes to act on"))
                for s in eff.segments:
                    if s not in spec.segments:
                        p.append((f"{ep}.segments", f"unknown segment {s!r}" + _suggest(s, list(spec.segments))))
                for n in eff.nodes:
                    if n not in spec.nodes:
                        p.append((f"{ep}.nodes", f"unknown node {n!r}" + _suggest(n, list(spec.nodes))))
                if eff.attribute == "capacity_tons_per_day":
                    for kind, names, table in (
                        ("segment", eff.segments, spec.segments),
                        ("node", eff.nodes, spec.nodes),
                    ):
                        for t in names:
                            if t in table and table[t].capacity_tons_per_day is None:  # type: ignore[attr-defined]
                                p.append(
                                    (
                                        f"{ep}.attribute",
                                        f"{kind} {t!r} has no capacity_tons_per_day for this effect to scale: "
                                        "give it one, or choose another attribute",
                                    )
                                )
                if eff.nodes and eff.attribute not in NODE_ATTRIBUTES:
                    p.append((f"{ep}.attribute", f"{eff.attribute!r} cannot act on nodes (use {NODE_ATTRIBUTES})"))
                if eff.invert and (lever.min, lever.max) != (0.0, 1.0):
                    p.append((f"{ep}.invert", "invert (use 1 - value) needs a lever on [0, 1]"))
                for f in eff.factors:
                    problem = _lever_ref(spec, f)
                    if problem:
                        p.append((f"{ep}.factors", problem))
        for cid, change in actor.timeline.items():
            tp = f"actors.{aid}.timeline.{cid}"
            if change.lever not in actor.levers:
                p.append(
                    (
                        f"{tp}.lever",
                        f"unknown lever {change.lever!r} of actor {aid!r}" + _suggest(change.lever, list(actor.levers)),
                    )
                )
                continue
            lever = actor.levers[change.lever]
            if (change.day is None) == (change.date is None):
                p.append((tp, "give exactly one of 'day' or 'date'"))
                continue
            if (change.set is None) == (change.ramp_to is None):
                p.append((tp, "give exactly one of 'set' or 'ramp_to'"))
                continue
            target = change.set if change.set is not None else change.ramp_to
            if not lever.min <= target <= lever.max:  # type: ignore[operator]
                key = "set" if change.set is not None else "ramp_to"
                p.append((f"{tp}.{key}", f"{target} is not within [{lever.min}, {lever.max}]"))
            if change.ramp_to is not None and change.ramp_days is None:
                p.append((f"{tp}.ramp_days", "a ramp needs ramp_days"))
            day = spec.change_day(change)
            key = "day" if change.day is not None else "date"
            if day < 0:
                p.append((f"{tp}.{key}", f"{change.date} is before the scenario's start date {spec.start_date}"))
            elif day >= spec.days:
                p.append(
                    (
                        f"{tp}.{key}",
                        f"day {day} is after the scenario's horizon of {spec.days} days"
                        f" (last day {spec.date_of(spec.days - 1)})",
                    )
                )
    for rid, rule in spec.rules.items():
        rp = f"rules.{rid}"
        problem = check_metric(spec, rule.when.metric)
        if problem:
            p.append((f"{rp}.when.metric", problem))
        if (rule.when.above is None) == (rule.when.below is None):
            p.append((f"{rp}.when", "give exactly one of 'above' or 'below'"))
        p += _in_range(f"{rp}.probability", rule.probability, 0, 1)
        if rule.delay_max_days is not None and rule.delay_max_days < rule.delay_days:
            p.append((f"{rp}.delay_max_days", "must not be below delay_days"))
        for k, action in enumerate(rule.then):
            ap = f"{rp}.then.{k}"
            actor = spec.actors.get(action.actor)
            if actor is None or action.lever not in actor.levers:
                known = list(actor.levers) if actor else []
                p.append(
                    (f"{ap}.lever", f"unknown lever {action.actor}.{action.lever}" + _suggest(action.lever, known))
                )
                continue
            lever = actor.levers[action.lever]
            if not lever.min <= action.set <= lever.max:
                p.append((f"{ap}.set", f"{action.set} is not within [{lever.min}, {lever.max}]"))
    return p


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
