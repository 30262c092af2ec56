"""Two source trees side by side: the baseline's engine, throughput and whole-run time in each, alternating.

    python benchmarks/side_by_side.py ../old-checkout            # this tree against another, 5 rounds
    python benchmarks/side_by_side.py ../old-checkout --rounds 7 --reps 10000 --days 730

``other`` is a checkout of another commit (``git worktree add --detach ../old-checkout 31b2ac7``);
both trees' ``src`` folders are imported with this interpreter, so both need the same installed
dependencies. Each round runs one fresh process per tree, in turn (the first tree changes from round
to round), so a noisy spell on the shared machine slows both sides of a round alike. In each process:

* **engine**: CPU time of the compiled day kernel alone, per replicate-day (``engine_time.py``, this
  tree's copy run on the other tree's sources): 4,096 replicates on one thread run to day 100, then
  days 100-109 again and again from a copy of that state, the fastest of 10 passes. The least noisy
  figure: no draws, bands or Python;
* **throughput**: the baseline built, run and its last bands made, in the process (as
  ``run_benchmarks.py`` measures it: after one small run that loads the compiled code), as
  replicate-days per second;
* **whole run**: the CLI's ``corridor-sim run scenarios/baseline.yaml --reps R --days D --no-daily``
  timed from outside (imports, building, running, the summary, writing), wall and CPU seconds.

Prints each tree's medians (min-max) and the ratios this tree / other, pair by pair (median, min-max).
The first run of a tree compiles its kernels if its cache is empty: run each tree once before.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

THROUGHPUT = """
import sys, time
from corridor_sim import CorridorModel
scenario, reps, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CorridorModel(scenario, replicates=reps, rng=1, days=2, keep_daily=False).run()  # load the compiled code
started = time.perf_counter()
model = CorridorModel(scenario, replicates=reps, rng=7, days=days, keep_daily=False)
model.run()
model.bands()
print(time.perf_counter() - started)
"""


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree / "src")}


def _last_number(tree: Path, args: list[str]) -> float:
    """The last line a Python process with ``tree``'s sources prints, as a number."""
    out = subprocess.run([sys.executable, *args], env=_env(tree), cwd=tree, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def engine_ns(tree: Path, reps: int) -> float:
    """The day kernel's CPU nanoseconds per replicate-day (benchmarks/engine_time.py) with ``tree``'s sources."""
    script, scenario = str(ROOT / "benchmarks" / "engine_time.py"), str(tree / "scenarios" / "baseline.yaml")
    return _last_number(tree, [script, scenario, "--reps", str(reps)])


def throughput_seconds(tree: Path, reps: int, days: int) -> float:
    """Seconds to build and run the baseline and make its last bands, in a fresh process of ``tree``."""
    return _last_number(tree, ["-c", THROUGHPUT, str(tree / "scenarios" / "baseline.yaml"), str(reps), str(days)])


def whole_run(tree: Path, reps: int, days: int) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of the CLI's baseline run in ``tree``, writing to a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        args = [sys.executable, "-m", "corridor_sim.cli", "run", "scenarios/baseline.yaml"]
        args += ["--reps", str(reps), "--days", str(days), "--no-daily", "--seed", "7", "--out", folder + "/out"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(args, env=_env(tree), cwd=tree, capture_output=True, check=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _spread(xs: list[float], fmt: str) -> str:
    return f"{statistics.median(xs):{fmt}} ({min(xs):{fmt}}-{max(xs):{fmt}})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--engine-reps", type=int, default=4096, help="replicates of the engine figure")
    args = parser.parse_args()
    trees = {"this": ROOT, "other": args.other.resolve()}
    runs: dict[str, dict[str, list[float]]] = {t: {"engine": [], "seconds": [], "wall": [], "cpu": []} for t in trees}
    for r in range(args.rounds):
        order = list(trees) if r % 2 == 0 else list(trees)[::-1]
        for name in order:
            runs[name]["engine"].append(engine_ns(trees[name], args.engine_reps))
        for name in order:
            runs[name]["seconds"].append(throughput_seconds(trees[name], args.reps, args.days))
        for name in order:
            wall, cpu = whole_run(trees[name], args.reps, args.days)
            runs[name]["wall"].append(wall)
            runs[name]["cpu"].append(cpu)
        load = os.getloadavg()[0]
        print(
            f"round {r + 1}: "
            + ", ".join(
                f"{n} {runs[n]['engine'][-1]:.0f} ns / {runs[n]['seconds'][-1]:.2f} s / {runs[n]['wall'][-1]:.2f} s"
                for n in trees
            )
            + f" (load {load:.1f})",
            flush=True,
        )
    rep_days = args.reps * args.days
    print(f"\nbaseline, {args.reps:,} replicates x {args.days} days, {args.rounds} rounds")
    print(
        "| tree | engine, ns per rep-day (CPU, 1 thread) | throughput, rep-days/s | build + run + bands, s "
        "| whole run wall, s | whole run CPU, s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, tree in trees.items():
        rate = [rep_days / s for s in runs[name]["seconds"]]
        print(
            f"| {name} ({tree}) | {_spread(runs[name]['engine'], '.0f')} | {_spread(rate, ',.0f')} "
            f"| {_spread(runs[name]['seconds'], '.2f')} "
            f"| {_spread(runs[name]['wall'], '.2f')} | {_spread(runs[name]['cpu'], '.2f')} |"
        )
    measures = (("engine", "engine"), ("build + run + bands", "seconds"), ("whole run wall", "wall"))
    for what, key in (*measures, ("whole run CPU", "cpu")):
        ratios = [a / b for a, b in zip(runs["this"][key], runs["other"][key], strict=True)]
        print(f"ratio this / other, {what}, pair by pair: {_spread(ratios, '.2f')}")


if __name__ == "__main__":
    main()
