"""Rejection ABC of the uncertain parameters against the declared calibration patterns.

    PYTHONPATH=src python scripts/calibrate.py [--reps 4000] [--seed 11] [--out validation/calibration.md]

Runs each scenario (and override set) the calibration patterns need with the same replicates (same
seed: replicate i draws the same parameters in every run), computes each calibration figure per
replicate (src/corridor_sim/validation.py), accepts the replicates whose every figure lies in its
observed range, and reports, per target parameter, the prior and posterior 5/50/95% and a uniform
fitted to the posterior's 5-95% range, with the rank correlations among targets that fitting
marginals loses. Patterns the model does not yet measure are listed and skipped. Validation
patterns are never used. The seed differs from the validation runs' (7) so that calibration and
validation do not share draws.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from corridor_sim.attribution import drawn_inputs
from corridor_sim.calibration import accepted, lost_correlations, posteriors, target_sources
from corridor_sim.patterns import load_patterns
from corridor_sim.validation import FIGURES, FigureRuns

ROOT = Path(__file__).resolve().parent.parent


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _q(t: tuple[float, float, float]) -> str:
    return " / ".join("-" if x != x else (f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}") for x in t)


def main(argv: list[str] | None = None) -> int:
    """Run, accept, summarise and write the calibration page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "validation" / "calibration.md")
    args = parser.parse_args(argv)
    patterns = {pid: p for pid, p in load_patterns().items() if p.use == "calibration"}
    runs = FigureRuns(ROOT / "scenarios", args.reps, args.seed)
    figures, skipped = {}, []
    for pid, pattern in patterns.items():
        figure = FIGURES[pid]
        if figure.compute is None:
            skipped.append(f"`{pid}` ({figure.not_measured})")
            continue
        figures[pid] = runs.values(pattern, figure)
        sys.stderr.write(f"{pid}: measured\n")
    drawn = drawn_inputs(*runs.models.values())
    ok = accepted(figures, patterns)
    sources = sorted({s for pid in figures for s in target_sources(patterns[pid], drawn)})
    lines = [
        "# Calibration: rejection ABC against the declared calibration patterns",
        "",
        f"`PYTHONPATH=src python scripts/calibrate.py --reps {args.reps} --seed {args.seed}`: "
        f"{args.reps} replicates from the priors, **{int(ok.sum())} accepted** ({100 * ok.mean():.1f}%), "
        "those whose every calibration figure lies in its observed range.",
        "",
        "| pattern | observed range | accepted alone |",
        "|---|---|---:|",
    ]
    for pid, values in figures.items():
        v = patterns[pid].value
        alone = accepted({pid: values}, patterns)
        lines.append(f"| `{pid}` | {_n(v.low)} - {_n(v.high)} {v.unit} | {100 * alone.mean():.1f}% |")
    ids = list(figures)
    if len(ids) > 1:
        lines += [
            "",
            "Accepted by each pair of patterns together (a pair far below the product of its two shares is in "
            "tension: no parameter set in the prior reproduces both):",
            "",
            "| | " + " | ".join(f"`{b}`" for b in ids[1:]) + " |",
            "|---|" + "---:|" * (len(ids) - 1),
        ]
        for i, a in enumerate(ids[:-1]):
            cells = []
            for j, b in enumerate(ids[1:], start=1):
                both = accepted({a: figures[a], b: figures[b]}, patterns) if j > i else None
                cells.append(f"{100 * both.mean():.1f}%" if both is not None else "")
            lines.append(f"| `{a}` | " + " | ".join(cells) + " |")
    if skipped:
        lines += ["", "Not used (the model does not yet measure them): " + "; ".join(skipped) + "."]
    lines += [
        "",
        "| target parameter | prior 5% / 50% / 95% | posterior 5% / 50% / 95% | fitted marginal |",
        "|---|---|---|---|",
    ]
    for post in posteriors(drawn, ok, sources):
        fitted = f"uniform({post.fitted['low']:,.4g}, {post.fitted['high']:,.4g})" if post.fitted else "-"
        lines.append(f"| `{post.source}` | {_q(post.prior)} | {_q(post.posterior)} | {fitted} |")
    corr = lost_correlations(drawn, ok, sources)
    if not corr.empty:
        off = corr.where(~np.eye(len(corr), dtype=bool)).abs().max().max()
        lines += [
            "",
            f"Largest rank correlation between targets among accepted replicates: {off:.2f} "
            "(fitting marginals drops it).",
        ]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
