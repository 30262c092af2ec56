"""Why opening the official al-Qaim crossing helps Iran, mechanism by mechanism.

The FDD article's claim is that an official crossing lets Iran "move greater
volumes of cargo at a lower cost per unit". In the model that must follow
from named mechanisms, not from numbers typed in to produce it. Each test
below removes one advantage of the official crossing over the militia back
roads (giving the official segment the back roads' value) and checks that the
advantage it explains shrinks:

* throughput: the crossing's daily capacity -> more tons by land;
* truck size: full-size trucks on a paved road instead of the 12 t trucks the
  dirt tracks allow -> fewer vehicle-days per ton;
* turnaround: one day across instead of two -> fewer vehicle-days per ton;
* customs fee against the militias' toll and losses: the crossing charges a
  customs fee on top of the toll but loses far less cargo.

And under Baghdad-loyal control (inspections, more US surveillance) the
advantage turns around, where the garrison is loyal and its inspections find
loads: at the other ends of those uncertain ranges it does not
(tests/test_crossing_control.py).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from conftest import BACKROADS_CROSSING, OFFICIAL_CROSSING, crossing_open
from corridor_sim import CorridorModel
from corridor_sim.scenario import validate

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPS, DAYS, SEED = 64, 240, 11
OFFICIAL, BACKROADS = OFFICIAL_CROSSING, BACKROADS_CROSSING
LAND_OFFICIAL, LAND_BACKROADS = "land_official_syria", "land_backroads_syria"


@pytest.fixture(scope="module")
def open_raw():
    """The crossing open from day 0, under militia control, each truck load struck alone (no convoys).

    These mechanisms are those of loads struck one by one (ODD 7.4). With the trucks in convoys
    (ODD 7.4.1) the official crossing's lower losses per ton do not hold at the shipped flows: each
    route's few trucks a day form one convoy, so the bigger trucks no longer mean fewer passages per
    ton, and a targeted strike takes a larger share of the fewer trucks. Under loyal control the
    crossing's inspections act per truck whatever the convoys (ODD 7.4.3): the last test checks that
    side with the shipped convoys.
    """
    raw = crossing_open(DAYS)
    del raw["fleets"]["trucks"]["convoy"]
    return raw


def _run(raw):
    """Summary of a run; every run shares the seed, so differences are the mechanism's."""
    model = CorridorModel(validate(raw), replicates=REPS, rng=SEED, keep_daily=False).run()
    return model.summary()


def _per_delivered_ton(summary, route, column):
    rows = summary[summary.route == route]
    return rows[column].sum() / rows["delivered_tons"].sum()


def _land_delivered(summary):
    """Materiel delivered by land (the baseline's oil, in barrels, is never added to it)."""
    return summary.loc[(summary["mode"] == "land") & (summary["cargo"] == "materiel"), "delivered_tons"].sum()


def _without(raw, **official):
    """The open-crossing scenario with some of the official segment's values replaced."""
    out = copy.deepcopy(raw)
    out["segments"][OFFICIAL].update(official)
    return out


@pytest.fixture(scope="module")
def full(open_raw):
    return _run(open_raw)


@pytest.fixture(scope="module")
def closed(open_raw):
    raw = copy.deepcopy(open_raw)
    raw["actors"]["iraq"]["levers"]["official_crossing_open"]["value"] = 0
    return _run(raw)


def _share_of_gain(without, full, closed):
    """Share of the extra land tonnage from opening the crossing that one mechanism explains."""
    return (_land_delivered(full) - _land_delivered(without)) / (_land_delivered(full) - _land_delivered(closed))


def test_opening_the_crossing_moves_more_by_land_at_lower_cost(full, closed):
    assert _land_delivered(full) > 1.3 * _land_delivered(closed)
    assert _per_delivered_ton(full, LAND_OFFICIAL, "cost_usd") < _per_delivered_ton(full, LAND_BACKROADS, "cost_usd")


def test_cost_parts_add_up_to_cost(full):
    parts = full[["transport_usd", "fees_usd", "losses_usd"]].sum(axis=1)
    np.testing.assert_allclose(parts, full["cost_usd"], rtol=1e-12)


def test_throughput_mechanism_explains_part_of_the_extra_land_tonnage(open_raw, full, closed):
    capped = _run(_without(open_raw, capacity_tons_per_day=open_raw["segments"][BACKROADS]["capacity_tons_per_day"]))
    assert _share_of_gain(capped, full, closed) > 0.1


