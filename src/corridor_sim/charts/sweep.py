"""Figures of a sweep: an outcome over two parameters, an outcome against one, sensitivity indices.

The inputs are plain DataFrames in the shape a sweep writes: one row per run
with the design point's parameter values as columns and one column per scalar
outcome (``outcomes/``), and tables of sensitivity indices with their
confidence intervals (``analysis/``: Sobol ``S1, S1_conf, ST, ST_conf`` or
Morris ``mu_star, mu_star_conf`` per parameter).

The figures live by subject in :mod:`~corridor_sim.charts.sweep_outcomes`
(heat maps and lines), :mod:`~corridor_sim.charts.sweep_indices`
(sensitivity bars) and :mod:`~corridor_sim.charts.sweep_axes` (parameter
names, domains and cells); this module picks and draws a sweep's figure set,
and imports their public names too, so ``from corridor_sim.charts.sweep
import outcome_heatmap`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from corridor_sim.charts.style import WARNING_COLOUR, wrap
from corridor_sim.charts.sweep_axes import Domain, Levels, nice_name
from corridor_sim.charts.sweep_indices import MORRIS_COLOUR, SOBOL_COLOURS, index_kind, sensitivity_bars
from corridor_sim.charts.sweep_outcomes import (
    LINE_COLOURS,
    chance_span,
    noise_note,
    outcome_heatmap,
    outcome_vs_parameter,
    parameter_bands,
    standard_error,
)

__all__ = [
    "EVENT_DAYS",
    "ID_COLUMNS",
    "LINE_COLOURS",
    "MORRIS_COLOUR",
    "SHARES",
    "SOBOL_COLOURS",
    "STEMS",
    "WARNING_COLOUR",
    "Domain",
    "Levels",
    "chance_span",
    "design_domains",
    "index_kind",
    "nice_name",
    "noise_note",
    "outcome_heatmap",
    "outcome_label",
    "outcome_vs_parameter",
    "parameter_bands",
    "ranked_parameters",
    "sensitivity_bars",
    "shown_outcomes",
    "smoke_warning",
    "split_columns",
    "standard_error",
    "sweep_figures",
    "sweep_labels",
]

# ----------------------------------------------------------------------------- the set

# Identifier columns of outcomes/ (corridor_sim.sweep.outcomes.ID_COLUMNS): never parameters or outcomes.
ID_COLUMNS = {"point", "replicate", "seed"}
STEMS = {
    "delivered_tons": ("tons delivered", ""),
    "interdicted_tons": ("tons interdicted", ""),
    "delivered_share": ("share of tons delivered", ""),
    "interdiction_rate": ("interdiction rate", ""),
    "cost_per_delivered_ton": ("cost per delivered ton", " (USD)"),
    "share_met": ("share of demand met", ""),
    "land_overtakes_air": ("share of runs in which land overtakes air", ""),
    "land_overtakes_air_day": ("day land overtakes air (in runs where it does)", ""),
}
# Event outcomes (corridor_sim.sweep.outcomes): a day column, NaN in runs where the event never happens,
# and its 0/1 column, whose mean is the share of runs where it does.
EVENT_DAYS = {"land_overtakes_air_day": "land_overtakes_air"}
SHARES = frozenset(EVENT_DAYS.values())


def outcome_label(column: str) -> str:
    """A sweep outcome column in words: ``delivered_tons:mode:land`` -> ``tons delivered by land``."""
    stem, _, rest = column.partition(":")
    words, unit = STEMS.get(stem, (stem.replace("_", " "), ""))
    kind, _, what = rest.partition(":")
    if kind == "mode":
        words += f" by {what}"
    elif kind == "route":
        words += f" on route {what.replace('_', ' ')}"
    elif kind == "dest":
        words += f" to {what.replace('_', ' ').capitalize()}"
    elif rest:
        words += f" ({rest.replace('_', ' ').capitalize()})"
    return words + unit


def sweep_labels(manifest: Mapping[str, Any], params: Sequence[str], outcomes: Sequence[str]) -> dict[str, str]:
    """Readable names: the experiment file's parameter labels (else shortened key paths), outcomes in words."""
    labels = {c: outcome_label(c) for c in outcomes} | {p: nice_name(p) for p in params}
    params = (manifest.get("experiment") or {}).get("parameters")
    if isinstance(params, Mapping):
        for name, spec in params.items():
            if isinstance(spec, Mapping) and spec.get("label"):
                labels[str(name)] = str(spec["label"])
    return labels


