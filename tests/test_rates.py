"""Rates and ratios that analysts read: interdiction rate, cost per delivered ton, share of demand met."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from conftest import one_route
from corridor_sim import outputs, rates
from corridor_sim.model import CorridorModel

LEG_P = (0.02, 0.05, 0.10)
THROUGH = 1 - math.prod(1 - p for p in LEG_P)  # 0.16210: the analytic share of a dispatched ton lost


def three_legs(*, days: int, demand: float = 100.0, payload: float = 10.0) -> dict:
    """origin -> hub -> border -> dest by road, loss probabilities 0.02, 0.05 and 0.10 per vehicle load."""
    raw = one_route(days=days, demand=demand, payload=payload, leg1_p=LEG_P[0], leg2_p=LEG_P[1])
    raw["segments"]["leg2"]["to"] = "border"
    raw["nodes"]["border"] = {"name": "Border", "lat": 34.0, "lon": 41.0, "kind": "hub", "controller": "international"}
    raw["segments"]["leg3"] = {
        "from": "border",
        "to": "dest",
        "mode": "land",
        "transit_days": 1,
        "cost_usd_per_ton": 10,
        "interdiction_probability": LEG_P[2],
    }
    raw["routes"]["road"]["segments"] = ["leg1", "leg2", "leg3"]
    return raw


@pytest.mark.parametrize("days", [10, 30, 365])
def test_interdiction_rate_is_unbiased_while_cargo_is_still_in_transit(days):
    """The reported rate estimates the share of a dispatched ton lost, even with the last cohorts en route."""
    model = CorridorModel(three_legs(days=days), replicates=400, rng=5).run()
    rate = model.summary()["interdiction_rate"].to_numpy()
    assert not np.isnan(rate).any()
    z = (rate.mean() - THROUGH) / (rate.std(ddof=1) / math.sqrt(len(rate)))
    assert abs(z) < 3, f"mean rate {rate.mean():.4f} against {THROUGH:.4f} (z = {z:.1f})"


def test_the_rule_metric_and_sweep_outcomes_use_the_same_interdiction_rate():
    model = CorridorModel(three_legs(days=20), replicates=64, rng=3, flow_window=True).run()
    summary = model.summary()["interdiction_rate"].to_numpy()
    # Within the 30-day window the metric sees every day of the run, so it is the run's rate.
    assert np.allclose(model.metric("interdiction_rate_30d:all"), summary)
    assert np.allclose(model.metric("interdiction_rate_30d:mode:land"), summary)
    assert np.isnan(model.metric("interdiction_rate_30d:mode:air")).all()  # no air route: no rate, no firing

    from corridor_sim.sweep.outcomes import OutcomeLayout, compute_outcomes

    layout = OutcomeLayout.from_spec(model.spec, groups=["interdiction_rate"])
    outcomes = compute_outcomes(model, layout, None)
    assert np.allclose(outcomes["interdiction_rate"], summary)
    assert np.allclose(outcomes["interdiction_rate:mode:land"], summary)


def test_pooled_rate_weights_routes_by_tons_sent_and_skips_routes_without_a_rate():
    rate = np.array([[0.1, 0.4, np.nan], [np.nan, np.nan, np.nan]])
    sent = np.array([[300.0, 100.0, 50.0], [10.0, 0.0, 5.0]])
    pooled = rates.pooled_interdiction_rate(rate, sent)
    assert pooled[0] == pytest.approx((0.1 * 300 + 0.4 * 100) / 400)
    assert np.isnan(pooled[1])


def test_route_rate_is_one_when_everything_is_lost_on_an_early_leg_and_unknown_before_cargo_reaches_a_leg():
    starts = np.array([0, 3])
    entered = np.array([[100.0, 20.0], [0.0, 0.0], [0.0, 0.0]])
    lost = np.array([[100.0, 5.0], [0.0, 0.0], [0.0, 0.0]])
    rate = rates.route_interdiction_rate(entered, lost, starts)[0]
    assert rate[0] == 1.0 and np.isnan(rate[1])


def test_cost_per_delivered_ton_needs_a_vehicle_load_delivered():
    """A route that delivered less than one vehicle load reports no cost per ton, in every table."""
    # 0.5 t a day on 10-t trucks: 4 t delivered in 10 days, less than one load.
    small = CorridorModel(one_route(days=10, demand=0.5), replicates=8, rng=1).run().summary()
    assert (small["delivered_tons"] < small["vehicle_load_tons"]).all() and (small["delivered_tons"] > 0).all()
    assert small["cost_per_delivered_ton"].isna().all()
    assert (outputs.route_table(small)["$ per delivered unit"] == "-").all()
    big = CorridorModel(one_route(days=10, demand=50), replicates=8, rng=1).run().summary()
    assert np.allclose(big["cost_per_delivered_ton"], big["cost_usd"] / big["delivered_tons"])

    from corridor_sim.charts.compare import key_outcomes

    for frame, has_value in ((small, False), (big, True)):
        dest = pd.DataFrame(
            {
                "replicate": [0],
                "destination": ["syria"],
                "cargo": ["materiel"],
                "share_met": [1.0],
                "demand_tons": [1.0],
            }
        )
        out = key_outcomes(frame, dest, scenario="x")
        cost = out[out["outcome"] == "cost_per_delivered_ton"]["value"]
        assert cost.notna().all() == has_value


def test_share_met_is_one_at_zero_demand_in_tables_rules_and_sweeps():
    model = CorridorModel(one_route(days=10, demand=0.0), replicates=4, rng=1).run()
    assert (model.destinations()["share_met"] == 1.0).all()
    assert (model.metric("share_met:syria") == 1.0).all()

    from corridor_sim.sweep.outcomes import OutcomeLayout, compute_outcomes

    layout = OutcomeLayout.from_spec(model.spec, groups=["share_met"])
    outcomes = compute_outcomes(model, layout, None)
    assert (outcomes["share_met"] == 1.0).all() and (outcomes["share_met:syria"] == 1.0).all()
