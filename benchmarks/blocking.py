"""What running several days per group of replicates (temporal blocking) would save in the day kernel.

Today every day walks all replicates: at 10,000 replicates a day's state (about 8 KB touched per
replicate, 80 MB in all) is far larger than the caches, so each day streams it from main memory.
Run a group of replicates through several days before moving on and the group's state stays in
cache. The model cannot do that yet (its reactive rules, timed changes and outputs run in Python
between days; see docs/performance.md, "What next"), so this script measures it without them:

* the day kernel alone, one thread, both ways, on the baseline's state at day 100 (the blocked runs
  reuse one day's uniforms and are not a valid simulation: only their time means anything);
* with ``--whole``, all the compiled work of a 730-day run on two threads, as a blocked model would
  do it: each thread draws its blocks' uniforms for the days of a block and runs its replicates
  through them, group by group; then both threads compute the block's bands. Left out: the rules,
  timed changes, DataCollector and recorder (about 0.3 ms a day in the model today). The state
  comes from a real run, but days are not replayed faithfully (no rules fire): again, only the time
  means anything.

    python benchmarks/blocking.py
    python benchmarks/blocking.py --whole
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from corridor_sim.model import CorridorModel
from corridor_sim.streams import BLOCK

BASELINE = Path(__file__).resolve().parent.parent / "src" / "corridor_sim" / "scenarios" / "baseline.yaml"


def whole_run(reps: int, days: int, block_days: int, width: int) -> float:
    """Wall seconds of the compiled work of ``days`` days on two threads, ``block_days`` days per block."""
    model = CorridorModel(BASELINE, replicates=reps, rng=1, days=days + 1, keep_daily=False, threads=2)
    model.run_for(1)
    rec, kernels, generators = model.recorder, model._kernels, model._draws._generators
    uniforms = np.zeros((block_days, *model._draws.buffer.shape))
    stacks = np.zeros((block_days, *rec._buffers.shape[1:]))
    parts = np.zeros((block_days, *rec._parts.shape))
    sums = np.zeros((block_days, *rec._ensemble_day.shape))
    stats = np.zeros((block_days, len(rec._positions) + 1, stacks.shape[1]))
    scratch = np.zeros((2, reps))
    arrays = (model._net_args, model._fx, model._par, model._st)

    def share(d0: int, n_days: int, lo: int, hi: int) -> None:
        for b in range(lo // BLOCK, -(-hi // BLOCK)):
            for k in range(n_days):
                generators[b].random(out=uniforms[k, b])
        for r0 in range(lo, hi, width):
            for k in range(n_days):
                out = (stacks[k], parts[k], sums[k])
                kernels.day(d0 + k, uniforms[k], *arrays, out, r0, min(hi, r0 + width))

    def bands(n_days: int, part: int) -> None:
        for k in range(n_days):
            kernels.bands(stacks[k], rec._positions, rec._fractions, stats[k], scratch[part], part, 2)

    half = (reps // BLOCK // 2) * BLOCK
    with ThreadPoolExecutor(1) as pool:
        started = time.perf_counter()
        for d in range(1, days + 1, block_days):
            n_days = min(block_days, days + 1 - d)
            other = pool.submit(share, d, n_days, half, reps)
            share(d, n_days, 0, half)
            other.result()
            other = pool.submit(bands, n_days, 1)
            bands(n_days, 0)
            other.result()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10240)
    parser.add_argument("--days", type=int, default=8, help="days per block")
    parser.add_argument("--whole", action="store_true", help="all the compiled work of a 730-day run, two threads")
    args = parser.parse_args()
    reps, days = args.reps, args.days
    if args.whole:
        print(f"Baseline, {reps:,} replicates x 730 days, two threads: draws, day kernel and bands, wall\n")
        print("| order | wall s | rep-days/s |\n| --- | ---: | ---: |")
        for label, block_days, width in [
            ("day by day (no bookkeeping)", 1, 256),
            (f"{days} days per group of 256 replicates", days, 256),
            (f"{days} days per group of 1,024 replicates", days, 1024),
        ]:
            seconds = whole_run(reps, 730, block_days, width)
            print(f"| {label} | {seconds:.2f} | {reps * 730 / seconds:,.0f} |")
        return
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
