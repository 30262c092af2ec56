"""The time-axis figures of a run: tons delivered per route, cumulative against demand, route share.

Panels share a date axis under the policy-change markers' key
(:mod:`corridor_sim.charts.markers`); :func:`time_layout` and
:func:`finish_time` lay them out for these figures and
:func:`~corridor_sim.charts.run_levers.lever_lanes`.
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

from corridor_sim.charts.markers import date_axis, draw_key, draw_markers, key_height, marker_rows, numbers_height
from corridor_sim.charts.run_routes import amount_of, colours_for, labels_for, one_cargo
from corridor_sim.charts.style import (
    BAND_ALPHA,
    MODE_COLOURS,
    SLIDE,
    add_footer,
    mode_order,
    new_figure,
    percent,
    styled,
    thousands,
    wrap,
)

CHAR_IN = 0.082  # average width of a character of the key's text, inches
MODE_TITLES = {"air": "Air bridge", "sea": "Sea", "land": "Land bridge through Iraq"}


def _short(label: str) -> str:
    """'Air: Tehran - T4' -> 'Tehran - T4' (the panel or row already names the mode)."""
    head, sep, tail = label.partition(": ")
    return tail if sep and head.lower() in ("air", "sea", "land") else label


def time_layout(
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


def finish_time(
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
    unit: str | None = None,
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
        unit: the cargo class's unit, for the labels (default: tons).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw every route into this one Axes instead (a legend at its right).
    """
    series, cargo = one_cargo(series, cargo)
    routes = list(dict.fromkeys(series["route"].astype(str)))
    labels = labels_for(route_labels, routes)
    colour = colours_for(series, colours)
    unit = amount_of(cargo, unit)
    window = int(series.attrs.get("window", 1))
    if ax is not None:
        for r in routes:
            g = series[series["route"] == r]
            band(ax, pd.to_datetime(g["date"]), g, colour[r], labels[r], gid=r)
        ax.set_ylabel(f"{unit} per day")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
        finish_time([ax], timeline, series["date"])
        return ax.figure
    modes = mode_order(series["mode"].astype(str))
    mode_of = series.drop_duplicates("route").set_index("route")["mode"].astype(str)
    by_mode = {m: [r for r in routes if mode_of[r] == m] for m in modes}
    ncols = max(len(v) for v in by_mode.values())
    rows = marker_rows(timeline)
    fig, axes, pad = time_layout(
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
    finish_time(used, timeline, series["date"], numbered=top_row, maxticks=5)
    what = "30-day average" if window == 30 else (f"{window}-day average" if window > 1 else "daily")
    what_is = unit[0].upper() + unit[1:]
    fig.suptitle(title or f"{what_is} delivered per route ({what}, per day)", x=0.01, y=0.995, ha="left", va="top")
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
    unit: str | None = None,
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
        unit: the cargo class's unit, for the labels (default: tons).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw every destination into this one Axes.
    """
    cumulative, cargo = one_cargo(cumulative, cargo)
    # A destination that neither demands nor receives this cargo class gets no panel.
    used = cumulative[(cumulative["demand"] > 0) | (cumulative["q95"] > 0)]
    dests = list(dict.fromkeys((used if len(used) else cumulative)["destination"].astype(str)))
    names = destination_labels or {}
    rows = marker_rows(timeline)
    if ax is not None:
        fig, panels = ax.figure, [ax] * len(dests)
    else:
        fig, axes, pad = time_layout(
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
            p.set_ylabel(f"cumulative {amount_of(cargo, unit)}")
            p.set_ylim(bottom=0)
            if k < len(dests) - 1:
                p.tick_params(labelbottom=False)
        if k == 0:
            _band_legend(p, "#333333", what="delivered", extra=[Line2D([], [], label="demand", **demand_style)])
    panels = list(dict.fromkeys(panels))
    finish_time(panels, timeline, cumulative["date"], numbered=panels[:1] if ax is None else ())
    if ax is None:
        fig.suptitle(
            title or f"Cumulative {amount_of(cargo, unit)} delivered against demand, per destination",
            x=0.01,
            y=0.995,
            ha="left",
            va="top",
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
    unit: str | None = None,
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
        unit: the cargo class's unit, for the labels (default: tons).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes (the legend goes at its right).
    """
    share, cargo = one_cargo(share, cargo)
    routes = list(dict.fromkeys(share["route"].astype(str)))
    modes = mode_order(share["mode"].astype(str))
    mode_of = share.drop_duplicates("route").set_index("route")["mode"].astype(str)
    routes = [r for m in modes for r in routes if mode_of[r] == m]
    colour = colours_for(share, colours)
    labels = labels_for(route_labels, routes)
    wide = share.pivot(index="date", columns="route", values="share")[routes].fillna(0.0)
    wide = wide[wide.sum(axis=1) > 0]
    rows = marker_rows(timeline)
    own = ax is None
    if own:
        fig, axes, _ = time_layout(SLIDE[0], 5.2, 1, 1, rows, share["date"], left=0.075, right=0.69, title_lines=0)
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
    ax.set_ylabel(f"share of {amount_of(cargo, unit)} delivered")
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
    finish_time([ax], timeline, share["date"], numbered=[ax] if own else ())
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
        add_footer(
            fig,
            footer,
            f"Mean across replicates of {amount_of(cargo, unit)} delivered per day, as shares of the total.",
        )
    return fig
