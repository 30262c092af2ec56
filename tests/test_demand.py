"""Demand that means something (docs/ODD.md 7.2): demand by phase, lost cargo replaced only in part.

A destination's demand for a cargo class may be a list of phases (each from a day or date, with a
value that may be drawn per replicate and a basis); the day's demand is the phase in force. A share
``cargo.<id>.replacement_share`` of the cargo lost is demanded again, the rest written off. Raising
demand never lowers the mean dispatch (paired replicates).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE, one_route, run_ensemble
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_raw, load_scenario

STOCK = ["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]


def _phased(raw, *phases):
    """The one-route scenario's demand as phases (start, value): start a day (int) or a date (str)."""
    raw["destinations"]["syria"]["demand"]["materiel"] = [
        {("day" if isinstance(start, int) else "date"): start, "value": value, "basis": "assumption: a test"}
        for start, value in phases
    ]
    return raw


def test_the_phase_in_force_sets_the_days_demand():
    """Phases from day 0, day 10 and a date: each day's demand row is its phase's value, and so the total."""
    raw = _phased(one_route(days=40), (0, 100.0), (10, 50.0), ("2019-01-31", 20.0))  # the date is day 30
    model = CorridorModel(raw, replicates=3, rng=1).run()
    rows = model.bands()
    demand = rows[(rows["kind"] == "destination") & (rows["quantity"] == "demand_tons")].sort_values("day")
    expected = np.r_[np.full(10, 100.0), np.full(20, 50.0), np.full(10, 20.0)]
    np.testing.assert_array_equal(demand["median"].to_numpy(), expected)
    np.testing.assert_array_equal(model.destinations()["demand_tons"], expected.sum())


def test_a_phase_drawn_per_replicate_keeps_its_draws_when_another_phase_changes():
    """A phase's distribution is drawn once per replicate on its own stream: changing a later phase keeps its draws."""
    first = {"dist": "uniform", "low": 50.0, "high": 150.0}
    a = run_ensemble(_phased(one_route(days=20), (0, first), (10, 10.0)), 64).destinations()["demand_tons"]
    b = run_ensemble(_phased(one_route(days=20), (0, first), (10, 90.0)), 64).destinations()["demand_tons"]
    assert a.nunique() == 64  # drawn per replicate
    np.testing.assert_allclose(b - a, 800.0)  # the first ten days' draws are shared; the last ten differ by 80 a day


def test_a_single_phase_is_the_plain_amount():
    """Demand given as one phase from day 0 runs exactly as the same plain amount (and the same draws)."""
    amount = {"dist": "uniform", "low": 50.0, "high": 150.0}
    raw = one_route(days=30, demand=amount, leg1_p=0.2)
    plain = run_ensemble(raw, 64)
    phased = run_ensemble(_phased(copy.deepcopy(raw), (0, amount)), 64)
    # The phase's draws come from its own stream (key path ...materiel.0.value): same totals in distribution,
    # not replicate by replicate; a fixed amount gives identical runs.
    fixed = one_route(days=30, demand=80.0, leg1_p=0.2)
    pd.testing.assert_frame_equal(
        run_ensemble(fixed, 64).summary(), run_ensemble(_phased(fixed, (0, 80.0)), 64).summary(), check_exact=True
    )
    assert plain.destinations()["demand_tons"].mean() == pytest.approx(
        phased.destinations()["demand_tons"].mean(), rel=0.1
    )


@pytest.mark.parametrize(
    ("phases", "key_path", "words"),
    [
        ([(3, 10.0)], "destinations.syria.demand.materiel.0.day", "must start on day 0"),
        ([(0, 10.0), (5, 1.0), (5, 2.0)], "destinations.syria.demand.materiel.2.day", "in order"),
        ([(0, 10.0), ("2018-12-01", 2.0)], "destinations.syria.demand.materiel.1.date", "in order"),
        ([(0, -1.0)], "destinations.syria.demand.materiel.0.value", "must not be negative"),
    ],
)
def test_bad_phases_are_refused_with_their_key_path(phases, key_path, words):
    """Phases out of order, a first phase after day 0 or a negative value: the message names the key path."""
    with pytest.raises(ScenarioError) as err:
        load_scenario(_phased(one_route(), *phases))
    assert f"{key_path}: " in str(err.value) and words in str(err.value)


def test_a_phase_needs_a_basis_and_one_start():
    """A phase with no basis, or with both a day and a date, is refused at its key path."""
    raw = one_route()
    raw["destinations"]["syria"]["demand"]["materiel"] = [{"day": 0, "value": 10.0}]
    with pytest.raises(ScenarioError, match=r"destinations\.syria\.demand\.materiel\.0\.basis: required"):
        load_scenario(raw)
    raw["destinations"]["syria"]["demand"]["materiel"] = [{"day": 0, "date": "2019-01-01", "value": 1.0, "basis": "x"}]
    with pytest.raises(ScenarioError, match=r"materiel\.0: give exactly one of 'day' or 'date'"):
        load_scenario(raw)
    raw["destinations"]["syria"]["demand"]["materiel"] = []
    with pytest.raises(ScenarioError, match=r"materiel: give at least one phase"):
        load_scenario(raw)


def test_a_replacement_share_outside_0_1_is_refused():
    raw = one_route()
    raw["cargo"]["materiel"]["replacement_share"] = {"dist": "uniform", "low": 0.5, "high": 1.2}
    with pytest.raises(ScenarioError, match=r"cargo\.materiel\.replacement_share: uniform .* not within \[0, 1\]"):
        load_scenario(raw)


