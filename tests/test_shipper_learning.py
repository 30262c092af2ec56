"""The shipper learns as traffickers do (docs/ODD.md 7.5, 7.6): a prior that is not the truth, evidence
that does not age without traffic, a loss tolerance, probes of dropped routes, and lagging queue waits.

Each test compares paired replicates (same seed) or checks a bound the ODD derives.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, load_script, one_route, run_ensemble
from corridor_sim import kernels
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_raw, load_scenario

# Every mechanism on, with the values the tests' bounds are worked out for.
LEARNING = {
    "prior_spread": 1.0,
    "loss_tolerance": 0.15,
    "idle_memory": 1.0,
    "probe_demand_days": 0.5,
    "probe_wait_days": 30,
    "probe_backoff": 2.0,
    "wait_learning_rate": 0.4,
}
# Every mechanism off: the shipper before issue 17 (idle legs fade as busy ones: belief_memory, 0.98 here).
WITHOUT = {
    "prior_spread": 0.0,
    "idle_memory": 0.98,
    "loss_tolerance": 1.0,
    "probe_demand_days": 0.0,
    "wait_learning_rate": 1.0,
}
STOCK = ["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]


@pytest.fixture(scope="module")
def certain_loss():
    return load_script("certain_loss")


def _learning(raw: dict, **changes) -> dict:
    raw["shipper"] = {**raw.get("shipper", {}), **LEARNING, **changes}
    return raw


def _without(raw: dict) -> dict:
    raw["shipper"] = {**raw.get("shipper", {}), **WITHOUT}
    return raw


def _lever_on_leg1(raw: dict, timeline: dict) -> dict:
    """An actor ``x`` whose lever ``loss`` (start 0) makes leg1's interdiction probability 1 when 1."""
    raw["actors"] = {
        "x": {
            "levers": {
                "loss": {
                    "value": 0,
                    "effects": [{"segments": ["leg1"], "attribute": "interdiction_probability", "coef": 1}],
                }
            },
            "timeline": timeline,
        }
    }
    return raw


def test_with_no_spread_the_prior_is_the_day0_risk_and_with_spread_its_error_is_shared_across_scenarios():
    """prior_spread 0: the day-0 risk to the bit. Spread s: logit(prior) - logit(risk) = s x Z, Z the same
    whatever else differs (its own stream per segment: common random numbers)."""
    raw = _without(load_raw(BASELINE))
    raw["days"] = 5
    plain = CorridorModel(raw, replicates=6, rng=3)
    risk = plain.shipper.prior_risk
    spread = CorridorModel(_learning(load_raw(BASELINE), prior_spread=0.5), replicates=6, rng=3)
    other = CorridorModel(
        _learning(load_raw(BASELINE), prior_spread=0.5, risk_aversion=3.0, inertia=0.5), replicates=6, rng=3
    )
    np.testing.assert_array_equal(spread.shipper.prior_risk, other.shipper.prior_risk)
    p = np.clip(risk, 1e-3, 1 - 1e-3)
    q = spread.shipper.prior_risk
    z = (np.log(q / (1 - q)) - np.log(p / (1 - p))) / 0.5
    assert np.abs(z).max() > 0.1  # not the truth
    # Legs on one segment share its error.
    seg = plain.net.leg_segment
    for s in np.unique(seg):
        np.testing.assert_allclose(z[seg == s], np.broadcast_to(z[seg == s][0], z[seg == s].shape), atol=1e-9)
    # Without the mechanism the prior is exactly the day-0 risk the model computes.
    inspect = plain.segment_now["inspection_probability"][seg]
    np.testing.assert_array_equal(risk, plain.leg_risk + inspect * (1.0 - plain.leg_risk))


def test_a_pessimistic_prior_sends_less_on_that_route_early():
    """Paired replicates: the same scenario with a pessimistic prior on the back roads to Syria sends less there."""
    raw = _without(load_raw(BASELINE))
    raw["days"] = 30

    def sent(pessimistic: bool) -> np.ndarray:
        model = CorridorModel(raw, replicates=16, rng=5, keep_daily=False)
        if pessimistic:
            k = model.net.route_ids.index("land_backroads_syria")
            legs = np.flatnonzero(model.net.leg_route == k)
            prior = model.shipper.prior_risk
            prior[legs] = np.minimum(0.5, prior[legs] * 5 + 0.05)
            model.shipper._prior_risk[...] = kernels.to_chunked(prior)
        s = model.run().summary()
        rows = s[(s.route == "land_backroads_syria") & (s.cargo == "materiel")].sort_values("replicate")
        return rows["dispatched_tons"].to_numpy()

    optimistic, pessimistic = sent(False), sent(True)
    assert (pessimistic <= optimistic + 1e-9).all()
    assert pessimistic.mean() < 0.9 * optimistic.mean()


