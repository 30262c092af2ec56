"""Approximate Bayesian rejection over the uncertain parameters, against the declared calibration patterns.

Each replicate of a run draws every uncertain number from its prior (the scenario's distributions),
so one large run is a prior sample. A replicate is accepted when every calibration pattern's model
figure (:mod:`corridor_sim.validation`) falls in the observed range [low, high]; the accepted
replicates' values of each pattern's target parameters are the posterior sample (rejection ABC
with the observed range as the tolerance). The posterior is summarised per parameter as quantiles
and as a fitted marginal (a uniform over the accepted values' range) for the scenario file; the
correlations between targets among the accepted replicates are reported, since marginals lose them.
Validation patterns are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor_sim.patterns import Pattern


def target_sources(pattern: Pattern, drawn: pd.DataFrame) -> list[str]:
    """The drawn sources a pattern's targets name: a target is a key path or the start of one."""
    return [c for c in drawn.columns if any(c == t or c.startswith(t + ".") for t in pattern.targets)]


def accepted(figures: dict[str, np.ndarray], patterns: dict[str, Pattern]) -> np.ndarray:
    """Replicates whose every calibration figure lies in its pattern's observed range [low, high]."""
    ok = None
    for pid, values in figures.items():
        v = patterns[pid].value
        x = np.asarray(values, dtype=float)
        inside = np.isfinite(x) & (x >= v.low) & (x <= v.high)
        ok = inside if ok is None else ok & inside
    if ok is None:
        raise ValueError("no calibration figure to accept replicates by")
    return ok


@dataclass(frozen=True)
class Posterior:
    """One target parameter's prior and posterior summaries, and the marginal fitted for the scenario."""

    source: str
    prior: tuple[float, float, float]  # 5%, 50%, 95%
    posterior: tuple[float, float, float]
    fitted: dict[str, float | str]


def reachable(figures: dict[str, np.ndarray], patterns: dict[str, Pattern]) -> tuple[dict, dict]:
    """The figures the prior reaches, and those it does not (a prior predictive check).

    The prior reaches a pattern when the figure's 5-95% band over the prior's replicates overlaps the
    observed range (validation's test of a hit, :func:`corridor_sim.validation.verdict`). A pattern out
    of reach would reject all or nearly all replicates, whatever the rest say: it is set apart,
    reported as a miss of the model (not of the parameters), and the others are accepted without it.
    """
    met, missed = {}, {}
    for pid, values in figures.items():
        x = np.asarray(values, dtype=float)
        x = x[np.isfinite(x)]
        v = patterns[pid].value
        p5, p95 = np.quantile(x, [0.05, 0.95]) if x.size else (np.nan, np.nan)
        (met if (p5 <= v.high and p95 >= v.low) else missed)[pid] = values
    return met, missed


def posteriors(drawn: pd.DataFrame, ok: np.ndarray, sources: list[str]) -> list[Posterior]:
    """Prior and posterior quantiles per target, with a uniform fitted over the accepted values' range.

    The uniform spans the accepted replicates' smallest to largest value: where the patterns say
    nothing of a parameter its posterior stays its uniform prior, which the 5-95% range would narrow.
    """
    out = []
    for src in sources:
        x = drawn[src].to_numpy()
        prior = tuple(float(q) for q in np.quantile(x, [0.05, 0.5, 0.95]))
        if ok.sum() < 2:
            post = (np.nan, np.nan, np.nan)
            fitted: dict[str, float | str] = {}
        else:
            post = tuple(float(q) for q in np.quantile(x[ok], [0.05, 0.5, 0.95]))
            fitted = {"dist": "uniform", "low": float(x[ok].min()), "high": float(x[ok].max())}
        out.append(Posterior(src, prior, post, fitted))
    return out


def lost_correlations(drawn: pd.DataFrame, ok: np.ndarray, sources: list[str]) -> pd.DataFrame:
    """Rank correlations between targets among the accepted replicates (what fitting marginals loses)."""
    if ok.sum() < 3 or len(sources) < 2:
        return pd.DataFrame()
    return drawn.loc[ok, sources].corr(method="spearman")
