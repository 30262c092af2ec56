"""Airport storage and strikes on it (kernels/storage.py): dwell, correlated losses, closure, streams.

The scenario here has two air routes landing at one airport with storage (``air_a`` to destination
``a``, ``air_b`` to ``b``, each with a road leg on), and a road route of its own fleet to a third
destination (``road_c``), which storage never touches. Only storage strikes take cargo: every
interdiction probability is 0.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from corridor_sim import kernels
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_scenario
from corridor_sim.streams import BLOCK, InterdictionDraws

AIR = ["air_a", "air_b"]


def _node(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "lat": 33.0, "lon": 40.0, "kind": kind, "controller": "syria", **extra}


def airport_scenario(
    *, days: int = 120, dwell: Any = 3.0, strike: Any = 0.03, share: Any = 0.5, closure: Any = 0.0, storage=True
) -> dict[str, Any]:
    """Two air routes through one stored airport and a road route apart (see the module docstring)."""
    airport = _node("Airport", "airport")
    if storage:
        airport["storage"] = {
            "dwell_days": dwell,
            "strike_probability": strike,
            "destroyed_share": share,
            "closure_days": closure,
        }

    def seg(a: str, b: str, mode: str) -> dict[str, Any]:
        return {"from": a, "to": b, "mode": mode, "transit_days": 1, "cost_usd_per_ton": 10}

    return {
        "name": "airport",
        "days": days,
        "cargo": {"materiel": {"value_usd_per_ton": 1000}},
        "nodes": {
            "origin": _node("Origin", "origin", controller="iran"),
            "airport": airport,
            "a": _node("A", "destination"),
            "b": _node("B", "destination"),
            "c": _node("C", "destination"),
        },
        "segments": {
            "fly": seg("origin", "airport", "air"),
            "road_a": seg("airport", "a", "land"),
            "road_b": seg("airport", "b", "land"),
            "road_c": seg("origin", "c", "land"),
        },
        "fleets": {
            "planes": {"mode": "air", "payload_tons": 40, "count": 100, "loading_days": 1},
            "trucks": {"mode": "land", "payload_tons": 20, "count": 100, "loading_days": 1},
        },
        "routes": {
            "air_a": {"segments": ["fly", "road_a"], "fleet": "planes"},
            "air_b": {"segments": ["fly", "road_b"], "fleet": "planes"},
            "road_c": {"segments": ["road_c"], "fleet": "trucks"},
        },
        "destinations": {
            "a": {"node": "a", "demand": {"materiel": 100}},
            "b": {"node": "b", "demand": {"materiel": 60}},
            "c": {"node": "c", "demand": {"materiel": 50}},
        },
    }


def run(raw: dict[str, Any], replicates: int = 64, rng: int = 5, **kw: Any) -> CorridorModel:
    return CorridorModel(copy.deepcopy(raw), replicates=replicates, rng=rng, **kw).run()


def air_totals(model: CorridorModel) -> pd.Series:
    summary = model.summary()
    return summary[summary["route"].isin(AIR)][["delivered_tons", "interdicted_tons"]].sum()


def test_a_storage_that_holds_nothing_changes_nothing():
    """No storage block, or one with no dwell (nothing waits to be struck) and no closure: the same run to the bit."""
    without = run(airport_scenario(storage=False), keep_daily=True)
    idle = run(airport_scenario(dwell=0.0, strike=0.5, closure=0.0), keep_daily=True)
    for name in ("summary", "destinations", "timeseries"):
        pd.testing.assert_frame_equal(getattr(without, name)(), getattr(idle, name)(), check_exact=True, obj=name)
    assert idle.storage_strikes.sum() > 0  # strikes fell, on empty storage


def test_longer_dwell_loses_more_air_cargo():
    """Paired replicates: cargo waiting longer at the airport is exposed to more strikes."""
    short = air_totals(run(airport_scenario(dwell=1.0)))
    long = air_totals(run(airport_scenario(dwell=5.0)))
    assert long["interdicted_tons"] > 1.5 * short["interdicted_tons"] > 0


def test_more_strikes_lose_more_and_deliver_less_by_air():
    """Paired replicates: a higher daily strike probability takes more air cargo and delivers less."""
    rare = air_totals(run(airport_scenario(strike=0.01)))
    often = air_totals(run(airport_scenario(strike=0.1)))
    assert often["interdicted_tons"] > 2 * rare["interdicted_tons"] > 0
    assert often["delivered_tons"] < rare["delivered_tons"]


def test_the_israeli_lever_strikes_the_storage():
    """A lever effect on the node's strike_probability raises it (default kind: an added hazard)."""
    raw = airport_scenario(strike=0.0)
    raw["actors"] = {
        "israel": {
            "levers": {
                "strike_rate": {
                    "value": 0.5,
                    "effects": [{"nodes": ["airport"], "attribute": "strike_probability", "coef": 0.1}],
                }
            }
        }
    }
    model = run(raw)
    np.testing.assert_allclose(model.node_now["strike_probability"][1], 0.05)
    assert air_totals(model)["interdicted_tons"] > 0
    raw["actors"]["israel"]["levers"]["strike_rate"]["value"] = 0.0
    assert air_totals(run(raw))["interdicted_tons"] == 0


