"""Chart-ready tables over time: per day, the bands across replicates of routes' and destinations' tons.

Made from ``bands.parquet`` and, when a run kept it, ``timeseries.parquet``;
:mod:`corridor_sim.charts.data` re-exports everything here. The band levels
(:data:`QUANTILES`, :data:`BAND_COLUMNS`) and the date helpers live here too,
and the other table modules import them from here.
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
    # The cube crosses every route with every cargo class: keep the pairs the table has (a route's cargo).
    pairs = pd.MultiIndex.from_frame(ts[["route", "cargo"]].astype(str).drop_duplicates())
    out = out[pd.MultiIndex.from_frame(out[["route", "cargo"]].astype(str)).isin(pairs)]
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
    replicate; an approximation where it is drawn per replicate, as in the
    shipped scenarios: keep the daily tables for the exact band).

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
        description = "Line: median, band: 5-95% across replicates of cumulative deliveries."
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
        description = (
            "Delivered = cumulative demand minus the backlog's median and 5-95% across replicates"
            " (approximate where demand is drawn per replicate)."
        )
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
