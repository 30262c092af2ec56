"""Figures of a sweep: an outcome over two parameters, an outcome against one, sensitivity indices.

The inputs are plain DataFrames in the shape a sweep writes: one row per run
with the design point's parameter values as columns and one column per scalar
outcome (``outcomes/``), and tables of sensitivity indices with their
confidence intervals (``analysis/``: Sobol ``S1, S1_conf, ST, ST_conf`` or
Morris ``mu_star, mu_star_conf`` per parameter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from corridor_sim.charts.style import BAND_ALPHA, SLIDE, add_footer, new_figure, styled, wrap

SOBOL_COLOURS = {"S1": "#4477AA", "ST": "#99BBE8"}
MORRIS_COLOUR = "#4477AA"
LINE_COLOURS = ("#332288", "#117733", "#CC6677", "#88CCEE", "#999933", "#AA4499", "#44AA99", "#882255")


def nice_name(column: str) -> str:
    """A readable name for a parameter key path or an outcome column.

    ``actors.us.levers.land_surveillance`` -> ``us land surveillance``;
    ``delivered_tons:syria`` -> ``delivered tons: syria``.
    """
    parts = [
        p
        for p in column.replace("/", ".").split(".")
        if p not in ("actors", "levers", "value", "segments", "nodes", "fleets", "destinations")
    ]
    text = " ".join(parts[-2:]) if len(parts) > 1 else (parts[0] if parts else column)
    return text.replace("_", " ").replace(":", ": ").replace("  ", " ")


def _grid_values(values: pd.Series, bins: int) -> tuple[pd.Series, list[float]]:
    """Each value's cell: the value itself when there are few distinct values, else its quantile bin's middle."""
    distinct = np.sort(values.dropna().unique())
    if len(distinct) <= bins:
        return values, list(distinct)
    cut = pd.qcut(values, bins, duplicates="drop")
    mids = cut.map(lambda iv: iv.mid).astype(float)
    return mids, sorted(mids.dropna().unique())


def _fmt_value(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3g}"


@styled
def outcome_heatmap(
    outcomes: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    *,
    stat: str = "median",
    bins: int = 8,
    cmap: str = "viridis",
    labels: Mapping[str, str] | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """An outcome over two parameters: one cell per pair of values, coloured by the outcome's statistic.

    Args:
        outcomes: one row per run, with columns ``x``, ``y`` and ``outcome``.
        x: the parameter across (columns of cells).
        y: the parameter up (rows of cells).
        outcome: the outcome column whose statistic colours the cells.
        stat: "median" or "mean" across the runs in a cell.
        bins: parameters with more distinct values than this (a Latin
            hypercube) are cut into this many quantile bins.
        labels: column -> readable name (axis and colour-bar labels; units welcome).
        cmap: a matplotlib colour map name.
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes.
    """
    labels = labels or {}
    frame = outcomes[[x, y, outcome]].copy()
    frame[x], xs = _grid_values(frame[x], bins)
    frame[y], ys = _grid_values(frame[y], bins)
    grid = frame.groupby([y, x])[outcome].agg(stat).unstack(x).reindex(index=ys, columns=xs)
    own = ax is None
    if own:
        fig = new_figure((SLIDE[0] * 0.8, SLIDE[1]))
        ax = fig.add_axes((0.12, 0.12, 0.68, 0.74))
    else:
        fig = ax.figure
    values = grid.to_numpy(float)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    bar.set_label(f"{stat} of {labels.get(outcome, nice_name(outcome))}")
    bar.formatter = FuncFormatter(lambda v, _p: _fmt_value(v))
    bar.update_ticks()
    if values.size <= 120:
        lo, hi = np.nanmin(values), np.nanmax(values)
        for (i, j), v in np.ndenumerate(values):
            if np.isnan(v):
                continue
            light = (v - lo) / ((hi - lo) or 1.0) > 0.6
            ax.text(j, i, _fmt_value(v), ha="center", va="center", fontsize=9.5, color="#111111" if light else "white")
    ax.set_xticks(range(len(xs)), [_fmt_value(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_fmt_value(v) for v in ys])
    ax.set_xlabel(labels.get(x, nice_name(x)))
    ax.set_ylabel(labels.get(y, nice_name(y)))
    ax.grid(False)
    if own:
        fig.suptitle(
            title
            or wrap(
                f"{labels.get(outcome, nice_name(outcome)).capitalize()} over "
                f"{labels.get(x, nice_name(x))} and {labels.get(y, nice_name(y))}",
                70,
            ),
            x=0.01,
            ha="left",
        )
        runs = frame.groupby([y, x]).size()
        span = f"{int(runs.min())}" if runs.min() == runs.max() else f"{int(runs.min())}-{int(runs.max())}"
        add_footer(fig, footer, f"Each cell: the {stat} over its {span} runs.")
    return fig


def parameter_bands(
    outcomes: pd.DataFrame, x: str, outcome: str, *, hue: str | None = None, bins: int = 10
) -> pd.DataFrame:
    """Per value of ``x`` (binned if continuous) and of ``hue``: q05, median, q95 and n of the outcome."""
    frame = outcomes[[x, outcome] + ([hue] if hue else [])].copy()
    frame[x], _ = _grid_values(frame[x], bins)
    keys = [hue, x] if hue else [x]
    g = frame.groupby(keys)[outcome]
    out = pd.DataFrame({"q05": g.quantile(0.05), "median": g.median(), "q95": g.quantile(0.95), "n": g.size()})
    return out.reset_index()


@styled
def outcome_vs_parameter(
    outcomes: pd.DataFrame,
    x: str,
    outcome: str,
    *,
    hue: str | None = None,
    bins: int = 10,
    labels: Mapping[str, str] | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """An outcome against one parameter: the median across runs and its 5-95% band, one line per ``hue`` value.

    Args:
        outcomes: one row per run, with columns ``x``, ``outcome`` (and ``hue``).
        x: the parameter along the horizontal axis.
        outcome: the outcome column.
        hue: a second parameter: one line per value.
        bins: an ``x`` with more distinct values than this is cut into quantile bins.
        labels: column -> readable name.
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes.
    """
    labels = labels or {}
    bands = parameter_bands(outcomes, x, outcome, hue=hue, bins=bins)
    own = ax is None
    if own:
        fig = new_figure((SLIDE[0] * 0.8, SLIDE[1]))
        ax = fig.add_axes((0.12, 0.12, 0.62 if hue else 0.84, 0.74))
    else:
        fig = ax.figure
    groups = list(bands.groupby(hue, sort=True)) if hue else [(None, bands)]
    for k, (value, g) in enumerate(groups):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        xs = g[x].to_numpy(float)
        tag = "all" if hue is None else f"{value}"
        ax.fill_between(
            xs,
            g["q05"].to_numpy(float),
            g["q95"].to_numpy(float),
            color=colour,
            alpha=BAND_ALPHA if hue is None else 0.12,
            linewidth=0,
            gid=f"band:{tag}",
        )
        if hue is not None:  # overlapping bands stay readable by their edges
            for edge in ("q05", "q95"):
                ax.plot(xs, g[edge].to_numpy(float), color=colour, linewidth=0.8, linestyle=(0, (3, 2)))
        label = None if hue is None else f"{_fmt_value(value)}"
        ax.plot(
            xs, g["median"].to_numpy(float), color=colour, marker="o", markersize=4, label=label, gid=f"median:{tag}"
        )
    ax.set_xlabel(labels.get(x, nice_name(x)))
    ax.set_ylabel(labels.get(outcome, nice_name(outcome)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: _fmt_value(v)))
    if hue:
        ax.legend(title=wrap(labels.get(hue, nice_name(hue)), 22), loc="upper left", bbox_to_anchor=(1.02, 1.0))
    if own:
        fig.suptitle(
            title
            or wrap(
                f"{labels.get(outcome, nice_name(outcome)).capitalize()} against {labels.get(x, nice_name(x))}", 70
            ),
            x=0.01,
            ha="left",
        )
        add_footer(fig, footer, "Line: median across runs; band (dashed edges): 5-95%.")
    return fig


def index_kind(indices: pd.DataFrame) -> str:
    """'sobol' (S1/ST columns), 'morris' (mu_star) or raise ValueError."""
    if "ST" in indices or "S1" in indices:
        return "sobol"
    if "mu_star" in indices:
        return "morris"
    raise ValueError(f"not a table of sensitivity indices (columns: {', '.join(map(str, indices.columns))})")


@styled
def sensitivity_bars(
    indices: pd.DataFrame,
    *,
    parameter: str = "parameter",
    labels: Mapping[str, str] | None = None,
    outcome: str | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Sensitivity indices as horizontal bars sorted by size, with their confidence intervals.

    Sobol tables (S1, S1_conf, ST, ST_conf) show total-order (pale, wide)
    and first-order (dark, narrow) bars per parameter, sorted by ST; Morris
    tables (mu_star, mu_star_conf) show mu* sorted. Error bars are the
    ``*_conf`` columns (SALib's 95% confidence half-widths).
    """
    labels = labels or {}
    kind = index_kind(indices)
    key = "ST" if kind == "sobol" and "ST" in indices else ("S1" if kind == "sobol" else "mu_star")
    table = indices.sort_values(key, ascending=True, kind="stable").reset_index(drop=True)
    own = ax is None
    if own:
        fig = new_figure((SLIDE[0] * 0.85, max(4.2, 0.42 * len(table) + 2.2)))
        height = fig.get_figheight()
        ax = fig.add_axes((0.3, 1.25 / height, 0.64, 1 - 2.0 / height))
    else:
        fig = ax.figure
    y = np.arange(len(table))
    names = [wrap(labels.get(p, nice_name(str(p))), 36) for p in table[parameter]]
    err = {"ecolor": "#222222", "elinewidth": 1.1, "capsize": 3}
    handles = []
    if kind == "sobol":
        both = "ST" in table and "S1" in table
        for col, shift, colour, name in (
            ("ST", 0.19, SOBOL_COLOURS["ST"], "total order (ST)"),
            ("S1", -0.19, SOBOL_COLOURS["S1"], "first order (S1)"),
        ):
            if col not in table:
                continue
            conf = table.get(f"{col}_conf")
            ax.barh(
                y + (shift if both else 0),
                table[col].to_numpy(float),
                height=0.36 if both else 0.6,
                color=colour,
                label=name,
                gid=f"bars:{col}",
                xerr=None if conf is None else conf.to_numpy(float),
                error_kw=err,
            )
            handles.append(Patch(facecolor=colour, label=name))
        ax.set_xlabel("Sobol index (share of the outcome's variance); whiskers: 95% confidence")
        ax.axvline(0, color="#444444", linewidth=0.8)
    else:
        conf = table.get("mu_star_conf")
        ax.barh(
            y,
            table["mu_star"].to_numpy(float),
            height=0.6,
            color=MORRIS_COLOUR,
            gid="bars:mu_star",
            xerr=None if conf is None else conf.to_numpy(float),
            error_kw=err,
        )
        unit = f" ({labels[outcome]})" if outcome in labels else ""
        ax.set_xlabel(wrap(f"Morris mu*: mean absolute elementary effect{unit}; whiskers: 95% confidence", 80))
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: _fmt_value(v)))
    ax.grid(axis="y", visible=False)
    if handles:
        ax.legend(handles=handles[::-1], loc="lower right")
    if own:
        what = labels.get(outcome, nice_name(outcome)) if outcome else "the outcome"
        method = "Sobol" if kind == "sobol" else "Morris"
        fig.suptitle(title or wrap(f"Which parameters matter for {what} ({method})", 70), x=0.01, ha="left")
        add_footer(fig, footer)
    return fig


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
    "land_overtakes_air_day": ("day the land routes overtake the air bridge", " (day of the run)"),
}


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
    """The outcomes to draw: the experiment's ``report`` list, else delivered totals (all, then by mode)."""
    report = [c for c in (manifest.get("experiment") or {}).get("report") or [] if c in outcomes]
    if report:
        return report[:limit]
    preferred = ["delivered_tons", "delivered_tons:mode:land", "delivered_tons:mode:air", "delivered_tons:mode:sea"]
    return ([c for c in preferred if c in outcomes] or list(outcomes))[:limit]


