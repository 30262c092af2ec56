"""The figure set of a single run: each chart a function of DataFrames returning its Figure.

The tables come from :mod:`corridor_sim.charts.data` (or any DataFrame with
the documented columns); :func:`run_figures` draws the whole set from a
results folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from corridor_sim.charts import data as D
from corridor_sim.charts.markers import date_axis, draw_key, draw_markers, key_height, marker_rows, numbers_height
from corridor_sim.charts.style import (
    ACTOR_NAMES,
    BAND_ALPHA,
    MODE_COLOURS,
    SLIDE,
    actor_colour,
    add_footer,
    mode_order,
    new_figure,
    percent,
    route_colours,
    styled,
    thousands,
    usd,
    wrap,
)

CHAR_IN = 0.082  # average width of a character of the key's text, inches
MODE_TITLES = {"air": "Air bridge", "sea": "Sea", "land": "Land bridge through Iraq"}


def _labels(route_labels: Mapping[str, str] | None, routes: Sequence[str]) -> dict[str, str]:
    route_labels = route_labels or {}
    return {r: route_labels.get(r) or r.replace("_", " ") for r in routes}


def _short(label: str) -> str:
    """'Air: Tehran - T4' -> 'Tehran - T4' (the panel or row already names the mode)."""
    head, sep, tail = label.partition(": ")
    return tail if sep and head.lower() in ("air", "sea", "land") else label


def _colours(frame: pd.DataFrame, colours: Mapping[str, str] | None) -> dict[str, str]:
    if colours:
        return dict(colours)
    pairs = frame[["route", "mode"]].drop_duplicates().itertuples(index=False)
    return route_colours((str(r), str(m)) for r, m in pairs)


def _one_cargo(frame: pd.DataFrame, cargo: str | None) -> tuple[pd.DataFrame, str | None]:
    if "cargo" not in frame or frame.empty:
        return frame, cargo
    cargos = list(dict.fromkeys(frame["cargo"].astype(str)))
    cargo = cargo or cargos[0]
    return frame[frame["cargo"].astype(str) == cargo], cargo


def _time_layout(
    width: float,
    row_height: float,
    nrows: int,
    ncols: int,
    rows: list[dict],
    dates: pd.Series,
    *,
    sharey: str | bool = "row",
    left: float = 0.08,
    right: float = 0.98,
    hspace: float = 0.35,
    wspace: float = 0.12,
    bottom_in: float = 0.8,
    title_lines: int = 1,
) -> tuple[Figure, np.ndarray, float]:
    """A figure of nrows x ncols time panels sharing x, under the title and the markers' key.

    Heights are in inches, so the key, the marker numbers above the top
    panels and the top panels' titles get the room they need. Returns the
    figure, the panels and the title pad (points) that clears the numbers.
    """
    key_left, key_right = 0.03, 0.99
    key_width = int((key_right - key_left) * width / 2 / CHAR_IN) - 5
    key_h = key_height(rows, width=key_width)
    xlim = (mdates.date2num(pd.Timestamp(dates.min())), mdates.date2num(pd.Timestamp(dates.max())))
    panel_w = (right - left) * width / (ncols + wspace * (ncols - 1))
    numbers_h = numbers_height(rows, xlim, panel_w)
    title_h, above = 0.55, numbers_h + 0.23 * title_lines + 0.1
    height = title_h + key_h + above + nrows * row_height + bottom_in
    fig = new_figure((width, height))
    top = 1 - (title_h + key_h + above) / height
    gs = fig.add_gridspec(
        nrows, ncols, left=left, right=right, top=top, bottom=bottom_in / height, hspace=hspace, wspace=wspace
    )
    axes = np.empty((nrows, ncols), dtype=object)
    first = None
    for i in range(nrows):
        row_first = None
        for j in range(ncols):
            share_y = row_first if sharey == "row" else (first if sharey is True else None)
            ax = fig.add_subplot(gs[i, j], sharex=first, sharey=share_y)
            ax.set_xlim(*xlim)
            first = first or ax
            row_first = row_first or ax
            axes[i, j] = ax
    if rows:
        key_ax = fig.add_axes((key_left, 1 - (title_h + key_h) / height, key_right - key_left, key_h / height))
        draw_key(key_ax, rows, width=key_width)
    return fig, axes, numbers_h * 72 + 4


def _finish_time(
    panels: Sequence[Axes],
    timeline: pd.DataFrame | None,
    dates: pd.Series,
    *,
    numbered: Sequence[Axes] = (),
    maxticks: int = 9,
) -> None:
    lo, hi = mdates.date2num(pd.Timestamp(dates.min())), mdates.date2num(pd.Timestamp(dates.max()))
    for ax in panels:
        ax.set_xlim(lo, hi)
        date_axis(ax, maxticks=maxticks)
    draw_markers(panels, timeline, numbered=numbered)


# ----------------------------------------------------------------------------- 1. daily tons per route


def band(
    ax: Axes, x: Any, frame: pd.DataFrame, colour: str, label: str | None = None, gid: str | None = None
) -> tuple[Line2D, Any]:
    """The median as a line over a shaded 5-95% band; returns (line, band).

    With ``gid``, the line's gid is ``median:GID`` and the band's ``band:GID``
    (kept in SVG output, and how tests find them).
    """
    fill = ax.fill_between(
        x,
        frame["q05"].to_numpy(float),
        frame["q95"].to_numpy(float),
        color=colour,
        alpha=BAND_ALPHA,
        linewidth=0,
        gid=None if gid is None else f"band:{gid}",
    )
    (line,) = ax.plot(
        x, frame["median"].to_numpy(float), color=colour, label=label, gid=None if gid is None else f"median:{gid}"
    )
    return line, fill


@styled
def delivered_over_time(
    series: pd.DataFrame,
    timeline: pd.DataFrame | None = None,
    *,
    route_labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    cargo: str | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Tons delivered per route over time: the median and a 5-95% band across replicates.

    One panel per route, a row per mode, policy changes marked and named in a key.

    Args:
        series: one row per day and route: date, route, mode, q05, median, q95
            (:func:`~corridor_sim.charts.data.route_series`).
        timeline: policy changes to mark (:func:`~corridor_sim.charts.data.policy_timeline`).
        route_labels: route id -> label.
        colours: route id -> colour (default: style.route_colours).
        cargo: which cargo class (default: the first in the table).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw every route into this one Axes instead (a legend at its right).
    """
    series, cargo = _one_cargo(series, cargo)
    routes = list(dict.fromkeys(series["route"].astype(str)))
    labels = _labels(route_labels, routes)
    colour = _colours(series, colours)
    unit = "tons" if cargo in (None, "materiel") else f"tons of {cargo}"
    window = int(series.attrs.get("window", 1))
    if ax is not None:
        for r in routes:
            g = series[series["route"] == r]
            band(ax, pd.to_datetime(g["date"]), g, colour[r], labels[r], gid=r)
        ax.set_ylabel(f"{unit} per day")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
        _finish_time([ax], timeline, series["date"])
        return ax.figure
    modes = mode_order(series["mode"].astype(str))
    mode_of = series.drop_duplicates("route").set_index("route")["mode"].astype(str)
    by_mode = {m: [r for r in routes if mode_of[r] == m] for m in modes}
    ncols = max(len(v) for v in by_mode.values())
    rows = marker_rows(timeline)
    fig, axes, pad = _time_layout(
        SLIDE[0] * 1.2,
        2.0,
        len(modes),
        ncols,
        rows,
        series["date"],
        left=0.065,
        right=0.99,
        hspace=0.62,
        wspace=0.1,
        title_lines=2,
    )
    used, top_row = [], []
    for i, m in enumerate(modes):
        for j in range(ncols):
            ax_ij = axes[i, j]
            if j >= len(by_mode[m]):
                ax_ij.set_visible(False)
                continue
            r = by_mode[m][j]
            g = series[series["route"] == r]
            band(ax_ij, pd.to_datetime(g["date"]), g, colour[r], gid=r)
            ax_ij.set_title(
                wrap(_short(labels[r]), 36),
                fontsize=10.5,
                fontweight="normal",
                color=colour[r],
                pad=pad if i == 0 else 6,
            )
            ax_ij.yaxis.set_major_formatter(FuncFormatter(thousands))
            if j == 0:
                ax_ij.set_ylabel(f"{m.capitalize()}\n{unit}/day", color=MODE_COLOURS.get(m, "#333333"))
            else:
                ax_ij.tick_params(labelleft=False)
            used.append(ax_ij)
            if i == 0:
                top_row.append(ax_ij)
    for i in range(len(modes)):
        axes[i, 0].set_ylim(bottom=0)
    for ax_ij in used:  # dates under every panel's column bottom only
        below = [
            a
            for a in used
            if a is not ax_ij
            and a.get_subplotspec().colspan == ax_ij.get_subplotspec().colspan
            and a.get_subplotspec().rowspan.start > ax_ij.get_subplotspec().rowspan.start
        ]
        if below:
            ax_ij.tick_params(labelbottom=False)
    _finish_time(used, timeline, series["date"], numbered=top_row, maxticks=5)
    what = "30-day average" if window == 30 else (f"{window}-day average" if window > 1 else "daily")
    fig.suptitle(title or f"Tons delivered per route ({what}, {unit} per day)", x=0.01, y=0.995, ha="left", va="top")
    add_footer(fig, footer, series.attrs.get("description", "Line: median, band: 5-95% across replicates."))
    return fig


