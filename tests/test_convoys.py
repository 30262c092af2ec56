"""Convoys, vehicles lost with their cargo, and exposure (docs/ODD.md 7.4, kernels/movement.py, kernels/binomial.py).

Each mechanism is checked for the direction it produces with paired replicates (same seed, so the
same interdiction uniforms), and for conservation; a fleet without a convoy block, or with convoys
of one whose vehicles are not lost, is today's model exactly.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, lost_share, one_route, run_ensemble
from corridor_sim.kernels.binomial import _binomial_at
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_raw, load_scenario

STOCK = ["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]


def _route(*, convoy=None, days=60, demand=200.0, fleet_count=1e6, leg1_p=0.05, **kw):
    """The one-route scenario (10 t trucks, two one-day legs), the trucks in the given convoy block."""
    raw = one_route(days=days, demand=demand, fleet_count=fleet_count, leg1_p=leg1_p, **kw)
    if convoy is not None:
        raw["fleets"]["trucks"]["convoy"] = convoy
    return raw


def test_convoys_of_one_whose_vehicles_come_back_are_the_model_without_convoys():
    """A convoy block of size 1 that loses no vehicles gives the tables of no block, to the bit (baseline, trucks)."""
    raw = load_raw(BASELINE)
    raw["days"] = 120
    del raw["fleets"]["trucks"]["convoy"]
    with_block = copy.deepcopy(raw)
    with_block["fleets"]["trucks"]["convoy"] = {"size": 1, "targeted_share": 0.5, "vehicles_lost": False}
    plain, one = run_ensemble(raw, 300), run_ensemble(with_block, 300)
    pd.testing.assert_frame_equal(plain.summary(), one.summary(), check_exact=True)
    pd.testing.assert_frame_equal(plain.destinations(), one.destinations(), check_exact=True)


def test_bigger_convoys_keep_the_expected_loss_but_make_losses_lumpier():
    """Whole-convoy strikes on convoys of 20: the same share lost on average as one by one, with a larger spread.

    20 loads a day at a strike chance of 0.05 per passage (vehicles not lost, so the fleet never binds).
    Paired replicates share their uniforms; the mean difference in the share lost is within four
    standard errors of zero, and the variance across replicates is several times larger (about 20x in
    theory: one draw of 1 convoy a day instead of 20 draws of one load).
    """
    alone = lost_share(run_ensemble(_route()))
    convoys = lost_share(run_ensemble(_route(convoy={"size": 20, "vehicles_lost": False})))
    diff = convoys - alone
    assert abs(diff.mean()) < 4 * diff.std(ddof=1) / math.sqrt(diff.size)
    assert abs(alone.mean() - 0.05) < 0.005
    assert convoys.var(ddof=1) > 5 * alone.var(ddof=1)


def test_targeted_strikes_take_less_cargo_than_whole_convoy_strikes():
    """Convoys of 20, every strike aimed at one vehicle: about a twentieth of what whole-convoy strikes take."""
    whole = run_ensemble(_route(convoy={"size": 20, "vehicles_lost": False})).summary()
    aimed = run_ensemble(
        _route(convoy={"size": 20, "targeted_share": 1, "targeted_vehicles": 1, "vehicles_lost": False})
    )
    aimed = aimed.summary()
    assert aimed["interdicted_tons"].sum() < 0.1 * whole["interdicted_tons"].sum()
    half = run_ensemble(_route(convoy={"size": 20, "targeted_share": 0.5, "vehicles_lost": False})).summary()
    assert aimed["interdicted_tons"].sum() < half["interdicted_tons"].sum() < whole["interdicted_tons"].sum()


def _binding(convoy):
    """A fleet that binds: 100 t a day needs about 50 trucks of 10 t on a 5-day turnaround, and there are 60."""
    return _route(convoy=convoy, days=200, demand=100.0, fleet_count=60.0, leg1_p=0.1)


def test_lost_vehicles_shrink_the_fleet_and_deliveries_and_replacement_restores_them():
    """Vehicles struck are lost with their cargo: with no replacement the fleet shrinks and delivers less."""
    kept = run_ensemble(_binding({"size": 5, "vehicles_lost": False}), 300)
    lost = run_ensemble(_binding({"size": 5}), 300)
    replaced = run_ensemble(_binding({"size": 5, "replacement_per_day": 5}), 300)
    got = {name: m.summary()["delivered_tons"].mean() for name, m in (("kept", kept), ("lost", lost), ("re", replaced))}
    assert got["lost"] < 0.8 * got["kept"]
    assert got["lost"] < got["re"] <= got["kept"] * 1.01
    fleets = lost.fleets()
    trucks = fleets[fleets["fleet"] == "trucks"]
    assert (trucks["vehicles_lost"] > 0).all()
    assert trucks["vehicles_missing"].to_numpy() == pytest.approx(trucks["vehicles_lost"].to_numpy())
    again = replaced.fleets()
    assert (again["vehicles_lost"] > 0).all()
    # Replaced at 5 a day: at the end only the last day or two's losses are still missing.
    assert again["vehicles_missing"].mean() < 0.05 * trucks["vehicles_missing"].mean()
    assert (kept.fleets()["vehicles_lost"] == 0).all()


def test_lost_vehicles_never_come_back_from_the_return_ring():
    """The return ring holds the live vehicles away plus the lost ones still booked there, and no more.

    Lost vehicles are taken off the vehicles away at once; each cancels one booked return later, so
    away + lost never exceeds the fleet.
    """
    model = CorridorModel(_binding({"size": 5}), replicates=50, rng=3, keep_daily=False)
    for _ in range(40):
        model.step()
        booked = model.fleet_returns.sum(axis=0)
        np.testing.assert_allclose(booked, model.fleet_busy + model.fleet_ghosts, atol=1e-6)
        assert (model.fleet_busy + model.fleet_lost <= model.fleet_count + 1e-6).all()
        assert (model.fleet_busy >= -1e-9).all()


def test_more_exposure_loses_more():
    """A hazard per day at risk loses more on a longer transit, and more with a higher hazard (paired replicates)."""

    def lost(hazard, transit):
        raw = _route(leg1_p=0.0)
        raw["segments"]["leg1"]["hazard_per_day"] = hazard
        raw["segments"]["leg1"]["transit_days"] = transit
        return run_ensemble(raw, 300).summary()["interdicted_tons"].sum()

    assert lost(0.0, 1) == 0.0
    assert lost(0.01, 1) < lost(0.01, 4)
    assert lost(0.01, 2) < lost(0.03, 2)


def test_a_hazard_per_day_gives_the_analytic_survival():
    """One leg of 3 days at hazard h loses 1 - exp(-3h) of its cargo (1,000 loads a day, many replicates)."""
    raw = _route(leg1_p=0.0, demand=10_000.0, days=40)
    raw["segments"]["leg1"]["hazard_per_day"] = 0.02
    raw["segments"]["leg1"]["transit_days"] = 3
    s = run_ensemble(raw, 64).summary()
    rate = s["interdiction_rate"].mean()
    assert rate == pytest.approx(1 - math.exp(-0.06), rel=0.01)


def test_conservation_per_cargo_with_convoys_and_vehicles_lost():
    """Dispatched = delivered + interdicted + in transit + queued, per replicate and route, with the mechanisms on."""
    raw = load_raw(BASELINE)
    raw["days"] = 200
    raw["fleets"]["trucks"]["convoy"] = {"size": 20, "targeted_share": 0.5, "targeted_vehicles": 2}
    raw["segments"]["road_baghdad_al_qaim"]["hazard_per_day"] = 0.01
    s = run_ensemble(raw, 100).summary()
    np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_compiled_and_plain_python_agree_with_convoys(monkeypatch):
    """Convoys, targeted strikes, vehicles lost and replaced, and exposure: compiled and plain Python to the bit."""
    raw = load_raw(BASELINE)
    raw["days"] = 300
    raw["fleets"]["trucks"]["convoy"] = {
        "size": {"dist": "uniform", "low": 15, "high": 30},
        "targeted_share": 0.6,
        "targeted_vehicles": 1.5,
        "replacement_per_day": 0.5,
    }
    raw["segments"]["road_abu_kamal_damascus"]["hazard_per_day"] = 0.02
    compiled = CorridorModel(raw, replicates=8, rng=4).run()
    assert (compiled.fleets()["vehicles_lost"] > 0).any()
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = CorridorModel(raw, replicates=8, rng=4).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.fleets(), plain.fleets(), check_exact=True)


@pytest.mark.parametrize(("n", "p"), [(5.0, 0.3), (40.0, 0.05), (20_000.0, 0.1)])
def test_the_uniform_s_position_in_its_step_is_a_second_uniform(n, p):
    """Given the count drawn, where u fell within that count's CDF step is uniform (and reproduces u)."""
    from scipy import stats

    u = np.random.default_rng(1).random(20_000)
    drawn = [_binomial_at(n, p, x) for x in u]
    k = np.array([d[0] for d in drawn])
    position = np.array([d[1] for d in drawn])
    struck = k >= 1
    low, step = stats.binom.cdf(k - 1, n, p), stats.binom.pmf(k, n, p)
    np.testing.assert_allclose((low + position * step)[struck], u[struck], atol=1e-8)
    assert ((position >= 0) & (position <= 1)).all()
    # Uniform within each count, whatever the count: a test of uniformity on the pooled positions.
    assert stats.kstest(position[struck], "uniform").pvalue > 1e-3


def test_a_convoy_of_less_than_one_vehicle_is_refused():
    raw = _route(convoy={"size": 0.5})
    with pytest.raises(ScenarioError, match=r"fleets\.trucks\.convoy\.size.*at least one vehicle"):
        load_scenario(raw)
    raw = _route(convoy={"size": 10, "targeted_share": 1.5})
    with pytest.raises(ScenarioError, match=r"fleets\.trucks\.convoy\.targeted_share"):
        load_scenario(raw)
