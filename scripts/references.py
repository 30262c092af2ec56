"""Fixed reference runs, and an exact comparison of this tree's outputs with them.

    .venv/bin/python scripts/references.py check            # every run; exit 1 on any difference
    .venv/bin/python scripts/references.py check --quick    # the quick runs only (what the test suite checks)
    .venv/bin/python scripts/references.py update           # regenerate on purpose (say why in the commit)

Each run's tables (summary, destinations, actor costs, bands, events, and the daily tables where
kept; a sweep's outcomes) are reduced to a SHA-256 of their exact bytes, column by column, and
stored in tests/references/references.json with the row count and each numeric column's sum (the
sums say where a difference lies; the hashes decide). A refactor or speed-up must leave every hash
as it is; a change that must alter results regenerates the file in the same commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "tests" / "references" / "references.json"


@dataclass(frozen=True)
class Run:
    """One reference run: a shipped scenario (or an experiment) at a size and an engine setting."""

    name: str
    scenario: str
    replicates: int
    days: int
    seed: int = 7
    threads: int = 1
    span: int | None = None  # None: the model's default (spans on); 1: day by day
    daily: bool = False
    quick: bool = False  # also checked by the test suite
    overrides: dict = field(default_factory=dict)


RUNS = (
    # Tiny runs take the plain-Python kernels (at most CorridorModel.SMALL_RUN replicate-days).
    Run("baseline_python_2x30", "baseline", 2, 30, daily=True, quick=True),
    Run("baseline_5x40", "baseline", 5, 40, daily=True, quick=True),
    Run("baseline_5x40_day_by_day", "baseline", 5, 40, span=1, daily=True, quick=True),
    Run("baseline_300x730", "baseline", 300, 730, quick=True),
    Run("baseline_3000x150_threads2", "baseline", 3000, 150, threads=2),
    Run("baseline_3000x150_threads1_day_by_day", "baseline", 3000, 150, span=1),
    Run("escalation_600x400", "escalation", 600, 400, daily=True),
    Run("escalation_64x200_quick", "escalation", 64, 200, daily=True, quick=True),
    Run("crossing_open_militia_700x320_daily", "crossing_open_militia", 700, 320, threads=2, span=1, daily=True),
    Run("crossing_open_militia_256x730", "crossing_open_militia", 256, 730, quick=True),
    Run("crossing_baghdad_control_256x730", "crossing_baghdad_control", 256, 730, quick=True),
    Run("egypt_leaves_mesa_256x730", "egypt_leaves_mesa", 256, 730, quick=True),
    Run("us_withdrawal_256x730", "us_withdrawal", 256, 730, quick=True),
    Run("us_withdrawal_2500x400_threads2", "us_withdrawal", 2500, 400, seed=11, threads=2),
    # A run far outside the shipped sizes: one route's heavy flow of small loads (many loads per draw).
    Run(
        "baseline_heavy_small_loads_64x120",
        "baseline",
        64,
        120,
        quick=True,
        overrides={"fleets.trucks.payload_tons": 1, "fleets.trucks.count": 2000},
    ),
)
SWEEPS = (("alqaim_control_surveillance_smoke", "alqaim_control_surveillance"),)


def table_digest(frame: pd.DataFrame) -> dict:
    """A table's exact fingerprint: a hash over every column's name, type and bytes, plus sums to localise a change."""
    h = hashlib.sha256()
    sums = {}
    for name in frame.columns:
        col = frame[name]
        h.update(f"{name}\x1f{col.dtype}\x1e".encode())
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            values = np.ascontiguousarray(col.to_numpy())
            h.update(values.tobytes())
            sums[name] = repr(float(np.nansum(values.astype(float))))
        else:
            h.update("\x1f".join(map(str, col.to_numpy())).encode())
        h.update(b"\x1d")
    return {"rows": len(frame), "sha256": h.hexdigest(), "sums": sums}


def run_tables(run: Run) -> dict[str, pd.DataFrame]:
    from corridor_sim.model import CorridorModel

    scenario = ROOT / "scenarios" / f"{run.scenario}.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CorridorModel(
            scenario,
            replicates=run.replicates,
            rng=run.seed,
            threads=run.threads,
            span=run.span,
            keep_daily=run.daily,
            days=run.days,
            **run.overrides,
        ).run()
    tables = {
        "summary": model.summary(),
        "destinations": model.destinations(),
        "actor_costs": model.actor_costs(),
        "bands": model.bands(),
        "events": model.events(),
    }
    if run.daily:
        tables["timeseries"] = model.timeseries()
        tables["actors"] = model.actor_levers()
    return tables


def sweep_tables(experiment_name: str) -> dict[str, pd.DataFrame]:
    from corridor_sim.sweep import load_experiment, run_sweep

    experiment = load_experiment(ROOT / "experiments" / f"{experiment_name}.yaml", smoke=True)
    with tempfile.TemporaryDirectory() as tmp:
        run_sweep(experiment, Path(tmp) / "out", workers=1, progress=False)
        outcomes = pd.read_parquet(Path(tmp) / "out" / "outcomes")
    return {"outcomes": outcomes.sort_values(["point", "replicate"]).reset_index(drop=True)}


def compute(quick: bool) -> dict[str, dict]:
    results = {}
    for run in RUNS:
        if quick and not run.quick:
            continue
        started = time.perf_counter()
        results[run.name] = {t: table_digest(f) for t, f in run_tables(run).items()}
        print(f"  {run.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if not quick:
        for name, experiment in SWEEPS:
            results[name] = {t: table_digest(f) for t, f in sweep_tables(experiment).items()}
    return results


def differences(stored: dict, now: dict) -> list[str]:
    """Each run and table whose outputs differ from the stored references, with the sums that moved."""
    lines = []
    for run, tables in now.items():
        if run not in stored:
            lines.append(f"{run}: no stored reference (run `update`)")
            continue
        for table, digest in tables.items():
            ref = stored[run].get(table)
            if ref is None:
                lines.append(f"{run}.{table}: no stored reference")
            elif ref["sha256"] != digest["sha256"]:
                moved = [
                    f"{c} {ref['sums'].get(c)} -> {s}" for c, s in digest["sums"].items() if ref["sums"].get(c) != s
                ]
                rows = "" if ref["rows"] == digest["rows"] else f" rows {ref['rows']} -> {digest['rows']};"
                lines.append(f"{run}.{table}: differs;{rows} {'; '.join(moved) or 'same sums'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("check", "update"))
    parser.add_argument("--quick", action="store_true", help="only the quick runs (check only)")
    args = parser.parse_args(argv)
    if args.action == "update":
        results = compute(quick=False)
        STORE.parent.mkdir(parents=True, exist_ok=True)
        STORE.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(results)} reference runs to {STORE.relative_to(ROOT)}")
        return 0
    stored = json.loads(STORE.read_text())
    diffs = differences(stored, compute(quick=args.quick))
    for line in diffs:
        print(line)
    print("identical to the references" if not diffs else f"{len(diffs)} table(s) differ from the references")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
