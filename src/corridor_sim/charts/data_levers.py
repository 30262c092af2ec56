"""Chart-ready tables of the actors' policies: lever paths, the policy timeline and rules' shares.

Made from ``events.parquet``, the lever table and, when a run kept it,
``actors.parquet``; :mod:`corridor_sim.charts.data` re-exports everything here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridor_sim.charts.data_time import BAND_COLUMNS, QUANTILES, _dates

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

    A lever changes if an event names it or, when ``actors`` is given, if its value moves during the
    run without one (a responding lever).

    From ``actors`` (actors.parquet) when the run kept it; otherwise rebuilt
    from ``events`` (each change sets its new value from its day; a ramp runs
    linearly over the ``ramp_days`` of its timeline entry), starting from the
    levers' start values in ``levers`` (lever_table).

    Columns: day, date, actor, lever, q05, median, q95, mean.
    """
    changed = events[["actor", "lever"]].drop_duplicates()
    keys = [tuple(x) for x in changed.itertuples(index=False)]
    if actors is not None and not actors.empty:
        # Levers that move with no event: the militias' responding levers (docs/ODD.md 7.16).
        # Over time within a replicate: a lever drawn per replicate but held all run does not move.
        spread = actors.groupby(["actor", "lever", "replicate"], observed=True, sort=False)["value"].agg(["min", "max"])
        moves = (spread["max"] > spread["min"]).groupby(level=["actor", "lever"], sort=False).any()
        moving = [tuple(k) for k, moved in moves.items() if moved]
        keys += [k for k in moving if k not in keys]
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
