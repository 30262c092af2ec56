"""scripts/headlines.py: the headline tables quoted before and after a mechanism change."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def headlines():
    return load_script("headlines")


def _summary():
    rows = []
    for rep in range(3):
        for route, mode, cargo, got in [
            ("a", "land", "materiel", 10.0),
            ("b", "land", "oil", 1000.0),
            ("c", "sea", "oil", 5.0),
        ]:
            rows.append(
                {
                    "replicate": rep,
                    "route": route,
                    "mode": mode,
                    "cargo": cargo,
                    "dispatched_tons": got + 1 + rep,
                    "delivered_tons": got + rep,
                    "interdicted_tons": 1.0,
                    "cost_usd": 100.0 * got,
                    "interdiction_rate": 1.0 / (got + 1 + rep),
                }
            )
    return pd.DataFrame(rows)


def test_cargo_classes_are_never_summed(headlines):
    reps = headlines.per_replicate(_summary())
    land = reps[reps["mode"] == "land"].set_index(["replicate", "cargo"])["delivered"]
    assert land[(0, "materiel")] == 10.0
    assert land[(0, "oil")] == 1000.0
    assert len(reps) == 3 * 3  # replicate x (materiel land, oil land, oil sea)


def test_a_scenario_against_itself_differs_by_nothing(headlines):
    reps = headlines.per_replicate(_summary())
    table = headlines.paired_table({"baseline": reps, "same": reps.copy()})
    rows = [line for line in table.splitlines() if line.startswith("| same")]
    assert len(rows) == 3
    assert all("+0 ± 0" in line for line in rows)


def test_a_paired_difference_is_the_mean_of_the_replicates_differences(headlines):
    base = headlines.per_replicate(_summary())
    other = base.copy()
    other.loc[other["cargo"] == "oil", "delivered"] += [3.0, 6.0, 9.0, 3.0, 6.0, 9.0]
    table = headlines.paired_table({"baseline": base, "more": other})
    oil_land = next(line for line in table.splitlines() if line.startswith("| more | oil | land"))
    assert "+6 ±" in oil_land