def split_columns(outcomes: pd.DataFrame, manifest: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(parameter columns, outcome columns) of a sweep's outcomes table.

    The manifest's ``parameters`` and ``outcomes`` lists when it has them
    (as corridor_sim.sweep writes it); otherwise parameters are the columns
    named by key paths and outcomes the other numeric columns.
    """
    declared = [str(p) for p in manifest.get("parameters") or [] if isinstance(p, str)]
    params = [c for c in declared if c in outcomes.columns]
    if not params:
        params = [c for c in outcomes.columns if "." in str(c) and c not in ID_COLUMNS]
    listed = [str(c) for c in manifest.get("outcomes") or [] if c in outcomes.columns]
    numeric = [c for c in outcomes.columns if pd.api.types.is_numeric_dtype(outcomes[c])]
    results = listed or [c for c in numeric if c not in params and c not in ID_COLUMNS]
    return params, results


def shown_outcomes(manifest: Mapping[str, Any], outcomes: Sequence[str], limit: int = 4) -> list[str]:
    """The outcomes to draw: the experiment's ``report`` list, else delivered totals (all, then by mode).

    An event's day comes with the share of runs in which the event happens
    (``land_overtakes_air`` before ``land_overtakes_air_day``), the pair
    counting as one outcome against ``limit``.
    """
    report = [c for c in (manifest.get("experiment") or {}).get("report") or [] if c in outcomes]
    if not report:
        preferred = ["delivered_tons", "delivered_tons:mode:land", "delivered_tons:mode:air", "delivered_tons:mode:sea"]
        report = [c for c in preferred if c in outcomes] or list(outcomes)
    shown: list[str] = []
    for c in report[:limit]:
        share = EVENT_DAYS.get(c)
        shown += [share, c] if share in outcomes and share not in report else [c]
    return list(dict.fromkeys(shown))


def design_domains(
    manifest: Mapping[str, Any], design: pd.DataFrame | None, params: Sequence[str]
) -> dict[str, Domain]:
    """Each parameter's :class:`Domain`, from the stored design (manifest.json and design.parquet).

    A grid's parameters take exactly the values in design.parquet (else, for
    folders without it, the values its runs have); a value list keeps its
    values in any design; a sampled range keeps its bounds.
    """
    spec = manifest.get("design") if isinstance(manifest.get("design"), Mapping) else {}
    grid = spec.get("kind") == "grid"
    described = {str(p.get("name")): p for p in spec.get("parameters") or [] if isinstance(p, Mapping)}
    domains = {}
    for name in params:
        entry = described.get(name, {})
        if entry.get("values") is not None:
            domains[name] = Domain(values=tuple(float(v) for v in entry["values"]))
        elif grid and design is not None and name in design:
            domains[name] = Domain(values=tuple(float(v) for v in np.unique(design[name].dropna())))
        elif entry.get("low") is not None and entry.get("high") is not None:
            domains[name] = Domain(low=float(entry["low"]), high=float(entry["high"]))
    return domains


def ranked_parameters(
    sweep: Any, outcome: str, varied: Sequence[str], domains: Mapping[str, Domain]
) -> tuple[list[str], str]:
    """The varied parameters, most influential first, and how they were ranked (in words).

    By the sweep's sensitivity indices for the outcome when ``analyze`` wrote
    them (Sobol ST, else Morris mu*), else by how far apart the outcome's
    medians over a parameter's values or ranges lie (a rough guide, said so).
    """
    for name, key, words in (("sobol", "ST", "total-order Sobol index ST"), ("morris", "mu_star", "Morris mu*")):
        table = sweep.analysis.get(name)
        if table is None or key not in table or "parameter" not in table:
            continue
        rows = table[table["outcome"] == outcome] if "outcome" in table else table
        order = [str(p) for p in rows.sort_values(key, ascending=False, kind="stable")["parameter"]]
        ranked = [p for p in order if p in varied]
        if ranked:
            return ranked + [p for p in varied if p not in ranked], words
    frame = sweep.outcomes
    spread = {}
    for p in varied:
        medians = parameter_bands(frame, p, outcome, domain=domains.get(p))["median"]
        spread[p] = float(medians.max() - medians.min()) if len(medians) else 0.0
    return sorted(varied, key=lambda p: -spread[p]), "spread of the outcome's medians (no sensitivity indices yet)"


def smoke_warning(manifest: Mapping[str, Any]) -> str | None:
    """The warning a smoke run's figures carry, or None for a real sweep."""
    if not manifest.get("smoke"):
        return None
    design = manifest.get("design") if isinstance(manifest.get("design"), Mapping) else {}
    size = f"{design.get('n_points', '?')} points x {manifest.get('replicates', '?')} replicates x "
    return (
        f"SMOKE RUN ({size}{manifest.get('days', '?')} days): a check that the sweep works; these numbers mean nothing"
    )


