"""Where the balloon effect comes from: US land surveillance 0 against 1, with each mechanism switched off in turn.

    PYTHONPATH=src python scripts/balloon.py [--reps 300] [--seed 7] [--days N] [--out FILE.md]

For each variant of the baseline, the two arms (``us.land_surveillance`` at 0 and at 1 from day 0)
run the same replicates (same seed), so their difference is paired. The table gives the mean paired
difference of materiel delivered by land, by sea and by air (tons, with 95% intervals) and the share
of the land loss made up by the other modes (``displaced = (sea + air gain) / land loss``). A
mechanism the displacement rests on is one whose switching off shrinks that share. docs/ODD.md
("The balloon effect: what produces it") quotes the table.

Variants:

- ``as shipped``: every mechanism on.
- ``no <mechanism>``: one mechanism switched off in both arms (``corridor_sim.attribution.SWITCHES``:
  airport storage, convoys, adaptive effort, budgets and decisions, the militias' responses, the
  shipper's learning, its loss tolerance, partial replacement of losses).
- ``shipper not told``: the shipper's day-0 prior is the same in both arms (the arm without
  surveillance's), so it learns of the surveillance only from its losses.
- ``not told, no learning``: that, and beliefs that never move from the prior: the shipper's route
  choice never sees the surveillance, so what is displaced comes only from re-sending lost cargo
  and from fleets' limits.
- ``risk-blind shipper``: the shipper's prior is zero risk and it never learns: it chooses on cost
  and time alone.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridor_sim.attribution import SWITCHES, no_learning
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_raw, load_scenario

ROOT = Path(__file__).resolve().parent.parent
LEVER = "actors.us.levers.land_surveillance.value"
MODES = ("air", "land", "sea")


# A variant: how it edits the scenario, and how it sets the prior of arm 1 given arm 0's model
# (None: each arm keeps its own day-0 prior).
Variant = tuple[Callable[[dict[str, Any]], dict[str, Any]], Callable[[CorridorModel, CorridorModel], None] | None]


def _same_prior(arm0: CorridorModel, arm1: CorridorModel) -> None:
    arm1.shipper.set_prior_risk(arm0.shipper.prior_risk)


def _zero_prior(arm0: CorridorModel, arm1: CorridorModel) -> None:
    for model in (arm0, arm1):
        model.shipper.set_prior_risk(np.zeros_like(model.shipper.prior_risk))


VARIANTS: dict[str, Variant] = {
    "as shipped": (copy.deepcopy, None),
    **{f"no {name}": (switch, None) for name, switch in SWITCHES.items()},
    "shipper not told": (copy.deepcopy, _same_prior),
    "not told, no learning": (no_learning, _same_prior),
    "risk-blind shipper": (no_learning, _zero_prior),
}


def delivered_by_mode(model: CorridorModel, cargo: str = "materiel") -> pd.DataFrame:
    """Per replicate, the cargo class's tons delivered by each mode (replicates × modes)."""
    s = model.summary()
    s = s[s["cargo"] == cargo]
    table = s.pivot_table(index="replicate", columns="mode", values="delivered_tons", aggfunc="sum", observed=True)
    return table.reindex(columns=list(MODES), fill_value=0.0).fillna(0.0)


def paired(
    raw: dict[str, Any],
    hook: Callable[[CorridorModel, CorridorModel], None] | None,
    *,
    reps: int,
    seed: int,
    days: int | None,
) -> dict[str, float]:
    """Surveillance 0 against 1 on the same replicates: mean paired differences by mode and the share displaced."""
    arms = []
    for value in (0.0, 1.0):
        spec = load_scenario(raw, overrides={LEVER: value}, days=days)
        arms.append(CorridorModel(spec, replicates=reps, rng=seed))
    if hook is not None:
        hook(arms[0], arms[1])
    before, after = (delivered_by_mode(m.run()) for m in arms)
    d = after - before
    out: dict[str, float] = {}
    for mode in MODES:
        out[mode] = float(d[mode].mean())
        out[f"{mode}_half"] = float(1.96 * d[mode].std(ddof=1) / np.sqrt(len(d)))
    land_loss = -out["land"]
    out["displaced"] = (out["sea"] + out["air"]) / land_loss if land_loss > 0 else np.nan
    return out


def table(results: dict[str, dict[str, float]], reps: int, seed: int) -> str:
    """The markdown table of every variant."""
    lines = [
        f"US land surveillance 0 → 1 from day 0; materiel delivered over the horizon, mean paired difference "
        f"± 95% interval, {reps} replicates, seed {seed}.",
        "",
        "| variant | land, t | sea, t | air, t | displaced |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        cells = " | ".join(f"{r[m]:+,.0f} ± {r[f'{m}_half']:,.0f}" for m in ("land", "sea", "air"))
        lines.append(f"| {name} | {cells} | {100 * r['displaced']:.0f}% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run every variant and print (or write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--only", nargs="*", default=None, help="run only these variants (by name)")
    parser.add_argument("--out", type=Path, default=None, help="write the table to this markdown file too")
    args = parser.parse_args(argv)
    raw = load_raw(ROOT / "scenarios" / "baseline.yaml")
    results = {}
    for name, (edit, hook) in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        results[name] = paired(edit(raw), hook, reps=args.reps, seed=args.seed, days=args.days)
        sys.stderr.write(f"{name}: done\n")
    text = table(results, args.reps, args.seed)
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
