"""What running several days per group of replicates (temporal blocking) would save in the day kernel.

Today every day walks all replicates: at 10,000 replicates a day's state (about 8 KB touched per
replicate, 80 MB in all) is far larger than the caches, so each day streams it from main memory.
Run a group of replicates through several days before moving on and the group's state stays in
cache. The model cannot do that yet (its reactive rules, timed changes and outputs run in Python
between days; see docs/performance.md, "What next"), so this script measures the kernel alone, both
ways, on the baseline's state at day 100. The blocked runs reuse one day's uniforms and are not a
valid simulation: only their time means anything.

    python benchmarks/blocking.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from corridor_sim.model import CorridorModel

BASELINE = Path(__file__).resolve().parent.parent / "src" / "corridor_sim" / "scenarios" / "baseline.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10240)
    parser.add_argument("--days", type=int, default=8, help="days per block")
    args = parser.parse_args()
    reps, days = args.reps, args.days
    model = CorridorModel(BASELINE, replicates=reps, rng=1, days=400, keep_daily=False, threads=1)
    model.run_for(100)
    out, uniforms, kernel = model.recorder.buffers(100), model._draws.buffer, model._kernels.day
    arrays = (model._net_args, model._fx, model._par, model._st, out)

    def daily() -> None:
        for d in range(100, 100 + days):
            kernel(d, uniforms, *arrays, 0, reps)

    def blocked(width: int) -> None:
        for r0 in range(0, reps, width):
            for d in range(100, 100 + days):
                kernel(d, uniforms, *arrays, r0, min(reps, r0 + width))

    print(f"Baseline, {reps:,} replicates, {days} days from day 100, one thread; CPU of the day kernel\n")
    print("| order | ns per replicate-day |\n| --- | ---: |")
    for label, run in [
        ("each day over all replicates (the model today)", daily),
        (f"{days} days per group of 256 replicates", lambda: blocked(256)),
        (f"{days} days per group of 1,024 replicates", lambda: blocked(1024)),
    ]:
        run()  # warm
        times = []
        for _ in range(5):
            started = time.process_time()
            run()
            times.append(time.process_time() - started)
        print(f"| {label} | {statistics.median(times) / days / reps * 1e9:.0f} |")


if __name__ == "__main__":
    main()
