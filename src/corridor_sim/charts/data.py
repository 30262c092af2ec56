"""Chart-ready tables derived from a run's files: DataFrames in, DataFrames out, nothing drawn.

Each chart plots exactly the numbers in the table it is given; these functions
make those tables from ``bands.parquet``, ``summary.csv``, ``events.parquet``
and, when a run kept them, ``timeseries.parquet`` and ``actors.parquet``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

QUANTILES = (0.05, 0.5, 0.95)
BAND_COLUMNS = ["q05", "median", "q95", "mean"]


def _rolling(values: np.ndarray, window: int, axis: int) -> np.ndarray:
    """Trailing mean over ``window`` steps along ``axis`` (shorter windows at the start)."""
    if window <= 1:
        return values
    values = np.moveaxis(values, axis, 0)
    csum = np.cumsum(values, axis=0)
    out = csum.copy()
    out[window:] = csum[window:] - csum[:-window]
    counts = np.minimum(np.arange(1, values.shape[0] + 1), window).reshape((-1,) + (1,) * (values.ndim - 1))
    return np.moveaxis(out / counts, 0, axis)


def _dates(days: np.ndarray, start_date: str | pd.Timestamp) -> pd.DatetimeIndex:
    return pd.Timestamp(start_date) + pd.to_timedelta(days, unit="D")


def start_date_of(bands: pd.DataFrame) -> pd.Timestamp:
    first = bands.loc[bands["day"] == bands["day"].min(), "date"].iloc[0]
    return pd.Timestamp(first)


# ----------------------------------------------------------------------------- series over time


def route_series(
    bands: pd.DataFrame,
    *,
    quantity: str = "delivered_tons",
    window: int = 30,
    timeseries: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per day and route: 5%, median and 95% across replicates of a quantity's trailing ``window``-day mean.

    With ``timeseries`` (per replicate), the mean is taken in each replicate
    first, so the band is the spread of 30-day averages across replicates.
    From ``bands`` alone (a run made with ``--no-daily``), the daily quantiles
    themselves are averaged over the window, which keeps lumpy modes (a ship
    every few weeks) at a median of zero. ``attrs["description"]`` says which.

    Columns: day, date, route, mode, cargo, q05, median, q95, mean.
    """
    if timeseries is not None and quantity in timeseries:
        return _series_from_timeseries(timeseries, quantity, window)
    rows = bands[(bands["kind"] == "route") & (bands["quantity"] == quantity)]
    out = _smooth_bands(rows.rename(columns={"id": "route"}), ["route", "mode", "cargo"], window)
    what = "daily" if window <= 1 else f"{window}-day averages of the daily"
    out.attrs["description"] = (
        f"Line and band: {what} median and 5-95% across replicates (the run kept no per-replicate daily table)."
    )
    out.attrs["window"] = window
    return out


