"""scripts/findings.py and attribution.py: a scenario's paired difference, attributed to mechanisms and assumptions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import load_script
from corridor_sim.attribution import SWITCHES, drawn_inputs
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_raw, load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def findings():
    return load_script("findings")


@pytest.mark.parametrize("name", sorted(SWITCHES))
def test_every_switch_gives_a_valid_scenario_and_leaves_the_original_alone(name):
    raw = load_raw(ROOT / "scenarios" / "escalation.yaml")
    before = repr(raw)
    load_scenario(SWITCHES[name](raw))
    assert repr(raw) == before


def test_drawn_inputs_are_each_replicates_uncertain_numbers():
    model = CorridorModel(load_scenario(ROOT / "scenarios" / "baseline.yaml", days=5), replicates=8, rng=3)
    inputs = drawn_inputs(model)
    assert inputs.shape[0] == 8 and "fleets.trucks.count" in inputs.columns
    assert all(np.ptp(inputs[c]) > 0 for c in inputs.columns)  # fixed numbers left out
    again = CorridorModel(load_scenario(ROOT / "scenarios" / "baseline.yaml", days=5), replicates=8, rng=3)
    assert drawn_inputs(again).equals(inputs)  # replicate i depends only on (seed, i)


def test_a_headline_that_rests_on_one_assumption_is_flagged(findings):
    """A difference driven by one drawn input gets a leading index over one half and the flag."""
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(400, 3))
    d = 10 * x[:, 1] + rng.normal(0, 0.5, 400)
    sens = findings._sensitivity(d, pd.DataFrame(x, columns=["a", "b", "c"]), seed=1)
    assert sens.index[0] == "b" and sens.S1.iloc[0] > findings.SINGLE
    assert sens.loc[["a", "c"], "S1"].max() < 0.1


def test_the_page_names_each_scenarios_difference_and_attribution(findings, tmp_path):
    out = tmp_path / "findings.md"
    assert findings.main(["--reps", "32", "--days", "330", "--only", "crossing_open_militia", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "### crossing_open_militia: materiel delivered by land" in text
    assert "Paired difference from the baseline" in text
    for name in SWITCHES:
        assert f"| no {name} |" in text
    assert "first-order index" in text
