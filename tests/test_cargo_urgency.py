"""A cargo class's own urgency (cargo.<id>.urgency_usd_per_ton_day): the holding cost that ranks its routes.

Oil has its own (docs/ODD.md 7.5 and 7.7.2); a class without one pays the shipper's, per payload ton.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import BASELINE

from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_raw, load_scenario

REPS, DAYS, SEED = 48, 240, 5
LAND, AFRICA = ["oil_land_trucks"], ["oil_vlcc_africa", "oil_small_africa"]
SUEZ = ["oil_vlcc_suez", "oil_small_suez"]
OIL_URGENCY = "cargo.oil.urgency_usd_per_ton_day"


def _summary(overrides: dict) -> pd.DataFrame:
    spec = load_scenario(BASELINE, overrides=overrides)
    return CorridorModel(spec, replicates=REPS, rng=SEED, days=DAYS).run().summary()


def _oil(summary: pd.DataFrame, routes: list[str]) -> np.ndarray:
    rows = summary[(summary["cargo"] == "oil") & summary["route"].isin(routes)]
    return rows.groupby("replicate")["delivered_tons"].sum().to_numpy()


def test_a_class_given_the_shippers_urgency_runs_as_without_its_own():
    """materiel's own urgency of 100 a ton (payload factor 1) is exactly the shipper's 100 per payload ton."""
    raw = load_raw(BASELINE)
    raw["cargo"]["materiel"]["urgency_usd_per_ton_day"] = 100
    own = CorridorModel(load_scenario(raw), replicates=REPS, rng=SEED, days=DAYS).run().summary()
    pd.testing.assert_frame_equal(_summary({}), own)


def test_a_more_urgent_oil_takes_the_quicker_routes_and_leaves_materiel_alone():
    """Canal denied: more urgency moves oil from the 49-day voyage round Africa to the trucks through Iraq."""
    calm = _summary({OIL_URGENCY: 0.01})
    urgent = _summary({OIL_URGENCY: 3.0})
    assert (_oil(urgent, LAND) >= _oil(calm, LAND)).mean() > 0.9
    # With Syria's calibrated oil need (79,000-156,000 barrels a day, 5-95%) the calm shipper already
    # fills trucks in many replicates: urgency adds about a third on average.
    assert _oil(urgent, LAND).mean() > 1.2 * _oil(calm, LAND).mean()
    assert _oil(urgent, AFRICA).mean() < _oil(calm, AFRICA).mean()
    materiel = [s[s["cargo"] == "materiel"].reset_index(drop=True) for s in (calm, urgent)]
    pd.testing.assert_frame_equal(*materiel)


def test_with_the_canal_open_oil_goes_by_sea_through_suez_not_by_truck():
    """Priced per barrel, a tanker through Suez beats a tanker truck; the trucks carry oil when the canal is shut."""
    shut = _summary({})
    open_canal = _summary({"egypt_suez_tanker_restriction": 0.0})
    assert _oil(open_canal, SUEZ).mean() > 2 * _oil(open_canal, LAND).mean()
    # With the calibrated (higher) oil need, some replicates overflow the Suez tankers onto trucks even
    # with the canal open; closing it still more than doubles the trucked oil.
    assert _oil(shut, LAND).mean() > 2 * _oil(open_canal, LAND).mean()


def test_a_negative_urgency_is_refused_with_its_key_path():
    with pytest.raises(ScenarioError, match=r"cargo\.oil\.urgency_usd_per_ton_day.*negative"):
        load_scenario(BASELINE, overrides={OIL_URGENCY: -1})