def test_a_strike_takes_the_same_share_of_everything_in_storage():
    """On a strike day each stored route loses the replicate's destroyed share of what waited there."""
    model = CorridorModel(airport_scenario(share={"dist": "uniform", "low": 0.2, "high": 0.9}), replicates=32, rng=3)
    legs = [model.net.route_leg_start[model.net.route_ids.index(k)] for k in AIR]
    rows = model._net_args.leg_store_start
    share = model._par.destroyed_share[0]
    checked = 0
    for _ in range(60):
        stored = kernels.replicate_last(model._store, model.n_replicates)  # (rows, cargo, replicates)
        before = {leg: stored[rows[leg] : rows[leg + 1]].sum(axis=(0, 1)) for leg in legs}
        strikes = model.storage_strikes[0].copy()
        model.step()
        day = model.timeseries().query("day == @model.day - 1")
        struck = model.storage_strikes[0] > strikes
        for r in np.flatnonzero(struck):
            for route, leg in zip(AIR, legs, strict=True):
                lost = day[(day["replicate"] == r) & (day["route"] == route)]["interdicted_tons"].item()
                assert lost == pytest.approx(share[r] * before[leg][r], rel=1e-12, abs=1e-9)
                checked += before[leg][r] > 0
    assert checked >= 4


def test_a_closed_airport_lands_nothing_for_its_closure_days():
    """After a strike closing the airport for 3 days, nothing flies in on those days; then the queue moves."""
    model = CorridorModel(airport_scenario(strike=0.05, closure=3.0), replicates=16, rng=4)
    air_leg = model.net.route_leg_start[model.net.route_ids.index("air_a")]
    closed_since = np.full(model.n_replicates, -1)
    seen_closed = seen_reopen = 0
    for _ in range(80):
        entered = kernels.replicate_last(model._leg_totals, model.n_replicates)[0, air_leg, 0].copy()
        strikes = model.storage_strikes[0].copy()
        d = model.day
        model.step()
        now = kernels.replicate_last(model._leg_totals, model.n_replicates)[0, air_leg, 0]
        closed_since[model.storage_strikes[0] > strikes] = d
        closed = (closed_since >= 0) & (d - closed_since < 3)
        assert (now[closed] == entered[closed]).all()
        seen_closed += closed.sum()
        reopened = (closed_since >= 0) & (d - closed_since == 3)
        assert (now[reopened] > entered[reopened]).all()
        seen_reopen += reopened.sum()
    assert seen_closed >= 6 and seen_reopen >= 2
    assert (model.storage_closed >= 0).all()


def test_cargo_is_conserved_every_day_with_storage():
    """Per route and cargo, every day: dispatched = delivered + interdicted + in transit (incl. storage) + queued."""
    model = run(airport_scenario(dwell=2.5, strike=0.1, closure=1.5), replicates=8, keep_daily=True)
    ts = model.timeseries().sort_values(["replicate", "route", "day"])
    cum = ts.groupby(["replicate", "route"])[["dispatched_tons", "delivered_tons", "interdicted_tons"]].cumsum()
    stock = cum["delivered_tons"] + cum["interdicted_tons"] + ts["in_transit_tons"] + ts["queued_tons"]
    np.testing.assert_allclose(cum["dispatched_tons"], stock, rtol=1e-9, atol=1e-6)
    assert ts["interdicted_tons"].sum() > 0
    stored = kernels.replicate_last(model._store, model.n_replicates).sum(axis=(0, 1))
    in_transit = model.summary().groupby("replicate")["in_transit_tons"].sum().to_numpy()
    assert (in_transit >= stored - 1e-9).all()


def test_compiled_and_plain_engines_agree_with_storage(monkeypatch):
    """The Numba-compiled day and the plain Python one give identical tables with storage, strikes and closure."""
    raw = airport_scenario(dwell={"dist": "uniform", "low": 1, "high": 4}, strike=0.08, closure=2.5)
    compiled = run(raw, replicates=6, rng=2, days=200)
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = run(raw, replicates=6, rng=2, days=200)
    assert compiled.storage_strikes.sum() > 0
    for name in ("summary", "destinations"):
        pd.testing.assert_frame_equal(getattr(compiled, name)(), getattr(plain, name)(), check_exact=True)


