"""Mesa's own batch_run drives CorridorModel as Mesa users expect, and agrees with the sweep engine."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from corridor_sim import CorridorModel
from corridor_sim.sweep import load_experiment, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "crossing_open_militia.yaml"
DAYS = 45
RUNS = 40
MODES = ("air", "sea", "land")
pytestmark = pytest.mark.filterwarnings("ignore:.*shortened horizon.*:UserWarning")


@pytest.fixture(scope="module")
def batch() -> pd.DataFrame:
    """batch_run over 40 seeds: one replicate per run, the model's DataCollector at the last step."""
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(
            CorridorModel,
            parameters={"scenario": str(SCENARIO), "days": DAYS, "keep_daily": False},
            rng=list(range(1000, 1000 + RUNS)),
            max_steps=DAYS,
            number_processes=1,
            data_collection_period=-1,
            display_progress=False,
        )
    finally:  # batch_run forces the 'spawn' start method process-wide; leave it as it was
        multiprocessing.set_start_method(method, force=True)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> pd.DataFrame:
    """The sweep engine: one design point (the scenario as it is), 40 replicates."""
    folder = tmp_path_factory.mktemp("batch_vs_sweep")
    data = {
        "name": "batch_vs_sweep",
        "scenario": str(SCENARIO),
        "seed": 77,
        "replicates": RUNS,
        "days": DAYS,
        "cargo": "materiel",  # what batch_run's delivered_<mode> columns count
        "parameters": {"actors.us.levers.land_surveillance": [0.3]},  # the scenario's own value
        "outcomes": ["delivered_by_mode", "interdicted"],
    }
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    run_sweep(load_experiment(path), folder / "out", workers=1, progress=False)
    return pd.read_parquet(folder / "out" / "outcomes")


def test_batch_run_gives_one_row_per_seed_with_tons_by_mode(batch):
    assert len(batch) == RUNS
    assert (batch["Step"] == DAYS).all() or (batch["Step"] == DAYS - 1).all()
    for quantity in ("dispatched", "delivered", "interdicted"):
        for mode in MODES:
            column = f"{quantity}_{mode}"
            assert column in batch.columns
            assert (batch[column] >= 0).all()
    assert (batch["dispatched_land"] >= batch["delivered_land"]).all()
    assert batch["delivered_air"].nunique() > 1, "different seeds give different runs"


def test_batch_run_row_equals_a_direct_single_replicate_run(batch):
    row = batch.iloc[3]
    model = CorridorModel(SCENARIO, rng=int(row["rng"]), days=DAYS, keep_daily=False).run()
    land = model.summary().query("mode == 'land' and cargo == 'materiel'")["delivered_tons"].sum()
    assert row["delivered_land"] == pytest.approx(land)


def test_batch_run_and_sweep_engine_agree_in_distribution(batch, sweep):
    """Two-sample Kolmogorov-Smirnov tests on tons delivered by mode: same model, same distribution."""
    assert len(sweep) == RUNS
    for mode in MODES:
        a = batch[f"delivered_{mode}"].to_numpy(float)
        b = sweep[f"delivered_tons:mode:{mode}"].to_numpy(float)
        if np.all(a == a[0]) and np.all(b == b[0]):
            assert a[0] == pytest.approx(b[0])
            continue
        result = stats.ks_2samp(a, b)
        assert result.pvalue > 0.001, (mode, result, a.mean(), b.mean())
    lost = stats.mannwhitneyu(batch["interdicted_land"], sweep["interdicted_tons:mode:land"])
    assert lost.pvalue > 0.001


def test_a_changed_lever_is_detected_by_the_same_test(batch):
    """The test has power: a different policy gives a different distribution of land deliveries."""
    closed = CorridorModel(SCENARIO, replicates=RUNS, rng=5, days=DAYS, keep_daily=False, militias_backroads_open=0)
    summary = closed.run().summary()
    summary = summary[summary["cargo"] == "materiel"]  # delivered_land counts the first cargo class
    land = summary[summary["mode"] == "land"].groupby("replicate")["delivered_tons"].sum().to_numpy()
    assert stats.ks_2samp(batch["delivered_land"], land).pvalue < 0.001
