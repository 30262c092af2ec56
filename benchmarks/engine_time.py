"""The day kernel's CPU time per replicate-day, alone: no draws, bands, recording or Python between days.

    python benchmarks/engine_time.py                          # the baseline
    python benchmarks/engine_time.py scenarios/escalation.yaml --reps 8192

Builds the scenario's model with ``reps`` replicates on one thread, runs it to day 100 (a typical
state: beliefs learnt, queues and pipelines full), keeps that state, then runs days 100-109 with the
compiled day kernel again and again from a fresh copy of it, each day with day 100's uniforms, and
prints the fastest pass's CPU nanoseconds per replicate-day (after two unmeasured passes). The fastest of ten
passes is the least noisy figure this project has (within about 5% from run to run on the shared
2-core machine, where whole runs move by 10-15%), so it is the one to compare engines by: it reads
only model attributes every version since 31b2ac7 has, so ``benchmarks/side_by_side.py`` runs this
file against another checkout's sources.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def engine_ns(scenario: Any = BASELINE, reps: int = 4096, start: int = 100, days: int = 10, passes: int = 10) -> float:
    """The fastest pass's kernel CPU nanoseconds per replicate-day over days start .. start + days - 1."""
    from corridor_sim import CorridorModel

    model = CorridorModel(scenario, replicates=reps, rng=1, days=start + days, keep_daily=False, threads=1)
    model.run_for(start)
    rows, parts, sums = model.recorder.buffers(1)
    # The next day's uniforms (run_for took spans, which draw into buffers of their own): since session 11
    # the legs' and the storages' strikes in two arrays, before it in one.
    drawn = model.scheduler.draws.fill()
    uniforms, kernels, state = drawn if isinstance(drawn, tuple) else (drawn,), model._kernels, list(model._st)
    best = float("inf")
    for i in range(passes + 2):
        st = type(model._st)(*(a.copy() if isinstance(a, np.ndarray) else a for a in state))
        started = time.process_time()
        for d in range(start, start + days):
            kernels.day(d, *uniforms, model._net_args, model._fx, model._par, st, rows[0], parts[0], sums[0], 0, reps)
        if i >= 2:
            best = min(best, time.process_time() - started)
    return best / (days * reps) * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(BASELINE))
    parser.add_argument("--reps", type=int, default=4096)
    args = parser.parse_args()
    print(f"{engine_ns(args.scenario, args.reps):.0f}")


if __name__ == "__main__":
    main()
