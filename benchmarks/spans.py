"""What spans (several days per group of replicates) save: the model run day by day and in spans, side by side.

At 10,000 replicates a day's state (about 8 KB touched per replicate, 80 MB in all) is far larger
than the caches, so a model that runs each day over all replicates streams it from main memory
every day. In a span the kernels take each group of 256 replicates through several days before
the next group, and the group's state stays in cache (``CorridorModel.step``). The results are the
same bit for bit (tests/test_spans.py); this script measures the time, alternating the two so that
both see the same machine.

    python benchmarks/spans.py                       # baseline, 10,000 x 730, default threads, 3 runs each
    python benchmarks/spans.py --threads 1 --days 365
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from corridor_sim.model import CorridorModel

BASELINE = Path(__file__).resolve().parent.parent / "src" / "corridor_sim" / "scenarios" / "baseline.yaml"


def timed_run(reps: int, days: int, span: int, threads: int | None) -> tuple[float, int]:
    """Wall seconds of model.run() and the spans it took."""
    gc.collect()
    model = CorridorModel(BASELINE, replicates=reps, rng=1, days=days, keep_daily=False, threads=threads, span=span)
    started = time.perf_counter()
    model.run()
    return time.perf_counter() - started, model.scheduler.spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=3, help="runs of each, alternating")
    parser.add_argument("--threads", type=int, default=None, help="default: the model's")
    args = parser.parse_args()
    orders = [("day by day (span=1)", 1), (f"spans of up to {CorridorModel.MAX_SPAN} days (default)", None)]
    times: dict[str, list[float]] = {label: [] for label, _ in orders}
    spans: dict[str, int] = {}
    timed_run(min(args.reps, 512), 2, 1, 1)  # load the compiled kernels before timing
    for _ in range(args.runs):
        for label, span in orders:
            seconds, spans[label] = timed_run(args.reps, args.days, span or CorridorModel.MAX_SPAN, args.threads)
            times[label].append(seconds)
    print(f"Baseline, {args.reps:,} replicates x {args.days} days, model.run(), median of {args.runs}, wall\n")
    print("| order | spans taken | wall s | rep-days/s |\n| --- | ---: | ---: | ---: |")
    for label, _ in orders:
        seconds = statistics.median(times[label])
        print(f"| {label} | {spans[label]} | {seconds:.2f} | {args.reps * args.days / seconds:,.0f} |")


if __name__ == "__main__":
    main()
