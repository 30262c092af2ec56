"""Each run's report carries its scenario's findings (docs/findings.md's table), and says when they are not its own."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"

import pytest  # noqa: E402

from corridor_sim.cli import main  # noqa: E402
from corridor_sim.findings import fingerprint, load_findings  # noqa: E402
from corridor_sim.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p.stem != "baseline")


def test_the_shipped_findings_cover_every_scenario_and_were_measured_on_it_as_it_is_now():
    """A change to a shipped scenario (or to anything its validated form holds) needs scripts/findings.py again."""
    found = load_findings()
    assert found["meta"]["reps"] >= 500
    baseline = fingerprint(load_scenario(ROOT / "scenarios" / "baseline.yaml").to_dict())
    for path in SHIPPED:
        entry = found["scenarios"][path.stem]
        assert entry["scenario"] == fingerprint(load_scenario(path).to_dict()), f"{path.stem}: findings are stale"
        assert entry["baseline"] == baseline, f"{path.stem}: measured against another baseline"
        for h in entry["headlines"]:
            assert h.get("no_effect") or (0.0 <= h["holds"] <= 1.0 and len(h["assumptions"]) == 5), path.stem


def _report(tmp_path: Path, scenario: str, *extra: str) -> str:
    out = tmp_path / scenario
    args = ["run", str(ROOT / "scenarios" / f"{scenario}.yaml"), "--reps", "8", "--seed", "3", "--out", str(out)]
    assert main([*args, "--no-daily", *extra]) == 0
    assert main(["report", str(out)]) == 0
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def found() -> dict:
    return load_findings()


def test_a_shipped_scenarios_report_shows_its_difference_mechanisms_and_assumptions(tmp_path, found):
    page = _report(tmp_path, "crossing_open_militia")
    entry = found["scenarios"]["crossing_open_militia"]["headlines"][0]
    assert 'id="findings"' in page and entry["label"].capitalize() in page
    assert f"{entry['mean']:+,.0f}" in page  # the paired difference as docs/findings.md gives it
    assert entry["assumptions"][0]["source"] in page and "shipper" in page  # mechanisms and assumptions
    assert "differs from the shipped" not in page


def test_a_changed_scenarios_report_says_the_findings_are_the_shipped_ones(tmp_path):
    page = _report(tmp_path, "crossing_open_militia", "--set", "actors.us.levers.land_surveillance=0.6")
    assert "differs from the shipped crossing_open_militia" in page


def test_the_baselines_report_lists_every_scenarios_headline(tmp_path):
    page = _report(tmp_path, "baseline")
    for path in SHIPPED:
        assert path.stem in page
