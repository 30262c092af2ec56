"""Inspections at a crossing, per vehicle load whatever the convoys (docs/ODD.md 7.4.3, kernels/movement.py).

A segment's ``inspection_probability`` seizes each vehicle load independently: without convoys it is
one more independent risk per load (to the bit), with convoys it acts on each vehicle left after the
strikes on the convoys, so the share seized is the inspection chance whatever the convoy's size or
its strikes' targeting. Direction with paired replicates (same seed), conservation, the shipper's
beliefs, vehicles impounded, compiled = plain Python, and the uniform chain it draws from.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, OFFICIAL_CROSSING, crossing_open, lost_share, one_route, run_ensemble
from corridor_sim.kernels.binomial import _binomial_at
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_raw, load_scenario

STOCK = ["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]


def _route(*, inspect=0.0, convoy=None, leg1_p=0.0, demand=200.0, fleet_count=1e6, days=60):
    """The one-route scenario (10 t trucks, 20 loads a day), leg 1 inspecting each load with ``inspect``."""
    raw = one_route(days=days, demand=demand, fleet_count=fleet_count, leg1_p=leg1_p)
    raw["segments"]["leg1"]["inspection_probability"] = inspect
    if convoy is not None:
        raw["fleets"]["trucks"]["convoy"] = convoy
    return raw


def test_without_convoys_an_inspection_chance_is_a_load_s_risk_to_the_bit():
    """No convoy block: inspecting each load with p is striking each load with p (the same tables, exactly)."""
    inspected = run_ensemble(_route(inspect=0.1), 300)
    struck = run_ensemble(_route(leg1_p=0.1), 300)
    pd.testing.assert_frame_equal(inspected.summary(), struck.summary(), check_exact=True)
    assert inspected.summary()["interdicted_tons"].sum() > 0


def test_without_strikes_convoys_change_nothing_in_what_inspections_seize():
    """No strike risk: convoys of any size and targeting seize what loads inspected one by one do, to the bit.

    With nothing to strike, the leg's uniform goes to the inspections as it is (its position in the
    step of no convoy struck, which is all of [0, 1]).
    """
    alone = run_ensemble(_route(inspect=0.1), 300).summary()
    for convoy in ({"size": 20}, {"size": 5, "targeted_share": 0.9, "targeted_vehicles": 2.5}):
        convoy["vehicles_lost"] = False
        pd.testing.assert_frame_equal(
            run_ensemble(_route(inspect=0.1, convoy=convoy), 300).summary(), alone, check_exact=True
        )
    assert abs(lost_share(run_ensemble(_route(inspect=0.1))).mean() - 0.1) < 0.005


@pytest.mark.parametrize(
    ("size", "aimed", "taken"),
    [(20, 0.0, 1.0), (20, 0.5, 1.0), (20, 0.9, 2.5), (5, 0.5, 2.5)],
)
def test_inspections_seize_p_of_the_loads_the_strikes_leave_whatever_the_convoy(size, aimed, taken):
    """Strikes on convoys, then each load left inspected: 1 - (1 - convoy share lost)(1 - p) in expectation.

    20 loads a day (the leg's capacity; the rest queues) in convoys of ``size``: at risk 0.05 per
    passage the convoys lose 0.05 x (1 - aimed + aimed x min(taken, v) / v) of the cargo (v vehicles
    a convoy), and inspections p = 0.2 of the rest; the mean over replicates is within four standard errors of it.
    """
    convoy = {"size": size, "targeted_share": aimed, "targeted_vehicles": taken, "vehicles_lost": False}
    raw = _route(inspect=0.2, leg1_p=0.05, convoy=convoy, demand=300.0)
    raw["segments"]["leg1"]["capacity_tons_per_day"] = 200.0  # exactly 20 loads a day from day 2 on
    share = lost_share(run_ensemble(raw, 2000))
    v = 20 / math.ceil(20 / size)
    struck = 0.05 * (1 - aimed + aimed * min(taken, v) / v)
    expected = 1 - (1 - struck) * (1 - 0.2)
    assert abs(share.mean() - expected) < 4 * share.std(ddof=1) / math.sqrt(share.size)


def test_more_inspection_seizes_more_with_convoys():
    """Paired replicates: a higher inspection chance seizes more in every replicate's total (convoys of 20)."""
    convoy = {"size": 20, "targeted_share": 0.5, "vehicles_lost": False}
    low = run_ensemble(_route(inspect=0.05, leg1_p=0.02, convoy=convoy), 300).summary()["interdicted_tons"]
    high = run_ensemble(_route(inspect=0.2, leg1_p=0.02, convoy=convoy), 300).summary()["interdicted_tons"]
    assert (high.to_numpy() >= low.to_numpy()).mean() > 0.95
    assert high.sum() > 2 * low.sum()


def test_seized_loads_are_losses_the_shipper_learns_and_the_leg_flows_count():
    """The shipper counts seized loads as lost on the leg; the product-limit interdiction rate is p (convoys)."""
    raw = _route(inspect=0.1, demand=10_000.0, days=40, convoy={"size": 30, "targeted_share": 0.5})
    raw["fleets"]["trucks"]["convoy"]["vehicles_lost"] = False
    model = CorridorModel(raw, replicates=64, rng=5, keep_daily=False)
    model.run()
    seen = model.shipper.lost_loads / model.shipper.sent_loads
    assert seen[0].mean() == pytest.approx(0.1, rel=0.05)
    assert (seen[1] == 0).all()
    assert model.summary()["interdiction_rate"].mean() == pytest.approx(0.1, rel=0.02)


def test_trucks_seized_are_impounded_when_the_convoy_block_loses_vehicles():
    """Seized trucks leave the fleet with their cargo where vehicles_lost (the default), and only then."""
    lost = run_ensemble(_route(inspect=0.1, convoy={"size": 20}), 50)
    kept = run_ensemble(_route(inspect=0.1, convoy={"size": 20, "vehicles_lost": False}), 50)
    trucks = lost.fleets().set_index("replicate")["vehicles_lost"]
    seized = lost.summary().set_index("replicate")["interdicted_tons"] / 10.0  # 10 t trucks
    assert (trucks > 0).all()
    np.testing.assert_allclose(trucks.to_numpy(), seized.loc[trucks.index].to_numpy(), rtol=1e-9)
    assert (kept.fleets()["vehicles_lost"] == 0).all()


def test_the_prior_counts_inspections():
    """The shipper's prior on a leg is each load's loss chance: 1 - (1 - risk)(1 - inspection)."""
    model = CorridorModel(_route(inspect=0.2, leg1_p=0.1), replicates=4, rng=1, keep_daily=False)
    np.testing.assert_allclose(model.shipper.prior_risk[0], 1 - 0.9 * 0.8)


def _crossing_inspected(days, inspect):
    """The crossing open from day 0 under militia control, with the shipped convoys, inspecting each truck."""
    raw = crossing_open(days)
    raw["segments"][OFFICIAL_CROSSING]["inspection_probability"] = inspect
    return raw


def test_conservation_per_cargo_with_inspections_and_convoys():
    """Dispatched = delivered + interdicted + in transit + queued, per replicate, route and cargo."""
    raw = _crossing_inspected(200, 0.05)
    s = run_ensemble(raw, 100).summary()
    official = s[s["route"] == "land_official_syria"]
    assert official["interdicted_tons"].sum() > 0
    np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_compiled_and_plain_python_agree_with_inspections(monkeypatch):
    """Inspections with and without convoys: compiled and plain Python to the bit."""
    raw = _crossing_inspected(300, {"dist": "uniform", "low": 0.05, "high": 0.3})
    raw["fleets"]["trucks"]["convoy"]["targeted_vehicles"] = 1.5
    compiled = CorridorModel(raw, replicates=8, rng=4).run()
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = CorridorModel(raw, replicates=8, rng=4).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.fleets(), plain.fleets(), check_exact=True)


