"""How a run's cost grows with replicates, horizon and network size (the table in docs/performance.md).

    python benchmarks/scaling.py

Each row builds and runs the model (standard outputs, no per-replicate daily tables) and reports wall
and CPU seconds (all threads) and CPU microseconds per replicate-day. The larger network is the
baseline with every route duplicated onto copies of its segments (twice the legs and routes).
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

from corridor_sim import CorridorModel
from corridor_sim.scenario import load_raw, validate

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def doubled_network() -> dict:
    """The baseline with each route also running over its own copies of its segments."""
    raw = load_raw(BASELINE)
    for sid, seg in list(raw["segments"].items()):
        raw["segments"][f"{sid}_b"] = copy.deepcopy(seg)
    for rid, route in list(raw["routes"].items()):
        twin = copy.deepcopy(route)
        twin["segments"] = [f"{s}_b" for s in route["segments"]]
        twin.pop("label", None)
        raw["routes"][f"{rid}_b"] = twin
    return raw


def measure(scenario, reps: int, days: int) -> tuple[float, float, int, int]:
    CorridorModel(scenario, replicates=reps, rng=1, days=2, keep_daily=False).run()  # warm: compiled code loaded
    wall, cpu = time.perf_counter(), time.process_time()
    model = CorridorModel(scenario, replicates=reps, rng=1, days=days, keep_daily=False)
    model.run()
    model.bands()
    return time.perf_counter() - wall, time.process_time() - cpu, model.net.n_legs, len(model.net.route_ids)


def main() -> None:
    cases = [("baseline", BASELINE, r, 365) for r in (100, 1000, 10000)]
    cases += [("baseline", BASELINE, 2000, d) for d in (90, 365, 730)]
    cases += [("doubled network", validate(doubled_network()), 2000, 365)]
    header = ("network", "legs", "routes", "reps", "days", "wall s", "CPU s", "CPU us/rep-day")
    print(f"{header[0]:<16} " + " ".join(f"{h:>{len(h) + 2}}" for h in header[1:]))
    for name, scenario, reps, days in cases:
        wall, cpu, legs, routes = measure(scenario, reps, days)
        per = cpu / (reps * days) * 1e6
        print(f"{name:<16} {legs:>6} {routes:>8} {reps:>6} {days:>6} {wall:>8.2f} {cpu:>7.2f} {per:>16.2f}", flush=True)


if __name__ == "__main__":
    main()
