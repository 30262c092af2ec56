"""Worked example: corridor_sim explored with the EMA Workbench.

Question: across uncertain truck fleets, back-road capacity and Israeli strike
tempo (uncertainties), how do US land surveillance and who holds the al-Qaim
crossing (levers) change what Iran moves by land, and how robust is each
policy to what we don't know?

Run it from the repository root::

    .venv/bin/python experiments/ema_example.py            # 40 scenarios x 6 policies
    .venv/bin/python experiments/ema_example.py --smoke    # 3 x 2, 60 days: checks it works

The model function is ``corridor_sim.ema.run_corridor``; ``ema_model``
declares uncertainties, levers and outcomes over scenario key paths and
outcome columns (see docs/experiments.md).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from corridor_sim.ema import ema_model, ema_name
from corridor_sim.extras import MissingExtra, require

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "crossing_open_militia.yaml"

UNCERTAINTIES = {
    "fleets.trucks.count": (80, 160),
    "segments.backroads_al_qaim_abu_kamal.capacity_tons_per_day": (40, 100),
    "actors.israel.levers.strike_rate": (0.0, 0.8),
}
LEVERS = {
    "actors.us.levers.land_surveillance": (0.0, 1.0),
    "actors.iraq.levers.baghdad_control": [0, 1],
}
OUTCOMES = (
    "delivered_tons:mode:land",
    "delivered_tons:mode:air",
    "delivered_share:mode:land",
    "land_overtakes_air",  # share of replicates in which land overtakes air after the warm-up
    "land_overtakes_air_day",  # the mean day among those (NaN: in none)
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="3 scenarios x 2 policies, 60 days, 4 replicates")
    parser.add_argument("--scenarios", type=int, default=40, help="sampled uncertainty scenarios (default 40)")
    parser.add_argument("--policies", type=int, default=6, help="sampled lever settings (default 6)")
    parser.add_argument("--replicates", type=int, default=16, help="replicates per experiment (default 16)")
    args = parser.parse_args()
    if args.smoke:
        args.scenarios, args.policies, args.replicates = 3, 2, 4
    days = 60 if args.smoke else None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns that optional ipyparallel is not installed
        ema = require("ema_workbench", extra="ema", needed_by="experiments/ema_example.py")
    SequentialEvaluator, perform_experiments = ema.SequentialEvaluator, ema.perform_experiments

    model = ema_model(
        scenario=SCENARIO,
        uncertainties=UNCERTAINTIES,
        levers=LEVERS,
        outcomes=OUTCOMES,
        replicates=args.replicates,
        seed=7,
        days=days,
        cargo="materiel",  # the baseline also carries oil (barrels), never added to materiel
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with SequentialEvaluator(model) as evaluator:
            experiments, outcomes = perform_experiments(
                model,
                scenarios=args.scenarios,
                policies=args.policies,
                evaluator=evaluator,
                uncertainty_sampling_kwargs={"rng": 11},
                lever_sampling_kwargs={"rng": 12},
            )
    elapsed = time.perf_counter() - started

    results = experiments.copy()
    for name, values in outcomes.items():
        results[name] = values
    levers = [ema_name(k) for k in LEVERS]
    land = ema_name("delivered_tons:mode:land")
    table = (
        results.groupby(levers)[land]
        .describe(percentiles=[0.05, 0.5, 0.95])[["count", "5%", "50%", "95%"]]
        .rename(columns={"count": "scenarios", "5%": "land t, 5%", "50%": "land t, median", "95%": "land t, 95%"})
        .round(0)
    )
    pd.set_option("display.width", 140)
    print(f"{len(results)} experiments ({args.scenarios} scenarios x {args.policies} policies) in {elapsed:.1f} s\n")
    print("Tons moved by land, per policy, across the uncertainty scenarios:")
    print(table.to_string())
    best = dict(zip(levers, table["land t, 95%"].idxmin(), strict=True))
    shown = ", ".join(f"{k} = {float(v):.2f}" for k, v in best.items())
    print(f"\nPolicy whose worst case (95th percentile across scenarios) lets least through by land: {shown}")


if __name__ == "__main__":
    try:
        main()
    except MissingExtra as err:
        sys.exit(f"error: {err}")
