"""The quick reference runs give exactly the stored tables (scripts/references.py; the full set: `check`)."""

import json
from pathlib import Path

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent


def _references():
    return load_script("references")


def test_quick_reference_runs_are_bit_identical_to_the_stored_references():
    refs = _references()
    stored = json.loads(refs.STORE.read_text())
    now = refs.compute(quick=True)
    assert len(now) >= 8
    assert refs.differences(stored, now) == []


def test_a_changed_table_is_reported_with_the_sums_that_moved():
    refs = _references()
    run = next(r for r in refs.RUNS if r.name == "baseline_python_2x30")
    tables = refs.run_tables(run)
    stored = {run.name: {t: refs.table_digest(f) for t, f in tables.items()}}
    tables["summary"].loc[0, "delivered_tons"] += 1e-9
    now = {run.name: {t: refs.table_digest(f) for t, f in tables.items()}}
    (line,) = refs.differences(stored, now)
    assert line.startswith("baseline_python_2x30.summary: differs") and "delivered_tons" in line
