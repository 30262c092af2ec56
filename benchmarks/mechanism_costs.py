"""What each mechanism costs: the baseline's run time with each mechanism switched off in turn, side by side.

    python benchmarks/mechanism_costs.py                   # 4,000 replicates x 730 days, 3 runs of each
    python benchmarks/mechanism_costs.py --reps 10000 --runs 5
    python benchmarks/mechanism_costs.py --engine          # the day kernel alone (engine_time.py): far less noisy

Each variant is the baseline scenario edited in memory: the switches of ``corridor_sim.attribution``
(airport storage, convoys, budgets and decisions, the militias' responses, the shipper's learning),
oil (its cargo class and the routes, fleets, segments and effects only oil uses) and all of them at
once. The variants run in rotation in one process (the compiled kernels loaded once), each a fresh
model built and run to the horizon with the default threads; the table gives each one's median time
and the share of the shipped baseline's time it saves. A mechanism switched off may also change what
the rest do (less cargo lost, other routes chosen), so a saving is the whole difference, not the
mechanism's own code alone; the shipper's learning switched off keeps every step (its beliefs stay
at the prior) and saves only what its choices change. With ``--engine`` each variant's figure is
the day kernel's CPU time per replicate-day alone (``benchmarks/engine_time.py``: ``--reps``
replicates, one thread, days 100-109 from a fixed state, the fastest of 10 passes; ``--days`` and
``--threads`` do not apply), without the draws, the bands and the Python between days, whose noise
hides savings of a few percent in whole runs. Use ``--reps 4096`` to compare with engine_time.py's
default.
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # engine_time.py beside this file, however loaded
from engine_time import engine_ns  # noqa: E402

from corridor_sim.attribution import no_convoys, no_decisions, no_learning, no_responses, no_storage
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_raw, load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
Raw = dict[str, Any]


def no_oil(raw: Raw) -> Raw:
    """Oil off: its cargo class, its demand, and the routes, fleets, segments and effects only oil uses."""
    raw = copy.deepcopy(raw)
    raw["cargo"].pop("oil")
    raw["routes"] = {rid: r for rid, r in raw["routes"].items() if "oil" not in r.get("cargo", [])}
    fleets = {r["fleet"] for r in raw["routes"].values()}
    raw["fleets"] = {fid: f for fid, f in raw["fleets"].items() if fid in fleets}
    segments = {s for r in raw["routes"].values() for s in r["segments"]}
    raw["segments"] = {sid: s for sid, s in raw["segments"].items() if sid in segments}
    for destination in raw["destinations"].values():
        destination.get("demand", {}).pop("oil", None)
    for actor in raw["actors"].values():
        for lever in actor.get("levers", {}).values():
            effects = []
            for effect in lever.get("effects", []):
                if "segments" in effect:
                    effect["segments"] = [s for s in effect["segments"] if s in segments]
                if effect.get("segments") or effect.get("nodes"):
                    effects.append(effect)
            lever["effects"] = effects
            if "response" in lever:
                lever["response"]["segments"] = [s for s in lever["response"]["segments"] if s in segments]
    return raw


def everything_off(raw: Raw) -> Raw:
    """Every mechanism above off at once: the materiel-only model without storage, convoys or actors that decide."""
    for switch in (no_oil, no_storage, no_convoys, no_decisions, no_responses, no_learning):
        raw = switch(raw)
    return raw


VARIANTS: dict[str, Callable[[Raw], Raw]] = {
    "the shipped baseline (every mechanism on)": lambda raw: raw,
    "airport storage off": no_storage,
    "convoys off": no_convoys,
    "oil off (materiel only)": no_oil,
    "budgets and decisions off": no_decisions,
    "militias' responses off": no_responses,
    "shipper's learning off (beliefs stay at the prior)": no_learning,
    "all of these off": everything_off,
}


def timed_run(raw: Raw, reps: int, days: int, threads: int | None) -> float:
    """Wall seconds to build the model and run it to the horizon."""
    gc.collect()
    started = time.perf_counter()
    model = CorridorModel(load_scenario(raw, days=days), replicates=reps, rng=7, keep_daily=False, threads=threads)
    model.run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=3, help="runs of each variant, in rotation")
    parser.add_argument("--threads", type=int, default=None, help="default: the model's")
    parser.add_argument("--engine", action="store_true", help="time the day kernel alone (engine_time.py)")
    args = parser.parse_args()
    base = load_raw(BASELINE)
    variants = {label: edit(base) for label, edit in VARIANTS.items()}
    if args.engine:
        engine_table(variants, args.runs, args.reps)
        return
    for raw in variants.values():  # load the compiled kernels, and check every variant builds, before timing
        timed_run(raw, min(args.reps, 512), 2, 1)
    times: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(args.runs):
        for label, raw in variants.items():
            times[label].append(timed_run(raw, args.reps, args.days, args.threads))
    full = statistics.median(next(iter(times.values())))
    print(f"Baseline variants, {args.reps:,} replicates x {args.days} days, median of {args.runs} runs in rotation\n")
    print("| variant | time, median (min-max) | relative to the baseline | saves |\n| --- | ---: | ---: | ---: |")
    for label, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"| {label} | {median:.2f} s ({min(seconds):.2f}-{max(seconds):.2f}) | {median / full:.2f} "
            f"| {1 - median / full:.0%} |"
        )


def engine_table(variants: dict[str, Raw], runs: int, reps: int) -> None:
    """Each variant's day kernel CPU per replicate-day (the fastest of ``runs`` measurements, in rotation)."""
    ns: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(runs):
        for label, raw in variants.items():
            ns[label].append(engine_ns(load_scenario(raw), reps))
    full = min(next(iter(ns.values())))
    print(f"The day kernel alone (benchmarks/engine_time.py), {reps:,} replicates, fastest of {runs} in rotation\n")
    print("| variant | ns per replicate-day (max) | relative to the baseline | saves |\n| --- | ---: | ---: | ---: |")
    for label, values in ns.items():
        best = min(values)
        print(f"| {label} | {best:.0f} ({max(values):.0f}) | {best / full:.2f} | {1 - best / full:.0%} |")


if __name__ == "__main__":
    main()
