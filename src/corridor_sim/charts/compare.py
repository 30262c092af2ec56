"""Scenarios side by side: key outcomes per replicate, their intervals, and grouped bars of them.

:func:`key_outcomes` turns each run's summary.csv and destinations.csv into
per-replicate outcomes; :func:`compare_figure` draws them as small multiples
of grouped bars with 5-95% whiskers. The runs come from results folders
(:mod:`corridor_sim.comparison` runs the scenarios that have none yet).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from corridor_sim import rates
from corridor_sim.charts.io import RunResults
from corridor_sim.charts.run_routes import amount_of, one_unit
from corridor_sim.charts.style import (
    DESTINATION_COLOURS,
    MODE_COLOURS,
    SLIDE,
    add_footer,
    mode_order,
    new_figure,
    percent,
    styled,
    thousands,
    usd,
    wrap,
)

PANELS = {
    "delivered_tons": ("Tons delivered over the run, by mode", "tons", thousands),
    "interdiction_rate": ("Interdiction rate, by mode", "share of the tons sent lost", percent),
    "cost_per_delivered_ton": ("Cost per delivered ton, all routes", "USD per ton", usd),
    "share_met": ("Share of demand met, by destination", "delivered / demand", percent),
}
ALL_COLOUR = "#555555"


# ----------------------------------------------------------------------------- outcomes


def _pooled_rate(routes: pd.DataFrame) -> float:
    rate, sent = routes["interdiction_rate"].to_numpy(), routes["dispatched_tons"].to_numpy()
    return float(rates.pooled_interdiction_rate(rate, sent))


def key_outcomes(
    summary: pd.DataFrame, destinations: pd.DataFrame, *, scenario: str, cargo: str | None = None
) -> pd.DataFrame:
    """Per replicate, the outcomes a comparison shows, for one cargo class (default: the first).

    Columns: scenario, cargo, replicate, outcome (a PANELS key), group (mode,
    destination or "all"), value. Cargo classes are never added up.
    """
    cargos = list(dict.fromkeys(summary["cargo"].astype(str)))
    cargo = cargo or cargos[0]
    s = summary[summary["cargo"].astype(str) == cargo]
    d = destinations[destinations["cargo"].astype(str) == cargo]
    # A destination that never demands this cargo class has no share of demand to show.
    demanded = d.groupby("destination", observed=True)["demand_tons"].transform("max") > 0
    d = d[demanded] if demanded.any() else d
    modes = s.groupby(["replicate", "mode"], sort=False)
    by_mode = modes["delivered_tons"].sum().reset_index()
    by_mode["rate"] = modes[["interdiction_rate", "dispatched_tons"]].apply(_pooled_rate).to_numpy()
    # Results written before the minimum delivered for a cost per ton was kept have no minimum.
    load = s["vehicle_load_tons"] if "vehicle_load_tons" in s else pd.Series(0.0, index=s.index)
    total = (
        s.assign(load=load)
        .groupby("replicate")
        .agg(got=("delivered_tons", "sum"), cost=("cost_usd", "sum"), load=("load", "min"))
    )
    parts = [
        by_mode.assign(outcome="delivered_tons", group=by_mode["mode"], value=by_mode["delivered_tons"]),
        by_mode.assign(
            outcome="interdiction_rate",
            group=by_mode["mode"],
            value=by_mode["rate"],
        ),
        pd.DataFrame(
            {
                "replicate": total.index,
                "outcome": "cost_per_delivered_ton",
                "group": "all",
                "value": rates.cost_per_delivered_ton(
                    total["cost"].to_numpy(), total["got"].to_numpy(), total["load"].to_numpy()
                ),
            }
        ),
        d.assign(outcome="share_met", group=d["destination"], value=d["share_met"]),
    ]
    out = pd.concat([p[["replicate", "outcome", "group", "value"]] for p in parts], ignore_index=True)
    out.insert(0, "cargo", cargo)
    out.insert(0, "scenario", scenario)
    return out


def compare_stats(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, cargo, outcome and group: q05, median, q95 and n across replicates (NaN values left out)."""
    keys = ["scenario", "cargo", "outcome", "group"] if "cargo" in outcomes else ["scenario", "outcome", "group"]
    g = outcomes.dropna(subset=["value"]).groupby(keys, sort=False)["value"]
    out = pd.DataFrame({"q05": g.quantile(0.05), "median": g.median(), "q95": g.quantile(0.95), "n": g.size()})
    return out.reset_index()


# ----------------------------------------------------------------------------- the chart


def _group_colours(groups: Sequence[str]) -> dict[str, str]:
    colours, dest = {}, 0
    for g in groups:
        if g in MODE_COLOURS:
            colours[g] = MODE_COLOURS[g]
        elif g == "all":
            colours[g] = ALL_COLOUR
        else:
            colours[g] = DESTINATION_COLOURS[dest % len(DESTINATION_COLOURS)]
            dest += 1
    return colours