def sweep_figures(sweep: Any, *, max_outcomes: int = 4) -> dict[str, Figure]:
    """The figure set of a :class:`~corridor_sim.charts.io.SweepResults`, by file name stem.

    Per shown outcome: with two varied parameters, a heat map over both and
    the outcome against the one with more values (a line per value of the
    other); with one or more than two, the outcome against each of the first
    three. Per table of sensitivity indices in analysis/ (sobol.csv,
    morris.csv), sorted bars for each shown outcome.
    """
    frame = sweep.outcomes
    params, results = split_columns(frame, sweep.manifest)
    labels = sweep_labels(sweep.manifest, params, results)
    chosen = shown_outcomes(sweep.manifest, results, max_outcomes)
    varied = [p for p in params if frame[p].nunique() > 1]
    common = {"labels": labels, "footer": sweep.footer}
    figures: dict[str, Figure] = {}
    for outcome in chosen:
        slug = _slug(outcome)
        if len(varied) == 2:
            y, x = sorted(varied, key=lambda p: frame[p].nunique())  # the one with more values across
            figures[f"heatmap_{slug}"] = outcome_heatmap(frame, x, y, outcome, **common)
            hue = y if frame[y].nunique() <= len(LINE_COLOURS) else None
            figures[f"lines_{slug}"] = outcome_vs_parameter(frame, x, outcome, hue=hue, **common)
        else:  # one parameter, or many (a sampled design): the outcome against each of the first few
            for p in varied[:3]:
                figures[f"lines_{slug}_{_slug(p)}"] = outcome_vs_parameter(frame, p, outcome, **common)
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
            figures[stem] = sensitivity_bars(g, outcome=None if outcome is None else str(outcome), **common)
    return figures


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() else "_" for c in str(text).lower())
    return "_".join(p for p in keep.split("_") if p)[:60]