@pytest.mark.parametrize(("convoys", "risk", "aimed"), [(1.0, 0.05, 0.5), (3.0, 0.3, 0.6), (40.0, 0.02, 0.4)])
def test_the_chain_of_positions_is_a_uniform_independent_of_the_draws(convoys, risk, aimed):
    """u -> (struck, position) -> (targeted, position): the last position is uniform whatever was drawn.

    Where nothing is struck the position is u's within the step of 0 (the draw's first test never
    computes it); the positions reproduce u, and are uniform on the whole and within each count struck.
    """
    from scipy import stats

    u = np.random.default_rng(2).random(40_000)
    first = [_binomial_at(convoys, risk, x) for x in u]
    struck = np.array([k for k, _ in first])
    low, step = stats.binom.cdf(struck - 1, convoys, risk), stats.binom.pmf(struck, convoys, risk)
    at = np.array([p for _, p in first])
    np.testing.assert_allclose(low + at * step, u, atol=1e-8)
    final = np.array([_binomial_at(k, aimed, p)[1] if k > 0 else p for k, p in first])
    assert ((final >= 0) & (final <= 1)).all()
    assert stats.kstest(final, "uniform").pvalue > 1e-3
    for k in (0.0, 1.0):
        assert stats.kstest(final[struck == k], "uniform").pvalue > 1e-3


def test_an_inspection_chance_outside_0_1_is_refused():
    raw = _route(inspect=1.5)
    with pytest.raises(ScenarioError, match=r"segments\.leg1\.inspection_probability"):
        load_scenario(raw)


def test_a_node_effect_on_inspections_is_refused():
    raw = load_raw(BASELINE)
    effect = copy.deepcopy(raw["actors"]["iraq"]["levers"]["inspection_rate"]["effects"][0])
    effect.pop("segments")
    effect["nodes"] = ["al_qaim"]
    effect["attribute"] = "inspection_probability"
    raw["actors"]["iraq"]["levers"]["inspection_rate"]["effects"] = [effect]
    with pytest.raises(ScenarioError, match=r"inspection_probability.*cannot act on nodes"):
        load_scenario(raw)