def _sent(share, leg1_p=0.3, days=60):
    raw = one_route(days=days, leg1_p=leg1_p)
    raw["cargo"]["materiel"]["replacement_share"] = share
    return run_ensemble(raw, 200).summary()


def test_with_no_lost_cargo_replaced_each_ton_of_demand_is_sent_once():
    """Share 0: every ton lost is written off, so the shipper sends exactly the demand (ample trucks)."""
    s = _sent(0.0)
    np.testing.assert_allclose(s["dispatched_tons"], 60 * 100.0, rtol=1e-9)
    assert (s["interdicted_tons"] > 0).all()


def test_replacing_more_of_the_lost_cargo_sends_more():
    """Share 0 < 0.5 < 1 of lost cargo demanded again: more dispatched in every replicate (paired), more lost."""
    none, half, all_ = _sent(0.0), _sent(0.5), _sent(1.0)
    assert (none["dispatched_tons"] < half["dispatched_tons"]).all()
    assert (half["dispatched_tons"] < all_["dispatched_tons"]).all()
    assert none["interdicted_tons"].mean() < half["interdicted_tons"].mean() < all_["interdicted_tons"].mean()


def test_a_replacement_share_of_one_is_todays_model():
    """Share 1 (the default) gives exactly the run without the key: lost cargo is all demanded again."""
    raw = one_route(days=40, leg1_p=0.3)
    with_key = copy.deepcopy(raw)
    with_key["cargo"]["materiel"]["replacement_share"] = 1.0
    pd.testing.assert_frame_equal(
        run_ensemble(raw, 64).summary(), run_ensemble(with_key, 64).summary(), check_exact=True
    )


def test_conservation_per_cargo_at_every_step_with_phases_and_write_offs():
    """Dispatched = delivered + lost + in transit + queued or stored, per route and cargo, every 15 days."""
    raw = load_raw(BASELINE)
    raw["days"] = 120
    raw["cargo"]["materiel"]["replacement_share"] = {"dist": "uniform", "low": 0.0, "high": 1.0}
    raw["cargo"]["oil"]["replacement_share"] = 0.3
    raw["destinations"]["lebanon"]["demand"]["materiel"] = [
        {"day": 0, "value": 30.0, "basis": "assumption: a test"},
        {"day": 40, "value": {"dist": "uniform", "low": 50, "high": 200}, "basis": "assumption: a test"},
    ]
    model = CorridorModel(raw, replicates=40, rng=5, keep_daily=False)
    for _ in range(8):
        model.run_for(15)
        s = model.summary()
        np.testing.assert_allclose(s["dispatched_tons"], s[STOCK].sum(axis=1), rtol=1e-9, atol=1e-6)


def test_compiled_and_plain_python_agree_with_phases_and_write_offs(monkeypatch):
    raw = _phased(one_route(days=40, leg1_p=0.25), (0, {"dist": "uniform", "low": 50, "high": 150}), (20, 30.0))
    raw["cargo"]["materiel"]["replacement_share"] = {"dist": "uniform", "low": 0.0, "high": 1.0}
    compiled = CorridorModel(raw, replicates=8, rng=4).run()
    monkeypatch.setattr(CorridorModel, "SMALL_RUN", 10**9)
    plain = CorridorModel(raw, replicates=8, rng=4).run()
    pd.testing.assert_frame_equal(compiled.summary(), plain.summary(), check_exact=True)
    pd.testing.assert_frame_equal(compiled.destinations(), plain.destinations(), check_exact=True)


def _scaled(raw, factor):
    """Every destination's demand (plain, drawn or phased) times ``factor``."""
    raw = copy.deepcopy(raw)

    def times(value):
        if isinstance(value, dict):  # a distribution; a calibrated sample scales each of its values
            scaled = {k: v * factor if k in ("low", "mode", "high", "median") else v for k, v in value.items()}
            return {**scaled, "values": [v * factor for v in value["values"]]} if "values" in value else scaled
        return value * factor

    for dest in raw["destinations"].values():
        for cargo, amount in dest["demand"].items():
            if isinstance(amount, list):
                dest["demand"][cargo] = [{**phase, "value": times(phase["value"])} for phase in amount]
            else:
                dest["demand"][cargo] = times(amount)
    return raw


def test_doubling_demand_never_lowers_mean_dispatch():
    """The shipped baseline, demand x1 and x2 on the same seed: the mean total dispatched per cargo class rises.

    Paired per replicate: the 95% interval of the mean difference lies above 0. Single replicates may
    send less (ODD 7.2, "Raising demand and what is sent"); the mean must not.
    """
    raw = load_raw(BASELINE)
    raw["days"] = 365

    def sent(r):
        s = run_ensemble(r, 128).summary()
        return s.groupby(["cargo", "replicate"], observed=True)["dispatched_tons"].sum()

    difference = sent(_scaled(raw, 2.0)) - sent(raw)
    for cargo, d in difference.groupby(level="cargo", observed=True):
        assert d.mean() - 1.96 * d.std(ddof=1) / np.sqrt(len(d)) > 0, cargo


def test_every_shipped_demand_phase_names_its_basis():
    """Each phase of a shipped scenario's demand is an assumption or cites docs/sources.md."""
    for path in sorted(BASELINE.parent.glob("*.yaml")):
        for did, dest in load_scenario(path).destinations.items():
            for cargo, amount in dest.demand.items():
                assert isinstance(amount, list), (path.name, did, cargo)
                for phase in amount:
                    assert phase.basis.startswith("assumption:") or "sources.md" in phase.basis, (did, cargo)