def test_a_higher_loss_tolerance_keeps_a_lossy_route_longer():
    """One route losing 10% of its loads: dropped at tolerance 0.05, kept at 0.3 (paired replicates)."""

    def sent(tolerance: float) -> np.ndarray:
        raw = _learning(one_route(days=120, leg1_p=0.1), loss_tolerance=tolerance, prior_spread=0, probe_demand_days=0)
        return run_ensemble(raw, 64).summary().sort_values("replicate")["dispatched_tons"].to_numpy()

    low, high = sent(0.05), sent(0.3)
    assert (high >= low - 1e-9).all()
    assert high.mean() > 2 * low.mean()


def test_probes_find_a_route_that_became_safe():
    """Certain loss on the only route from day 1 to day 40, then none: probes bring it back, and without
    them it stays dropped."""
    timeline = {"on": {"lever": "loss", "day": 1, "set": 1}, "off": {"lever": "loss", "day": 40, "set": 0}}

    def delivered_late(probe_days: float) -> np.ndarray:
        raw = _lever_on_leg1(_learning(one_route(days=300), probe_demand_days=probe_days, prior_spread=0), timeline)
        ts = CorridorModel(raw, replicates=8, rng=2).run().timeseries()
        return ts[ts.day >= 250].groupby("replicate")["delivered_tons"].sum().to_numpy()

    assert (delivered_late(0) == 0).all()
    assert (delivered_late(0.5) > 50 * 90).all()  # back to about the full demand of 100 t a day


def test_under_certain_loss_full_dispatch_stops_within_the_documented_days_and_then_only_probes(certain_loss):
    """Every segment lost with certainty from day 1 (docs/ODD.md 7.6, "Certain loss everywhere"): full
    dispatch stops by day 1 + 10, then each route sends at most probe_demand_days days of demand at a time, at
    most 1 + log2((days - stop) / probe_wait_days + 1) times."""
    days, reps = 400, 16
    raw = _learning(load_raw(BASELINE))
    raw["days"] = days
    model = CorridorModel(certain_loss.with_certain_loss(raw), replicates=reps, rng=7).run()
    ts = model.timeseries().astype({"route": str, "cargo": str})
    ts = ts[ts.day >= 1].merge(certain_loss.largest_probe(model), on=["route", "cargo"])
    full = ts[ts.dispatched_tons > ts.probe * (1 + 1e-9)]
    assert full.day.max() <= 1 + 10
    probes = ts[(ts.day > 11) & (ts.dispatched_tons > 0)]
    assert len(probes) > 0
    per_route = probes.groupby(["replicate", "route", "cargo"]).size()
    assert per_route.max() <= 1 + math.log2((days - 1) / LEARNING["probe_wait_days"] + 1)
    assert (ts[ts.day > 1].interdicted_tons.sum()) > 0


def test_certain_loss_sends_less_with_learning_than_without(certain_loss):
    """The helper's measure of cargo sent into certain loss: far less with the mechanisms on."""
    raw = load_raw(BASELINE)
    before = certain_loss.measure(_without({**raw, "days": 200}), reps=8, seed=7).set_index("cargo")
    after = certain_loss.measure(_learning({**raw, "days": 200}), reps=8, seed=7).set_index("cargo")
    assert (after.sent_into_certain_loss < 0.6 * before.sent_into_certain_loss).all()


def test_believed_waits_follow_the_observed_ones_with_a_lag():
    """A route whose queue grows: with rate 1 the believed wait is the observed one; with rate 0.2 it lags below it."""

    def waits(rate: float) -> np.ndarray:
        raw = _learning(one_route(days=25, leg2_capacity=40), wait_learning_rate=rate, loss_tolerance=1.0)
        model = CorridorModel(raw, replicates=2, rng=1).run()
        return model.shipper.believed_wait[0]

    exact, lagging = waits(1.0), waits(0.2)
    assert (exact > 1.0).all()
    assert (lagging < exact).all() and (lagging > 0).all()


def test_cargo_is_conserved_with_every_mechanism_on():
    """Dispatched = delivered + interdicted + in transit + queued, per replicate, route and cargo."""
    raw = _learning(load_raw(BASELINE))
    raw["days"] = 200
    s = run_ensemble(raw, 64).summary()
    np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_compiled_and_plain_python_agree_with_every_mechanism_on(monkeypatch, certain_loss):
    """Probes, tolerance, lagging waits and the drawn prior: compiled and plain Python to the bit."""
    raw = certain_loss.with_certain_loss(_learning(load_raw(BASELINE), probe_wait_days=5))
    raw["days"] = 60
    compiled = CorridorModel(raw, replicates=8, rng=4).run()
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = CorridorModel(raw, replicates=8, rng=4).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.timeseries(), plain.timeseries(), check_exact=True)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("loss_tolerance", 1.5, "not within [0, 1]"),
        ("prior_spread", -0.2, "must not be negative"),
        ("probe_wait_days", 0, "a probe waits a day at least"),
        ("wait_learning_rate", {"dist": "uniform", "low": 0.5, "high": 1.5}, "not within [0, 1]"),
    ],
)
def test_bad_learning_parameters_are_refused_by_key_path(write_yaml, key, value, words):
    raw = load_raw(BASELINE)
    raw["shipper"][key] = value
    path = write_yaml(raw)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert f"shipper.{key}" in message and words in message and str(path.name) in message
