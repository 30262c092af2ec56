"""Rejection ABC of the uncertain parameters against the declared calibration patterns.

    PYTHONPATH=src python scripts/calibrate.py [--reps 4000] [--seed 11] [--out validation/calibration.md] [--write]

Runs each scenario (and override set) the calibration patterns need with the same replicates (same
seed: replicate i draws the same parameters in every run), computes each calibration figure per
replicate (src/corridor_sim/validation.py), accepts the replicates whose every figure lies in its
observed range, and reports, per target parameter, the prior and posterior 5/50/95% (and the
uniform over the accepted range, for comparison), with the rank correlations among targets.
Patterns the model does not yet measure are listed and skipped; a pattern whose 5-95% band over the
prior misses its range is set apart as out of reach (it would reject nearly every replicate).
``--write`` writes the accepted parameter sets (each target's accepted values, drawn together) to
the calibration file scenarios/baseline.yaml names (``calibration:``); calibration always runs the
priors. Validation patterns are never used. The seed differs from the validation runs' (7) so that
calibration and validation do not share draws.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

from corridor_sim.attribution import drawn_inputs
from corridor_sim.calibration import accepted, lost_correlations, posteriors, reachable, target_sources
from corridor_sim.patterns import load_patterns
from corridor_sim.validation import FIGURES, FigureRuns

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION_FILE = ROOT / "src" / "corridor_sim" / "scenarios" / "calibration" / "posterior.yaml"


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _q(t: tuple[float, float, float]) -> str:
    return " / ".join("-" if x != x else (f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}") for x in t)


def write_calibration(
    path: Path, accepted_values: dict[str, np.ndarray], args: argparse.Namespace, used: list[str]
) -> None:
    """The accepted replicates' values as the calibration file a scenario's ``calibration:`` names.

    Each key path gets a ``sample`` of its accepted values, all drawn at one position per replicate
    (one stream), so the scenarios draw whole accepted parameter sets: the posterior's joint
    distribution, correlations and shape kept.
    """
    n = len(next(iter(accepted_values.values())))
    head = [
        "# Calibrated values (rejection ABC), written by scripts/calibrate.py: do not edit by hand.",
        f"# PYTHONPATH=src python scripts/calibrate.py --reps {args.reps} --seed {args.seed} --write",
        f"# {n} of {args.reps} prior replicates accepted by {', '.join(used)} (validation/calibration.md);",
        "# each parameter draws from its accepted values, all at one position per replicate (stream",
        "# calibration.posterior), so that a replicate takes one accepted parameter set whole.",
    ]
    values = {
        k: {"dist": "sample", "stream": "calibration.posterior", "values": [float(f"{x:.8g}") for x in v]}
        for k, v in accepted_values.items()
    }
    body = yaml.safe_dump({"values": values}, sort_keys=True, default_flow_style=None, width=120)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head) + "\n" + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run, accept, summarise and write the calibration page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "validation" / "calibration.md")
    parser.add_argument(
        "--write",
        type=Path,
        nargs="?",
        const=CALIBRATION_FILE,
        default=None,
        help="also write the accepted parameter sets where the scenarios read them "
        f"(default {CALIBRATION_FILE.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    patterns = {pid: p for pid, p in load_patterns().items() if p.use == "calibration"}
    runs = FigureRuns(ROOT / "scenarios", args.reps, args.seed, calibrated=False)
    figures, skipped = {}, []
    for pid, pattern in patterns.items():
        figure = FIGURES[pid]
        if figure.compute is None:
            skipped.append(f"`{pid}` ({figure.not_measured})")
            continue
        figures[pid] = runs.values(pattern, figure)
        sys.stderr.write(f"{pid}: measured\n")
    drawn = drawn_inputs(*runs.models.values())
    met, missed = reachable(figures, patterns)
    ok = accepted(met, patterns)
    sources = sorted({s for pid in met for s in target_sources(patterns[pid], drawn)})
    lines = [
        "# Calibration: rejection ABC against the declared calibration patterns",
        "",
        f"`PYTHONPATH=src python scripts/calibrate.py --reps {args.reps} --seed {args.seed}`: "
        f"{args.reps} replicates from the priors, **{int(ok.sum())} accepted** ({100 * ok.mean():.1f}%), "
        "those whose every calibration figure that the prior can reach lies in its observed range.",
        "",
        "| pattern | observed range | model's figure in the prior, 5% / 50% / 95% | accepted alone |",
        "|---|---|---|---:|",
    ]
    for pid, values in figures.items():
        v = patterns[pid].value
        alone = accepted({pid: values}, patterns)
        band = _q(tuple(float(q) for q in np.nanquantile(values, [0.05, 0.5, 0.95])))
        lines.append(f"| `{pid}` | {_n(v.low)} - {_n(v.high)} {v.unit} | {band} | {100 * alone.mean():.1f}% |")
    if missed:
        lines += [
            "",
            "**Out of the prior's reach** (the figure's 5-95% band over the prior misses the observed range, "
            "so it would reject nearly every replicate): "
            + ", ".join(f"`{pid}`" for pid in missed)
            + ". It is left out of the acceptance and reported as a miss of the model in docs/validation.md; "
            "what it says is there.",
        ]
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
        "| target parameter | prior 5% / 50% / 95% | posterior 5% / 50% / 95% | uniform over the accepted range |",
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
            "(kept: the scenarios draw whole accepted parameter sets).",
        ]
    if args.write is not None and ok.sum() >= 2:
        write_calibration(args.write, {src: drawn[src].to_numpy()[ok] for src in sources}, args, list(met))
        shown = args.write.resolve().relative_to(ROOT) if args.write.resolve().is_relative_to(ROOT) else args.write
        lines += ["", f"Written to `{shown}`, which scenarios/baseline.yaml reads (`calibration:`)."]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
