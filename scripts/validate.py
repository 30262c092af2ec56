"""Every declared pattern's observation beside the model's figure and 5-95% band: writes docs/validation.md.

    PYTHONPATH=src python scripts/validate.py [--reps 500] [--seed 7] [--out docs/validation.md]

The patterns, their sources and their use (calibration or validation) are declared in
validation/patterns.yaml before any calibration; src/corridor_sim/validation.py says how each
figure is computed from a run. Runs are shared between patterns with the same scenario and
overrides. Hits and misses are reported as they come out: nothing here is tuned to the observations.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corridor_sim.patterns import load_patterns
from corridor_sim.validation import FIGURES, FigureRuns, Verdict, verdict

ROOT = Path(__file__).resolve().parent.parent

HEAD = """# Validation: the patterns observed in the world beside the model's figures

Written by `PYTHONPATH=src python scripts/validate.py --reps {reps} --seed {seed}`; rerun it after any
change that alters results. The patterns, their sources and their use were declared in
`validation/patterns.yaml` before any calibration run (see that file's header): a **validation**
pattern has never been used to set a parameter; a **calibration** pattern is a target for the
uncertain parameters it names. Each row gives the observed range and the model's median and 5-95%
band over replicates. **Hit** means the band overlaps the observed range, **miss** that it does not;
**not measured** means the model does not yet produce the figure. How each figure is computed is in
`src/corridor_sim/validation.py`; each source is in docs/sources.md under the section named.

The scenarios run as shipped: with the calibrated values of validation/calibration.md, so a
calibration pattern's band is the model's posterior predictive (other uncertain parameters are still
drawn from their priors, so the band is wider than the observed range the accepted sets met).

"""


def _number(x: float) -> str:
    if x != x:  # NaN
        return "-"
    return f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"


def _outcome(v: Verdict) -> str:
    return "not measured" if v.hit is None else ("hit" if v.hit else "**miss**")


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios the patterns need, compute every figure and write the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "validation.md")
    args = parser.parse_args(argv)
    patterns = load_patterns()
    runs = FigureRuns(ROOT / "scenarios", args.reps, args.seed)
    rows, misses = [], []
    for pid, pattern in patterns.items():
        figure = FIGURES.get(pid)
        values = runs.values(pattern, figure) if figure is not None else None
        v = verdict(pid, pattern, values)
        obs = pattern.value
        how = figure.describe if figure is not None else pattern.model_figure
        if figure is not None and figure.not_measured:
            how += f" (not measured: {figure.not_measured})"
        if figure is not None and figure.remark:
            how += f". *{figure.remark}*"
        if v.hit is False:
            misses.append((pid, figure.if_missed if figure is not None and figure.if_missed else "Not explained yet."))
        rows.append(
            f"| `{pid}` | {pattern.use} | {pattern.observation.strip()} ({pattern.period}; sources: {pattern.source}) "
            f"| {_number(obs.low)} - {_number(obs.high)} {obs.unit} | {how}; scenario `{pattern.scenario}` "
            f"| {_number(v.median)} [{_number(v.p5)}, {_number(v.p95)}] | {_outcome(v)} |"
        )
    table = [
        "| pattern | use | observed | range | model figure | model median [5%, 95%] | outcome |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    if misses:
        table += ["", "## What the misses say", ""] + [f"**`{pid}`.** {note}\n" for pid, note in misses]
    text = HEAD.format(reps=args.reps, seed=args.seed) + "\n".join(table) + "\n"
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
