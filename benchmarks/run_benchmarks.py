"""Measure every figure of the performance targets (issue 5) and print them as a table.

    python benchmarks/run_benchmarks.py            # the full figures (a few minutes)
    python benchmarks/run_benchmarks.py --quick    # smaller sizes, to check the script itself

Figures (each against its target):

* throughput: replicate-days per second of the baseline in one process (build and run, the standard
  outputs kept: totals, bands, events; no per-replicate daily tables), median of 5 runs;
* CLI run: wall time and peak memory of ``corridor-sim run scenarios/baseline.yaml --reps 10000
  --days 730 --no-daily --out ...`` in a fresh process;
* lower bound: the model's run time over the time of exactly its random draws and nothing else
  (benchmarks/lower_bound.py), same replicates and days, measured side by side: each of the 5
  throughput runs is followed by a lower-bound run, and the figure is the median of the 5 pairs'
  ratios (a noisy spell then slows both sides of a pair alike);
* start-up: wall time of ``corridor-sim run`` on one replicate and one day, writing its outputs,
  warm (median of 5 after one unmeasured run);
* sweep vs batch_run: replicate-days per second through the sweep engine on 2 local workers
  against ``mesa.batch_run`` (one replicate per run) on 2 processes, same design points. Needs
  ``corridor_sim.sweep``; reported as a gap when it is missing.

Run it on a quiet machine: other processes on the same cores change every figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("corridor-sim")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "corridor_sim.cli"]


def _timed_process(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a child process.

    The peak comes from GNU time when it is there: a forked child's own maximum includes the pages it
    shared with this (large) process before exec.
    """
    timer = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        wrapped = [str(timer), "-f", "%M", "-o", rss.name, *args] if timer.exists() else args
        started = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr.read().decode()[-2000:]}")
        peak_kb = float(rss.read().split()[-1]) if timer.exists() else usage.ru_maxrss
    return wall, peak_kb / 1024.0


def throughput(
    reps: int, days: int, runs: int, threads: int | None = None, bounds: list[float] | None = None
) -> tuple[float, list[float], int]:
    """Median replicate-days per second of the baseline in this process, each run's seconds, and the threads used.

    With ``bounds`` (a list), each model run is followed by a lower-bound run, whose seconds go there.
    """
    from lower_bound import lower_bound

    from corridor_sim import CorridorModel

    CorridorModel(BASELINE, replicates=reps, rng=1, days=2, keep_daily=False).run()  # load compiled code
    seconds = []
    for i in range(runs):
        started = time.perf_counter()
        model = CorridorModel(BASELINE, replicates=reps, rng=1 + i, days=days, keep_daily=False, threads=threads)
        model.run()
        model.bands()  # waits for the last bands
        seconds.append(time.perf_counter() - started)
        if bounds is not None:
            bounds.append(lower_bound(str(BASELINE), reps, days))
    return reps * days / statistics.median(seconds), seconds, model.threads