# ----------------------------------------------------------------------------- 2. cumulative vs demand


def _band_legend(ax: Axes, colour: str, *, what: str, extra: Sequence[Any] = (), loc: str = "upper left") -> None:
    handles = [
        Line2D([], [], color=colour, label=f"{what}: median"),
        Patch(facecolor=colour, alpha=BAND_ALPHA, label=f"{what}: 5-95% of replicates"),
        *extra,
    ]
    ax.legend(handles=handles, loc=loc)


@styled
def cumulative_vs_demand(
    cumulative: pd.DataFrame,
    timeline: pd.DataFrame | None = None,
    *,
    destination_labels: Mapping[str, str] | None = None,
    cargo: str | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Cumulative tons delivered against cumulative demand, one panel per destination.

    Args:
        cumulative: day, date, destination, demand, q05, median, q95
            (:func:`~corridor_sim.charts.data.destination_cumulative`).
        timeline: policy changes to mark (:func:`~corridor_sim.charts.data.policy_timeline`).
        destination_labels: destination id -> label.
        cargo: which cargo class (default: the first in the table).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw every destination into this one Axes.
    """
    cumulative, cargo = _one_cargo(cumulative, cargo)
    dests = list(dict.fromkeys(cumulative["destination"].astype(str)))
    names = destination_labels or {}
    rows = marker_rows(timeline)
    if ax is not None:
        fig, panels = ax.figure, [ax] * len(dests)
    else:
        fig, axes, pad = _time_layout(
            SLIDE[0], 2.6, len(dests), 1, rows, cumulative["date"], sharey=False, left=0.08, right=0.97, hspace=0.3
        )
        panels = list(axes[:, 0])
    demand_style = {"color": "#B2182B", "linestyle": "--", "linewidth": 1.8}
    for k, (d, p) in enumerate(zip(dests, panels, strict=True)):
        g = cumulative[cumulative["destination"] == d]
        x = pd.to_datetime(g["date"])
        band(p, x, g, "#333333", gid=d)
        p.plot(x, g["demand"].to_numpy(float), gid=f"demand:{d}", **demand_style)
        end = g.iloc[-1]
        if end["demand"] > 0 and ax is None:
            p.text(
                0.985,
                0.05,
                f"{end['median'] / end['demand']:.0%} of demand met at the end (median; 5-95%: "
                f"{end['q05'] / end['demand']:.0%}-{end['q95'] / end['demand']:.0%})",
                transform=p.transAxes,
                ha="right",
                va="bottom",
                fontsize=10.5,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#BBBBBB"},
            )
        p.yaxis.set_major_formatter(FuncFormatter(thousands))
        if ax is None:
            p.set_title(wrap(names.get(d, d.capitalize()), 80), pad=pad if k == 0 else 6)
            p.set_ylabel(f"cumulative {'tons' if cargo in (None, 'materiel') else cargo}")
            p.set_ylim(bottom=0)
            if k < len(dests) - 1:
                p.tick_params(labelbottom=False)
        if k == 0:
            _band_legend(p, "#333333", what="delivered", extra=[Line2D([], [], label="demand", **demand_style)])
    panels = list(dict.fromkeys(panels))
    _finish_time(panels, timeline, cumulative["date"], numbered=panels[:1] if ax is None else ())
    if ax is None:
        fig.suptitle(
            title or "Cumulative tons delivered against demand, per destination", x=0.01, y=0.995, ha="left", va="top"
        )
        add_footer(fig, footer, cumulative.attrs.get("description"))
    return fig


# ----------------------------------------------------------------------------- 3. route share


@styled
def route_share_chart(
    share: pd.DataFrame,
    timeline: pd.DataFrame | None = None,
    *,
    route_labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    cargo: str | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Each route's share of tons delivered over time, stacked (air at the bottom, then sea, then land).

    Days before anything is delivered are left blank.

    Args:
        share: day, date, route, mode, share (:func:`~corridor_sim.charts.data.route_share`).
        timeline: policy changes to mark (:func:`~corridor_sim.charts.data.policy_timeline`).
        route_labels: route id -> label.
        colours: route id -> colour (default: style.route_colours).
        cargo: which cargo class (default: the first in the table).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes (the legend goes at its right).
    """
    share, cargo = _one_cargo(share, cargo)
    routes = list(dict.fromkeys(share["route"].astype(str)))
    modes = mode_order(share["mode"].astype(str))
    mode_of = share.drop_duplicates("route").set_index("route")["mode"].astype(str)
    routes = [r for m in modes for r in routes if mode_of[r] == m]
    colour = _colours(share, colours)
    labels = _labels(route_labels, routes)
    wide = share.pivot(index="date", columns="route", values="share")[routes].fillna(0.0)
    wide = wide[wide.sum(axis=1) > 0]
    rows = marker_rows(timeline)
    own = ax is None
    if own:
        fig, axes, _ = _time_layout(SLIDE[0], 5.2, 1, 1, rows, share["date"], left=0.075, right=0.69, title_lines=0)
        ax = axes[0, 0]
    else:
        fig = ax.figure
    x = pd.to_datetime(wide.index)
    layers = ax.stackplot(
        x,
        *[wide[r].to_numpy() for r in routes],
        colors=[colour[r] for r in routes],
        labels=[_short(labels[r]) for r in routes],
        linewidth=0.3,
        edgecolor="white",
    )
    for layer, r in zip(layers, routes, strict=True):
        layer.set_gid(f"share:{r}")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(FuncFormatter(percent))
    ax.set_ylabel("share of tons delivered")
    ax.grid(False)
    handles, texts = [], []
    for m in modes[::-1]:  # top of the legend = top of the stack
        handles.append(Patch(visible=False))
        texts.append(MODE_TITLES.get(m, m))
        for r in [r for r in routes if mode_of[r] == m][::-1]:
            handles.append(Patch(facecolor=colour[r]))
            texts.append(wrap(_short(labels[r]), 40))
    leg = ax.legend(handles, texts, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9.5, handlelength=1.2)
    headers = {MODE_TITLES.get(m, m) for m in modes}
    for t in leg.get_texts():
        if t.get_text() in headers:
            t.set_fontweight("bold")
    _finish_time([ax], timeline, share["date"], numbered=[ax] if own else ())
    window = int(share.attrs.get("window", 1))
    if own:
        fig.suptitle(
            title
            or "How Iran splits its deliveries between routes" + (f" ({window}-day average)" if window > 1 else ""),
            x=0.01,
            y=0.995,
            ha="left",
            va="top",
        )
        add_footer(fig, footer, "Mean across replicates of tons delivered per day, as shares of the total.")
    return fig


# ----------------------------------------------------------------------------- 4. interdiction


def _interval_bars(
    ax: Axes,
    stats: pd.DataFrame,
    colour: Mapping[str, str],
    fmt: Any,
    *,
    xlabel: str,
    gid: str,
    runs: int | None = None,
) -> None:
    y = np.arange(len(stats))[::-1]
    med = stats["median"].to_numpy(float)
    lo = np.clip(med - stats["q05"].to_numpy(float), 0, None)
    hi = np.clip(stats["q95"].to_numpy(float) - med, 0, None)
    bars = ax.barh(y, np.nan_to_num(med), color=[colour[r] for r in stats["route"]], height=0.66)
    for bar, r in zip(bars, stats["route"], strict=True):
        bar.set_gid(f"{gid}:{r}")
    ax.errorbar(
        np.nan_to_num(med),
        y,
        xerr=[np.nan_to_num(lo), np.nan_to_num(hi)],
        fmt="none",
        ecolor="#222222",
        elinewidth=1.2,
        capsize=3,
    )
    top = np.nanmax(stats["q95"].to_numpy(float)) if stats["q95"].notna().any() else 1.0
    for yi, m, n, q95 in zip(y, med, stats["n"], stats["q95"], strict=True):
        text = "never used" if np.isnan(m) else fmt(m)
        if runs and 0 < n < runs:
            text += f"  ({n} of {runs})"
        ax.text((0 if np.isnan(q95) else q95) + 0.015 * top, yi, text, va="center", fontsize=9.5, color="#333333")
    ax.set_xlim(0, top * (1.45 if runs else 1.22) if top > 0 else 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt(v)))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)


