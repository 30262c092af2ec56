"""What the shipper sends into certain loss: every segment's interdiction probability 1 from day 1.

    PYTHONPATH=src python scripts/certain_loss.py [SCENARIO] [--reps 200] [--seed 7] [--days 730]

The scenario (the baseline by default) gets one more actor, ``certain_loss``, whose lever makes every
segment's interdiction probability 1 from day 1 (docs/ODD.md 7.6, "Certain loss everywhere"). Per
cargo class it prints, as means per replicate, what was dispatched from day 1 on (all of it is lost),
the last day on which the shipper dispatched more than the largest probe it may send (full dispatch),
and what it sent after that day. The shipper's beliefs on day 1 are those of day 0, so day 1's
dispatch is the same whatever it learns.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import pandas as pd

from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_raw

ROOT = Path(__file__).resolve().parent.parent


def with_certain_loss(raw: dict, day: int = 1) -> dict:
    """``raw`` (a scenario dict) with every segment's interdiction probability 1 from ``day`` on."""
    out = copy.deepcopy(raw)
    lever = {
        "value": 0,
        "effects": [{"segments": list(out["segments"]), "attribute": "interdiction_probability", "coef": 1}],
    }
    out.setdefault("actors", {})["certain_loss"] = {
        "levers": {"everywhere": lever},
        "timeline": {"on": {"lever": "everywhere", "day": day, "set": 1}},
    }
    return out


def largest_probe(model: CorridorModel) -> pd.DataFrame:
    """Per route and cargo class, the largest probe it may send (in the class's unit): probe_demand_days x demand."""
    days = np.broadcast_to(model.shipper.parameters["probe_demand_days"], (model.n_replicates,))
    net = model.net
    return pd.DataFrame(
        [
            {"route": r, "cargo": c, "probe": float(np.max(days * model.demand[net.route_destination[k], i]))}
            for k, r in enumerate(net.route_ids)
            for i, c in enumerate(net.cargo_ids)
        ]
    )


def measure(raw: dict, *, reps: int, seed: int, day: int = 1) -> pd.DataFrame:
    """Per cargo class, means per replicate: sent from ``day`` on, last day of full dispatch, sent after it."""
    model = CorridorModel(with_certain_loss(raw, day), replicates=reps, rng=seed).run()
    ts = model.timeseries()
    ts = ts[ts.day >= day].astype({"route": str, "cargo": str})
    ts = ts.merge(largest_probe(model), on=["route", "cargo"])
    ts["full"] = ts["dispatched_tons"] > ts["probe"] * (1 + 1e-9)
    rows = []
    for cargo, g in ts.groupby("cargo"):
        sent = g.groupby("replicate")["dispatched_tons"].sum().reindex(range(reps), fill_value=0.0)
        last = g[g["full"]].groupby("replicate")["day"].max().reindex(range(reps), fill_value=day - 1)
        after = g[g["day"] > last.reindex(g["replicate"]).to_numpy()]
        rows.append(
            {
                "cargo": cargo,
                "sent_into_certain_loss": sent.mean(),
                "last_full_dispatch_day_mean": last.mean(),
                "last_full_dispatch_day_max": last.max(),
                "sent_after_full_dispatch": after["dispatched_tons"].sum() / reps,
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args(argv)
    raw = load_raw(Path(args.scenario))
    raw["days"] = args.days
    table = measure(raw, reps=args.reps, seed=args.seed)
    print(f"{args.scenario}: certain loss on every segment from day 1, {args.reps} replicates, seed {args.seed}")
    print("(cargo in each class's unit, means per replicate; full dispatch: more than the largest probe)")
    print(table.to_string(index=False, float_format=lambda x: f"{x:,.1f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