def sweep_figures(sweep: Any, *, max_outcomes: int = 4) -> dict[str, Figure]:
    """The figure set of a :class:`~corridor_sim.charts.io.SweepResults`, by file name stem.

    Per shown outcome: with two varied parameters, a heat map over both and
    the outcome against the one with more values (a line per value of the
    other); with one or more than two, the outcome against each of the three
    ranked highest (:func:`ranked_parameters`). Parameters are plotted at
    the design's own values (:func:`design_domains`). Per table of
    sensitivity indices in analysis/ (sobol.csv, morris.csv), sorted bars
    for each shown outcome. A smoke run's figures say that they are one.
    """
    frame = sweep.outcomes
    params, results = split_columns(frame, sweep.manifest)
    labels = sweep_labels(sweep.manifest, params, results)
    chosen = shown_outcomes(sweep.manifest, results, max_outcomes)
    varied = [p for p in params if frame[p].nunique() > 1]
    domains = design_domains(sweep.manifest, getattr(sweep, "design", None), params)
    warning = smoke_warning(sweep.manifest)
    crn = bool((sweep.manifest.get("seeds") or {}).get("common_random_numbers"))
    footer = sweep.footer + (" · SMOKE RUN: not results" if warning else "")
    common = {"labels": labels, "footer": footer, "domains": domains}
    figures: dict[str, Figure] = {}
    for outcome in chosen:
        slug = _slug(outcome)
        share = outcome in SHARES
        heat = {"stat": "mean", "percent": True} if share else {"missing": "never"} if outcome in EVENT_DAYS else {}
        line = {"stat": "share"} if share else {}
        if len(varied) == 2:
            y, x = sorted(varied, key=lambda p: frame[p].nunique())  # the one with more values across
            figures[f"heatmap_{slug}"] = outcome_heatmap(frame, x, y, outcome, independent=not crn, **heat, **common)
            hue = y if frame[y].nunique() <= len(LINE_COLOURS) else None
            figures[f"lines_{slug}"] = outcome_vs_parameter(frame, x, outcome, hue=hue, **line, **common)
        elif len(varied) == 1:
            figures[f"lines_{slug}_{_slug(varied[0])}"] = outcome_vs_parameter(
                frame, varied[0], outcome, **line, **common
            )
        elif varied:  # many (a sampled design): the outcome against each of the three that matter most
            ranked, how = ranked_parameters(sweep, outcome, varied, domains)
            name = labels.get(outcome, nice_name(outcome)).capitalize()
            for rank, p in enumerate(ranked[:3], start=1):
                title = wrap(f"{name} against {labels.get(p, nice_name(p))} (#{rank} of {len(varied)} by {how})", 80)
                figures[f"lines_{slug}_{_slug(p)}"] = outcome_vs_parameter(
                    frame, p, outcome, title=title, **line, **common
                )
    bars = {"labels": labels, "footer": footer, "warning": warning}
    for name, table in sweep.analysis.items():
        try:
            index_kind(table)
        except ValueError:
            continue
        if "parameter" not in table:
            continue
        if "outcome" in table:
            wanted = [o for o in chosen if o in set(table["outcome"])] or list(dict.fromkeys(table["outcome"]))
            groups = [(o, table[table["outcome"] == o]) for o in wanted[:max_outcomes]]
        else:
            groups = [(None, table)]
        for outcome, g in groups:
            stem = f"indices_{_slug(name)}" + (f"_{_slug(str(outcome))}" if outcome is not None else "")
            figures[stem] = sensitivity_bars(g, outcome=None if outcome is None else str(outcome), **bars)
    return figures


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() else "_" for c in str(text).lower())
    return "_".join(p for p in keep.split("_") if p)[:60]