@styled
def interdiction_chart(
    interdicted: pd.DataFrame,
    rate: pd.DataFrame,
    *,
    route_labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    cargo: str | None = None,
    footer: str | None = None,
    title: str | None = None,
) -> Figure:
    """Tons interdicted and interdiction rate per route over the run: median bars with 5-95% whiskers.

    Args:
        interdicted: route, mode, q05, median, q95, n per route
            (:func:`~corridor_sim.charts.data.route_intervals` of summary.csv's interdicted_tons).
        rate: the same for interdiction_rate (n: the replicates that used the route).
        route_labels: route id -> label.
        colours: route id -> colour (default: style.route_colours).
        cargo: which cargo class (default: the first in the table).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
    """
    interdicted, cargo = _one_cargo(interdicted, cargo)
    rate, _ = _one_cargo(rate, cargo)
    routes = list(dict.fromkeys(interdicted["route"].astype(str)))
    colour = _colours(interdicted, colours)
    labels = _labels(route_labels, routes)
    fig = new_figure(SLIDE)
    gs = fig.add_gridspec(1, 2, left=0.27, right=0.97, top=0.88, bottom=0.11, wspace=0.1)
    left = fig.add_subplot(gs[0, 0])
    right = fig.add_subplot(gs[0, 1], sharey=left)
    _interval_bars(
        left,
        interdicted.set_index("route").loc[routes].reset_index(),
        colour,
        thousands,
        xlabel="tons interdicted over the run",
        gid="interdicted",
    )
    _interval_bars(
        right,
        rate.set_index("route").loc[routes].reset_index(),
        colour,
        lambda v, _p=None: f"{v:.1%}" if v < 0.1 else f"{v:.0%}",
        xlabel="share of the tons sent lost (leg by leg)",
        gid="rate",
        runs=int(interdicted["n"].max()),
    )
    y = np.arange(len(routes))[::-1]
    left.set_yticks(y, [wrap(labels[r], 44) for r in routes], fontsize=10)
    right.tick_params(labelleft=False)
    for tick, r in zip(left.get_yticklabels(), routes, strict=True):
        tick.set_color(colour[r])
    left.set_title("Tons interdicted")
    right.set_title("Interdiction rate")
    fig.suptitle(title or "Losses to interdiction, per route", x=0.01, ha="left")
    add_footer(
        fig,
        footer,
        "Bars: median; whiskers: 5-95% across replicates. (n of N): rate over those whose cargo reached every leg.",
    )
    return fig


