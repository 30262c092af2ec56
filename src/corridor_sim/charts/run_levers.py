"""The actor-levers figure of a run: one lane per actor, one track per lever that changed, over time."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from corridor_sim.charts.markers import marker_rows
from corridor_sim.charts.run_time import finish_time, time_layout
from corridor_sim.charts.style import (
    BAND_ALPHA,
    SLIDE,
    actor_colour,
    actor_name,
    add_footer,
    new_figure,
    styled,
    wrap,
)


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
    fig, axes, _ = time_layout(
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
                actor_name(actor),
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
    finish_time(panels, timeline, paths["date"], numbered=panels[:1])
    fig.suptitle(title or "Actor levers over time", x=0.01, y=0.995, ha="left", va="top")
    add_footer(fig, footer, "Line: median lever value; band: 5-95% across replicates.")
    return fig
