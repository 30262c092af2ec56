"""Actors are whatever a scenario declares: a new actor needs a scenario file, no code.

The example is tests/scenarios/jordan_crossing.yaml: the baseline plus Jordan, with a land route
through its territory (nodes it controls) and a lever ``border_closed`` that closes the route's
Jordanian stretch, a second lever whose effect takes ``1 - jordan.border_closed`` as a factor, and a
rule acting on Jordan's lever. The refusals of unknown and badly formed actor ids in factors,
rules, metrics and controllers are in conftest.BAD_INPUTS (run by test_scenario and test_cli).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pandas as pd
import pytest

from corridor_sim import CorridorModel, ScenarioError, load_scenario
from corridor_sim.cli import main
from corridor_sim.scenario import flat_names, load_raw, validate

os.environ.setdefault("MPLBACKEND", "Agg")

JORDAN = Path(__file__).resolve().parent / "scenarios" / "jordan_crossing.yaml"
ROUTE = "land_jordan_syria"


def _run(*args: object) -> int:
    return main([str(a) for a in args])


def _delivered(closed: float) -> dict[str, list[float]]:
    """Tons delivered per route and replicate over 120 days, with Jordan's border closed (1) or open (0)."""
    model = CorridorModel(JORDAN, replicates=16, rng=3, days=120, keep_daily=False, jordan_border_closed=closed)
    summary = model.run().summary()
    per_route = summary.groupby(["route", "replicate"])["delivered_tons"].sum()
    return {route: per_route[route].tolist() for route in summary["route"].unique()}


def test_the_scenario_declares_jordan_with_its_levers_places_and_rule():
    spec = load_scenario(JORDAN)
    assert list(spec.actors)[-1] == "jordan"
    assert set(spec.actors["jordan"].levers) == {"border_closed", "customs_inspection"}
    assert {spec.nodes[n].controller for n in ("karameh", "jaber")} == {"jordan"}
    assert spec.rules["jordan_closes_after_strikes"].then[0].actor == "jordan"
    assert "jordan_border_closed" in flat_names(spec.to_dict())


def test_closing_jordans_crossing_stops_the_route_through_it_and_opening_it_draws_traffic():
    """Closed (the lever at 1, capacity x 0): no ton reaches Damascus through Jordan. Open: every replicate
    sends tons that way, and the militias' back roads to Damascus carry less (the traffic moves)."""
    closed, opened = _delivered(1), _delivered(0)
    assert all(t == 0 for t in closed[ROUTE])
    assert all(t > 1000 for t in opened[ROUTE])
    backroads_closed, backroads_open = sum(closed["land_backroads_syria"]), sum(opened["land_backroads_syria"])
    assert backroads_open < 0.5 * backroads_closed


def test_the_cli_validates_runs_and_lists_the_new_actor(tmp_path, capsys):
    assert _run("validate", JORDAN) == 0
    assert _run("params", JORDAN) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert rows["jordan.border_closed"].split()[1:3] == ["0–1", "1"]
    assert rows["jordan_border_closed"].split()[1] == "actors.jordan.levers.border_closed.value"
    assert "jordan.customs_inspection" in rows
    out = tmp_path / "open"
    assert _run("run", JORDAN, "--reps", "4", "--days", "40", "--set", "jordan_border_closed=0", "--out", out) == 0
    summary = pd.read_csv(out / "summary.csv")
    # Summed over replicates: in 40 days a replicate's shipper may not have tried the route yet (its prior
    # is drawn around the route's risk and may put it above its loss tolerance: docs/ODD.md 7.5-7.6).
    assert summary[summary["route"] == ROUTE].groupby("cargo")["delivered_tons"].sum().gt(0).all()
    costs = pd.read_csv(out / "actor_costs.csv")
    assert set(costs["actor"]) >= {"jordan", "us"}
    assert costs.loc[costs["actor"] == "jordan", "lever_cost_usd"].gt(0).all()  # customs inspection costs money


