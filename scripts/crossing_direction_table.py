"""The table of docs/parameters.md, "Direction of Baghdad-loyal control", from a crossing_control_direction sweep.

    corridor-sim sweep experiments/crossing_control_direction.yaml --out results/crossing_control_direction
    PYTHONPATH=src python scripts/crossing_direction_table.py results/crossing_control_direction

For every point of the grid, the paired difference in materiel delivered by land over the run,
Baghdad-loyal minus militia control (the two points share every draw: common random numbers), as a
share of the militia-control mean over the whole grid; then how many of the differences have a 95%
interval (mean +- 1.96 standard errors) wholly below zero, and the smallest and largest in size.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from corridor_sim.sweep.results import read_manifest, read_outcomes

L, D, I, G = (
    "actors.iraq.levers.garrison_loyal_share",
    "actors.iraq.levers.detection_probability",
    "actors.iraq.levers.inspection_rate",
    "actors.militias.levers.informal_crossing_growth",
)
CONTROL = "actors.iraq.levers.baghdad_control"
LAND = "delivered_tons:mode:land"


def paired(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per grid point (L, D, I, G): mean paired difference, its 95% half-width, and the militia-control mean."""
    keys = [L, D, I, G, "replicate"]
    wide = outcomes.pivot_table(index=keys, columns=CONTROL, values=LAND, observed=True)
    diff = (wide[1.0] - wide[0.0]).rename("diff")
    base = wide[0.0].rename("base")
    grouped = pd.concat([diff, base], axis=1).groupby(level=[L, D, I, G])
    out = grouped.agg(mean=("diff", "mean"), sd=("diff", "std"), n=("diff", "size"), base=("base", "mean"))
    out["half"] = 1.96 * out["sd"] / np.sqrt(out["n"])
    return out.reset_index()


def markdown(table: pd.DataFrame) -> str:
    """The grid as docs/parameters.md prints it: rows (I, D), columns G then L, cells % of the militia mean."""
    base = table["base"].mean()
    ls = sorted(table[L].unique())
    lines = [
        "| I, D | "
        + " | ".join(
            f"G = {g:g}: L = {l:g}" if j == 0 else f"{l:g}" for g in sorted(table[G].unique()) for j, l in enumerate(ls)
        )
        + " |",
        "|---|" + "---|" * (table[G].nunique() * len(ls)),
    ]
    for i in sorted(table[I].unique()):
        for d in sorted(table[D].unique()):
            cells = []
            for g in sorted(table[G].unique()):
                for l_ in ls:
                    row = table[(table[I] == i) & (table[D] == d) & (table[G] == g) & (table[L] == l_)].iloc[0]
                    pct = 100 * row["mean"] / base
                    cells.append(f"{pct:+.1f}%".replace("-", "−") if abs(pct) < 1 else f"{pct:+.0f}%".replace("-", "−"))
            lines.append(f"| {i:g}, {d:g} | " + " | ".join(cells) + " |")
    below = int((table["mean"] + table["half"] < 0).sum())
    small = table.loc[table["mean"].abs().idxmin()]
    large = table.loc[table["mean"].abs().idxmax()]

    def where(row: pd.Series) -> str:
        return f"L = {row[L]:g}, D = {row[D]:g}, I = {row[I]:g}, G = {row[G]:g}"

    lines += [
        "",
        f"Militia-control mean over the grid: {base:,.0f} t. {below} of {len(table)} paired differences have a 95% "
        f"interval wholly below zero. Smallest in size: {small['mean']:+,.0f} t "
        f"[{small['mean'] - small['half']:+,.0f}, {small['mean'] + small['half']:+,.0f}] ({where(small)}); largest: "
        f"{large['mean']:+,.0f} t [{large['mean'] - large['half']:+,.0f}, {large['mean'] + large['half']:+,.0f}] "
        f"({100 * large['mean'] / base:+.0f}%, {where(large)}).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the table of a finished sweep folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the crossing_control_direction sweep's results folder")
    args = parser.parse_args(argv)
    outcomes = read_outcomes(args.folder, read_manifest(args.folder))
    sys.stdout.write(markdown(paired(outcomes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