def test_storage_strikes_draw_from_their_own_stream():
    """The legs' uniforms are the same with strike uniforms added, daily and in spans, in full and partial blocks."""
    for first, count in ((0, 2 * BLOCK), (BLOCK, 40)):
        plain, extended = InterdictionDraws(((7, first, count),), 5), InterdictionDraws(((7, first, count),), 5, 2)
        for _ in range(2):
            (a, none), (b, strikes) = (x.copy() for x in plain.fill()), (x.copy() for x in extended.fill())
            np.testing.assert_array_equal(a, b)
            assert none.shape == (*a.shape[:2], 0) and strikes.shape == (*a.shape[:2], 2)
            rows = slice(0, count) if first == 0 else slice(0, 40)
            assert not np.array_equal(strikes[:, rows, 0].ravel(), b[:, rows, 0].ravel())
            assert (strikes[:, rows] > 0.0).all() and (strikes[:, rows] < 1.0).all()
        blocks = -(-count // BLOCK)
        a, _ = plain.fill_span(3, 0, blocks, *plain.span_buffers(blocks, 3))
        b, strikes = extended.fill_span(3, 0, blocks, *extended.span_buffers(blocks, 3))
        np.testing.assert_array_equal(a, b)
        assert strikes.shape == (blocks, 3, BLOCK, 2) and (strikes[:, :, : min(count, BLOCK)] > 0.0).all()


def test_storage_parameters_leave_other_routes_alone():
    """Changing the storage's strikes changes the air routes, not the road route that storage never touches."""
    rare, often = run(airport_scenario(strike=0.01)), run(airport_scenario(strike=0.2, closure=2.0))
    road = [m.summary().query("route == 'road_c'").reset_index(drop=True) for m in (rare, often)]
    pd.testing.assert_frame_equal(*road, check_exact=True)
    assert not air_totals(rare).equals(air_totals(often))


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"dwell_days": 90}, "nodes.airport.storage.dwell_days", "not within [0, 60]"),
        ({"destroyed_share": 1.5}, "nodes.airport.storage.destroyed_share", "not within [0, 1]"),
        ({"strike_probability": -0.1}, "nodes.airport.storage.strike_probability", "not within [0, 1]"),
    ],
)
def test_bad_storage_values_are_refused_by_key_path(change, path, words):
    raw = airport_scenario()
    raw["nodes"]["airport"]["storage"].update(change)
    with pytest.raises(ScenarioError) as err:
        load_scenario(raw)
    assert path in str(err.value) and words in str(err.value)


def test_a_strike_effect_needs_a_storage_node():
    raw = airport_scenario()
    raw["actors"] = {
        "israel": {
            "levers": {
                "strike_rate": {
                    "value": 0.5,
                    "effects": [{"nodes": ["origin"], "attribute": "strike_probability", "coef": 0.1}],
                }
            }
        }
    }
    with pytest.raises(ScenarioError) as err:
        load_scenario(raw)
    assert "actors.israel.levers.strike_rate.effects.0.attribute" in str(err.value)
    assert "no storage block" in str(err.value)


def test_storage_losses_count_on_the_air_leg_for_the_rate_and_the_shipper():
    """What strikes destroy is the air leg's lost flow (so the route's interdiction rate), and the shipper learns it."""
    model = run(airport_scenario(strike=0.1), replicates=16)
    legs = kernels.replicate_last(model._leg_totals, model.n_replicates)  # (LEG_FLOWS, legs, cargo, replicates)
    summary = model.summary().set_index(["replicate", "route"])
    for route in AIR:
        air_leg = model.net.route_leg_start[model.net.route_ids.index(route)]
        lost = summary.xs(route, level="route")["interdicted_tons"].to_numpy()
        np.testing.assert_allclose(legs[1, air_leg, 0], lost, rtol=1e-12)
        assert (summary.xs(route, level="route")["interdiction_rate"] > 0).all()
        believed = kernels.replicate_last(model.shipper._lost_loads, model.n_replicates)[air_leg]
        assert (believed[lost > 0] > 0).all()
    without = run(airport_scenario(strike=0.0), replicates=16)
    assert (kernels.replicate_last(without.shipper._lost_loads, 16) == 0).all()


def test_storage_numbers_can_be_overridden_by_key_path():
    """A storage number is a scenario key path like any other (sweeps and --set reach it)."""
    raw = airport_scenario(dwell=3.0)
    model = CorridorModel(raw, replicates=4, rng=1, **{"nodes.airport.storage.dwell_days": 1.5})
    np.testing.assert_array_equal(model._par.dwell_days[0], 1.5)
