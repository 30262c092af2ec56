"""Each shipped scenario's headline numbers, per cargo class, and its paired difference from the baseline.

    PYTHONPATH=src python scripts/headlines.py [--reps 1000] [--seed 7] [--days N] [--out FILE.md]

Every scenario runs the same replicates (same seed), so replicate i of a scenario and of the
baseline share every draw the two scenarios have in common (common random numbers) and their
difference is paired. Per cargo class and mode, it prints the median and 5-95% band over
replicates of the cargo delivered and interdicted (in the cargo class's unit, tons or barrels: cargo
classes are never summed), the pooled interdiction rate and the cost per delivered unit, then the mean paired
difference from the baseline of the cargo delivered by mode, with its 95% interval. The closing
notes of the mechanism issues quote its tables before and after a change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from corridor_sim.model import CorridorModel
from corridor_sim.rates import pooled_interdiction_rate
from corridor_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MODES = ("air", "land", "sea")


def per_replicate(summary: pd.DataFrame) -> pd.DataFrame:
    """Per replicate, cargo and mode: tons dispatched, delivered and interdicted, the pooled rate and cost per ton."""
    rows = []
    for (rep, cargo, mode), g in summary.groupby(["replicate", "cargo", "mode"], observed=True, sort=True):
        sent = g["dispatched_tons"].to_numpy()
        got = float(g["delivered_tons"].sum())
        rate = pooled_interdiction_rate(np.nan_to_num(g["interdiction_rate"].to_numpy()), sent)
        rows.append(
            {
                "replicate": rep,
                "cargo": cargo,
                "mode": mode,
                "delivered": got,
                "interdicted": float(g["interdicted_tons"].sum()),
                "rate": float(rate) if sent.sum() > 0 else np.nan,
                "cost_per_ton": float(g["cost_usd"].sum()) / got if got > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def band(x: pd.Series, digits: int = 0) -> str:
    """Median [5%, 95%] of a column, NaN dropped."""
    x = x.dropna()
    if x.empty:
        return "-"
    q = np.quantile(x, [0.5, 0.05, 0.95])
    fmt = f"{{:,.{digits}f}}"
    return f"{fmt.format(q[0])} [{fmt.format(q[1])}, {fmt.format(q[2])}]"


def scenario_table(name: str, reps: pd.DataFrame, units: dict[str, str]) -> str:
    """A markdown table of one scenario's headline numbers (quantities in each cargo class's unit)."""
    lines = [
        f"### {name}",
        "",
        "| cargo | mode | unit | delivered | interdicted | interdiction rate % | cost per delivered unit, USD |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for (cargo, mode), g in reps.groupby(["cargo", "mode"], sort=True):
        lines.append(
            f"| {cargo} | {mode} | {units.get(cargo, '')} | {band(g['delivered'])} | {band(g['interdicted'])} | "
            f"{band(100 * g['rate'], 1)} | {band(g['cost_per_ton'])} |"
        )
    return "\n".join(lines)


def paired_table(results: dict[str, pd.DataFrame], base: str = "baseline") -> str:
    """Mean paired difference from the baseline of cargo delivered per cargo and mode, with a 95% interval."""
    lines = [
        "### Paired differences from the baseline (delivered, in the cargo's unit; mean and 95% interval)",
        "",
        "| scenario | cargo | mode | difference | % of baseline |",
        "|---|---|---|---:|---:|",
    ]
    ref = results[base].set_index(["replicate", "cargo", "mode"])["delivered"]
    for name, reps in results.items():
        if name == base:
            continue
        other = reps.set_index(["replicate", "cargo", "mode"])["delivered"]
        joined = pd.concat([ref.rename("base"), other.rename("other")], axis=1).fillna(0.0)
        for (cargo, mode), g in joined.groupby(level=["cargo", "mode"], sort=True):
            d = g["other"] - g["base"]
            half = 1.96 * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan
            pct = 100 * d.mean() / g["base"].mean() if g["base"].mean() > 0 else np.nan
            lines.append(f"| {name} | {cargo} | {mode} | {d.mean():+,.0f} ± {half:,.0f} | {pct:+.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every shipped scenario and print (or write) the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the tables to this markdown file too")
    args = parser.parse_args(argv)
    results: dict[str, pd.DataFrame] = {}
    units: dict[str, str] = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml"), key=lambda p: (p.stem != "baseline", p.stem)):
        spec = load_scenario(path, days=args.days)
        model = CorridorModel(spec, replicates=args.reps, rng=args.seed).run()
        results[path.stem] = per_replicate(model.summary())
        units.update({cid: cargo.unit for cid, cargo in spec.cargo.items()})
    head = f"{args.reps} replicates, seed {args.seed}; median [5%, 95%] over replicates."
    text = "\n\n".join([head, *(scenario_table(n, r, units) for n, r in results.items()), paired_table(results)]) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
