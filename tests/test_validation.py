"""validation.py: each declared pattern's model figure, and the verdict beside the observation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor_sim.model import CorridorModel
from corridor_sim.patterns import load_patterns
from corridor_sim.scenario import load_scenario
from corridor_sim.validation import FIGURES, verdict, window_totals


def test_every_declared_pattern_has_a_figure_or_says_why_not():
    patterns = load_patterns()
    assert set(FIGURES) == set(patterns)
    for pid, figure in FIGURES.items():
        assert (figure.compute is None) == bool(figure.not_measured), pid


def test_verdict_is_a_hit_only_when_the_band_overlaps_the_observed_range():
    pattern = load_patterns()["cargo_flights_2018"]  # observed 3.0 - 4.2 a week
    inside = verdict("p", pattern, np.linspace(3.5, 3.9, 101))
    assert inside.hit and inside.p5 == pytest.approx(3.52)
    above = verdict("p", pattern, np.linspace(5.0, 6.0, 101))
    assert above.hit is False and above.median == pytest.approx(5.5)
    assert verdict("p", pattern, None).hit is None
    assert verdict("p", pattern, np.array([np.nan])).hit is False


@pytest.fixture(scope="module")
def run():
    spec = load_scenario("scenarios/baseline.yaml", days=150)
    return CorridorModel(spec, replicates=16, rng=5).run()


def test_figures_from_a_run_are_one_value_per_replicate_in_their_units(run):
    flights = FIGURES["cargo_flights_2018"].compute(run)
    assert flights.shape == (16,) and np.all(flights > 0)
    s = run.summary()
    air = s[s["mode"] == "air"]
    loads = (air["dispatched_tons"] / air["vehicle_load_tons"]).groupby(air["replicate"]).sum()
    assert flights == pytest.approx((loads / (150 / 7)).to_numpy())
    share = FIGURES["grace_1_round_africa"].compute(run)
    assert np.all((share >= 0) & (share <= 1))
    met = FIGURES["syria_fuel_shortage_spring_2019"].compute(run)
    assert np.all((met >= 0) & (met <= 1))


def test_store_strikes_are_counted_per_airport_and_scaled_to_21_months(run):
    table = run.store_strikes()
    assert set(table["node"]) == {"t4", "damascus_airport"} and len(table) == 2 * 16
    assert (table["strikes"] >= 0).all() and table["strikes"].sum() > 0
    scaled = FIGURES["airport_store_strikes"].compute(run)
    counts = table[table["node"] == "damascus_airport"]["strikes"].to_numpy()
    assert scaled == pytest.approx(counts * 639 / 150)


def test_a_window_is_the_runs_flows_between_two_dates():
    """Window totals equal the daily series summed over the window's days (same seed)."""
    spec = load_scenario("scenarios/baseline.yaml", days=150)
    window = window_totals(CorridorModel(spec, replicates=8, rng=4, keep_bands=False), "2019-04-01", "2019-04-30")
    assert window.days == 30
    daily = CorridorModel(spec, replicates=8, rng=4).run().timeseries()
    dates = pd.to_datetime(daily["date"])
    april = daily[(dates >= "2019-04-01") & (dates <= "2019-04-30")]
    expected = april.groupby(["replicate", "route", "cargo"], observed=True)["dispatched_tons"].sum()
    got = window.summary.set_index(["replicate", "route", "cargo"])["dispatched_tons"]
    assert got.loc[expected.index].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9, abs=1e-6)
    trucks = FIGURES["oil_by_tanker_truck_spring_2019"].compute(window)
    assert trucks.shape == (8,) and np.all(trucks >= 0)
