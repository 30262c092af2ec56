"""What drives each conclusion: every shipped scenario's headline against the baseline, attributed.

    PYTHONPATH=src python scripts/findings.py [--reps 500] [--seed 7] [--days N] [--out docs/findings.md]

For each shipped scenario and its headline metrics (:data:`HEADLINES`), both arms (the scenario
and the baseline) run the same replicates (same seed), so the per-replicate difference is paired.
The page gives, per headline:

- the mean paired difference with its 95% interval, and the share of replicates in which the
  difference has the mean's sign (each replicate draws every uncertain assumption afresh, so this
  is the share of the assumption space, noise included, in which the direction holds);
- attribution to mechanisms: the mean difference again with each mechanism switched off in both
  arms (``corridor_sim.attribution.SWITCHES``);
- attribution to uncertain assumptions: first-order sensitivity indices of the per-replicate
  difference to each assumption the replicates drew (SALib's given-data estimator,
  ``SALib.analyze.delta`` with ``method="sobol"``), the five largest, with the direction's share in the
  lower and upper halves of the leading assumption's range. A conclusion whose leading index is
  0.5 or more is flagged as resting on a single assumption.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import delta

from corridor_sim.attribution import SWITCHES, drawn_inputs
from corridor_sim.findings import FINDINGS_FILE, amount, fingerprint
from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_raw, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SINGLE = 0.5  # a leading first-order index at least this large: the conclusion rests on one assumption


def _sum(model: CorridorModel, column: str, cargo: str, mode: str | None = None) -> np.ndarray:
    s = model.summary()
    s = s[s["cargo"] == cargo]
    if mode is not None:
        s = s[s["mode"] == mode]
    per = s.groupby("replicate", observed=True)[column].sum()
    return per.reindex(range(model.n_replicates), fill_value=0.0).to_numpy()


def _truck_share(model: CorridorModel) -> np.ndarray:
    land = _sum(model, "dispatched_tons", "oil", "land")
    total = _sum(model, "dispatched_tons", "oil")
    return np.divide(land, total, out=np.full_like(land, np.nan), where=total > 0)


@dataclass(frozen=True)
class Headline:
    label: str
    unit: str
    of: Callable[[CorridorModel], np.ndarray]


LAND_DELIVERED = Headline("materiel delivered by land", "t", lambda m: _sum(m, "delivered_tons", "materiel", "land"))
HEADLINES: dict[str, list[Headline]] = {
    "crossing_baghdad_control": [LAND_DELIVERED],
    "crossing_open_militia": [LAND_DELIVERED],
    "egypt_leaves_mesa": [
        Headline("materiel lost at sea", "t", lambda m: _sum(m, "interdicted_tons", "materiel", "sea")),
        Headline("oil's share sent by tanker truck", "share", _truck_share),
    ],
    "escalation": [Headline("materiel delivered, all modes", "t", lambda m: _sum(m, "delivered_tons", "materiel"))],
    "us_withdrawal": [
        Headline("materiel lost by land", "t", lambda m: _sum(m, "interdicted_tons", "materiel", "land"))
    ],
}


def _run(raw: dict[str, Any], reps: int, seed: int, days: int | None) -> CorridorModel:
    spec = load_scenario(raw, days=days)
    return CorridorModel(spec, replicates=reps, rng=seed, keep_daily=False, keep_bands=False).run()


def _mean_ci(d: np.ndarray) -> tuple[float, float]:
    d = d[np.isfinite(d)]
    return float(d.mean()), float(1.96 * d.std(ddof=1) / np.sqrt(len(d)))


def _sensitivity(d: np.ndarray, inputs: pd.DataFrame, seed: int) -> pd.DataFrame:
    ok = np.isfinite(d)
    x, y = inputs.to_numpy()[ok], d[ok]
    problem = {
        "num_vars": x.shape[1],
        "names": list(inputs.columns),
        "bounds": [[float(lo), float(hi)] for lo, hi in zip(x.min(axis=0), x.max(axis=0), strict=True)],
    }
    res = delta.analyze(problem, x, y, num_resamples=50, method="sobol", seed=seed, print_to_console=False)
    return pd.DataFrame({"S1": res["S1"], "conf": res["S1_conf"]}, index=inputs.columns).sort_values(
        "S1", ascending=False
    )


def headline_section(
    name: str, h: Headline, arms: dict[str, tuple[CorridorModel, CorridorModel]], seed: int
) -> tuple[str, dict[str, Any]]:
    """One headline's markdown (difference, mechanisms, assumptions) and the same as a record for reports."""
    base, scen = arms["as shipped"]
    d = h.of(scen) - h.of(base)
    record: dict[str, Any] = {"label": h.label, "unit": h.unit}
    if np.all(np.nan_to_num(d) == 0.0):
        record["no_effect"] = True
        return (
            f"### {name}: {h.label}\n\nNo effect: the scenario's {h.label} equals the baseline's in every "
            "replicate (nothing in the scenario reaches it), so there is nothing to attribute."
        ), record
    mean, half = _mean_ci(d)
    ref = float(np.nanmean(h.of(base)))
    sign = np.sign(mean)
    holds = float(np.mean(np.sign(d[np.isfinite(d)]) == sign)) if sign != 0 else np.nan
    pct = f" ({100 * mean / ref:+.1f}% of the baseline's {ref:,.0f})" if h.unit != "share" and ref else ""
    lines = [
        f"### {name}: {h.label}",
        "",
        f"Paired difference from the baseline: **{amount(mean, h.unit)} ± {amount(half, h.unit, '')} {h.unit}**{pct}; "
        f"its direction holds in **{100 * holds:.0f}%** of replicates.",
        "",
        "| mechanism switched off (both arms) | mean difference | change from as shipped |",
        "|---|---:|---:|",
    ]
    mechanisms = []
    for variant, (b, s) in arms.items():
        if variant == "as shipped":
            continue
        m, hf = _mean_ci(h.of(s) - h.of(b))
        lines.append(f"| {variant} | {amount(m, h.unit)} ± {amount(hf, h.unit, '')} | {amount(m - mean, h.unit)} |")
        mechanisms.append({"switched_off": variant.removeprefix("no "), "mean": m, "half": hf, "change": m - mean})
    inputs = drawn_inputs(scen, base)
    sens = _sensitivity(d, inputs, seed)
    lines += ["", "| assumption (drawn per replicate) | first-order index | ± |", "|---|---:|---:|"]
    lines += [f"| `{src}` | {row.S1:.2f} | {row.conf:.2f} |" for src, row in sens.head(5).iterrows()]
    top = sens.index[0]
    x = inputs[top].to_numpy()
    low = x <= np.median(x)
    share_low = float(np.mean(np.sign(d[low]) == sign))
    share_high = float(np.mean(np.sign(d[~low]) == sign))
    verdict = (
        f"**It rests on a single assumption**, `{top}` (first-order index {sens.S1.iloc[0]:.2f})."
        if sens.S1.iloc[0] >= SINGLE
        else f"No single assumption explains half its variance; the leading one is `{top}`."
    )
    halves = (
        f"The direction holds in {100 * share_low:.0f}% of replicates in the lower half of its range "
        f"and {100 * share_high:.0f}% in the upper half."
    )
    lines += ["", f"{verdict} {halves}"]
    record.update(
        mean=mean,
        half=half,
        baseline=ref,
        holds=holds,
        mechanisms=mechanisms,
        assumptions=[{"source": src, "S1": row.S1, "conf": row.conf} for src, row in sens.head(5).iterrows()],
        single=bool(sens.S1.iloc[0] >= SINGLE),
        verdict=f"{verdict} {halves}".replace("**", "").replace("`", ""),
    )
    return "\n".join(lines), record