def startup(runs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        args = [*_cli(), "run", str(BASELINE), "--reps", "1", "--days", "1", "--out", f"{tmp}/out", "--force"]
        _timed_process(args)
        return statistics.median(_timed_process(args)[0] for _ in range(runs))


def cli_run(reps: int, days: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        args = [*_cli(), "run", str(BASELINE), "--reps", str(reps), "--days", str(days), "--no-daily"]
        return _timed_process([*args, "--out", f"{tmp}/out", "--force"])


def sweep_vs_batch_run(points: int, batch_reps: int, sweep_reps: int, days: int) -> dict[str, float] | None:
    """Replicate-days per second: the sweep engine (2 workers) and mesa.batch_run (2 processes)."""
    try:
        from corridor_sim.sweep import load_experiment, run_sweep
    except ImportError:
        return None
    import multiprocessing

    import mesa
    import yaml

    from corridor_sim import CorridorModel

    values = [round(float(v), 4) for v in np.linspace(0.0, 1.0, points)]
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        started = time.perf_counter()
        mesa.batch_run(
            CorridorModel,
            parameters={"scenario": str(BASELINE), "days": days, "keep_daily": False, "us_land_surveillance": values},
            rng=list(range(1000, 1000 + batch_reps)),
            max_steps=days,
            number_processes=2,
            data_collection_period=-1,
            display_progress=False,
        )
        batch_seconds = time.perf_counter() - started
    finally:  # batch_run sets the 'spawn' start method process-wide
        multiprocessing.set_start_method(method, force=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        spec = {
            "name": "bench_sweep",
            "scenario": str(BASELINE),
            "seed": 5,
            "replicates": sweep_reps,
            "days": days,
            "parameters": {"actors.us.levers.land_surveillance": values},
            "outcomes": ["delivered_by_mode", "interdicted"],
        }
        path.write_text(yaml.safe_dump(spec))
        started = time.perf_counter()
        run_sweep(load_experiment(path), Path(tmp) / "out", workers=2, progress=False)
        sweep_seconds = time.perf_counter() - started
    batch_rate = points * batch_reps * days / batch_seconds
    sweep_rate = points * sweep_reps * days / sweep_seconds
    return {"batch": batch_rate, "sweep": sweep_rate, "ratio": sweep_rate / batch_rate}


def machine() -> str:
    import numba

    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"numpy {np.__version__}, numba {numba.__version__}, load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the script, not the targets")
    parser.add_argument("--skip-sweep", action="store_true", help="leave out the sweep vs batch_run comparison")
    args = parser.parse_args()
    reps, days, runs = (1000, 120, 3) if args.quick else (10000, 730, 5)
    rows = []

    def row(figure: str, value: float, fmt: str, target: str, ok: bool | None) -> None:
        verdict = "n/a" if ok is None else ("pass" if ok else "short")
        rows.append((figure, format(value, fmt) if value == value else "-", target, verdict))
        print(f"  measured {figure}: {rows[-1][1]}", file=sys.stderr, flush=True)

    bounds: list[float] = []
    rate, seconds, threads = throughput(reps, days, runs, bounds=bounds)
    row(
        f"throughput, baseline {reps}x{days}, {threads} threads, median of {runs} (rep-days/s)",
        rate,
        ",.0f",
        ">= 1,000,000",
        rate >= 1e6,
    )
    ratio = statistics.median(m / b for m, b in zip(seconds, bounds, strict=True))
    bound = statistics.median(bounds)
    row(
        f"model / numpy lower bound, median of {runs} side-by-side pairs (draws {min(bounds):.2f}-{max(bounds):.2f} s)",
        ratio,
        ".2f",
        "<= 5",
        ratio <= 5,
    )
    if threads > 1:
        one, one_seconds, _ = throughput(reps, days, max(3, runs // 2), threads=1)
        row("  for reference: throughput on 1 thread (rep-days/s)", one, ",.0f", "", None)
        row("  for reference: model on 1 thread / lower bound", statistics.median(one_seconds) / bound, ".2f", "", None)
    wall, peak = cli_run(reps, days)
    row(f"CLI run {reps}x{days} --no-daily: wall (s)", wall, ".1f", "< 15", wall < 15)
    row(f"CLI run {reps}x{days} --no-daily: peak memory (MB)", peak, ",.0f", "< 2,048", peak < 2048)
    up = startup(runs)
    row("start-up, 1 replicate x 1 day with --out, warm (s)", up, ".2f", "< 1", up < 1)
    if args.skip_sweep:
        row("sweep (2 workers) / batch_run (2 processes)", float("nan"), "", ">= 20", None)
    else:
        points, batch_reps, sweep_reps, sweep_days = (4, 4, 64, 60) if args.quick else (10, 10, 512, 365)
        result = sweep_vs_batch_run(points, batch_reps, sweep_reps, sweep_days)
        if result is None:
            row("sweep vs batch_run: corridor_sim.sweep missing (gap)", float("nan"), "", ">= 20", None)
        else:
            row(
                f"sweep rep-days/s ({points} points x {sweep_reps} reps x {sweep_days} d)",
                result["sweep"],
                ",.0f",
                "",
                None,
            )
            row(
                f"batch_run rep-days/s ({points} points x {batch_reps} seeds x {sweep_days} d)",
                result["batch"],
                ",.0f",
                "",
                None,
            )
            row("sweep / batch_run throughput", result["ratio"], ".1f", ">= 20", result["ratio"] >= 20)

    print(f"\nMachine: {machine()}")
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'value':>12}  {'target':>14}  result")
    for figure, value, target, verdict in rows:
        print(f"{figure:<{width}}  {value:>12}  {target:>14}  {verdict}")


if __name__ == "__main__":
    main()
