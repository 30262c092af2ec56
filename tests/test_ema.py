"""The EMA Workbench adapter: corridor_sim as an EMA model with uncertainties, levers and outcomes."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridor_sim.ema import ema_model, ema_name, run_corridor
from corridor_sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "crossing_open_militia.yaml"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # ema_workbench warns that optional ipyparallel is missing
    from ema_workbench import SequentialEvaluator, perform_experiments


def test_ema_names_are_identifiers():
    assert ema_name("actors.us.levers.land_surveillance") == "actors_us_levers_land_surveillance"
    assert ema_name("delivered_tons:mode:land") == "delivered_tons_mode_land"
    assert ema_name("7days").isidentifier()


def test_run_corridor_returns_means_of_outcome_columns_and_is_reproducible():
    kw = {"scenario": SCENARIO, "replicates": 3, "seed": 2, "days": 20, "cargo": "materiel"}  # one class
    a = run_corridor(**kw, **{"actors.us.levers.land_surveillance": 0.9})
    b = run_corridor(**kw, us_land_surveillance=0.9)
    assert pd.Series(a).equals(pd.Series(b))  # NaN where undefined, in the same places
    assert {"delivered_tons", "delivered_tons:mode:land", "share_met:syria", "land_overtakes_air_day"} <= set(a)
    # 20 days end inside the warm-up: land overtakes air in no replicate, and the day is undefined, not a number
    assert a["land_overtakes_air"] == 0.0 and math.isnan(a["land_overtakes_air_day"])
    assert a["delivered_tons"] == pytest.approx(
        a["delivered_tons:mode:air"] + a["delivered_tons:mode:sea"] + a["delivered_tons:mode:land"]
    )


def test_perform_experiments_over_uncertainties_and_levers():
    model = ema_model(
        scenario=SCENARIO,
        uncertainties={"fleets.trucks.count": (80, 160)},
        levers={"actors.us.levers.land_surveillance": (0.0, 1.0), "actors.iraq.levers.baghdad_control": [0, 1]},
        outcomes=("delivered_tons:mode:land", "land_overtakes_air_day"),
        replicates=2,
        days=20,
        seed=3,
        cargo="materiel",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with SequentialEvaluator(model) as evaluator:
            experiments, outcomes = perform_experiments(
                model,
                scenarios=3,
                policies=2,
                evaluator=evaluator,
                uncertainty_sampling_kwargs={"rng": 1},
                lever_sampling_kwargs={"rng": 2},
            )
    assert len(experiments) == 6
    assert {"fleets_trucks_count", "actors_us_levers_land_surveillance"} <= set(experiments.columns)
    assert set(outcomes) == {"delivered_tons_mode_land", "land_overtakes_air_day"}
    first = experiments.iloc[0]
    direct = run_corridor(
        scenario=str(SCENARIO),
        replicates=2,
        seed=3,
        days=20,
        cargo="materiel",
        **{
            "fleets.trucks.count": first["fleets_trucks_count"],
            "actors.us.levers.land_surveillance": first["actors_us_levers_land_surveillance"],
            "actors.iraq.levers.baghdad_control": first["actors_iraq_levers_baghdad_control"],
        },
    )
    assert outcomes["delivered_tons_mode_land"][0] == pytest.approx(direct["delivered_tons:mode:land"])
    assert np.all(np.isfinite(outcomes["delivered_tons_mode_land"]))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"levers": {"actors.us.levers.land_survey": (0, 1)}}, "unknown key path"),
        ({"levers": {"actors.us.levers.land_surveillance": (0, 2)}}, "not within"),
        ({"outcomes": ("delivered_tons:mode:rail",)}, "unknown outcome column"),
    ],
    ids=["unknown_key_path", "out_of_range", "unknown_outcome"],
)
def test_ema_model_checks_its_declarations(kwargs, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        ema_model(scenario=SCENARIO, cargo="materiel", **kwargs)


def test_worked_example_runs_with_smoke():
    script = ROOT / "experiments" / "ema_example.py"
    result = subprocess.run([sys.executable, str(script), "--smoke"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "6 experiments (3 scenarios x 2 policies)" in result.stdout
    assert "Policy whose worst case" in result.stdout