def main(argv: list[str] | None = None) -> int:
    """Run every scenario against the baseline, as shipped and with each mechanism off, and write the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--only", nargs="*", default=None, help="only these scenarios")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "findings.md")
    parser.add_argument(
        "--json",
        type=Path,
        default=ROOT / "src" / "corridor_sim" / FINDINGS_FILE,
        help="the findings for run reports (default: the package's findings.json; --only writes none)",
    )
    args = parser.parse_args(argv)
    if args.only:
        args.json = None  # a partial page must not replace the reports' findings
    variants = {"as shipped": lambda raw: raw, **{f"no {k}": f for k, f in SWITCHES.items()}}
    base_raw = load_raw(ROOT / "scenarios" / "baseline.yaml")
    bases = {v: _run(edit(base_raw), args.reps, args.seed, args.days) for v, edit in variants.items()}
    sections, records = [], {}
    for name, headlines in HEADLINES.items():
        if args.only and name not in args.only:
            continue
        raw = load_raw(ROOT / "scenarios" / f"{name}.yaml")
        arms = {v: (bases[v], _run(edit(raw), args.reps, args.seed, args.days)) for v, edit in variants.items()}
        done = [headline_section(name, h, arms, args.seed) for h in headlines]
        sections += [text for text, _ in done]
        records[name] = {
            "scenario": fingerprint(load_scenario(raw, days=args.days).to_dict()),
            "baseline": fingerprint(load_scenario(base_raw, days=args.days).to_dict()),
            "headlines": [record for _, record in done],
        }
        sys.stderr.write(f"{name}: done\n")
    head = (
        "# Findings: what drives each conclusion\n\n"
        f"Written by `PYTHONPATH=src python scripts/findings.py --reps {args.reps} --seed {args.seed}`"
        f"{f' --days {args.days}' if args.days else ''}; rerun it after any change that alters results. "
        "How each part is computed is in the script's docstring. A replicate's difference carries the run's "
        "own randomness (the interdiction draws) as well as the assumptions it drew, so the first-order "
        "indices sum to well below 1 where that randomness dominates; an index is the share of the "
        "difference's variance one assumption explains on its own. The same tables go into each run's HTML "
        "report (from src/corridor_sim/findings.json, which this script writes).\n"
    )
    text = head + "\n" + "\n\n".join(sections) + "\n"
    args.out.write_text(text, encoding="utf-8")
    if args.json is not None:
        command = f"PYTHONPATH=src python scripts/findings.py --reps {args.reps} --seed {args.seed}"
        meta = {"reps": args.reps, "seed": args.seed, "days": args.days, "command": command}
        args.json.write_text(json.dumps({"meta": meta, "scenarios": records}, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
