"""scripts/crossing_direction_table.py: the paired Baghdad-control differences of docs/parameters.md."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def script():
    return load_script("crossing_direction_table")


def _outcomes(script, cut):
    """A grid whose Baghdad-control points deliver cut(L) tons less than their militia twins, replicate by replicate."""
    rows = []
    for l_, d, i, g, b, rep in itertools.product((0, 1), (0.5,), (0.3,), (0,), (0.0, 1.0), range(4)):
        land = 1000.0 + 10 * rep - b * cut(l_) * (1 + rep % 2)
        rows.append(
            {
                script.L: l_,
                script.D: d,
                script.I: i,
                script.G: g,
                script.CONTROL: b,
                "replicate": rep,
                script.LAND: land,
            }
        )
    return pd.DataFrame(rows)


def test_differences_are_paired_by_replicate(script):
    table = script.paired(_outcomes(script, lambda l_: 100.0 * l_)).set_index(script.L)
    assert table.loc[1, "mean"] == pytest.approx(-150.0)  # -100 and -200 alternately
    assert table.loc[0, "mean"] == 0.0 and table.loc[0, "half"] == 0.0
    assert table.loc[1, "base"] == pytest.approx(1015.0)


def test_the_markdown_counts_the_differences_below_zero(script):
    text = script.markdown(script.paired(_outcomes(script, lambda l_: 100.0 * l_ + 1.0)))
    assert "2 of 2 paired differences have a 95% interval wholly below zero" in text
    assert "| 0.3, 0.5 |" in text
