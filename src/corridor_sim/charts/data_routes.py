"""Chart-ready tables per route and per segment: totals across a run, for the route charts and the map.

Made from ``summary.csv`` (and ``bands.parquet`` for the queues);
:mod:`corridor_sim.charts.data` re-exports everything here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridor_sim.charts.data_time import QUANTILES

# ----------------------------------------------------------------------------- totals per route


def route_distribution(summary: pd.DataFrame, column: str = "cost_per_delivered_ton") -> pd.DataFrame:
    """Per route and cargo: the 5, 25, 50, 75 and 95% quantiles across replicates of a summary column.

    NaN values (a route that delivered nothing in a replicate) are left out; ``n``
    counts the replicates that remain, ``replicates`` all of them.
    Columns: route, mode, cargo, q05, q25, median, q75, q95, n, replicates.
    """
    rows = []
    levels = (0.05, 0.25, 0.5, 0.75, 0.95)
    for (route, mode, cargo), g in summary.groupby(["route", "mode", "cargo"], sort=False):
        values = g[column].dropna().to_numpy(dtype=float)
        q = np.quantile(values, levels) if len(values) else [np.nan] * len(levels)
        rows.append(
            {
                "route": route,
                "mode": mode,
                "cargo": cargo,
                **dict(zip(["q05", "q25", "median", "q75", "q95"], q, strict=True)),
                "n": len(values),
                "replicates": int(g["replicate"].nunique()),
            }
        )
    return pd.DataFrame(
        rows, columns=["route", "mode", "cargo", "q05", "q25", "median", "q75", "q95", "n", "replicates"]
    )


def route_intervals(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per route and cargo: the 5%, median and 95% across replicates of a summary column.

    Replicates where the value is undefined (NaN: no deliveries) are left out;
    ``n`` counts those that remain. Columns: route, mode, cargo, q05, median, q95, n.
    """
    rows = []
    for (route, mode, cargo), g in summary.groupby(["route", "mode", "cargo"], sort=False):
        values = g[column].dropna().to_numpy(dtype=float)
        q = np.quantile(values, QUANTILES) if len(values) else [np.nan] * 3
        rows.append(
            {"route": route, "mode": mode, "cargo": cargo, "q05": q[0], "median": q[1], "q95": q[2], "n": len(values)}
        )
    return pd.DataFrame(rows, columns=["route", "mode", "cargo", "q05", "median", "q95", "n"])


# ----------------------------------------------------------------------------- the map


def segment_flows(summary: pd.DataFrame, routes: pd.DataFrame, *, cargo: str | None = None) -> pd.DataFrame:
    """Tons carried over each segment: the mean across replicates of the delivered tons of the routes using it.

    One cargo class (default: the first), in its unit: cargo classes are never added up.
    Columns: segment, tons, routes (how many routes use it).
    """
    cargo = cargo or str(summary["cargo"].iloc[0]) if len(summary) else cargo
    rows = summary[summary["cargo"].astype(str) == cargo]
    per_route = rows.groupby("route")["delivered_tons"].sum() / max(1, rows["replicate"].nunique())
    tons: dict[str, float] = {}
    count: dict[str, int] = {}
    for route, segs in zip(routes["route"], routes["segments"], strict=True):
        for seg in segs:
            tons[seg] = tons.get(seg, 0.0) + float(per_route.get(route, 0.0))
            count[seg] = count.get(seg, 0) + 1
    return pd.DataFrame({"segment": list(tons), "tons": list(tons.values()), "routes": [count[s] for s in tons]})


def capacity_queues(
    bands: pd.DataFrame, routes: pd.DataFrame, segments: pd.DataFrame, *, cargo: str | None = None
) -> pd.DataFrame:
    """Queues at capacity-limited segments: each route's queue is put at its first such segment.

    The model reports a route's queued tons, not where they wait; cargo waits
    only where a daily capacity binds, so that is where it is drawn. Uses the
    mean across replicates (which adds up over routes).

    One cargo class (default: the first), in its unit: cargo classes are never added up.
    Columns: segment, mean_tons (average over the run of the daily queue),
    peak_tons (largest daily queue), peak_date.
    """
    limited = set(segments.loc[segments["capacity"].astype(bool), "segment"])
    queued = bands[(bands["kind"] == "route") & (bands["quantity"] == "queued_tons")]
    if "cargo" in queued and len(queued):
        cargo = cargo or str(queued["cargo"].iloc[0])
        queued = queued[queued["cargo"].astype(str) == cargo]
    at: dict[str, list[str]] = {}
    for route, segs in zip(routes["route"], routes["segments"], strict=True):
        first = next((s for s in segs if s in limited), None)
        if first is not None:
            at.setdefault(first, []).append(route)
    rows = []
    for seg, rts in at.items():
        daily = queued[queued["id"].isin(rts)].groupby("date")["mean"].sum().sort_index()
        if daily.empty:
            continue
        rows.append(
            {
                "segment": seg,
                "mean_tons": float(daily.mean()),
                "peak_tons": float(daily.max()),
                "peak_date": daily.idxmax(),
            }
        )
    return pd.DataFrame(rows, columns=["segment", "mean_tons", "peak_tons", "peak_date"])
