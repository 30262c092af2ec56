"""The quick reference runs give exactly the stored tables (scripts/references.py; the full set: `check`)."""

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _references():
    spec = importlib.util.spec_from_file_location("references", ROOT / "scripts" / "references.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["references"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


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
