"""Analysing a sweep: outcome statistics per design point and sensitivity indices (SALib).

``analyze(folder)`` reads ``outcomes/`` and ``design.parquet`` and writes,
under ``analysis/``:

- ``point_stats.csv``: per design point and outcome, n, mean, std and the
  5%, 50% and 95% quantiles across the point's replicates, with the point's
  parameter values;
- ``outcome_stats.csv``: the same across every run of the sweep;
- ``sobol.csv`` (Sobol designs): per outcome and parameter, first-order and
  total indices ``S1, S1_conf, ST, ST_conf`` (conf: half-width of the 95%
  bootstrap interval), and ``sobol_second_order.csv`` when asked for;
- ``morris.csv`` (Morris designs): ``mu, mu_star, mu_star_conf, sigma``.

Indices are computed on each design point's mean over its replicates, so
chance within a point (which the replicates average out) is not counted as
the effect of a parameter.

Undefined values (NaN: a ratio over nothing, the day of an event that never
happens) are left out of every statistic; ``n`` counts the runs that have a
value. An event's 0/1 column (``land_overtakes_air``) is reported as the
share of runs in which it happens, next to its day among those runs.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridor_sim.extras import require
from corridor_sim.sweep.outcomes import EVENTS, ID_COLUMNS
from corridor_sim.sweep.results import AnalysisError, read_design, read_manifest, read_outcomes

__all__ = [  # the folder reading lives in sweep/results.py; importable from here as before
    "Analysis",
    "AnalysisError",
    "analyze",
    "describe",
    "morris_indices",
    "point_stats",
    "read_manifest",
    "read_outcomes",
    "sobol_indices",
]

STATS = ("n", "mean", "std", "q05", "median", "q95")
NUM_RESAMPLES = 200
DEFAULT_SHOWN = (
    "delivered_tons",
    "delivered_tons:mode:land",
    "delivered_tons:mode:air",
    "delivered_tons:mode:sea",
)


@dataclass
class Analysis:
    """The tables ``analyze`` computed, and notes on what it could not compute."""

    folder: Path
    manifest: dict[str, Any]
    parameters: list[str]
    outcomes: list[str]
    point_stats: pd.DataFrame
    outcome_stats: pd.DataFrame
    indices: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def format(self, shown: Sequence[str] | None = None, *, max_points: int = 60) -> str:
        """A readable report of the chosen outcomes (default: the experiment's ``report`` list, else totals)."""
        shown = _shown(self, shown)
        m = self.manifest
        chunks = m.get("chunks", {})
        lines = [
            f"Sweep '{m.get('name')}': {m.get('design', {}).get('kind')} design, "
            f"{m.get('design', {}).get('n_points')} points x {m.get('replicates')} replicates, {m.get('days')} days, "
            f"seed {m.get('seed')} ({chunks.get('runs_complete', '?')} of {chunks.get('runs_total', '?')} runs done).",
        ]
        lines += [f"note: {n}" for n in self.notes]
        n_points = self.point_stats["point"].nunique() if not self.point_stats.empty else 0
        if 0 < n_points <= max_points:
            lines += [
                "",
                "Per design point: median [5%, 95%] across replicates",
                _point_table(self, shown).to_string(index=False),
            ]
        else:
            lines += [
                "",
                f"Across all runs ({n_points} design points; per point in analysis/point_stats.csv)",
                _outcome_table(self.outcome_stats, shown).to_string(index=False),
            ]
        for kind, table in self.indices.items():
            if kind not in ("sobol", "morris"):
                continue
            for outcome in shown:
                rows = table[table["outcome"] == outcome]
                if rows.empty:
                    continue
                lines += ["", f"{kind.capitalize()} indices for {outcome} (95% confidence half-widths)"]
                lines.append(_index_table(kind, rows).to_string(index=False))
                if "kind" in rows:
                    lines.append(leading_driver(kind, rows))
        if self.written:
            lines += ["", f"Written: {', '.join(str(p) for p in self.written)}"]
        return "\n".join(lines)


def analyze(folder: str | Path, *, write: bool = True) -> Analysis:
    """Statistics and sensitivity indices of a sweep's results folder (written under ``analysis/``)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    outcomes = read_outcomes(folder, manifest)
    design = read_design(folder)
    parameters = list(manifest.get("parameters") or [c for c in design.columns if c != "point" and ":" not in c])
    columns = [c for c in manifest.get("outcomes", []) if c in outcomes.columns] or [
        c for c in outcomes.columns if c not in ID_COLUMNS and c not in parameters
    ]
    point_values = design[["point"] + parameters]
    result = Analysis(
        folder=folder,
        manifest=manifest,
        parameters=parameters,
        outcomes=columns,
        point_stats=point_stats(outcomes, columns, point_values),
        outcome_stats=describe(outcomes, columns),
    )
    chunks = manifest.get("chunks", {})
    if chunks.get("complete") is not None and len(chunks["complete"]) < chunks.get("total", 0):
        result.notes.append(
            f"the sweep is incomplete ({len(chunks['complete'])} of {chunks['total']} chunks): "
            "statistics cover the runs done so far; rerun the sweep command to finish it"
        )
    spec = manifest.get("design", {})
    kind = spec.get("kind")
    if manifest.get("smoke"):
        result.notes.append(
            "a --smoke run (a few points and replicates, a short horizon): it checks that the sweep works; "
            "its statistics and indices mean nothing"
        )
    if kind in ("sobol", "morris"):
        means = outcomes.groupby("point")[columns].mean().reindex(np.arange(len(design)))
        problem = _problem(spec, parameters)
        ready = _ready_outcomes(means, columns, result.notes)
        seed = int(manifest.get("seed") or 0)
        if ready and kind == "sobol":
            first, second = sobol_indices(
                problem, {c: means[c].to_numpy() for c in ready}, second_order=bool(spec.get("second_order")), seed=seed
            )
            result.indices["sobol"] = first
            if second is not None:
                result.indices["sobol_second_order"] = second
        elif ready:
            samples = np.column_stack(
                [design[f"sample:{p}"] if f"sample:{p}" in design else design[p] for p in parameters]
            ).astype(float)
            result.indices["morris"] = morris_indices(
                problem, samples, {c: means[c].to_numpy() for c in ready}, levels=int(spec.get("levels", 4)), seed=seed
            )
    for name in ("sobol", "morris"):
        if name in result.indices:
            table = result.indices[name]
            table.insert(2, "kind", table["parameter"].map(parameter_kind))
    if write:
        result.written = _write(folder / "analysis", result)
    return result


LEVER_KIND, ASSUMPTION_KIND = "policy lever", "assumption"


def parameter_kind(key: str) -> str:
    """Whether a swept key path is a policy lever's setting or an uncertain assumption (anything else).

    A lever's start value (``actors.us.levers.land_surveillance`` or its ``.value``) is a policy an actor
    chooses; its effects' coefficients, a fleet's size or a cargo's value are assumptions about the world.
    """
    parts = key.split(".")
    return (
        LEVER_KIND
        if parts[0] == "actors" and len(parts) in (4, 5) and parts[2] == "levers" and parts[4:] in ([], ["value"])
        else ASSUMPTION_KIND
    )


def leading_driver(kind: str, rows: pd.DataFrame) -> str:
    """One line on an outcome's leading driver: flagged when it is an assumption rather than a lever."""
    score = "ST" if kind == "sobol" else "mu_star"
    rows = rows.sort_values(score, ascending=False, kind="stable")
    if rows.empty or not np.isfinite(rows[score].iloc[0]):
        return ""
    top = rows.iloc[0]
    if top["kind"] == LEVER_KIND:
        return f"Leading driver: {top['parameter']}, a policy lever ({score} {_fmt(top[score])})."
    levers = rows[rows["kind"] == LEVER_KIND]
    best = (
        f"; the largest policy lever is {levers.iloc[0]['parameter']} ({score} {_fmt(levers.iloc[0][score])})"
        if not levers.empty
        else "; no policy lever was swept"
    )
    return (
        f"Leading driver: {top['parameter']} ({score} {_fmt(top[score])}) is an ASSUMPTION, not a policy lever: "
        f"what this sweep says of the levers rests on it{best}."
    )


# ----------------------------------------------------------------------------- statistics


def describe(frame: pd.DataFrame, columns: Sequence[str], by: str | None = None) -> pd.DataFrame:
    """n, mean, std, q05, median and q95 of each column (per ``by`` group), one row per (group,) outcome."""
    data = frame[([by] if by else []) + list(columns)]
    grouped = data.groupby(by, sort=True)[list(columns)] if by else None
    parts = {}
    if grouped is not None:
        parts = {"n": grouped.count(), "mean": grouped.mean(), "std": grouped.std()}
        quant = grouped.quantile([0.05, 0.5, 0.95])
        for q, name in ((0.05, "q05"), (0.5, "median"), (0.95, "q95")):
            parts[name] = quant.xs(q, level=-1)
        long = {k: v.stack(future_stack=True) for k, v in parts.items()}
        out = pd.DataFrame(long)
        out.index = out.index.set_names([by, "outcome"])
        return out.reset_index()
    values = data.astype(float)
    out = pd.DataFrame(
        {
            "outcome": list(columns),
            "n": values.count().to_numpy(),
            "mean": values.mean().to_numpy(),
            "std": values.std().to_numpy(),
            "q05": values.quantile(0.05).to_numpy(),
            "median": values.quantile(0.5).to_numpy(),
            "q95": values.quantile(0.95).to_numpy(),
        }
    )
    return out


def point_stats(outcomes: pd.DataFrame, columns: Sequence[str], point_values: pd.DataFrame) -> pd.DataFrame:
    """Per design point and outcome: the point's parameter values and the statistics across its replicates."""
    stats = describe(outcomes, columns, by="point")
    merged = point_values.merge(stats, on="point", how="inner")
    merged["n"] = merged["n"].astype(np.int64)
    return merged.sort_values(["point"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- sensitivity indices


def sobol_indices(
    problem: Mapping[str, Any],
    outputs: Mapping[str, np.ndarray],
    *,
    second_order: bool = False,
    seed: int = 0,
    num_resamples: int = NUM_RESAMPLES,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sobol indices of each output, with 95% bootstrap confidence half-widths (SALib).

    Args:
        problem: the SALib problem of a Sobol (Saltelli) design.
        outputs: outcome name -> one value per design point, in design order.
        second_order: the design was sampled with second-order columns.
        seed: bootstrap seed (same seed, same confidence intervals).
        num_resamples: bootstrap resamples.

    Returns:
        (first and total order: outcome, parameter, S1, S1_conf, ST, ST_conf;
        second order: outcome, parameter_1, parameter_2, S2, S2_conf, or None).
    """
    sobol = require("SALib.analyze.sobol", extra="sweep", needed_by="Sobol indices")

    names = list(problem["names"])
    first, second = [], []
    for outcome, y in outputs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = sobol.analyze(
                dict(problem),
                np.asarray(y, dtype=float),
                calc_second_order=second_order,
                num_resamples=num_resamples,
                conf_level=0.95,
                seed=seed,
            )
        first.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "parameter": names,
                    "S1": si["S1"],
                    "S1_conf": si["S1_conf"],
                    "ST": si["ST"],
                    "ST_conf": si["ST_conf"],
                }
            )
        )
        if second_order:
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    second.append((outcome, names[i], names[j], si["S2"][i, j], si["S2_conf"][i, j]))
    pairs = (
        pd.DataFrame(second, columns=["outcome", "parameter_1", "parameter_2", "S2", "S2_conf"])
        if second_order
        else None
    )
    return pd.concat(first, ignore_index=True), pairs


def morris_indices(
    problem: Mapping[str, Any],
    samples: np.ndarray,
    outputs: Mapping[str, np.ndarray],
    *,
    levels: int = 4,
    seed: int = 0,
    num_resamples: int = NUM_RESAMPLES,
) -> pd.DataFrame:
    """Morris elementary-effect statistics of each output: mu, mu_star, mu_star_conf (95%), sigma (SALib)."""
    morris = require("SALib.analyze.morris", extra="sweep", needed_by="Morris indices")

    names = list(problem["names"])
    parts = []
    for outcome, y in outputs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = morris.analyze(
                dict(problem),
                np.asarray(samples, dtype=float),
                np.asarray(y, dtype=float),
                num_resamples=num_resamples,
                conf_level=0.95,
                num_levels=levels,
                seed=seed,
            )
        parts.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "parameter": names,
                    "mu": np.asarray(si["mu"], dtype=float),
                    "mu_star": np.asarray(si["mu_star"], dtype=float),
                    "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
                    "sigma": np.asarray(si["sigma"], dtype=float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _problem(spec: Mapping[str, Any], parameters: list[str]) -> dict[str, Any]:
    bounds = {p["name"]: p["bounds"] for p in spec.get("parameters", [])}
    return {"num_vars": len(parameters), "names": parameters, "bounds": [bounds[p] for p in parameters]}


def _ready_outcomes(means: pd.DataFrame, columns: Sequence[str], notes: list[str]) -> list[str]:
    """Outcomes whose indices can be computed: defined at every design point and not constant."""
    missing = means.index[means.isna().all(axis=1)]
    if len(missing):
        notes.append(
            f"no sensitivity indices: {len(missing)} design point(s) have no runs (failed or not run yet); "
            "indices need every point of the design"
        )
        return []
    ready, undefined, constant = [], [], []
    for c in columns:
        y = means[c]
        if y.isna().any():
            undefined.append(c)
        elif float(y.max() - y.min()) <= 1e-12 * max(1.0, float(abs(y).max())):
            constant.append(c)
        else:
            ready.append(c)
    if undefined:
        notes.append(f"no indices for {_names(undefined)}: undefined at some design points (e.g. nothing delivered)")
    if constant:
        notes.append(f"no indices for {_names(constant)}: the same at every design point")
    return ready


def _names(items: list[str], limit: int = 4) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


# ----------------------------------------------------------------------------- writing


def _write(target: Path, result: Analysis) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    tables = {"point_stats": result.point_stats, "outcome_stats": result.outcome_stats, **result.indices}
    written = []
    for name, table in tables.items():
        path = target / f"{name}.csv"
        tmp = target / f".{name}.csv.tmp"
        table.to_csv(tmp, index=False)
        os.replace(tmp, path)
        written.append(path)
    return written


def _shown(result: Analysis, shown: Sequence[str] | None) -> list[str]:
    """The outcomes printed; an event's day always comes with the share of runs in which the event happens."""
    if shown:
        chosen = [s for s in shown if s in result.outcomes]
    else:
        report = (result.manifest.get("experiment") or {}).get("report") or []
        chosen = [c for c in report if c in result.outcomes] or [c for c in DEFAULT_SHOWN if c in result.outcomes]
        chosen = chosen or result.outcomes[:4]
    out: list[str] = []
    for c in chosen:
        share = EVENTS.get(c)
        out += [share, c] if share in result.outcomes else [c]
    return list(dict.fromkeys(out))


def _fmt(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


SHARES = frozenset(EVENTS.values())


def _interval(row: pd.Series) -> str:
    if row["n"] == 0:
        return "never" if row["outcome"] in EVENTS else "-"
    if row["outcome"] in SHARES:  # a 0/1 column: its mean is the share of runs
        return f"{row['mean']:.0%} of runs"
    if row["q05"] == row["q95"]:
        return _fmt(row["median"])
    return f"{_fmt(row['median'])} [{_fmt(row['q05'])}, {_fmt(row['q95'])}]"


def _point_table(result: Analysis, shown: Sequence[str]) -> pd.DataFrame:
    stats = result.point_stats[result.point_stats["outcome"].isin(shown)].copy()
    stats["cell"] = stats.apply(_interval, axis=1)
    table = stats.pivot(index=["point"] + result.parameters, columns="outcome", values="cell").reset_index()
    table = table[["point"] + result.parameters + [c for c in shown if c in table.columns]]
    for p in result.parameters:
        table[p] = table[p].map(lambda v: f"{v:g}")
    return table


def _outcome_table(stats: pd.DataFrame, shown: Sequence[str]) -> pd.DataFrame:
    rows = stats[stats["outcome"].isin(shown)]
    return pd.DataFrame(
        {
            "outcome": rows["outcome"],
            "median [5%, 95%]": rows.apply(_interval, axis=1),
            "mean": rows["mean"].map(_fmt),
            "runs": rows["n"],
        }
    )


def _index_table(kind: str, rows: pd.DataFrame) -> pd.DataFrame:
    if kind == "sobol":
        rows = rows.sort_values("ST", ascending=False, kind="stable").head(15)
        return pd.DataFrame(
            {
                "parameter": rows["parameter"],
                **({"kind": rows["kind"]} if "kind" in rows else {}),
                "S1": [f"{s:.3f} ± {c:.3f}" for s, c in zip(rows["S1"], rows["S1_conf"], strict=True)],
                "ST": [f"{s:.3f} ± {c:.3f}" for s, c in zip(rows["ST"], rows["ST_conf"], strict=True)],
            }
        )
    rows = rows.sort_values("mu_star", ascending=False, kind="stable").head(15)
    return pd.DataFrame(
        {
            "parameter": rows["parameter"],
            **({"kind": rows["kind"]} if "kind" in rows else {}),
            "mu*": [f"{_fmt(s)} ± {_fmt(c)}" for s, c in zip(rows["mu_star"], rows["mu_star_conf"], strict=True)],
            "mu": rows["mu"].map(_fmt),
            "sigma": rows["sigma"].map(_fmt),
        }
    )
