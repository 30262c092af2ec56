"""Militias that decide (docs/ODD.md 7.16, kernels/militias.py): levers with a ``response:`` block.

Directions with paired replicates (same seed, so the same draws): congestion at the back roads
raises the toll, US strikes on the militias lower it, losses on the militias' roads raise their
escorts, and a loyal garrison at the official crossing or a queue at the back roads grows the
informal crossing. A militia with more room to build never does worse at its objective (toll revenue
plus materiel delivered through its roads). Conservation holds, compiled and plain Python agree to
the bit, a timeline pins a lever, and a response with nothing to move it changes nothing.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, run_ensemble
from corridor_sim import ScenarioError, load_scenario
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_raw

STOCK = ["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]
MILITIA_ROADS = [
    "road_baghdad_al_qaim",
    "backroads_al_qaim_abu_kamal",
    "road_abu_kamal_damascus",
    "road_abu_kamal_t4",
]
REPS, DAYS = 256, 240


def toll_response(**gains):
    block = {"segments": ["backroads_al_qaim_abu_kamal", "official_al_qaim_abu_kamal"], "rate": 0.1, "delay_days": 5}
    block.update(gains)
    return block


def escort_response(loss_share=10.0):
    return {"segments": MILITIA_ROADS, "rate": 0.1, "delay_days": 7, "loss_share": loss_share}


def growth_response(congestion=0.1, loyal=1.0):
    return {
        "segments": ["backroads_al_qaim_abu_kamal"],
        "rate": 0.05,
        "delay_days": 7,
        "base": 0,
        "congestion": congestion,
        "levers": [{"of": ["iraq.baghdad_control", "iraq.garrison_loyal_share"], "gain": loyal}],
    }


def militias(raw=None, *, days=DAYS, toll=None, escorts=None, growth=None, growth_max=None):
    """The baseline (or raw) with the given response blocks on the militias' levers, and no others.

    The informal crossing's growth becomes a lever that starts at 0 and acts on the back roads'
    capacity directly (its response carries the loyal garrison's part).
    """
    raw = copy.deepcopy(raw if raw is not None else load_raw(BASELINE))
    raw["days"] = days
    lv = raw["actors"]["militias"]["levers"]
    for lever in lv.values():
        lever.pop("response", None)  # the shipped responses off: only the blocks given here
    for name, block in (("toll_usd_per_ton", toll), ("escorts", escorts)):
        if block is not None:
            lv[name]["response"] = block
    if growth is not None:
        g = lv["informal_crossing_growth"]
        g["value"], g["response"] = 0, growth
        g["effects"][0]["factors"] = []
        if growth_max is not None:
            g["max"] = growth_max
    return raw


def lever_values(model, name):
    return model.levers.values[model.levers.index(name)].copy()


def paired_mean_difference(a, b):
    """Mean of b - a and its standard error."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return d.mean(), d.std(ddof=1) / np.sqrt(d.size)


def land(model, column, cargo="materiel"):
    s = model.summary()
    rows = s[(s["mode"] == "land") & (s["cargo"] == cargo)]
    return rows.groupby("replicate")[column].sum().to_numpy()


def narrowed(raw: dict) -> dict:
    """The scenario with the back roads at half their capacity, U(20, 50) t a day: longer queues."""
    narrow = copy.deepcopy(raw)
    narrow["segments"]["backroads_al_qaim_abu_kamal"]["capacity_tons_per_day"] = {
        "dist": "uniform",
        "low": 20,
        "high": 50,
    }
    return narrow


def test_congestion_at_the_back_roads_raises_the_toll():
    """Half the back roads' capacity: longer queues, a higher toll (paired replicates)."""
    wide = militias(toll=toll_response(congestion=20.0))
    narrow = narrowed(wide)
    a, b = run_ensemble(wide, REPS), run_ensemble(narrow, REPS)
    assert (a.response_obs[0, 0] < b.response_obs[0, 0]).mean() > 0.5  # more days of queue seen
    diff, se = paired_mean_difference(
        lever_values(a, "militias.toll_usd_per_ton"), lever_values(b, "militias.toll_usd_per_ton")
    )
    assert diff > 3 * se and diff > 0


def test_traffic_falling_off_lowers_the_toll():
    """Wide back roads, and US surveillance that drives the shipper off them: more idle capacity, a lower toll."""
    watched = militias(toll=toll_response(idle=-50.0))
    watched["segments"]["backroads_al_qaim_abu_kamal"]["capacity_tons_per_day"] = {
        "dist": "uniform",
        "low": 300,
        "high": 600,
    }
    watched["actors"]["us"]["levers"]["land_surveillance"]["value"] = 0.0
    driven_off = copy.deepcopy(watched)
    driven_off["actors"]["us"]["levers"]["land_surveillance"]["value"] = 1.0
    a, b = run_ensemble(watched, REPS), run_ensemble(driven_off, REPS)
    assert land(b, "dispatched_tons").mean() < land(a, "dispatched_tons").mean()
    diff, se = paired_mean_difference(
        lever_values(a, "militias.toll_usd_per_ton"), lever_values(b, "militias.toll_usd_per_ton")
    )
    assert diff < -3 * se and diff < 0


def test_us_strikes_on_the_militias_lower_the_toll():
    calm = militias(toll=toll_response(congestion=20.0, levers=[{"of": ["us.strikes_on_militias"], "gain": -100}]))
    struck = copy.deepcopy(calm)
    struck["actors"]["us"]["levers"]["strikes_on_militias"]["value"] = 1.0
    struck["rules"] = {}
    calm["rules"] = {}
    a, b = run_ensemble(calm, REPS), run_ensemble(struck, REPS)
    diff, se = paired_mean_difference(
        lever_values(a, "militias.toll_usd_per_ton"), lever_values(b, "militias.toll_usd_per_ton")
    )
    assert diff < -3 * se and diff < 0


def mean_escorts(model):
    """Per replicate: the escorts' mean level over the run, from what the militias paid (their only cost)."""
    c = model.actor_costs()
    paid = c[c["actor"] == "militias"].sort_values("replicate")["lever_cost_usd"].to_numpy()
    return paid / (20_000 * model.spec.days)


def test_losses_on_their_roads_raise_the_militias_escorts():
    """US surveillance of the land corridor (more tons lost on the militias' roads): their escorts go up."""
    calm = militias(escorts=escort_response())
    calm["actors"]["us"]["levers"]["land_surveillance"]["value"] = 0.0
    watched = copy.deepcopy(calm)
    watched["actors"]["us"]["levers"]["land_surveillance"]["value"] = 1.0
    a, b = run_ensemble(calm, REPS), run_ensemble(watched, REPS)
    assert a.response_obs[0, 2].mean() < b.response_obs[0, 2].mean()  # a higher loss share seen
    diff, se = paired_mean_difference(mean_escorts(a), mean_escorts(b))
    assert diff > 3 * se and diff > 0


def test_a_loyal_garrison_grows_the_informal_crossing():
    """Baghdad-loyal control of the official crossing: the bypass grows (as far as the loyal share)."""
    militia = militias(growth=growth_response(congestion=0.0))
    loyal = copy.deepcopy(militia)
    loyal["actors"]["iraq"]["levers"]["baghdad_control"]["value"] = 1
    a, b = run_ensemble(militia, 64), run_ensemble(loyal, 64)
    grown_a, grown_b = (
        lever_values(a, "militias.informal_crossing_growth"),
        lever_values(b, "militias.informal_crossing_growth"),
    )
    assert (grown_a == 0).all()
    share = b.levers.values[b.levers.index("iraq.garrison_loyal_share")]
    assert (grown_b > 0).all() and (grown_b <= share + 1e-12).all()
    np.testing.assert_array_less(np.abs(grown_b - share), 0.05 * share + 1e-9)  # near its target after 240 days


def test_a_queue_at_the_back_roads_grows_the_informal_crossing():
    """No loyal garrison, but the back roads queue: the bypass grows, and more with a narrower road."""
    wide = militias(growth=growth_response(congestion=0.1, loyal=0.0))
    narrow = narrowed(wide)
    a, b = run_ensemble(wide, REPS), run_ensemble(narrow, REPS)
    grown_a = lever_values(a, "militias.informal_crossing_growth")
    assert grown_a.mean() > 0
    diff, se = paired_mean_difference(grown_a, lever_values(b, "militias.informal_crossing_growth"))
    assert diff > 3 * se and diff > 0


def militia_objective(model):
    """Per replicate: toll revenue (fees on the land routes; only the militias' toll where the official
    crossing is closed) plus the value of the materiel delivered by land, USD."""
    value = model.cargo_value[model.net.cargo_ids.index("materiel")]
    return land(model, "fees_usd") + value * land(model, "delivered_tons")


def test_a_militia_with_more_room_to_build_never_does_worse_at_its_objective():
    """The informal crossing's cap raised from 0.25 to 2: the objective is no lower in expectation (paired, 300)."""
    tight = militias(toll=toll_response(congestion=20.0), growth=growth_response(congestion=0.2), growth_max=0.25)
    roomy = militias(toll=toll_response(congestion=20.0), growth=growth_response(congestion=0.2), growth_max=2.0)
    a, b = run_ensemble(tight, 300), run_ensemble(roomy, 300)
    assert lever_values(b, "militias.informal_crossing_growth").max() > 0.25  # the room is used
    diff, se = paired_mean_difference(militia_objective(a), militia_objective(b))
    assert diff > -2 * se
    assert land(b, "delivered_tons").mean() >= land(a, "delivered_tons").mean()


def test_conservation_per_cargo_with_militias_deciding():
    """Dispatched = delivered + interdicted + in transit + queued, per replicate, route and cargo."""
    raw = militias(toll=toll_response(congestion=20.0), escorts=escort_response(), growth=growth_response())
    s = run_ensemble(raw, 64).summary()
    np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_conservation_after_every_step_with_militias_deciding():
    """The stock identity holds at every step, not only at the end (the levers move each day)."""
    raw = militias(days=40, toll=toll_response(congestion=20.0), growth=growth_response())
    model = CorridorModel(raw, replicates=4, rng=3, keep_daily=False)
    for _ in range(40):
        model.step()
        s = model.summary()
        np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_compiled_and_plain_python_agree_with_militias_deciding(monkeypatch):
    raw = militias(days=150, toll=toll_response(congestion=20.0), escorts=escort_response(), growth=growth_response())
    compiled = CorridorModel(raw, replicates=8, rng=4).run()
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = CorridorModel(raw, replicates=8, rng=4).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.actor_levers(), plain.actor_levers(), check_exact=True)