def grouped_bars(
    ax: Axes,
    stats: pd.DataFrame,
    scenarios: Sequence[str],
    *,
    fmt: Callable = thousands,
    colours: dict[str, str] | None = None,
) -> dict[str, str]:
    """Bars of the median per scenario (x) and group (hue), with 5-95% whiskers; returns group colours."""
    groups = list(dict.fromkeys(stats["group"].astype(str)))
    groups = mode_order(groups) if set(groups) <= set(MODE_COLOURS) else groups
    colours = colours or _group_colours(groups)
    width = 0.8 / len(groups)
    for k, g in enumerate(groups):
        rows = stats[stats["group"] == g].set_index("scenario").reindex(scenarios)
        x = np.arange(len(scenarios)) + (k - (len(groups) - 1) / 2) * width
        med = rows["median"].to_numpy(float)
        lo = np.clip(med - rows["q05"].to_numpy(float), 0, None)
        hi = np.clip(rows["q95"].to_numpy(float) - med, 0, None)
        ax.bar(x, np.nan_to_num(med), width=width * 0.92, color=colours[g], label=g, gid=f"bars:{g}")
        ax.errorbar(
            x,
            np.nan_to_num(med),
            yerr=[np.nan_to_num(lo), np.nan_to_num(hi)],
            fmt="none",
            ecolor="#222222",
            elinewidth=1.1,
            capsize=2.5,
        )
    width = 16 if len(scenarios) <= 3 else (12 if len(scenarios) <= 5 else 9)  # names must not run into each other
    ax.set_xticks(range(len(scenarios)), [wrap(s.replace("_", " "), width) for s in scenarios], fontsize=10)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt(v)))
    ax.grid(axis="x", visible=False)
    return colours


@styled
def compare_figure(
    outcomes: pd.DataFrame,
    *,
    scenarios: Sequence[str] | None = None,
    cargo: str | None = None,
    unit: str = "tons",
    footer: str | None = None,
    title: str | None = None,
) -> Figure:
    """Key outcomes of several scenarios side by side: one panel per outcome, grouped bars with 5-95% whiskers.

    Args:
        outcomes: scenario, cargo, replicate, outcome, group, value (:func:`key_outcomes`, concatenated).
        scenarios: the order of the scenarios (default: as they first appear).
        cargo: which cargo class (default: the first in the table): one figure per class.
        unit: that class's unit, for the labels.
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
    """
    if "cargo" in outcomes:
        cargo = cargo or str(outcomes["cargo"].iloc[0])
        outcomes = outcomes[outcomes["cargo"].astype(str) == cargo]
    stats = compare_stats(outcomes)
    scenarios = list(scenarios or dict.fromkeys(outcomes["scenario"]))
    amount = amount_of(cargo, unit)
    heads = {
        "delivered_tons": (f"{amount[0].upper() + amount[1:]} delivered over the run, by mode", amount),
        "interdiction_rate": ("Interdiction rate, by mode", f"share of the {unit} sent lost"),
        "cost_per_delivered_ton": (f"Cost per delivered {one_unit(amount)}, all routes", f"USD per {one_unit(unit)}"),
    }
    panels = [p for p in PANELS if p in set(stats["outcome"])]
    fig = new_figure((SLIDE[0], SLIDE[1] * 1.15))
    ncols = 2
    nrows = -(-len(panels) // ncols)
    gs = fig.add_gridspec(nrows, ncols, left=0.08, right=0.98, top=0.88, bottom=0.13, hspace=0.62, wspace=0.22)
    for i, name in enumerate(panels):
        ax = fig.add_subplot(gs[i // ncols, i % ncols])
        head, label, fmt = PANELS[name]
        head, label = heads.get(name, (head, label))
        part = stats[stats["outcome"] == name]
        if name == "delivered_tons" and part["q95"].max() >= 1e7:  # barrels: millions, so the label fits
            fmt, label = (lambda v, _p=None: f"{v / 1e6:,.0f}"), f"millions of {label}"
        colours = grouped_bars(ax, part, scenarios, fmt=fmt)
        ax.set_title(head, fontsize=12)
        ax.set_ylabel(label, fontsize=10.5)
        if name in ("interdiction_rate", "share_met"):
            ax.set_ylim(0, max(1.0 if name == "share_met" else 0.0, ax.get_ylim()[1]))
        if len(colours) > 1:
            handles = [Patch(facecolor=c, label=g) for g, c in colours.items()]
            ax.legend(handles=handles, loc="upper left", fontsize=9.5, ncol=len(handles), borderaxespad=0.2)
            ticks = ax.get_yticks()
            top = ax.get_ylim()[1]
            ax.set_ylim(top=top * 1.18)  # room for the legend above the tallest whisker
            ax.set_yticks([t for t in ticks if 0 <= t <= top])
    fig.suptitle(title or "Scenarios compared: key outcomes", x=0.01, ha="left")
    add_footer(fig, footer, "Bars: median across replicates; whiskers: 5-95%.")
    return fig


# ----------------------------------------------------------------------------- several runs


def comparison_outcomes(runs: Sequence[RunResults]) -> pd.DataFrame:
    """key_outcomes of several runs, each cargo class of each, concatenated."""
    return pd.concat(
        [key_outcomes(r.summary, r.destinations, scenario=r.name, cargo=c) for r in runs for c in r.cargo_ids],
        ignore_index=True,
    )


def comparison_footer(runs: Sequence[RunResults]) -> str:
    from corridor_sim.charts.style import footer_text

    reps = sorted({r.replicates for r in runs})
    seeds = sorted({r.seed for r in runs if r.seed is not None})
    versions = sorted({r.version for r in runs if r.version})
    text = footer_text(
        scenario=", ".join(r.name for r in runs),
        replicates=reps[0] if len(reps) == 1 else None,
        seed=seeds[0] if len(seeds) == 1 else None,
        version=versions[0] if versions else None,
    )
    return "Scenarios " + text.removeprefix("Scenario ")
