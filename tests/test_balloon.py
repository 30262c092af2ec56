"""scripts/balloon.py: where the balloon effect comes from, each mechanism switched off in turn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import load_script
from corridor_sim.attribution import no_adaptive
from corridor_sim.scenario import load_raw

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def balloon():
    return load_script("balloon")


def test_no_adaptive_switch_removes_every_adaptive_block_and_leaves_the_file_alone():
    raw = load_raw(ROOT / "scenarios" / "baseline.yaml")
    edited = no_adaptive(raw)
    levers = [lv for a in edited["actors"].values() for lv in a.get("levers", {}).values()]
    assert not any("adaptive" in lv for lv in levers)
    assert any("adaptive" in lv for a in raw["actors"].values() for lv in a.get("levers", {}).values())


def test_surveillance_cuts_land_and_the_risk_blind_shipper_sends_the_loss_again(balloon):
    """Paired arms: more surveillance never raises land deliveries; a shipper blind to risk re-sends what it loses."""
    raw = load_raw(ROOT / "scenarios" / "baseline.yaml")
    shipped = balloon.paired(raw, None, reps=64, seed=3, days=120)
    assert shipped["land"] < 0
    edit, hook = balloon.VARIANTS["risk-blind shipper"]
    blind = balloon.paired(edit(raw), hook, reps=64, seed=3, days=120)
    assert blind["land"] < 0 and np.isfinite(blind["displaced"])
    text = balloon.table({"as shipped": shipped}, 64, 3)
    assert "| as shipped |" in text and "displaced" in text