def _smooth_bands(rows: pd.DataFrame, keys: list[str], window: int) -> pd.DataFrame:
    parts = []
    for key, g in rows.groupby(keys, sort=False, observed=True):
        g = g.sort_values("day")
        smoothed = _rolling(g[BAND_COLUMNS].to_numpy(dtype=float), window, axis=0)
        part = pd.DataFrame(smoothed, columns=BAND_COLUMNS)
        part.insert(0, "day", g["day"].to_numpy())
        part.insert(1, "date", pd.to_datetime(g["date"]).to_numpy())
        for name, value in zip(keys, key, strict=True):
            part.insert(2 + keys.index(name), name, value)
        parts.append(part)
    columns = ["day", "date", *keys, *BAND_COLUMNS]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _cube(frame: pd.DataFrame, value: str, keys: list[str]) -> tuple[np.ndarray, list[np.ndarray], list[list]]:
    """A (replicates, days, *keys) array of ``value`` and the labels of each axis."""
    axes = ["replicate", "day", *keys]
    codes, labels = [], []
    for col in axes:
        series = frame[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.cat.remove_unused_categories()
            cats = list(series.cat.categories)
            code = series.cat.codes.to_numpy()
        else:
            code, uniques = pd.factorize(series, sort=col in ("replicate", "day"))
            cats = list(uniques)
        codes.append(code)
        labels.append(cats)
    cube = np.zeros([len(c) for c in labels])
    np.add.at(cube, tuple(codes), frame[value].to_numpy(dtype=float))
    return cube, codes, labels


def _quantile_frame(cube: np.ndarray, labels: list[list], keys: list[str], start: pd.Timestamp) -> pd.DataFrame:
    """Quantiles and mean across axis 0 of a (replicates, days, *keys) cube, as a tidy frame."""
    q = np.quantile(cube, QUANTILES, axis=0)  # (3, days, *keys)
    mean = cube.mean(axis=0)
    shape = cube.shape[1:]
    idx = np.indices(shape).reshape(len(shape), -1)
    days = np.asarray(labels[1])[idx[0]]
    out = {"day": days, "date": _dates(days, start)}
    for j, name in enumerate(keys):
        out[name] = np.asarray(labels[2 + j], dtype=object)[idx[1 + j]]
    for name, values in zip(["q05", "median", "q95"], q, strict=True):
        out[name] = values.reshape(-1)
    out["mean"] = mean.reshape(-1)
    return pd.DataFrame(out)


def _series_from_timeseries(ts: pd.DataFrame, quantity: str, window: int) -> pd.DataFrame:
    cube, _, labels = _cube(ts, quantity, ["route", "cargo"])
    cube = _rolling(cube, window, axis=1)
    start = pd.Timestamp(ts["date"].iloc[0]) - pd.Timedelta(days=int(ts["day"].iloc[0]))
    out = _quantile_frame(cube, labels, ["route", "cargo"], start)
    modes = ts.drop_duplicates("route").set_index("route")["mode"].astype(str)
    out.insert(3, "mode", out["route"].map(modes))
    out = out.sort_values(["route", "cargo", "day"], key=_route_order(labels[2]), kind="stable")
    out = out.reset_index(drop=True)[["day", "date", "route", "mode", "cargo", *BAND_COLUMNS]]
    out.attrs["description"] = (
        f"Line: median, band: 5-95% across replicates of each replicate's {window}-day average."
        if window > 1
        else "Line: median, band: 5-95% across replicates of daily tons."
    )
    out.attrs["window"] = window
    return out


def _route_order(routes: Sequence[str]):
    order = {r: i for i, r in enumerate(routes)}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "route" else col

    return key


def destination_cumulative(
    bands: pd.DataFrame,
    *,
    timeseries: pd.DataFrame | None = None,
    route_destination: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Per day and destination: cumulative demand and the 5%, median, 95% of cumulative delivered tons.

    From ``timeseries`` (with ``route_destination``) the cumulative sum is
    taken in each replicate; from ``bands`` alone it is cumulative demand
    minus the backlog's quantiles (exact while demand is the same in every
    replicate, as in the shipped scenarios).

    Columns: day, date, destination, cargo, demand, q05, median, q95, mean.
    """
    dest = bands[bands["kind"] == "destination"]
    demand = dest[dest["quantity"] == "demand_tons"].sort_values("day")
    cum_demand = {
        key: np.cumsum(g["median"].to_numpy(dtype=float))
        for key, g in demand.groupby(["id", "cargo"], sort=False, observed=True)
    }
    if timeseries is not None and route_destination:
        ts = timeseries[["replicate", "day", "date", "route", "cargo", "delivered_tons"]].copy()
        ts["destination"] = ts["route"].astype(str).map(route_destination)
        cube, _, labels = _cube(ts, "delivered_tons", ["destination", "cargo"])
        cube = np.cumsum(cube, axis=1)
        start = pd.Timestamp(ts["date"].iloc[0]) - pd.Timedelta(days=int(ts["day"].iloc[0]))
        out = _quantile_frame(cube, labels, ["destination", "cargo"], start)
        order = {d: i for i, d in enumerate(dict.fromkeys(dest["id"]))}
        out = out.sort_values(
            ["destination", "cargo", "day"], key=lambda c: c.map(order) if c.name == "destination" else c, kind="stable"
        ).reset_index(drop=True)
        description = "Line: median, band: 5-95% across replicates of cumulative tons delivered."
    else:
        backlog = dest[dest["quantity"] == "backlog_tons"].sort_values("day")
        parts = []
        for (did, cargo), g in backlog.groupby(["id", "cargo"], sort=False, observed=True):
            total = cum_demand[(did, cargo)]
            parts.append(
                pd.DataFrame(
                    {
                        "day": g["day"].to_numpy(),
                        "date": pd.to_datetime(g["date"]).to_numpy(),
                        "destination": did,
                        "cargo": cargo,
                        "q05": total - g["q95"].to_numpy(),
                        "median": total - g["median"].to_numpy(),
                        "q95": total - g["q05"].to_numpy(),
                        "mean": total - g["mean"].to_numpy(),
                    }
                )
            )
        out = pd.concat(parts, ignore_index=True)
        description = "Delivered = cumulative demand minus the backlog's median and 5-95% across replicates."
    out["demand"] = np.nan
    for (did, cargo), total in cum_demand.items():
        mask = (out["destination"] == did) & (out["cargo"] == cargo)
        out.loc[mask, "demand"] = total[out.loc[mask, "day"].to_numpy() - int(demand["day"].min())]
    out = out[["day", "date", "destination", "cargo", "demand", *BAND_COLUMNS]]
    out.attrs["description"] = description
    return out


def route_share(bands: pd.DataFrame, *, window: int = 30, by: str = "route") -> pd.DataFrame:
    """Per day: each route's (or mode's) trailing-mean daily delivered tons and its share of the total.

    Uses the mean across replicates, which (unlike a median) adds up across
    routes. Columns: day, date, cargo, ``by`` (route or mode), mode, tons, share.
    """
    rows = bands[(bands["kind"] == "route") & (bands["quantity"] == "delivered_tons")]
    rows = rows.rename(columns={"id": "route"})
    if by == "mode":
        rows = rows.groupby(["day", "date", "mode", "cargo"], sort=False, observed=True)["mean"].sum().reset_index()
        rows["key"] = rows["mode"]
    else:
        rows = rows.assign(key=rows["route"])
    parts = []
    for (key, cargo), g in rows.groupby(["key", "cargo"], sort=False, observed=True):
        g = g.sort_values("day")
        parts.append(
            pd.DataFrame(
                {
                    "day": g["day"].to_numpy(),
                    "date": pd.to_datetime(g["date"]).to_numpy(),
                    "cargo": cargo,
                    by: key,
                    "mode": g["mode"].iloc[0],
                    "tons": _rolling(g["mean"].to_numpy(dtype=float), window, axis=0),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    total = out.groupby(["day", "cargo"], observed=True)["tons"].transform("sum")
    out["share"] = np.where(total > 0, out["tons"] / total.where(total > 0, 1.0), 0.0)
    columns = (
        ["day", "date", "cargo", by, "tons", "share"]
        if by == "mode"
        else ["day", "date", "cargo", by, "mode", "tons", "share"]
    )
    out = out[columns]
    out.attrs["window"] = window
    return out


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


# ----------------------------------------------------------------------------- policies


def lever_paths(
    events: pd.DataFrame,
    levers: pd.DataFrame,
    *,
    days: int,
    start_date: str | pd.Timestamp,
    replicates: int,
    timeline: pd.DataFrame | None = None,
    actors: pd.DataFrame | None = None,
    first_replicate: int = 0,
) -> pd.DataFrame:
    """Per day, for every lever that changes: the median, 5% and 95% across replicates of its value.

    From ``actors`` (actors.parquet) when the run kept it; otherwise rebuilt
    from ``events`` (each change sets its new value from its day; a ramp runs
    linearly over the ``ramp_days`` of its timeline entry), starting from the
    levers' start values in ``levers`` (lever_table).

    Columns: day, date, actor, lever, q05, median, q95, mean.
    """
    changed = events[["actor", "lever"]].drop_duplicates()
    keys = [tuple(x) for x in changed.itertuples(index=False)]
    if not keys:
        return pd.DataFrame(columns=["day", "date", "actor", "lever", *BAND_COLUMNS])
    start = pd.Timestamp(start_date)
    parts = []
    for actor, lever in keys:
        if actors is not None:
            sub = actors[(actors["actor"] == actor) & (actors["lever"] == lever)]
            cube = sub.pivot(index="replicate", columns="day", values="value").to_numpy(dtype=float)
        else:
            cube = _rebuild_lever(events, levers, timeline, actor, lever, days, replicates, first_replicate)
        q = np.nanquantile(cube, QUANTILES, axis=0)
        day = np.arange(cube.shape[1])
        parts.append(
            pd.DataFrame(
                {
                    "day": day,
                    "date": _dates(day, start),
                    "actor": actor,
                    "lever": lever,
                    "q05": q[0],
                    "median": q[1],
                    "q95": q[2],
                    "mean": np.nanmean(cube, axis=0),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _rebuild_lever(
    events: pd.DataFrame,
    levers: pd.DataFrame,
    timeline: pd.DataFrame | None,
    actor: str,
    lever: str,
    days: int,
    replicates: int,
    first_replicate: int = 0,
) -> np.ndarray:
    """(replicates, days) values of one lever, from its start value and its events."""
    spec = levers[(levers["actor"] == actor) & (levers["lever"] == lever)]
    start_value = float(spec["value"].iloc[0]) if len(spec) and pd.notna(spec["value"].iloc[0]) else np.nan
    ramps: dict[str, int] = {}
    if timeline is not None and len(timeline):
        for row in timeline[timeline["ramp_days"].notna()].itertuples(index=False):
            ramps[f"timeline:{row.id}:ramp"] = int(row.ramp_days)
    values = np.full((replicates, days), start_value)
    mine = events[(events["actor"] == actor) & (events["lever"] == lever)]
    for row in mine.sort_values(["replicate", "day"], kind="stable").itertuples(index=False):
        r, d = int(row.replicate) - first_replicate, int(row.day)
        if not (0 <= r < replicates and 0 <= d < days):
            continue
        if np.isnan(start_value) and np.isnan(values[r, 0]):  # a drawn start value: the first event tells it
            values[r, :d] = row.old_value
        ramp = ramps.get(str(row.cause))
        if ramp:
            k = np.arange(days - d)
            values[r, d:] = row.old_value + np.minimum(1.0, (k + 1) / ramp) * (row.new_value - row.old_value)
        else:
            values[r, d:] = row.new_value
    return values


def policy_timeline(events: pd.DataFrame, replicates: int) -> pd.DataFrame:
    """One row per policy change or reactive rule, in order of first occurrence.

    Columns: cause, kind (timed | ramp | rule), actor, lever, label, share (of
    replicates in which it happened), runs, day (median), first_day, last_day,
    date (median day's date), old_value, new_value (medians).
    """
    columns = [
        "cause",
        "kind",
        "actor",
        "lever",
        "label",
        "share",
        "runs",
        "day",
        "first_day",
        "last_day",
        "date",
        "old_value",
        "new_value",
    ]
    if events.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    start = pd.Timestamp(events["date"].iloc[0]) - pd.Timedelta(days=int(events["day"].iloc[0]))
    for (cause, actor, lever), g in events.groupby(["cause", "actor", "lever"], sort=False):
        cause = str(cause)
        kind = "rule" if cause.startswith("rule:") else ("ramp" if cause.endswith(":ramp") else "timed")
        runs = int(g["replicate"].nunique())
        median_day = int(np.round(np.median(g["day"])))
        rows.append(
            {
                "cause": cause,
                "kind": kind,
                "actor": actor,
                "lever": lever,
                "label": _short_label(str(g["label"].iloc[0])),
                "share": runs / replicates if replicates else np.nan,
                "runs": runs,
                "day": median_day,
                "first_day": int(g["day"].min()),
                "last_day": int(g["day"].max()),
                "date": start + pd.Timedelta(days=median_day),
                "old_value": float(g["old_value"].median()),
                "new_value": float(g["new_value"].median()),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["day", "first_day"], kind="stable").reset_index(drop=True)


def _short_label(label: str) -> str:
    """A ramp's label without the model's '(ramp over N days begins)' suffix."""
    cut = label.find(" (ramp over ")
    return label[:cut] if cut > 0 else label


def rule_shares(events: pd.DataFrame, replicates: int, days: int) -> pd.DataFrame:
    """Per reactive rule and day: the share of replicates in which it has fired by that day.

    Columns: cause, actor, lever, day, share.
    """
    rules = events[events["cause"].astype(str).str.startswith("rule:")]
    parts = []
    for (cause, actor, lever), g in rules.groupby(["cause", "actor", "lever"], sort=False):
        first = g.groupby("replicate")["day"].min().to_numpy()
        counts = np.bincount(np.clip(first, 0, days - 1), minlength=days)
        parts.append(
            pd.DataFrame(
                {
                    "cause": cause,
                    "actor": actor,
                    "lever": lever,
                    "day": np.arange(days),
                    "share": np.cumsum(counts) / replicates,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["cause", "actor", "lever", "day", "share"])
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------- the map


def segment_flows(summary: pd.DataFrame, routes: pd.DataFrame, *, cargo: str | None = None) -> pd.DataFrame:
    """Tons carried over each segment: the mean across replicates of the delivered tons of the routes using it.

    Columns: segment, tons, routes (how many routes use it).
    """
    rows = summary if cargo is None else summary[summary["cargo"] == cargo]
    per_route = rows.groupby("route")["delivered_tons"].sum() / max(1, rows["replicate"].nunique())
    tons: dict[str, float] = {}
    count: dict[str, int] = {}
    for route, segs in zip(routes["route"], routes["segments"], strict=True):
        for seg in segs:
            tons[seg] = tons.get(seg, 0.0) + float(per_route.get(route, 0.0))
            count[seg] = count.get(seg, 0) + 1
    return pd.DataFrame({"segment": list(tons), "tons": list(tons.values()), "routes": [count[s] for s in tons]})


def capacity_queues(bands: pd.DataFrame, routes: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Queues at capacity-limited segments: each route's queue is put at its first such segment.

    The model reports a route's queued tons, not where they wait; cargo waits
    only where a daily capacity binds, so that is where it is drawn. Uses the
    mean across replicates (which adds up over routes).

    Columns: segment, mean_tons (average over the run of the daily queue),
    peak_tons (largest daily queue), peak_date.
    """
    limited = set(segments.loc[segments["capacity"].astype(bool), "segment"])
    queued = bands[(bands["kind"] == "route") & (bands["quantity"] == "queued_tons")]
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
