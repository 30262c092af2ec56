"""Who holds the al-Qaim crossing, as a mechanism (ODD 7.7.1).

Control of the official crossing is a lever, ``iraq.baghdad_control``; what it does depends on
uncertain parameters drawn per replicate: the share of the garrison loyal to Baghdad
(``iraq.garrison_loyal_share``: PMF units under Baghdad's flag may answer to Kataib Hezbollah),
the chance that an inspection finds materiel (``iraq.detection_probability``), and how far the
militias grow their informal crossing when a loyal garrison shuts them out of the official one
(``militias.informal_crossing_growth``). Each test pins those parameters and checks the direction
the mechanism gives, so the direction of "Baghdad-loyal control" is an outcome of them.
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


@pytest.fixture(scope="module")
def open_raw():
    """The crossing open from day 0 under militia control, inspections at the scenario's later 0.6."""
    raw = crossing_open(DAYS)
    raw["actors"]["iraq"]["levers"]["inspection_rate"]["value"] = 0.6
    # Control's effects here are a fraction of a percent of land tons: the deciding actors' own draws
    # (ODD 7.8-7.9) move them by as much, so the mechanism is checked with the actors' scripts alone.
    for actor in raw["actors"].values():
        actor.pop("budget", None)
        actor.pop("decision", None)
    for lever in raw["actors"]["militias"]["levers"].values():
        lever.pop("response", None)  # ODD 7.7.1's mechanism on its own: the militias' levers held (ODD 7.16)
    return raw


def _with(raw, **levers):
    """A copy with lever start values set, by ``actor__lever`` keyword."""
    out = copy.deepcopy(raw)
    for name, value in levers.items():
        actor, lever = name.split("__")
        out["actors"][actor]["levers"][lever]["value"] = value
    return out


def _model(raw, *, run=True):
    """A model of the scenario, run to its horizon, or (run=False) with only its day-0 attributes."""
    model = CorridorModel(validate(raw), replicates=REPS, rng=SEED, keep_daily=False)
    return model.run() if run else model


def _segment(model, attribute, segment):
    return model.segment_now[attribute][model.net.segment_ids.index(segment)]


def _land(model, prefix="land_"):
    summary = model.summary()
    return summary.loc[summary.route.str.startswith(prefix), "delivered_tons"].sum()


def _control_effect(raw, prefix="land_", **levers):
    """Land tons delivered under Baghdad-loyal control minus under militia control (same draws)."""
    held = _land(_model(_with(raw, iraq__baghdad_control=1, **levers)), prefix)
    militia = _land(_model(_with(raw, iraq__baghdad_control=0, **levers)), prefix)
    return held - militia, militia


def test_a_loyal_garrison_that_finds_loads_cuts_land_deliveries(open_raw):
    """Loyal share 1, detection 0.9: Baghdad-loyal control cuts land tons, most of all through the crossing."""
    params = {"iraq__garrison_loyal_share": 1, "iraq__detection_probability": 0.9}
    official, official_militia = _control_effect(open_raw, "land_official", **params)
    land, land_militia = _control_effect(open_raw, **params)
    assert official < -0.5 * official_militia
    assert land < -0.1 * land_militia


def test_a_compromised_garrison_changes_nothing(open_raw):
    """Loyal share 0 and no US pressure: every inspection is spoilt and the toll stays, so control is moot."""
    params = {"iraq__garrison_loyal_share": 0, "iraq__detection_probability": 0.9, "us__pressure_on_baghdad": 0}
    held = _model(_with(open_raw, iraq__baghdad_control=1, **params), run=False)
    militia = _model(_with(open_raw, iraq__baghdad_control=0, **params), run=False)
    for attribute in ("interdiction_probability", "inspection_probability", "fee_usd_per_ton"):
        np.testing.assert_array_equal(_segment(held, attribute, OFFICIAL), _segment(militia, attribute, OFFICIAL))
    np.testing.assert_array_equal(
        _segment(held, "capacity_tons_per_day", BACKROADS), _segment(militia, "capacity_tons_per_day", BACKROADS)
    )


