"""A sweep's outcomes over its parameters: a heat map over two, lines against one.

The input is one row per run with the design point's parameter values as
columns and one column per scalar outcome (``outcomes/``); the cells and
their labels come from :mod:`corridor_sim.charts.sweep_axes`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from corridor_sim.charts.style import BAND_ALPHA, SLIDE, WARNING_COLOUR, add_footer, new_figure, styled, wrap
from corridor_sim.charts.sweep_axes import (
    Domain,
    format_cell,
    format_value,
    is_switch,
    nice_name,
    parameter_levels,
    switch_label,
)

LINE_COLOURS = ("#332288", "#117733", "#CC6677", "#88CCEE", "#999933", "#AA4499", "#44AA99", "#882255")


def standard_error(values: pd.Series, stat: str) -> float:
    """Monte Carlo standard error of a cell's statistic: sd / sqrt(n) for a mean, about 1.25 times that for a median.

    (1.2533 = sqrt(pi / 2), the median's asymptotic factor for normal noise.) NaN with fewer than two values.
    """
    v = values.dropna()
    if len(v) < 2:
        return float("nan")
    return float(v.std(ddof=1) / math.sqrt(len(v)) * (math.sqrt(math.pi / 2) if stat == "median" else 1.0))


def chance_span(cells: int) -> float:
    """The expected span (max - min) of ``cells`` independent standard normal draws: 1.13 for 2, 2.53 for 6."""
    from scipy.special import ndtr

    x = np.linspace(-10.0, 10.0, 8001)
    below = ndtr(x)
    return float(np.trapezoid(1 - below**cells - (1 - below) ** cells, x))


def noise_note(frame: pd.DataFrame, keys: Sequence[str], outcome: str, stat: str, span: float) -> str | None:
    """A note when the cells' statistics span no more than chance alone would spread them, else None.

    The noise is the span that cells with one and the same true value would
    show by chance: :func:`chance_span` (k cells) times a cell's Monte Carlo
    standard error (:func:`standard_error`, the median across cells). It is
    never less than one standard error, so a colour scale narrower than a
    cell's standard error always gets the note. It assumes the cells' runs
    are independent: with common random numbers cells share their chance,
    their differences are far less noisy, and the note does not apply.
    """
    errors = frame.groupby(list(keys))[outcome].apply(lambda v: standard_error(v, stat)).dropna()
    if len(errors) < 2 or not np.isfinite(span):
        return None
    error = float(errors.median())
    noise = chance_span(len(errors)) * error
    if span >= noise:
        return None
    return (
        f"The colour scale spans {format_value(span)}, less than chance alone would spread these {len(errors)} cells "
        f"(about {format_value(noise)}: each cell's {stat} has a Monte Carlo standard error of {format_value(error)}): "
        "the differences between cells are not measurable."
    )


@styled
def outcome_heatmap(
    outcomes: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    *,
    stat: str = "median",
    bins: int = 10,
    domains: Mapping[str, Domain] | None = None,
    percent: bool = False,
    missing: str = "n/a",
    independent: bool = True,
    cmap: str = "viridis",
    labels: Mapping[str, str] | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """An outcome over two parameters: one cell per pair of values, coloured by the outcome's statistic.

    Runs where the outcome is undefined (NaN: e.g. land never overtakes air)
    are left out of a cell's statistic; a cell where that happens says in
    what share of its runs the outcome is defined, and a cell with none
    says ``missing``. When the cells span less than the Monte Carlo noise of
    one cell (:func:`noise_note`), the figure says so.

    Args:
        outcomes: one row per run, with columns ``x``, ``y`` and ``outcome``.
        x: the parameter across (columns of cells).
        y: the parameter up (rows of cells).
        outcome: the outcome column whose statistic colours the cells.
        stat: "median" or "mean" across the runs in a cell.
        bins: a sampled parameter (no designed values in ``domains``) with more
            distinct values than this is cut into this many equal-width ranges.
        domains: parameter -> its :class:`Domain` in the design; a parameter
            with designed values is plotted at exactly those values.
        percent: the statistic is a share (of a 0/1 outcome): shown as a percentage.
        missing: the text of a cell whose runs all have no value.
        independent: the cells' runs have independent seeds (False with common
            random numbers: no note on the noise, which then does not apply).
        labels: column -> readable name (axis and colour-bar labels; units welcome).
        cmap: a matplotlib colour map name.
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes.
    """
    labels, domains = labels or {}, domains or {}
    frame = outcomes[[x, y, outcome]].copy()
    across, up = parameter_levels(frame[x], bins, domains.get(x)), parameter_levels(frame[y], bins, domains.get(y))
    frame["_x"], frame["_y"] = across.codes, up.codes
    frame = frame.dropna(subset=["_x", "_y"])
    cells = frame.groupby(["_y", "_x"])[outcome]
    shape = {"index": range(len(up.labels)), "columns": range(len(across.labels))}
    grid = cells.agg(stat).unstack("_x").reindex(**shape)
    defined = cells.count().unstack("_x").reindex(**shape)
    runs = cells.size().unstack("_x").reindex(**shape)
    own = ax is None
    if own:
        fig = new_figure((SLIDE[0] * 0.8, SLIDE[1]))
        ax = fig.add_axes((0.12, 0.15, 0.68, 0.71))
    else:
        fig = ax.figure
    values = grid.to_numpy(float)
    image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    name = labels.get(outcome, nice_name(outcome))
    bar.set_label(name if percent else f"{stat} of {name}")
    bar.formatter = FuncFormatter(lambda v, _p: format_cell(v, percent))
    bar.update_ticks()
    if values.size <= 120:
        lo, hi = np.nanmin(values, initial=np.inf), np.nanmax(values, initial=-np.inf)
        for (i, j), v in np.ndenumerate(values):
            n, k = runs.iat[i, j], defined.iat[i, j]
            if np.isnan(n):
                continue
            if np.isnan(v):
                ax.text(j, i, missing, ha="center", va="center", fontsize=9.5, color="#444444", gid="cell:missing")
                continue
            text = format_cell(v, percent) + (f"\n({k / n:.0%})" if k < n else "")
            light = (v - lo) / ((hi - lo) or 1.0) > 0.6
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color="#111111" if light else "white")
    ax.set_xticks(range(len(across.labels)), across.labels, rotation=30 if across.binned else 0)
    ax.set_yticks(range(len(up.labels)), up.labels)
    ax.set_xlabel(labels.get(x, nice_name(x)))
    ax.set_ylabel(labels.get(y, nice_name(y)))
    ax.grid(False)
    finite = values[np.isfinite(values)]
    span = float(finite.max() - finite.min()) if finite.size else np.nan
    note = noise_note(frame, ["_y", "_x"], outcome, stat, span) if independent else None
    if note:
        ax.set_title(wrap(note, 110), fontsize=10, color=WARNING_COLOUR, loc="left", gid="noise-note")
    if own:
        fig.suptitle(
            title
            or wrap(f"{name.capitalize()} over {labels.get(x, nice_name(x))} and {labels.get(y, nice_name(y))}", 70),
            x=0.01,
            ha="left",
        )
        counts = runs.stack()
        span = f"{int(counts.min())}" if counts.min() == counts.max() else f"{int(counts.min())}-{int(counts.max())}"
        what = "share of its" if percent else f"{stat} over its"
        extra = "; (%): the share of runs with a value, the only ones counted" if (defined < runs).any().any() else ""
        binned = "; ranges: equal-width bins of a sampled parameter" if across.binned or up.binned else ""
        add_footer(fig, footer, f"Each cell: the {what} {span} runs{extra}{binned}.")
    return fig


def parameter_bands(
    outcomes: pd.DataFrame,
    x: str,
    outcome: str,
    *,
    hue: str | None = None,
    bins: int = 10,
    domain: Domain | None = None,
) -> pd.DataFrame:
    """Per cell of ``x`` (:func:`parameter_levels`) and value of ``hue``: x (the cell's position), label and statistics.

    The statistics are q05, median, q95, mean and n, where ``n`` counts the
    runs in which the outcome is defined (runs where it is NaN are left out).
    """
    frame = outcomes[[x, outcome] + ([hue] if hue else [])].copy()
    levels = parameter_levels(frame[x], bins, domain)
    frame["_cell"] = levels.codes
    frame = frame.dropna(subset=["_cell"])
    keys = [hue, "_cell"] if hue else ["_cell"]
    g = frame.groupby(keys)[outcome]
    out = pd.DataFrame(
        {"q05": g.quantile(0.05), "median": g.median(), "q95": g.quantile(0.95), "mean": g.mean(), "n": g.count()}
    ).reset_index()
    cell = out.pop("_cell").astype(int)
    out.insert(1 if hue else 0, x, levels.positions[cell])
    out.insert(2 if hue else 1, "label", [levels.labels[c] for c in cell])
    return out[out["n"] > 0].reset_index(drop=True)


@styled
def outcome_vs_parameter(
    outcomes: pd.DataFrame,
    x: str,
    outcome: str,
    *,
    hue: str | None = None,
    bins: int = 10,
    domains: Mapping[str, Domain] | None = None,
    stat: str = "median",
    labels: Mapping[str, str] | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """An outcome against one parameter: the median across runs and its 5-95% band, one line per ``hue`` value.

    A parameter with designed values (``domains``) is plotted at exactly
    those values; a sampled one with many values in equal-width ranges (a
    point at each range's middle, ticks labelled with the ranges). A 0/1
    switch is two categories: a marker with 5-95% whiskers each, no line or
    band between them.

    Args:
        outcomes: one row per run, with columns ``x``, ``outcome`` (and ``hue``).
        x: the parameter along the horizontal axis.
        outcome: the outcome column.
        hue: a second parameter: one line per value.
        bins: a sampled ``x`` with more distinct values than this is cut into this many equal-width ranges.
        domains: parameter -> its :class:`Domain` in the design.
        stat: "median" (with the 5-95% band) or "share" (the mean of a 0/1 outcome: the share of runs, no band).
        labels: column -> readable name.
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes.
    """
    labels, domains = labels or {}, domains or {}
    levels = parameter_levels(outcomes[x], bins, domains.get(x))
    bands = parameter_bands(outcomes, x, outcome, hue=hue, bins=bins, domain=domains.get(x))
    share = stat == "share"
    own = ax is None
    if own:
        fig = new_figure((SLIDE[0] * 0.8, SLIDE[1]))
        ax = fig.add_axes((0.12, 0.15, 0.62 if hue else 0.84, 0.71))
    else:
        fig = ax.figure
    groups = list(bands.groupby(hue, sort=True)) if hue else [(None, bands)]
    for k, (value, g) in enumerate(groups):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        tag = "all" if hue is None else f"{value}"
        label = None if hue is None else switch_label(value) if is_switch(outcomes[hue]) else format_value(value)
        xs, middle = g[x].to_numpy(float), g["mean" if share else "median"].to_numpy(float)
        low, high = g["q05"].to_numpy(float), g["q95"].to_numpy(float)
        if levels.switch:  # categories: each its own marker and whiskers, nothing drawn between them
            shift = (k - (len(groups) - 1) / 2) * 0.12
            for pos, m, lo, hi in zip(xs, middle, low, high, strict=True):
                errors = None if share else [[m - lo], [hi - m]]
                ax.errorbar(
                    [pos + shift],
                    [m],
                    yerr=errors,
                    fmt="o",
                    color=colour,
                    markersize=7,
                    capsize=5,
                    label=label if pos == xs[0] else None,
                    gid=f"median:{tag}:{format_value(pos)}",
                )
            continue
        if not share:
            ax.fill_between(
                xs, low, high, color=colour, alpha=BAND_ALPHA if hue is None else 0.12, linewidth=0, gid=f"band:{tag}"
            )
            if hue is not None:  # overlapping bands stay readable by their edges
                for edge in (low, high):
                    ax.plot(xs, edge, color=colour, linewidth=0.8, linestyle=(0, (3, 2)))
        ax.plot(xs, middle, color=colour, marker="o", markersize=4, label=label, gid=f"median:{tag}")
    if levels.switch:
        ax.set_xticks(levels.positions, levels.labels)
        ax.set_xlim(levels.positions[0] - 0.5, levels.positions[-1] + 0.5)
    elif levels.binned:
        ax.set_xticks(levels.positions, levels.labels, rotation=30, ha="right")
    elif len(levels.positions) <= 12:
        ax.set_xticks(levels.positions, levels.labels)
    ax.set_xlabel(labels.get(x, nice_name(x)))
    ax.set_ylabel(labels.get(outcome, nice_name(outcome)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_cell(v, share)))
    if bands.empty:
        ax.text(0.5, 0.5, "No run has a value", transform=ax.transAxes, ha="center", va="center", gid="no-values")
    elif hue:
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
        if share:
            note = "Share of the runs at each value."
        elif levels.switch:
            note = "Marker: median across runs; whiskers: 5-95%."
        else:
            note = "Line: median across runs; band (dashed edges): 5-95%."
        if not share and outcomes[outcome].isna().any():
            note = note[:-1] + "; runs with no value left out."
        if levels.binned:
            note = note[:-1] + "; each point: the runs in its range."
        add_footer(fig, footer, note)
    return fig