def test_the_new_actors_lever_is_drawn_in_a_colour_of_its_own(tmp_path, write_yaml):
    """A timed change of Jordan's lever: the lever figure gives Jordan a lane, named and coloured from its id."""
    from corridor_sim.charts import io as chart_io
    from corridor_sim.charts.run import lever_lanes, run_tables
    from corridor_sim.charts.style import ACTOR_COLOURS, FALLBACK_ACTOR_COLOURS, actor_colour

    opens = {"lever": "border_closed", "day": 20, "set": 0, "label": "Jordan opens its crossings"}
    path = write_yaml({"extends": str(JORDAN), "actors": {"jordan": {"timeline": {"opens": opens}}}}, "opens.yaml")
    out = tmp_path / "results"
    assert _run("run", path, "--reps", "4", "--days", "40", "--out", out) == 0
    results = chart_io.read_results(out)
    fig = lever_lanes(run_tables(results)["paths"], levers=results.levers)
    median = [a for a in fig.findobj() if a.get_gid() == "median:jordan.border_closed"]
    assert median and median[0].get_color() == actor_colour("jordan")
    assert actor_colour("jordan") in FALLBACK_ACTOR_COLOURS and actor_colour("jordan") not in ACTOR_COLOURS.values()
    assert "Jordan" in [t.get_text() for t in fig.texts + [t for ax in fig.axes for t in ax.texts]]
    assert _run("plot", out, "--out", tmp_path / "figures") == 0


def test_a_controller_must_be_declared_the_shippers_or_territorial():
    """Jordan's places need Jordan declared; a party without levers may be declared with none; the shipper's
    actor controls places without an ``actors`` entry, whatever its id."""
    raw = load_raw(JORDAN)
    undeclared = copy.deepcopy(raw)
    del undeclared["actors"]["jordan"], undeclared["rules"]["jordan_closes_after_strikes"]
    with pytest.raises(ScenarioError, match=r"nodes\.karameh\.controller: unknown actor 'jordan'"):
        validate(undeclared)
    lever_less = copy.deepcopy(undeclared)
    lever_less["actors"]["jordan"] = {"label": "Jordan"}
    model = CorridorModel(validate(lever_less), replicates=2, rng=1, days=10).run()
    costs = model.actor_costs()
    assert costs.loc[costs["actor"] == "jordan", "lever_cost_usd"].eq(0).all()
    shipper = copy.deepcopy(raw)
    shipper["shipper"]["actor"] = "irgc"
    with pytest.raises(ScenarioError, match=r"nodes\.tehran\.controller: unknown actor 'iran'.*the shipper's actor"):
        validate(shipper)
    for node in shipper["nodes"].values():
        node["controller"] = "irgc" if node["controller"] == "iran" else node["controller"]
    assert validate(shipper).shipper.actor == "irgc"


def test_an_actor_added_first_whose_levers_change_nothing_leaves_every_draw_as_it_was(baseline_path):
    """Streams are named by key paths: a new actor's uncertain lever values and coefficients are sources of
    their own, so declaring it (even before the others) changes no other draw and, with its effects
    switched off by a factor at 0, no result."""
    raw = load_raw(baseline_path)
    before = CorridorModel(validate(raw), replicates=8, rng=4, days=60).run().summary()
    jordan = {
        "levers": {
            "off": {"value": 0},
            "patrols": {
                "value": {"dist": "uniform", "low": 0, "high": 1},
                "effects": [
                    {
                        "segments": ["road_tehran_baghdad"],
                        "attribute": "interdiction_probability",
                        "coef": {"dist": "uniform", "low": 0.1, "high": 0.5},
                        "factors": ["jordan.off"],
                    }
                ],
            },
        }
    }
    raw["actors"] = {"jordan": jordan, **raw["actors"]}
    after = CorridorModel(validate(raw), replicates=8, rng=4, days=60).run().summary()
    pd.testing.assert_frame_equal(before, after)
