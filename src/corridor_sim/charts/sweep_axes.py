"""How a sweep's figures place and name parameter values: readable names, the design's domains, cells.

A parameter with designed values (a grid, a value list) is plotted at
exactly those values; a sampled range is cut into equal-width bins when it
has more distinct values than a chart has room for (:func:`parameter_levels`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


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


def parameter_levels(values: pd.Series, bins: int, domain: Domain | None = None) -> Levels:
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
        labels = [switch_label(v) if switch else format_value(v) for v in exact]
        return Levels(codes, exact, labels, binned=False, switch=switch)
    low = domain.low if domain is not None and domain.low is not None else float(distinct[0])
    high = domain.high if domain is not None and domain.high is not None else float(distinct[-1])
    edges = np.linspace(low, high, bins + 1)
    codes = pd.Series(pd.cut(values, edges, labels=False, include_lowest=True), index=values.index)
    return Levels(codes, (edges[:-1] + edges[1:]) / 2, _range_labels(edges), binned=True, switch=False)


def switch_label(v: float) -> str:
    return {0.0: "0 (off)", 1.0: "1 (on)"}.get(float(v), format_value(v))


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


def format_value(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3g}"


def format_cell(v: float, percent: bool) -> str:
    return f"{v:.0%}" if percent else format_value(v)


def is_switch(values: pd.Series) -> bool:
    return set(values.dropna().unique().astype(float)) == {0.0, 1.0}
