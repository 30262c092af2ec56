"""Actors' behaviour: adaptive interdiction effort, lever costs, and separate cargo classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corridor_sim import CorridorModel
from corridor_sim.actors import PolicyActor
from corridor_sim.scenario import load_raw, validate

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _us(model: CorridorModel) -> PolicyActor:
    return next(a for a in model.policy_actors if a.actor_id == "us")


def test_adaptive_interdiction_follows_displaced_traffic():
    """Close one sea route and ships take the other; US maritime effort follows them (balloon effect)."""
    raw = load_raw(SCENARIOS / "baseline.yaml")
    raw["days"] = 200

    def run(closed_segment):
        variant = validate(
            {
                **raw,
                "segments": {
                    **raw["segments"],
                    closed_segment: {**raw["segments"][closed_segment], "capacity_tons_per_day": 0.0},
                },
            }
        )
        return CorridorModel(variant, replicates=32, rng=5, keep_daily=False).run()

    suez_closed, africa_closed = run("suez_canal"), run("sea_hormuz_cape")

    def africa_effort(model):
        lever = model.levers.index("us.maritime_interdiction")
        slots = model.effect_slots[lever]
        africa = [
            i
            for i, (on_nodes, seg) in enumerate(slots)
            if not on_nodes and model.net.segment_ids[seg] in ("sea_hormuz_cape", "sea_gibraltar_tartus")
        ]
        return _us(model).allocation[lever][africa].sum(axis=0).mean()

    def dispatched(model, prefix):
        s = model.summary()
        return s.loc[s.route.str.startswith(prefix), "dispatched_tons"].sum()

    assert dispatched(suez_closed, "sea_suez") == 0 < dispatched(suez_closed, "sea_africa")
    assert dispatched(africa_closed, "sea_africa") == 0 < dispatched(africa_closed, "sea_suez")
    assert africa_effort(suez_closed) > africa_effort(africa_closed) + 0.3


def test_lever_money_cost_is_value_times_daily_cost():
    """An actor without a budget pays cost_usd_per_day x lever value for every day of the run."""
    model = CorridorModel(None, replicates=3, rng=1, days=20).run()
    costs = model.actor_costs()
    spec = model.spec.actors["gulf"]
    assert spec.budget is None
    lever = spec.levers["maritime_patrols"]
    expected = 20 * lever.cost_usd_per_day * lever.value
    got = costs.loc[costs.actor == "gulf", "lever_cost_usd"].to_numpy()
    np.testing.assert_allclose(got, expected)


def test_cargo_classes_are_accounted_separately():
    """Crude oil goes only by sea and personnel only by air; neither is mixed into materiel's totals."""
    raw = load_raw(SCENARIOS / "baseline.yaml")
    raw["days"] = 120
    # The baseline's own oil (ODD 7.7.2) set aside: this test builds its classes on the materiel routes.
    del raw["cargo"]["oil"], raw["destinations"]["syria"]["demand"]["oil"]
    raw["routes"] = {rid: r for rid, r in raw["routes"].items() if r.get("cargo") != ["oil"]}
    raw["cargo"]["crude_oil"] = {"unit": "tons", "value_usd_per_ton": 400, "reservation_cost_usd_per_ton": 5000}
    raw["cargo"]["personnel"] = {"unit": "persons", "value_usd_per_ton": 0, "payload_factor": 8}
    raw["destinations"]["syria"]["demand"].update({"crude_oil": 500, "personnel": 20})
    for rid, route in raw["routes"].items():
        route["cargo"] = (
            ["materiel"]
            + (["crude_oil"] if rid.startswith("sea") else [])
            + (["personnel"] if rid.startswith("air") else [])
        )
    model = CorridorModel(validate(raw), replicates=4, rng=2).run()
    summary = model.summary()
    oil = summary[summary.cargo == "crude_oil"]
    people = summary[summary.cargo == "personnel"]
    assert oil.loc[oil["mode"] != "sea", "dispatched_tons"].sum() == 0
    assert oil["delivered_tons"].sum() > 0
    assert people.loc[people["mode"] != "air", "dispatched_tons"].sum() == 0
    assert people["delivered_tons"].sum() > 0
    dest = model.destinations()
    assert set(dest.cargo) == {"materiel", "crude_oil", "personnel"}
    lebanon = dest[dest.destination == "lebanon"]
    assert lebanon.loc[lebanon.cargo != "materiel", "demand_tons"].sum() == 0
    # Per cargo class, each day's books balance on their own.
    ts = model.timeseries()
    for cargo, rows in ts.groupby("cargo", observed=True):
        last = rows[rows.day == rows.day.max()]
        totals = rows.groupby(["replicate", "route"], observed=True)[
            ["dispatched_tons", "delivered_tons", "interdicted_tons"]
        ].sum()
        end = last.set_index(["replicate", "route"])[["in_transit_tons", "queued_tons"]]
        balance = (
            totals["dispatched_tons"]
            - totals["delivered_tons"]
            - totals["interdicted_tons"]
            - end["in_transit_tons"]
            - end["queued_tons"]
        )
        np.testing.assert_allclose(balance, 0.0, atol=1e-6, err_msg=str(cargo))


def test_the_shippers_believed_leg_risk_starts_at_its_prior_and_learns_from_losses():
    """Day 0: the prior (the legs' risk then). After a run: the losses seen, leg by leg, near the true risk."""
    from conftest import one_route

    model = CorridorModel(one_route(days=200, demand=200.0, leg1_p=0.3), replicates=64, rng=3, keep_daily=False)
    np.testing.assert_allclose(model.shipper.believed_leg_risk(), model.shipper.prior_risk)
    model.run()
    believed = model.shipper.believed_leg_risk()
    sent, lost = model.shipper.sent_loads, model.shipper.lost_loads
    assert (sent[0] > 100).all()  # leg 1 carried many loads: the prior weighs little
    assert abs(believed[0].mean() - 0.3) < 0.02
    assert (believed[1] < 0.01).all() and (lost[1] == 0).all()  # leg 2 is safe and seen to be