def test_a_loyal_garrison_that_finds_nothing_does_not_cut_land_deliveries(open_raw):
    """Loyal share 1, detection 0: the toll goes and nothing is seized, so control costs the land bridge nothing.

    The toll's removal is worth about as much as the runs' noise (within +-1.5% of land tons over seeds
    11-14, either sign), against the cut of more than 10% when the same garrison finds loads (above).
    """
    land, militia = _control_effect(open_raw, iraq__garrison_loyal_share=1, iraq__detection_probability=0)
    assert land > -0.03 * militia


def test_the_toll_at_the_crossing_falls_with_control_times_loyalty(open_raw):
    """Fee at the crossing = customs + toll x (1 - control x loyal share), on the back roads the toll alone."""
    toll, customs = 60.0, open_raw["segments"][OFFICIAL]["fee_usd_per_ton"]
    for control, loyal in [(0, 0.7), (1, 0), (1, 0.4), (1, 1)]:
        model = _model(
            _with(
                open_raw,
                iraq__baghdad_control=control,
                iraq__garrison_loyal_share=loyal,
                militias__toll_usd_per_ton=toll,
            ),
            run=False,
        )
        np.testing.assert_allclose(_segment(model, "fee_usd_per_ton", OFFICIAL), customs + toll * (1 - control * loyal))
        np.testing.assert_allclose(_segment(model, "fee_usd_per_ton", BACKROADS), toll)


def test_inspection_hazard_is_inspected_times_loyal_times_found(open_raw):
    """Without US pressure, the crossing's seizure chance per truck is inspection x loyalty x detection."""
    params = {"us__land_surveillance": 0, "us__pressure_on_baghdad": 0, "iraq__inspection_rate": 0.5}
    for control, loyal, found in [(0, 1, 0.8), (1, 0.5, 0.8), (1, 1, 0.2)]:
        raw = _with(
            open_raw,
            iraq__baghdad_control=control,
            iraq__garrison_loyal_share=loyal,
            iraq__detection_probability=found,
            **params,
        )
        risk = _segment(_model(raw, run=False), "inspection_probability", OFFICIAL)
        np.testing.assert_allclose(risk, control * 0.5 * loyal * found)


def test_us_pressure_raises_the_hazard_only_where_loyalty_is_divided(open_raw):
    """Vetting under US pressure turns some spoilt inspections into real ones: more hazard when loyalty < 1."""

    def risk(pressure, loyal):
        raw = _with(
            open_raw,
            iraq__baghdad_control=1,
            iraq__garrison_loyal_share=loyal,
            us__pressure_on_baghdad=pressure,
            us__land_surveillance=0,
        )
        return _segment(_model(raw, run=False), "inspection_probability", OFFICIAL)

    assert np.all(risk(1, 0.3) >= risk(0, 0.3)) and np.mean(risk(1, 0.3) - risk(0, 0.3)) > 0.01
    np.testing.assert_allclose(risk(1, 1), risk(0, 1))


def test_militias_grow_the_back_roads_when_a_loyal_garrison_shuts_them_out(open_raw):
    """Back-road capacity x (1 + growth x control x loyal share); unchanged under militia control."""

    def capacity(control, loyal, growth):
        raw = _with(
            open_raw,
            iraq__baghdad_control=control,
            iraq__garrison_loyal_share=loyal,
            militias__informal_crossing_growth=growth,
        )
        return _segment(_model(raw, run=False), "capacity_tons_per_day", BACKROADS)

    base = capacity(0, 1, 0.8)
    np.testing.assert_allclose(capacity(1, 1, 0.8), base * 1.8)
    np.testing.assert_allclose(capacity(1, 0.5, 0.8), base * 1.4)
    np.testing.assert_allclose(capacity(1, 0, 0.8), base)
