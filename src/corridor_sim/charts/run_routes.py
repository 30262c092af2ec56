"""The per-route figures of a run: losses to interdiction and cost per delivered ton, per route.

Also the helpers every run figure uses to pick one cargo class's rows and
the routes' labels and colours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from corridor_sim.charts.style import (
    SLIDE,
    add_footer,
    new_figure,
    route_colours,
    styled,
    thousands,
    usd,
    wrap,
)


def labels_for(route_labels: Mapping[str, str] | None, routes: Sequence[str]) -> dict[str, str]:
    """Route id -> label: the given label, else the id with spaces for underscores."""
    route_labels = route_labels or {}
    return {r: route_labels.get(r) or r.replace("_", " ") for r in routes}


def colours_for(frame: pd.DataFrame, colours: Mapping[str, str] | None) -> dict[str, str]:
    """Route id -> colour: the given colours, else style.route_colours of the table's routes and modes."""
    if colours:
        return dict(colours)
    pairs = frame[["route", "mode"]].drop_duplicates().itertuples(index=False)
    return route_colours((str(r), str(m)) for r, m in pairs)


def amount_of(cargo: str | None, unit: str | None) -> str:
    """How a figure names a cargo class's amounts: its unit, with the class unless materiel ("barrels of oil")."""
    unit = unit or "tons"
    return unit if cargo in (None, "materiel") else f"{unit} of {cargo}"


def one_unit(amount: str | None) -> str:
    """An amount's unit in the singular ("ton", "barrel of oil"), for "per delivered ton"."""
    first, _, rest = (amount or "tons").partition(" ")
    first = first[:-1] if first.endswith("s") else first
    return f"{first} {rest}" if rest else first


def one_cargo(frame: pd.DataFrame, cargo: str | None) -> tuple[pd.DataFrame, str | None]:
    """A table's rows for one cargo class (default: its first) and that class; tables without cargo as they are."""
    if "cargo" not in frame or frame.empty:
        return frame, cargo
    cargos = list(dict.fromkeys(frame["cargo"].astype(str)))
    cargo = cargo or cargos[0]
    return frame[frame["cargo"].astype(str) == cargo], cargo


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
    unit: str | None = None,
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
        unit: the cargo class's unit, for the labels (default: tons).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
    """
    interdicted, cargo = one_cargo(interdicted, cargo)
    amount = amount_of(cargo, unit)
    rate, _ = one_cargo(rate, cargo)
    routes = list(dict.fromkeys(interdicted["route"].astype(str)))
    colour = colours_for(interdicted, colours)
    labels = labels_for(route_labels, routes)
    fig = new_figure(SLIDE)
    gs = fig.add_gridspec(1, 2, left=0.27, right=0.97, top=0.88, bottom=0.11, wspace=0.1)
    left = fig.add_subplot(gs[0, 0])
    right = fig.add_subplot(gs[0, 1], sharey=left)
    _interval_bars(
        left,
        interdicted.set_index("route").loc[routes].reset_index(),
        colour,
        thousands,
        xlabel=f"{amount} interdicted over the run",
        gid="interdicted",
    )
    _interval_bars(
        right,
        rate.set_index("route").loc[routes].reset_index(),
        colour,
        lambda v, _p=None: f"{v:.1%}" if v < 0.1 else f"{v:.0%}",
        xlabel=f"share of the {unit or 'tons'} sent lost (leg by leg)",
        gid="rate",
        runs=int(interdicted["n"].max()),
    )
    y = np.arange(len(routes))[::-1]
    left.set_yticks(y, [wrap(labels[r], 44) for r in routes], fontsize=10)
    right.tick_params(labelleft=False)
    for tick, r in zip(left.get_yticklabels(), routes, strict=True):
        tick.set_color(colour[r])
    left.set_title(f"{amount.capitalize()} interdicted")
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
    unit: str | None = None,
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
        unit: the cargo class's unit, for the labels (default: tons).
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw into this Axes.
    """
    distribution, cargo = one_cargo(distribution, cargo)
    routes = list(dict.fromkeys(distribution["route"].astype(str)))
    colour = colours_for(distribution, colours)
    labels = labels_for(route_labels, routes)
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
    ax.set_xlabel(
        f"cost per delivered {one_unit(amount_of(cargo, unit))} (USD: transport, fees and tolls, value of cargo lost)"
    )
    ax.grid(axis="y", visible=False)
    if own:
        fig.suptitle(
            title or f"What each delivered {one_unit(amount_of(cargo, unit))} costs Iran, per route",
            x=0.01,
            ha="left",
        )
        add_footer(
            fig,
            footer,
            "Box: 25-75%; line: median (value at right); whiskers: 5-95% across replicates. "
            "(n of N): replicates that delivered at least one vehicle load on the route.",
        )
    return fig