# ----------------------------------------------------------------------------- 5. cost per delivered ton


@styled
def cost_per_ton_chart(
    distribution: pd.DataFrame,
    *,
    route_labels: Mapping[str, str] | None = None,
    colours: Mapping[str, str] | None = None,
    cargo: str | None = None,
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Cost per delivered ton per route across replicates: boxes (25-75%) with 5-95% whiskers.

    Args:
        distribution: route, mode, cargo, q05, q25, median, q75, q95, n,
            replicates (:func:`~corridor_sim.charts.data.route_distribution` of
            summary.csv's cost_per_delivered_ton). Replicates in which a route
            delivered less than one vehicle load have no cost per ton: n counts the others.
        route_labels: route id -> label.
        colours: route id -> colour (default: style.route_colours).
        cargo: which cargo class (default: the first in the table).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes.
    """
    distribution, cargo = _one_cargo(distribution, cargo)
    routes = list(dict.fromkeys(distribution["route"].astype(str)))
    colour = _colours(distribution, colours)
    labels = _labels(route_labels, routes)
    if ax is None:
        fig = new_figure(SLIDE)
        ax = fig.add_axes((0.27, 0.11, 0.69, 0.77))
        own = True
    else:
        fig, own = ax.figure, False
    stats = distribution.set_index("route").loc[routes]
    y = np.arange(len(routes))[::-1]
    present = [i for i, r in enumerate(routes) if stats.loc[r, "n"] > 0]
    boxes = [
        {
            "whislo": stats.loc[routes[i], "q05"],
            "q1": stats.loc[routes[i], "q25"],
            "med": stats.loc[routes[i], "median"],
            "q3": stats.loc[routes[i], "q75"],
            "whishi": stats.loc[routes[i], "q95"],
            "fliers": [],
            "label": routes[i],
        }
        for i in present
    ]
    art = ax.bxp(
        boxes,
        positions=y[present],
        orientation="horizontal",
        widths=0.6,
        patch_artist=True,
        showfliers=False,
        medianprops={"color": "#111111", "linewidth": 1.6},
    )
    for patch, i in zip(art["boxes"], present, strict=True):
        patch.set_facecolor(colour[routes[i]])
        patch.set_alpha(0.85)
    top = float(np.nanmax(stats["q95"].to_numpy(float))) if len(present) else 1.0
    for i, r in enumerate(routes):
        n, reps = int(stats.loc[r, "n"]), int(stats.loc[r, "replicates"])
        if not n:
            ax.text(0.01 * top, y[i], "no deliveries in any replicate", va="center", fontsize=9.5, color="#666666")
            continue
        note = f"${stats.loc[r, 'median']:,.0f}" + (f"  ({n} of {reps})" if n < reps else "")
        ax.text(stats.loc[r, "q95"] + 0.015 * top, y[i], note, va="center", fontsize=9.5, color="#333333")
    ax.set_xlim(0, top * 1.25)
    ax.set_ylim(-0.7, len(routes) - 0.3)
    ax.set_yticks(y, [wrap(labels[r], 44) for r in routes], fontsize=10)
    for tick, r in zip(ax.get_yticklabels(), routes, strict=True):
        tick.set_color(colour[r])
    ax.xaxis.set_major_formatter(FuncFormatter(usd))
    ax.set_xlabel("cost per delivered ton (USD: transport, fees and tolls, value of cargo lost)")
    ax.grid(axis="y", visible=False)
    if own:
        fig.suptitle(title or "What each delivered ton costs Iran, per route", x=0.01, ha="left")
        add_footer(
            fig,
            footer,
            "Box: 25-75%; line: median (value at right); whiskers: 5-95% across replicates. "
            "(n of N): replicates that delivered at least one vehicle load on the route.",
        )
    return fig


# ----------------------------------------------------------------------------- 6. actor levers


@styled
def lever_lanes(
    paths: pd.DataFrame,
    timeline: pd.DataFrame | None = None,
    *,
    levers: pd.DataFrame | None = None,
    footer: str | None = None,
    title: str | None = None,
) -> Figure:
    """Actor levers over time: one lane per actor, one track per lever that changed.

    Each track shows the lever's median value and its 5-95% band across
    replicates (a reactive rule firing on different days in different
    replicates widens the band). Numbered markers name every change in the
    key; a reactive rule's entry gives the share of replicates in which it
    fired, and the share is also written at the right of its lever's track.

    Args:
        paths: day, date, actor, lever, q05, median, q95 (:func:`~corridor_sim.charts.data.lever_paths`).
        timeline: :func:`~corridor_sim.charts.data.policy_timeline`, for the markers and the rules' shares.
        levers: :func:`~corridor_sim.charts.io.lever_table`, for labels and ranges.
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
    """
    tracks = list(dict.fromkeys(zip(paths["actor"].astype(str), paths["lever"].astype(str), strict=True)))
    lever_info = {} if levers is None else {(r.actor, r.lever): r for r in levers.itertuples(index=False)}
    if not tracks:
        fig = new_figure((SLIDE[0], 2.5))
        fig.text(
            0.5,
            0.5,
            "No lever changed during the run: every actor kept its start values.",
            ha="center",
            va="center",
            fontsize=14,
        )
        fig.suptitle(title or "Actor levers over time", x=0.01, ha="left")
        add_footer(fig, footer)
        return fig
    rows = marker_rows(timeline)
    fig, axes, _ = _time_layout(
        SLIDE[0],
        0.85,
        len(tracks),
        1,
        rows,
        paths["date"],
        sharey=False,
        left=0.23,
        right=0.84,
        hspace=0.55,
        title_lines=1,
    )
    panels = [axes[i, 0] for i in range(len(tracks))]
    rules = timeline[timeline["kind"] == "rule"] if timeline is not None and not timeline.empty else None
    numbers = {(m["date"], m["rule"]): m["number"] for m in rows}
    for i, ((actor, lever), ax) in enumerate(zip(tracks, panels, strict=True)):
        g = paths[(paths["actor"] == actor) & (paths["lever"] == lever)]
        colour = actor_colour(actor)
        x = pd.to_datetime(g["date"])
        ax.fill_between(
            x,
            g["q05"].to_numpy(float),
            g["q95"].to_numpy(float),
            step="post",
            color=colour,
            alpha=BAND_ALPHA,
            linewidth=0,
            gid=f"band:{actor}.{lever}",
        )
        ax.step(x, g["median"].to_numpy(float), where="post", color=colour, gid=f"median:{actor}.{lever}")
        info = lever_info.get((actor, lever))
        lo, hi = (float(info.min), float(info.max)) if info is not None else (0.0, 1.0)
        vmin, vmax = float(g["q05"].min()), float(g["q95"].max())
        if not lo <= vmin or not vmax <= hi or (hi - lo) > 20 * max(vmax - vmin, 1e-9):
            lo, hi = vmin, vmax
        pad = 0.1 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_yticks(sorted({lo, hi}), [f"{v:g}" for v in sorted({lo, hi})])
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", labelsize=9, length=2, pad=2)
        label = info.label if info is not None else lever.replace("_", " ")
        ax.text(
            -0.015, 0.5, wrap(label, 36), transform=ax.transAxes, ha="right", va="center", fontsize=9.5, color="#222222"
        )
        if i == 0 or tracks[i - 1][0] != actor:
            ax.text(
                -0.3,
                1.0 + (0.3 / 0.85 if i else 0.02),
                ACTOR_NAMES.get(actor, actor),
                transform=ax.transAxes,
                ha="left",
                va="bottom",
                fontsize=12,
                fontweight="bold",
                color=colour,
            )
        if i < len(tracks) - 1:
            ax.tick_params(labelbottom=False)
        notes = []
        if rules is not None:
            for r in rules[(rules["actor"] == actor) & (rules["lever"] == lever)].itertuples(index=False):
                num = numbers.get((pd.Timestamp(r.date), True))
                notes.append(f"rule {num}: fired in\n{r.share:.0%} of replicates")
        if notes:
            ax.text(
                1.015,
                0.5,
                "\n".join(notes),
                transform=ax.transAxes,
                ha="left",
                va="center",
                fontsize=9.5,
                color="#333333",
            )
    for a in dict.fromkeys(t[0] for t in tracks):  # a coloured bar down the left of each actor's lane
        idx = [i for i, t in enumerate(tracks) if t[0] == a]
        y1, y0 = panels[idx[0]].get_position().y1, panels[idx[-1]].get_position().y0
        fig.add_artist(
            Line2D(
                [0.012, 0.012],
                [y0, y1],
                transform=fig.transFigure,
                color=actor_colour(a),
                linewidth=7,
                solid_capstyle="butt",
            )
        )
    _finish_time(panels, timeline, paths["date"], numbered=panels[:1])
    fig.suptitle(title or "Actor levers over time", x=0.01, y=0.995, ha="left", va="top")
    add_footer(fig, footer, "Line: median lever value; band: 5-95% across replicates.")
    return fig


# ----------------------------------------------------------------------------- the set


FIGURES = ("delivered", "cumulative", "route_share", "interdiction", "cost_per_ton", "levers", "map")


def run_tables(results: Any, cargo: str | None = None) -> dict[str, Any]:
    """Every table the run figures plot, from a :class:`~corridor_sim.charts.io.RunResults`."""
    from corridor_sim.charts import io

    scenario = results.scenario
    timeline = D.policy_timeline(results.events, results.replicates)
    route_dest = dict(zip(results.routes["route"], results.routes["destination"], strict=True))
    ts = results.timeseries
    paths = D.lever_paths(
        results.events,
        results.levers,
        days=int(scenario.get("days", results.bands["day"].max() + 1)),
        start_date=scenario.get("start_date", D.start_date_of(results.bands)),
        replicates=results.replicates,
        timeline=io.timeline_table(scenario),
        actors=results.actors,
        first_replicate=int(results.resolved.get("first_replicate", 0) or 0),
    )
    return {
        "timeline": timeline,
        "series": D.route_series(results.bands, timeseries=ts),
        "cumulative": D.destination_cumulative(results.bands, timeseries=ts, route_destination=route_dest),
        "share": D.route_share(results.bands),
        "interdicted": D.route_intervals(results.summary, "interdicted_tons"),
        "rate": D.route_intervals(results.summary, "interdiction_rate"),
        "cost": D.route_distribution(results.summary, "cost_per_delivered_ton"),
        "paths": paths,
        "flows": D.segment_flows(results.summary, results.routes, cargo=cargo),
        "queues": D.capacity_queues(results.bands, results.routes, results.segments),
    }


def run_figures(results: Any, *, cargo: str | None = None, only: Sequence[str] | None = None) -> dict[str, Figure]:
    """The standard figure set of a run, by name (see ``FIGURES``)."""
    from corridor_sim.charts.corridor_map import corridor_map

    t = run_tables(results, cargo)
    labels = dict(zip(results.routes["route"], results.routes["label"], strict=True))
    dest_labels = {d: (v.get("label") or d) for d, v in results.scenario.get("destinations", {}).items()}
    common = {"footer": results.footer, "cargo": cargo}
    colours = route_colours(zip(results.routes["route"], results.routes["mode"], strict=True))
    makers = {
        "delivered": lambda: delivered_over_time(
            t["series"], t["timeline"], route_labels=labels, colours=colours, **common
        ),
        "cumulative": lambda: cumulative_vs_demand(
            t["cumulative"], t["timeline"], destination_labels=dest_labels, **common
        ),
        "route_share": lambda: route_share_chart(
            t["share"], t["timeline"], route_labels=labels, colours=colours, **common
        ),
        "interdiction": lambda: interdiction_chart(
            t["interdicted"], t["rate"], route_labels=labels, colours=colours, **common
        ),
        "cost_per_ton": lambda: cost_per_ton_chart(t["cost"], route_labels=labels, colours=colours, **common),
        "levers": lambda: lever_lanes(t["paths"], t["timeline"], levers=results.levers, footer=results.footer),
        "map": lambda: corridor_map(results.nodes, results.segments, t["flows"], t["queues"], footer=results.footer),
    }
    return {name: makers[name]() for name in (only or FIGURES)}
