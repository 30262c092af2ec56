"""Shared fixtures: a small hand-written scenario, the shipped scenarios, and a table of bad inputs.

The hand-written scenario is one route, ``origin -> hub -> dest``, over two
road segments (``leg1``, ``leg2``) with one truck fleet and one cargo class,
so flows can be worked out by hand: cargo dispatched on day d crosses leg1 on
day d, leg2 on day d + 1 and is delivered on day d + 2.

``BAD_INPUTS`` lists every kind of wrong scenario file the issue names, each
with the key path and the words its error message must contain. Tests that
take a ``bad_input`` argument run once per entry (see ``pytest_generate_tests``).
"""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS_DIR = ROOT / "scenarios"
BASELINE = SCENARIOS_DIR / "baseline.yaml"


def load_script(name: str, folder: str = "scripts") -> ModuleType:
    """A script of the repository (``scripts/<name>.py``) as a module, registered so its dataclasses work."""
    spec = importlib.util.spec_from_file_location(name, ROOT / folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------- a one-route scenario


def run_ensemble(raw: dict, replicates: int = 1000, seed: int = 7):
    """A scenario run without daily tables (the mechanism tests' ensembles)."""
    from corridor_sim.model import CorridorModel

    return CorridorModel(raw, replicates=replicates, rng=seed, keep_daily=False).run()


def lost_share(model) -> Any:
    """Per replicate: cargo interdicted over cargo delivered, lost or still in transit (the one-route scenario)."""
    s = model.summary()
    return (s["interdicted_tons"] / (s["delivered_tons"] + s["interdicted_tons"] + s["in_transit_tons"])).to_numpy()


def one_route(
    *,
    days: int = 60,
    demand: float = 100.0,
    payload: float = 10.0,
    fleet_count: float = 1000.0,
    leg1_p: Any = 0.0,
    leg2_p: Any = 0.0,
    hub_p: Any = 0.0,
    leg2_capacity: Any = None,
    start_date: str = "2019-01-01",
) -> dict[str, Any]:
    """A raw scenario dict: origin -> hub -> dest by road, one truck fleet, no actors."""
    leg2: dict[str, Any] = {
        "from": "hub",
        "to": "dest",
        "mode": "land",
        "transit_days": 1,
        "cost_usd_per_ton": 20,
        "interdiction_probability": leg2_p,
    }
    if leg2_capacity is not None:
        leg2["capacity_tons_per_day"] = leg2_capacity
    return {
        "name": "one_route",
        "start_date": start_date,
        "days": days,
        "cargo": {"materiel": {"value_usd_per_ton": 1000}},
        "nodes": {
            "origin": {"name": "Origin", "lat": 35.0, "lon": 51.0, "kind": "origin", "controller": "iran"},
            "hub": {
                "name": "Hub",
                "lat": 33.0,
                "lon": 44.0,
                "kind": "hub",
                "controller": "international",
                "interdiction_probability": hub_p,
            },
            "dest": {"name": "Destination", "lat": 33.5, "lon": 36.3, "kind": "destination", "controller": "syria"},
        },
        "segments": {
            "leg1": {
                "from": "origin",
                "to": "hub",
                "mode": "land",
                "transit_days": 1,
                "cost_usd_per_ton": 10,
                "interdiction_probability": leg1_p,
            },
            "leg2": leg2,
        },
        "fleets": {"trucks": {"mode": "land", "payload_tons": payload, "count": fleet_count, "loading_days": 1}},
        "routes": {"road": {"segments": ["leg1", "leg2"], "fleet": "trucks"}},
        "destinations": {"syria": {"node": "dest", "demand": {"materiel": demand}}},
    }


# ----------------------------------------------------------------------------- the al-Qaim crossing open

OFFICIAL_CROSSING, BACKROADS_CROSSING = "official_al_qaim_abu_kamal", "backroads_al_qaim_abu_kamal"


def crossing_open(days: int) -> dict[str, Any]:
    """crossing_open_militia as a raw dict, the official crossing open from day 0 under militia control, no timeline."""
    from corridor_sim.scenario import load_raw

    raw = load_raw(SCENARIOS_DIR / "crossing_open_militia.yaml")
    raw["days"] = days
    raw["actors"]["iraq"]["levers"]["official_crossing_open"]["value"] = 1
    raw["actors"]["iraq"]["timeline"] = {}
    return raw


# ----------------------------------------------------------------------------- a tiny experiment


def tiny_experiment(**changes: Any) -> dict[str, Any]:
    """A small grid experiment on crossing_open_militia (4 points x 4 replicates, 40 days), as a raw dict."""
    data: dict[str, Any] = {
        "name": "tiny",
        "scenario": str(SCENARIOS_DIR / "crossing_open_militia.yaml"),
        "seed": 11,
        "replicates": 4,
        "days": 40,
        "cargo": "materiel",  # the shipped scenarios also carry oil, never added to materiel
        "design": {"kind": "grid"},
        "parameters": {
            "actors.iraq.levers.baghdad_control": [0, 1],
            "actors.us.levers.land_surveillance": {"low": 0.2, "high": 0.8, "steps": 2},
        },
    }
    data.update(changes)
    return data


def add_switch(
    raw: dict[str, Any], *, value: float = 1, close_day: int | None = None, close_date: str | None = None
) -> dict[str, Any]:
    """Give ``iraq`` a 0/1 lever ``crossing_open`` that removes leg2's capacity when 0.

    leg2 needs a capacity for the switch to act on. With ``close_day`` or
    ``close_date``, a timed change ``close`` sets the lever to 0 then.
    """
    change: dict[str, Any] = {}
    if close_day is not None:
        change = {"close": {"lever": "crossing_open", "day": close_day, "set": 0, "label": "crossing closes"}}
    elif close_date is not None:
        change = {"close": {"lever": "crossing_open", "date": close_date, "set": 0, "label": "crossing closes"}}
    raw.setdefault("actors", {})["iraq"] = {
        "levers": {
            "crossing_open": {
                "value": value,
                "effects": [{"segments": ["leg2"], "attribute": "capacity_tons_per_day", "coef": -1, "invert": True}],
            }
        },
        "timeline": change,
    }
    return raw


def with_policies(raw: dict[str, Any]) -> dict[str, Any]:
    """Add a ``us`` actor (two levers, a timed change) and a reactive rule to a raw scenario.

    ``us.surveillance`` raises leg1's interdiction probability, scaled by
    ``us.troops``; a timed change ``more`` raises surveillance on day 10; the
    rule ``vote`` sends the troops home (with probability 0.5) once day 20 has passed.
    """
    raw = copy.deepcopy(raw)
    raw["actors"] = {
        "us": {
            "levers": {
                "troops": {"value": 1.0, "label": "US troops in Iraq"},
                "surveillance": {
                    "value": 0.3,
                    "cost_usd_per_day": 1000,
                    "effects": [
                        {
                            "segments": ["leg1"],
                            "attribute": "interdiction_probability",
                            "coef": 0.1,
                            "factors": ["us.troops"],
                        }
                    ],
                },
            },
            "timeline": {"more": {"lever": "surveillance", "day": 10, "set": 0.8}},
        }
    }
    raw["rules"] = {
        "vote": {
            "label": "parliament votes the troops out",
            "when": {"metric": "day", "above": 20},
            "probability": 0.5,
            "then": [{"actor": "us", "lever": "troops", "set": 0.0}],
        }
    }
    return raw


@pytest.fixture(scope="session")
def make_scenario() -> Callable[..., dict[str, Any]]:
    """Factory for the one-route raw scenario (a fresh dict each call); see ``one_route``."""
    return one_route


@pytest.fixture(scope="session")
def policy_scenario() -> Callable[..., dict[str, Any]]:
    """Factory for the one-route scenario with a ``us`` actor, a timed change and a rule."""
    return lambda **kw: with_policies(one_route(**kw))


@pytest.fixture(scope="session")
def switch_scenario() -> Callable[..., dict[str, Any]]:
    """Factory for the one-route scenario whose leg2 an ``iraq.crossing_open`` lever can close."""

    def make(
        *,
        capacity: float = 50.0,
        value: float = 1,
        close_day: int | None = None,
        close_date: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        return add_switch(
            one_route(leg2_capacity=capacity, **kw), value=value, close_day=close_day, close_date=close_date
        )

    return make


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    """The shipped baseline scenario file."""
    return BASELINE


@pytest.fixture(scope="session")
def scenario_files() -> list[Path]:
    """Every scenario file shipped in scenarios/ (globbed, so new files are covered)."""
    files = sorted(SCENARIOS_DIR.glob("*.yaml"))
    assert files, f"no scenario files found in {SCENARIOS_DIR}"
    return files


def dump_yaml(data: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a raw scenario dict (or YAML text) to a file under tmp_path and return its path."""

    def write(data: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
            return path
        return dump_yaml(data, path)

    return write


# ----------------------------------------------------------------------------- bad inputs


@dataclass(frozen=True)
class BadInput:
    """A wrong scenario file and what its error message must say.

    The file is the policy scenario (``with_policies(one_route(days=60))``)
    changed by ``mutate``, or its YAML text changed by ``edit_text``, or no
    file at all (``missing``). The message must hold a line
    ``<file>: <key_path>: ...`` (``<file>: ...`` when key_path is empty)
    containing every fragment.
    """

    id: str
    key_path: str
    fragments: tuple[str, ...]
    mutate: Callable[[dict[str, Any]], None] | None = None
    edit_text: Callable[[str], str] | None = None
    missing: bool = False
    marks: tuple[Any, ...] = field(default=())

    def write(self, folder: Path) -> Path:
        path = folder / f"bad_{self.id}.yaml"
        if self.missing:
            return path
        raw = with_policies(one_route(days=60))
        if self.mutate is not None:
            self.mutate(raw)
        text = yaml.safe_dump(raw, sort_keys=False)
        if self.edit_text is not None:
            text = self.edit_text(text)
        path.write_text(text, encoding="utf-8")
        return path


def message_names(message: str, path: Path | str, key_path: str, fragments: tuple[str, ...]) -> bool:
    """Whether an error message has a line naming the file, the key path and every fragment.

    A bad mapping key (``actors.US``) is reported by pydantic as ``actors.US.[key]``; the
    ``.[key]`` marker is ignored.
    """
    prefix = f"{path}: {key_path}:" if key_path else f"{path}: "
    for line in message.splitlines():
        line = line.removeprefix("error: ").replace(".[key]:", ":")
        if line.startswith(prefix) and all(f in line for f in fragments):
            return True
    return False


@pytest.fixture(scope="session")
def names_problem() -> Callable[..., bool]:
    """``names_problem(message, file, key_path, fragments)``: see ``message_names``."""
    return message_names


def _set(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        node = raw
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        node[keys[-1]] = value

    return mutate


def _both(*mutations: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        for m in mutations:
            m(raw)

    return mutate


def _rename_actor(new: str) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        raw["actors"][new] = raw["actors"].pop("us")

    return mutate


def _swap_route(raw: dict[str, Any]) -> None:
    raw["segments"]["leg3"] = {"from": "origin", "to": "dest", "mode": "land", "transit_days": 1}
    raw["routes"]["road"]["segments"] = ["leg1", "leg3"]


LEVER = "actors.us.levers.surveillance"
CHANGE = "actors.us.timeline.more"

BAD_INPUTS: list[BadInput] = [
    # unknown keys, with a did-you-mean hint
    BadInput(
        "unknown_key_segment",
        "segments.leg1.interdiction_probabilty",
        ("unknown key", "did you mean 'interdiction_probability'"),
        _set("segments", "leg1", "interdiction_probabilty", value=0.1),
    ),
    BadInput(
        "unknown_key_top_level",
        "descripton",
        ("unknown key", "did you mean 'description'"),
        _set("descripton", value="typo"),
    ),
    BadInput(
        "unknown_key_lever",
        f"{LEVER}.cost_usd_per_dya",
        ("unknown key", "did you mean 'cost_usd_per_day'"),
        _set("actors", "us", "levers", "surveillance", "cost_usd_per_dya", value=5),
    ),
    BadInput(
        "unknown_key_timeline",
        f"{CHANGE}.sett",
        ("unknown key", "did you mean 'set'"),
        _set("actors", "us", "timeline", "more", "sett", value=0.5),
    ),
    # probabilities outside [0, 1]
    BadInput(
        "probability_above_one",
        "segments.leg1.interdiction_probability",
        ("1.4", "not within [0, 1]"),
        _set("segments", "leg1", "interdiction_probability", value=1.4),
    ),
    BadInput(
        "probability_negative",
        "segments.leg2.interdiction_probability",
        ("-0.1", "not within [0, 1]"),
        _set("segments", "leg2", "interdiction_probability", value=-0.1),
    ),
    BadInput(
        "probability_node",
        "nodes.hub.interdiction_probability",
        ("2.0", "not within [0, 1]"),
        _set("nodes", "hub", "interdiction_probability", value=2.0),
    ),
    BadInput(
        "probability_normal_unbounded",
        "segments.leg1.interdiction_probability",
        ("normal", "not within [0, 1]"),
        _set("segments", "leg1", "interdiction_probability", value={"dist": "normal", "mean": 0.1, "sd": 0.05}),
    ),
    BadInput(
        "probability_uniform_strays",
        "segments.leg1.interdiction_probability",
        ("uniform", "1.2", "not within [0, 1]"),
        _set("segments", "leg1", "interdiction_probability", value={"dist": "uniform", "low": 0.5, "high": 1.2}),
    ),
    BadInput(
        "probability_beta_rescaled",
        "segments.leg2.interdiction_probability",
        ("beta", "1.5", "not within [0, 1]"),
        _set(
            "segments",
            "leg2",
            "interdiction_probability",
            value={"dist": "beta", "a": 2, "b": 5, "low": 0, "high": 1.5},
        ),
    ),
    BadInput(
        "probability_rule",
        "rules.vote.probability",
        ("1.5", "not within [0, 1]"),
        _set("rules", "vote", "probability", value=1.5),
    ),
    BadInput(
        "lever_value_out_of_range",
        f"{LEVER}.value",
        ("1.4", "not within [0.0, 1.0]"),
        _set("actors", "us", "levers", "surveillance", "value", value=1.4),
    ),
    # the network
    BadInput(
        "segment_missing_node",
        "segments.leg2.to",
        ("missing node 'dst'", "did you mean 'dest'"),
        _set("segments", "leg2", "to", value="dst"),
    ),
    BadInput("route_does_not_connect", "routes.road.segments", ("does not connect", "'leg1'", "'leg3'"), _swap_route),
    BadInput(
        "route_unknown_segment",
        "routes.road.segments",
        ("unknown segment 'leg9'",),
        _set("routes", "road", "segments", value=["leg1", "leg9"]),
    ),
    BadInput(
        "negative_capacity_segment",
        "segments.leg2.capacity_tons_per_day",
        ("-5", "cannot be negative"),
        _set("segments", "leg2", "capacity_tons_per_day", value=-5),
    ),
    BadInput(
        "negative_capacity_node",
        "nodes.hub.capacity_tons_per_day",
        ("-1", "cannot be negative"),
        _set("nodes", "hub", "capacity_tons_per_day", value=-1),
    ),
    BadInput(
        "negative_capacity_distribution",
        "segments.leg2.capacity_tons_per_day",
        ("uniform", "cannot be negative"),
        _set("segments", "leg2", "capacity_tons_per_day", value={"dist": "uniform", "low": -10, "high": 50}),
    ),
    BadInput(
        "negative_fleet_count",
        "fleets.trucks.count",
        ("-3", "must not be negative"),
        _set("fleets", "trucks", "count", value=-3),
    ),
    # time
    BadInput(
        "change_after_horizon_day",
        f"{CHANGE}.day",
        ("day 75", "horizon of 60 days"),
        _set("actors", "us", "timeline", "more", "day", value=75),
    ),
    BadInput(
        "change_on_horizon_day",
        f"{CHANGE}.day",
        ("day 60", "horizon of 60 days"),
        _set("actors", "us", "timeline", "more", "day", value=60),
    ),
    BadInput(
        "change_after_horizon_date",
        f"{CHANGE}.date",
        ("day 73", "horizon of 60 days"),
        _both(
            _set("actors", "us", "timeline", "more", "day", value=None),
            _set("actors", "us", "timeline", "more", "date", value="2019-03-15"),
        ),
    ),
    BadInput("malformed_start_date", "start_date", ("2019-13-01",), _set("start_date", value="2019-13-01")),
    BadInput("malformed_start_date_text", "start_date", ("2019-01-011",), _set("start_date", value="2019-01-011")),
    BadInput(
        "malformed_change_date",
        f"{CHANGE}.date",
        ("2019-02-30",),
        _both(
            _set("actors", "us", "timeline", "more", "day", value=None),
            _set("actors", "us", "timeline", "more", "date", value="2019-02-30"),
        ),
    ),
    BadInput(
        "malformed_unquoted_date",
        "start_date",
        ("2019-13-01",),
        edit_text=lambda t: re.sub(r"(?m)^start_date: .*$", "start_date: 2019-13-01", t),
    ),
    # actors and levers
    BadInput(
        "renamed_actor",
        "rules.vote.then.0.actor",
        ("unknown actor 'us'", "did you mean 'usa'?", "actors declared: usa"),
        _rename_actor("usa"),
    ),
    BadInput("malformed_actor_id", "actors.US", ("'US'", "not an actor id", "lowercase"), _rename_actor("US")),
    BadInput(
        "malformed_shipper_actor",
        "shipper.actor",
        ("'Iran!'", "not an actor id"),
        _set("shipper", value={"actor": "Iran!"}),
    ),
    BadInput(
        "unknown_actor_controller",
        "nodes.hub.controller",
        ("unknown actor 'isis'", "syria, lebanon, international"),
        _set("nodes", "hub", "controller", value="isis"),
    ),
    BadInput(
        "misspelt_actor_controller",
        "nodes.origin.controller",
        ("unknown actor 'irn'", "did you mean 'iran'?"),
        _set("nodes", "origin", "controller", value="irn"),
    ),
    BadInput(
        "unknown_actor_rule",
        "rules.vote.then.0.actor",
        ("unknown actor 'usa'", "did you mean 'us'?"),
        _set("rules", "vote", "then", "0", "actor", value="usa"),
    ),
    BadInput(
        "unknown_actor_factor",
        f"{LEVER}.effects.0.factors",
        ("unknown actor 'usa'", "did you mean 'us'?"),
        _set("actors", "us", "levers", "surveillance", "effects", "0", "factors", value=["usa.troops"]),
    ),
    BadInput(
        "unknown_actor_metric",
        "rules.vote.when.metric",
        ("unknown actor 'jordan'", "actors declared: us"),
        _set("rules", "vote", "when", "metric", value="lever:1 - jordan.border_closed"),
    ),
    BadInput(
        "unknown_lever_timeline",
        f"{CHANGE}.lever",
        ("unknown lever 'surveilance'", "did you mean"),
        _set("actors", "us", "timeline", "more", "lever", value="surveilance"),
    ),
    BadInput(
        "unknown_lever_factor",
        f"{LEVER}.effects.0.factors",
        ("unknown lever 'us.troop'",),
        _set("actors", "us", "levers", "surveillance", "effects", "0", "factors", value=["us.troop"]),
    ),
    BadInput(
        "unknown_lever_rule",
        "rules.vote.then.0.lever",
        ("unknown lever us.trops",),
        _set("rules", "vote", "then", "0", "lever", value="trops"),
    ),
    BadInput(
        "unknown_lever_metric",
        "rules.vote.when.metric",
        ("unknown lever 'us.nothing'",),
        _set("rules", "vote", "when", "metric", value="lever:us.nothing"),
    ),
    BadInput(
        "unknown_effect_segment",
        f"{LEVER}.effects.0.segments",
        ("unknown segment 'leg7'",),
        _set("actors", "us", "levers", "surveillance", "effects", "0", "segments", value=["leg7"]),
    ),
    # the file itself
    BadInput("invalid_yaml", "", ("not valid YAML", "line"), edit_text=lambda t: t + "\nsegments: [unclosed, {\n"),
    BadInput(
        "unsafe_yaml_tag",
        "",
        ("not valid YAML",),
        edit_text=lambda t: t + "\nexploit: !!python/object/apply:os.getcwd []\n",
    ),
    BadInput("not_a_mapping", "", ("must be a mapping",), edit_text=lambda t: "- just\n- a list\n"),
    BadInput("file_not_found", "", ("file not found",), missing=True),
]


@pytest.fixture(scope="session")
def bad_inputs() -> dict[str, BadInput]:
    """The wrong scenario files of ``BAD_INPUTS`` by id."""
    return {b.id: b for b in BAD_INPUTS}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run tests taking ``bad_input`` once per wrong file, and ``scenario_file`` once per shipped scenario."""
    if "bad_input" in metafunc.fixturenames:
        metafunc.parametrize("bad_input", [pytest.param(b, id=b.id, marks=b.marks) for b in BAD_INPUTS])
    if "scenario_file" in metafunc.fixturenames:
        files = sorted(SCENARIOS_DIR.glob("*.yaml"))
        metafunc.parametrize("scenario_file", files, ids=[f.stem for f in files])