def test_a_response_that_cannot_move_its_lever_changes_nothing():
    """rate 0: the day-by-day run with the response machinery gives the results of today's model."""
    raw = militias()
    still = militias(toll=toll_response(congestion=20.0, rate=0))
    a, b = run_ensemble(raw, 64), run_ensemble(still, 64)
    pd.testing.assert_frame_equal(a.summary(), b.summary(), check_exact=True)


def test_a_timeline_pins_the_lever_against_its_response():
    raw = militias(days=120, toll=toll_response(congestion=20.0))
    raw["actors"]["militias"]["timeline"] = {"toll_cut": {"lever": "toll_usd_per_ton", "day": 30, "set": 10}}
    model = run_ensemble(raw, 16)
    assert (lever_values(model, "militias.toll_usd_per_ton") == 10).all()


@pytest.mark.parametrize(
    ("block", "key", "fragment"),
    [
        ({"segments": ["backroads"], "rate": 0.1}, "response.segments", "unknown segment 'backroads'"),
        ({"segments": [], "rate": 0.1, "congestion": 5}, "response.segments", "name them"),
        ({"rate": 1.5}, "response.rate", "not within [0, 1]"),
        ({"rate": 0.1, "delay_days": 0.5}, "response.delay_days", "not within [1, 3650]"),
        ({"rate": 0.1, "levers": [{"of": ["us.strike"], "gain": 1}]}, "response.levers.0.of", "unknown lever"),
    ],
)
def test_a_bad_response_block_is_refused_with_its_key_path(block, key, fragment):
    raw = load_raw(BASELINE)
    raw["actors"]["militias"]["levers"]["toll_usd_per_ton"]["response"] = block
    with pytest.raises(ScenarioError) as err:
        load_scenario(raw)
    assert f"actors.militias.levers.toll_usd_per_ton.{key}" in str(err.value)
    assert fragment in str(err.value)


def test_responding_levers_run_day_by_day_only_where_their_daily_values_are_read():
    """Without the daily lever table the engine may run spans of days, with results identical to day by day."""
    raw = militias(days=60, toll=toll_response(congestion=20.0), escorts=escort_response(), growth=growth_response())
    spanned = CorridorModel(raw, replicates=300, rng=5, keep_daily=False).run()
    by_day = CorridorModel(raw, replicates=300, rng=5, keep_daily=False, span=1).run()
    assert spanned.scheduler.spans > 0 and by_day.scheduler.spans == 0
    pd.testing.assert_frame_equal(spanned.summary(), by_day.summary(), check_exact=True)
    np.testing.assert_array_equal(spanned.levers.values, by_day.levers.values)
    daily = CorridorModel(raw, replicates=300, rng=5, keep_daily=True).run()
    assert daily.scheduler.spans == 0
    pd.testing.assert_frame_equal(daily.summary(), by_day.summary(), check_exact=True)
