"""Policy changes on time axes: numbered vertical markers through every panel and a key naming them.

The markers come from :func:`corridor_sim.charts.data.policy_timeline`: a
timed change is a dashed line on its day; a reactive rule, which fires on a
different day in each replicate (or not at all), is a dotted line at its
median firing day, and the key gives the share of replicates in which it
fired. Changes on the same day are one marker. Numbers sit just above the
top panels, staggered where markers are close; the key is a strip of text
above the panels, so it never covers data.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from corridor_sim.charts.style import MARKER_COLOUR, actor_colour, wrap

KEY_FONT = 10.5
NUMBER_FONT = 9
LINE_IN = KEY_FONT * 1.15 * 1.2 / 72  # height of one line of the key's text, inches


def marker_rows(timeline: pd.DataFrame | None) -> list[dict]:
    """Markers to draw, numbered in date order; changes on the same day and of the same kind merged."""
    if timeline is None or timeline.empty:
        return []
    rows: list[dict] = []
    for row in timeline.sort_values("date", kind="stable").itertuples(index=False):
        date = pd.Timestamp(row.date)
        is_rule = row.kind == "rule"
        if is_rule:
            text = f"{row.label} (rule: fired in {row.share:.0%} of replicates; median date)"
        elif row.kind == "ramp":
            text = f"{row.label} (gradual change begins)"
        else:
            text = str(row.label)
        same = next((m for m in rows if m["date"] == date and m["rule"] == is_rule), None)
        if same is not None:
            same["texts"].append((text, row.actor))
            continue
        rows.append({"date": date, "rule": is_rule, "texts": [(text, row.actor)], "actor": row.actor})
    for k, m in enumerate(rows, start=1):
        m["number"] = k
    return rows


def _line_style(rule: bool) -> dict:
    return {"color": MARKER_COLOUR, "linewidth": 1.1, "linestyle": ":" if rule else "--", "alpha": 0.9, "zorder": 1.5}


def draw_markers(axes: Sequence[Axes], timeline: pd.DataFrame | None, *, numbered: Sequence[Axes] = ()) -> list[dict]:
    """Vertical lines at each marker's date on every axes; numbers above the ``numbered`` axes."""
    rows = marker_rows(timeline)
    for ax in axes:
        for m in rows:
            ax.axvline(m["date"], **_line_style(m["rule"]), gid=f"marker:{m['number']}")
    for ax in numbered:
        number_markers(ax, rows)
    return rows


NUMBER_WIDTH_IN = 0.2  # a number's circle, in inches
NUMBER_HEIGHT_IN = 0.21


def number_levels(rows: list[dict], xlim: tuple[float, float], axis_width_in: float) -> list[int]:
    """The stacking level of each marker's number so that numbers on close dates don't touch."""
    x0, x1 = xlim
    placed: list[list[float]] = []
    levels = []
    for m in rows:
        x = (mdates.date2num(m["date"]) - x0) / ((x1 - x0) or 1.0) * axis_width_in
        level = next((i for i, xs in enumerate(placed) if all(abs(x - p) >= NUMBER_WIDTH_IN for p in xs)), len(placed))
        if level == len(placed):
            placed.append([])
        placed[level].append(x)
        levels.append(level)
    return levels


def numbers_height(rows: list[dict], xlim: tuple[float, float], axis_width_in: float) -> float:
    """Inches the stacked numbers need above an axes."""
    if not rows:
        return 0.0
    return NUMBER_HEIGHT_IN * (max(number_levels(rows, xlim, axis_width_in)) + 1) + 0.04


def number_markers(ax: Axes, rows: list[dict]) -> float:
    """Each marker's number just above the axes at its date, stacked where numbers would touch.

    Returns the height (inches) the numbers take above the axes.
    """
    if not rows:
        return 0.0
    fig = ax.figure
    xlim = ax.get_xlim()
    width_in = ax.get_position().width * fig.get_figwidth()
    height_in = ax.get_position().height * fig.get_figheight()
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for m, level in zip(rows, number_levels(rows, xlim, width_in), strict=True):
        x = mdates.date2num(m["date"])
        if not xlim[0] <= x <= xlim[1]:
            continue
        y = 1.0 + (0.03 + level * NUMBER_HEIGHT_IN) / height_in
        ax.text(
            x,
            y,
            str(m["number"]),
            transform=trans,
            ha="center",
            va="bottom",
            fontsize=NUMBER_FONT,
            fontweight="bold",
            color="white",
            clip_on=False,
            zorder=5,
            gid=f"marker-number:{m['number']}",
            bbox={"boxstyle": "circle,pad=0.18", "facecolor": MARKER_COLOUR, "edgecolor": "none"},
        )
    return numbers_height(rows, xlim, width_in)


def key_blocks(rows: list[dict], *, width: int = 95) -> list[tuple[dict, list[tuple[str, str]]]]:
    """Per marker, its key lines: (wrapped text, actor); the first starts with the date."""
    out = []
    for m in rows:
        lines = []
        for i, (text, actor) in enumerate(m["texts"]):
            head = f"{m['date']:%d %b %Y}  " if i == 0 else ""
            lines.append((wrap(head + text, width), actor))
        out.append((m, lines))
    return out


def _columns(blocks: list, columns: int) -> list[list]:
    """Blocks split into consecutive columns of about the same number of text lines."""
    sizes = [sum(t.count("\n") + 1 for t, _ in lines) for _, lines in blocks]
    target = sum(sizes) / columns
    cols: list[list] = [[]]
    used = 0
    for block, size in zip(blocks, sizes, strict=True):
        if cols[-1] and used + size / 2 > target * len(cols) and len(cols) < columns:
            cols.append([])
        cols[-1].append(block)
        used += size
    return cols


def draw_key(ax: Axes, rows: list[dict], *, columns: int = 2, width: int = 80) -> None:
    """The markers' key in an axes of its own (no frame): 'n  date  what changed', in columns."""
    ax.axis("off")
    if not rows:
        return
    cols = _columns(key_blocks(rows, width=width), columns)
    step = LINE_IN / (ax.get_position().height * ax.figure.get_figheight())  # one text line, in axes fraction
    indent = 0.2 / (ax.get_position().width * ax.figure.get_figwidth())  # clear of the number's circle
    for c, col in enumerate(cols):
        x, y = c / columns, 1.0
        for m, lines in col:
            ax.text(
                x,
                y,
                str(m["number"]),
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=NUMBER_FONT,
                fontweight="bold",
                color="white",
                bbox={"boxstyle": "circle,pad=0.18", "facecolor": MARKER_COLOUR, "edgecolor": "none"},
            )
            for text, actor in lines:
                ax.text(
                    x + indent,
                    y,
                    text,
                    transform=ax.transAxes,
                    ha="left",
                    va="top",
                    fontsize=KEY_FONT,
                    color=actor_colour(actor) if actor else MARKER_COLOUR,
                    linespacing=1.15,
                )
                y -= step * (text.count("\n") + 1)
            y -= step * 0.35  # a little air between markers


def key_height(rows: list[dict], *, columns: int = 2, width: int = 80) -> float:
    """Inches the key needs."""
    if not rows:
        return 0.0
    cols = _columns(key_blocks(rows, width=width), columns)
    height = max(sum(t.count("\n") + 1 for _, ls in col for t, _ in ls) + 0.35 * len(col) for col in cols)
    return LINE_IN * height + 0.05


def date_axis(ax: Axes, *, maxticks: int = 9) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
