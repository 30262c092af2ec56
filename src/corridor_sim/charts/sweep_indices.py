"""A sweep's sensitivity indices as sorted bars with their confidence intervals.

The tables are ``analysis/``'s: Sobol ``S1, S1_conf, ST, ST_conf`` or
Morris ``mu_star, mu_star_conf`` per parameter.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from corridor_sim.charts.style import SLIDE, WARNING_COLOUR, add_footer, new_figure, styled, wrap
from corridor_sim.charts.sweep_axes import format_value, nice_name

SOBOL_COLOURS = {"S1": "#4477AA", "ST": "#99BBE8"}
MORRIS_COLOUR = "#4477AA"


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
    (a smoke run's: its indices mean nothing) is written across the bars. With a ``kind`` column
    (``corridor-sim analyze`` adds it), an assumption's label is marked so, apart from the policy levers.
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
    kinds = table["kind"].tolist() if "kind" in table else []
    # analyze's classing: an assumption's name in the warning colour, apart from the policy levers
    for tick, k in zip(ax.get_yticklabels(), kinds, strict=False):  # no kinds: nothing to colour
        if k == "assumption":
            tick.set_color(WARNING_COLOUR)
    if "assumption" in kinds:
        handles.append(Patch(facecolor=WARNING_COLOUR, label="names in this colour: assumptions, not policy levers"))
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_value(v)))
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