def test_truck_size_mechanism_lowers_transport_cost_and_raises_tonnage(open_raw, full, closed):
    small_trucks = _run(_without(open_raw, max_payload_tons=open_raw["segments"][BACKROADS]["max_payload_tons"]))
    # 400 USD a truck-day over a 13-day round trip: 25 t vs 12 t trucks differ by ~225 USD per ton.
    rise = _per_delivered_ton(small_trucks, LAND_OFFICIAL, "transport_usd") - _per_delivered_ton(
        full, LAND_OFFICIAL, "transport_usd"
    )
    assert 150 < rise < 350
    assert _share_of_gain(small_trucks, full, closed) > 0.1


def test_turnaround_mechanism_lowers_transport_cost_per_ton(open_raw, full):
    slow = _run(_without(open_raw, transit_days=open_raw["segments"][BACKROADS]["transit_days"]))
    # Two more days of round trip at 400 USD a truck-day over ~25 t: ~32 USD per ton.
    rise = _per_delivered_ton(slow, LAND_OFFICIAL, "transport_usd") - _per_delivered_ton(
        full, LAND_OFFICIAL, "transport_usd"
    )
    assert 15 < rise < 60


def test_customs_fee_is_outweighed_by_lower_losses(open_raw, full, closed):
    official_fees = _per_delivered_ton(full, LAND_OFFICIAL, "fees_usd")
    backroad_fees = _per_delivered_ton(full, LAND_BACKROADS, "fees_usd")
    official_losses = _per_delivered_ton(full, LAND_OFFICIAL, "losses_usd")
    backroad_losses = _per_delivered_ton(full, LAND_BACKROADS, "losses_usd")
    assert official_fees > backroad_fees  # the customs fee comes on top of the militias' toll
    assert backroad_losses - official_losses > official_fees - backroad_fees
    back = open_raw["segments"][BACKROADS]
    exposed = _run(
        _without(
            open_raw,
            interdiction_probability=back["interdiction_probability"],
            cost_usd_per_ton=back["cost_usd_per_ton"],
            fee_usd_per_ton=0,
        )
    )
    assert _per_delivered_ton(exposed, LAND_OFFICIAL, "losses_usd") > official_losses + 500
    assert _share_of_gain(exposed, full, closed) > 0.1


def _expected_cost(raw, route):
    """The shipper's own expected cost per delivered ton on a route after a month, mean over replicates."""
    model = CorridorModel(validate(raw), replicates=REPS, rng=SEED, keep_daily=False)
    model.run_for(30)
    k = model.net.route_ids.index(route)
    return model.shipper.expected_cost[k, 0].mean()


def _loyal_and_thorough(raw):
    """A copy under Baghdad's control by a loyal garrison (share 1) whose inspections (0.6) find most loads (0.9)."""
    baghdad = copy.deepcopy(raw)
    levers = baghdad["actors"]
    levers["iraq"]["levers"]["baghdad_control"]["value"] = 1
    levers["iraq"]["levers"]["garrison_loyal_share"]["value"] = 1
    levers["iraq"]["levers"]["detection_probability"]["value"] = 0.9
    levers["iraq"]["levers"]["inspection_rate"]["value"] = 0.6
    levers["us"]["levers"]["land_surveillance"]["value"] = 0.7
    return baghdad


def test_under_loyal_baghdad_control_the_advantage_turns_around(open_raw, full):
    """A loyal garrison (share 1) whose inspections find most loads (0.9) turns the crossing's advantage around."""
    baghdad = _loyal_and_thorough(open_raw)
    assert _expected_cost(open_raw, LAND_OFFICIAL) < _expected_cost(open_raw, LAND_BACKROADS)
    assert _expected_cost(baghdad, LAND_OFFICIAL) > _expected_cost(baghdad, LAND_BACKROADS)
    held = _run(baghdad)
    assert _land_delivered(held) < 0.8 * _land_delivered(full)
    official = held.loc[held.route.str.startswith("land_official"), "delivered_tons"].sum()
    assert official < 0.1 * _land_delivered(held)


def test_under_loyal_baghdad_control_the_crossing_is_shunned_with_convoys():
    """With the shipped convoys too: loyal inspections, per truck (ODD 7.4.3), cut land tons and empty the crossing.

    The militia-control side of the comparison above needs loads struck one by one; the loyal-control
    side does not, since inspections act on each truck whatever the convoys.
    """
    shipped = crossing_open(DAYS)
    baghdad = _loyal_and_thorough(shipped)
    assert "convoy" in baghdad["fleets"]["trucks"]
    assert _expected_cost(baghdad, LAND_OFFICIAL) > _expected_cost(baghdad, LAND_BACKROADS)
    held = _run(baghdad)
    assert _land_delivered(held) < 0.8 * _land_delivered(_run(shipped))
    official = held.loc[held.route.str.startswith("land_official"), "delivered_tons"].sum()
    assert official < 0.1 * _land_delivered(held)
