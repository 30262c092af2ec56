"""Figures of a sweep: an outcome over two parameters, an outcome against one, sensitivity indices.

The inputs are plain DataFrames in the shape a sweep writes: one row per run
with the design point's parameter values as columns and one column per scalar
outcome (``outcomes/``), and tables of sensitivity indices with their
confidence intervals (``analysis/``: Sobol ``S1, S1_conf, ST, ST_conf`` or
Morris ``mu_star, mu_star_conf`` per parameter).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
WARNING_COLOUR = "#B2182B"
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


@dataclass(frozen=True)
class Domain:
    """What a sweep's design says about one parameter: its own ``values`` (a grid, a value list) or a range.

    Charts plot a parameter with ``values`` at exactly those values, never
    binned; a sampled range (Latin hypercube, Sobol, Morris) is cut into
    equal-width bins over ``low``..``high`` when it has more distinct values
    than the chart has room for.
    """

    values: tuple[float, ...] | None = None
    low: float | None = None
    high: float | None = None

    @property
    def switch(self) -> bool:
        """A 0/1 switch: two categories, not two ends of a line."""
        return self.values is not None and sorted(set(self.values)) == [0.0, 1.0]


@dataclass(frozen=True)
class Levels:
    """A parameter's cells: each run's cell number (NaN outside every cell), and each cell's position and label."""

    codes: pd.Series
    positions: np.ndarray
    labels: list[str]
    binned: bool
    switch: bool


def _levels(values: pd.Series, bins: int, domain: Domain | None = None) -> Levels:
    """The cells of one parameter: its designed values, its distinct values (few), or equal-width ranges."""
    distinct = np.sort(values.dropna().unique().astype(float))
    if domain is not None and domain.values is not None:
        exact = np.array(sorted(set(domain.values) | set(distinct)), dtype=float)
    elif domain is None and len(distinct) == 2 and set(distinct) == {0.0, 1.0}:
        exact, domain = distinct, Domain(values=(0.0, 1.0))
    elif len(distinct) <= bins:
        exact = distinct
    else:
        exact = None
    if exact is not None:
        codes = pd.Series(np.searchsorted(exact, values.to_numpy(float)), index=values.index).where(values.notna())
        switch = domain is not None and domain.switch
        labels = [_switch_label(v) if switch else _fmt_value(v) for v in exact]
        return Levels(codes, exact, labels, binned=False, switch=switch)
    low = domain.low if domain is not None and domain.low is not None else float(distinct[0])
    high = domain.high if domain is not None and domain.high is not None else float(distinct[-1])
    edges = np.linspace(low, high, bins + 1)
    codes = pd.Series(pd.cut(values, edges, labels=False, include_lowest=True), index=values.index)
    return Levels(codes, (edges[:-1] + edges[1:]) / 2, _range_labels(edges), binned=True, switch=False)


def _switch_label(v: float) -> str:
    return {0.0: "0 (off)", 1.0: "1 (on)"}.get(float(v), _fmt_value(v))


def _range_labels(edges: np.ndarray) -> list[str]:
    """``0.0–0.1``, ``0.1–0.2``, ...: the fewest decimals showing every edge exactly."""
    width = float(edges[1] - edges[0])
    first = max(0, math.ceil(-math.log10(width))) if width > 0 else 0
    decimals = next(
        (d for d in range(first, first + 3) if np.allclose(np.round(edges, d), edges, rtol=0, atol=1e-9 * width)),
        first + 2,
    )
    text = [f"{e:,.{decimals}f}" for e in edges]
    return [f"{a}\u2013{b}" for a, b in zip(text[:-1], text[1:], strict=True)]


def _fmt_value(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3g}"


def _fmt_cell(v: float, percent: bool) -> str:
    return f"{v:.0%}" if percent else _fmt_value(v)


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
        f"The colour scale spans {_fmt_value(span)}, less than chance alone would spread these {len(errors)} cells "
        f"(about {_fmt_value(noise)}: each cell's {stat} has a Monte Carlo standard error of {_fmt_value(error)}): "
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
    across, up = _levels(frame[x], bins, domains.get(x)), _levels(frame[y], bins, domains.get(y))
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
    bar.formatter = FuncFormatter(lambda v, _p: _fmt_cell(v, percent))
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
            text = _fmt_cell(v, percent) + (f"\n({k / n:.0%})" if k < n else "")
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
    """Per cell of ``x`` (:func:`_levels`) and value of ``hue``: x (the cell's position), label and statistics.

    The statistics are q05, median, q95, mean and n, where ``n`` counts the
    runs in which the outcome is defined (runs where it is NaN are left out).
    """
    frame = outcomes[[x, outcome] + ([hue] if hue else [])].copy()
    levels = _levels(frame[x], bins, domain)
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
    levels = _levels(outcomes[x], bins, domains.get(x))
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
        label = None if hue is None else _switch_label(value) if _is_switch(outcomes[hue]) else _fmt_value(value)
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
                    gid=f"median:{tag}:{_fmt_value(pos)}",
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
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: _fmt_cell(v, share)))
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


def _is_switch(values: pd.Series) -> bool:
    return set(values.dropna().unique().astype(float)) == {0.0, 1.0}


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
    warning: str | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Sensitivity indices as horizontal bars sorted by size, with their confidence intervals.

    Sobol tables (S1, S1_conf, ST, ST_conf) show total-order (pale, wide)
    and first-order (dark, narrow) bars per parameter, sorted by ST; Morris
    tables (mu_star, mu_star_conf) show mu* sorted. Error bars are the
    ``*_conf`` columns (SALib's 95% confidence half-widths). A ``warning``
    (a smoke run's: its indices mean nothing) is written across the bars.
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
    if warning:
        ax.text(
            0.5,
            0.5,
            wrap(warning, 60),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=15,
            fontweight="bold",
            color=WARNING_COLOUR,
            bbox={"facecolor": "white", "edgecolor": WARNING_COLOUR, "alpha": 0.9, "boxstyle": "round,pad=0.6"},
            zorder=10,
            gid="warning",
        )
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
