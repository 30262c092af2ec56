"""Where a day's time goes: CPU time of the day kernel with its steps added one at a time.

    python benchmarks/profile_day.py                 # baseline, 10,240 replicates, one thread
    python benchmarks/profile_day.py --reps 1024
    python benchmarks/profile_day.py --span 5        # each chunk through 5 days at a time, as in a span

Runs the baseline for 100 days to reach a typical state, then times days 100-109 again and again
from a copy of that state, first with no step, then with the first step, the first two, and so on
(each step needs those before it). The differences are each step's cost. Also times, on the same
day's rows, the bands (quantiles across replicates) and the day's interdiction draws. One thread;
compiled with Numba as the model is. With ``--span N`` the steps run as a span does: each chunk of
256 replicates through N days before the next chunk (every day reuses the same uniforms and band
rows, so this measures the kernel's work in cache, not the cost of its output).
"""

from __future__ import annotations

import argparse
import statistics
import time
import types
from pathlib import Path

import numba
import numpy as np

from corridor_sim import CorridorModel
from corridor_sim.kernels import compile as compile_engine

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
STEPS = (
    "effects",
    "payments",
    "arrivals",
    "storage",
    "queues",
    "choice",
    "movement",
    "accounting",
    "adaptation",
    "responses",
)
WHAT = {
    "effects": "lever changes, adaptive attribute chains, legs' risk (kernels/effects.py, derived.py)",
    "payments": "actors' lever costs (kernels/payments.py)",
    "arrivals": "pipeline arrivals, vehicles back, demand and requirement (kernels/arrivals.py)",
    "storage": "airport storage: strikes, landings, cargo due out (kernels/storage.py)",
    "queues": "capacity-group loads and queue waits per route, and the airports' (kernels/queues.py, storage.py)",
    "choice": "beliefs, expected cost per route, logit with inertia, fleet limits (kernels/choice.py)",
    "movement": "dispatch, capacity service, interdiction draws, learning, pipeline (kernels/movement.py)",
    "accounting": "costs, band rows, totals, 30-day window if kept (kernels/accounting.py)",
    "adaptation": "adaptive effort and decisions (kernels/adaptation.py)",
    "responses": "levers that respond: the militias' (kernels/militias.py)",
}
DAY_STEPS = """
def day_steps(d0, days, u, us, net, fx, par, st, rows, parts, sums, r_start, r_stop, upto):
    sc = scratch(net, CHUNK, st.lev.shape[0])
    for r0 in range(r_start, r_stop, CHUNK):
        n = min(CHUNK, r_stop - r0)
        for d in range(d0, d0 + days):
            if upto >= 1:
                _apply_levers(r0, n, False, net, fx, par, st, sc)
            if upto >= 2:
                _pay(r0, n, par, st, sc)
            if upto >= 3:
                _arrivals(d, r0, n, net, par, st, rows, sc)
            ud = u[r0 // u.shape[1], r0 % u.shape[1] : r0 % u.shape[1] + n]
            usd = us[r0 // us.shape[1], r0 % us.shape[1] : r0 % us.shape[1] + n]
            if upto >= 4:
                _storage(d, r0, n, usd, net, par, st, sc)
            if upto >= 5:
                _route_waits(r0, n, net, st, sc)
                _storage_waits(r0, n, net, par, st, sc)
            if upto >= 6:
                _decide(r0, n, net, par, st, sc)
            if upto >= 7:
                _move(d, r0, n, ud, net, par, st, sc)
            if upto >= 8:
                _account(d, r0, n, net, par, st, rows, parts, sums, sc)
            if upto >= 9:
                _adapt(d, r0, n, par, st, sc)
            if upto >= 10:
                _respond(r0, n, net, par, st, sc)
"""


def stepped_kernel():
    """The day with a step count, compiled from the engine's own helpers."""
    namespace = compile_engine._namespace()
    options = {"nogil": True, "error_model": "numpy"}
    for name in compile_engine.HELPERS:
        py = namespace[name]
        namespace[name] = numba.njit(**options)(types.FunctionType(py.__code__, namespace, name))
    exec(DAY_STEPS, namespace)  # noqa: S102 - our own source above
    return numba.njit(**options)(namespace["day_steps"])


def median_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10240)
    parser.add_argument("--span", type=int, default=1, help="days each chunk runs before the next (default 1)")
    args = parser.parse_args()
    reps, days, span = args.reps, 10, args.span
    day_steps = stepped_kernel()
    model = CorridorModel(BASELINE, replicates=reps, rng=1, days=400, keep_daily=False, threads=1)
    model.run_for(100)
    rows, parts, sums = model.recorder.buffers(1)
    out = (rows[0], parts[0], sums[0])
    uniforms, strikes = model.scheduler.draws.fill()  # the next day's (run_for took spans, which draw elsewhere)
    state = [a.copy() if isinstance(a, np.ndarray) else a for a in model._st]

    def run(upto: int) -> None:
        st = type(model._st)(*(a.copy() if isinstance(a, np.ndarray) else a for a in state))
        started = time.process_time()
        for d in range(100, 100 + days, span):
            n = min(span, 100 + days - d)
            day_steps(d, n, uniforms, strikes, model._net_args, model._fx, model._par, st, *out, 0, reps, upto)
        run.seconds = time.process_time() - started

    per_day = []
    for upto in range(len(STEPS) + 1):
        run(upto)  # compile and warm
        times = []
        for _ in range(7):
            run(upto)
            times.append(run.seconds)
        per_day.append(statistics.median(times) / days * 1e3)
    order = "day by day" if span == 1 else f"each chunk through {span} days at a time"
    print(f"Baseline, {reps:,} replicates, day 100-109, {order}, one thread; CPU ms per day (us per replicate-day)\n")
    print("| step | what it does | ms per day | ns per replicate-day |\n| --- | --- | ---: | ---: |")
    for i, step in enumerate(STEPS, start=1):
        ms = per_day[i] - per_day[i - 1]
        print(f"| {step} | {WHAT[step]} | {ms:.2f} | {ms / reps * 1e6:.0f} |")
    print(f"| **kernel** | | **{per_day[-1]:.2f}** | **{per_day[-1] / reps * 1e6:.0f}** |")
    stack = out[0]
    rec = model.recorder
    stats = np.zeros((len(rec._positions) + 1, stack.shape[0]))
    bands_ms = median_ms(
        lambda: model._kernels.bands(
            stack, rec._positions, rec._fractions, stats, rec._work[0], 0, 1, np.zeros(len(stack), dtype=bool)
        )
    )
    draws_ms = median_ms(model.scheduler.draws.fill)
    print(
        f"| bands | quantiles and mean of {stack.shape[0]} daily rows across replicates | "
        f"{bands_ms:.2f} | {bands_ms / reps * 1e6:.0f} |"
    )
    print(f"| draws | one uniform per leg and replicate | {draws_ms:.2f} | {draws_ms / reps * 1e6:.0f} |")


if __name__ == "__main__":
    main()
