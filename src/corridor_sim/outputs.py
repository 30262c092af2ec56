"""Turning model state into tidy tables and files.

The :class:`Recorder` keeps, every day, running totals per replicate, the
quantiles across replicates of each daily quantity (``bands``) and, when
asked, the full per-replicate daily arrays. Everything leaves as pandas
DataFrames; :func:`write_results` writes a run's folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor_sim.scenario import MODES, RESOLVED_MARK

if TYPE_CHECKING:
    from corridor_sim.model import CorridorModel

ROUTE_QUANTITIES = ("dispatched", "delivered", "interdicted", "in_transit", "queued", "cost_usd")
DEST_QUANTITIES = ("demand", "delivered", "backlog")
QUANTILES = (0.05, 0.5, 0.95)
# cost_usd = transport (per-ton running costs + vehicle-days) + fees and tolls + value of cargo lost
COST_PARTS = ("transport_usd", "fees_usd", "losses_usd")


def _col(q: str) -> str:
    return q if q == "cost_usd" else f"{q}_tons"


class Recorder:
    """Collects a model's outputs as it runs."""

    def __init__(self, model: CorridorModel, *, keep_daily: bool):
        self.model = model
        net, n, days = model.net, model.n_replicates, model.spec.days
        shape = (n, len(net.route_ids), len(net.cargo_ids))
        self.totals = {q: np.zeros(shape) for q in ("dispatched", "delivered", "interdicted", "cost_usd") + COST_PARTS}
        self.capacity_days = np.zeros((n, len(net.route_ids)))
        self.keep_daily = keep_daily
        self.daily: dict[str, np.ndarray] = {}
        self.lever_daily: np.ndarray | None = None
        if keep_daily:
            self.daily = {q: np.zeros((days, *shape)) for q in ROUTE_QUANTITIES}
            self.lever_daily = np.zeros((days, n, len(model.levers.names)))
        self.n_route_cols = len(ROUTE_QUANTITIES) * shape[1] * shape[2]
        n_dest_cols = len(DEST_QUANTITIES) * len(net.destination_ids) * shape[2]
        self.band_stats = np.zeros((days, 4, self.n_route_cols + n_dest_cols))
        self.days_recorded = 0

    def record(self, day: int, flows: dict[str, np.ndarray]) -> None:
        m = self.model
        for q in self.totals:
            self.totals[q] += flows[q]
        self.capacity_days += m.route_capacity
        if self.keep_daily:
            for q in ROUTE_QUANTITIES:
                self.daily[q][day] = flows[q]
            self.lever_daily[day] = m.levers.values  # type: ignore[index]
        dest = {"demand": m.demand, "delivered": None, "backlog": m.cum_demand - m.cum_delivered_dest}
        dest["delivered"] = np.einsum("rkc,kd->rdc", flows["delivered"], m._route_onehot_dest)
        n = m.n_replicates
        stack = np.concatenate(
            [flows[q].reshape(n, -1) for q in ROUTE_QUANTITIES] + [dest[q].reshape(n, -1) for q in DEST_QUANTITIES],
            axis=1,
        )
        self.band_stats[day, :3] = np.quantile(stack, QUANTILES, axis=0)
        self.band_stats[day, 3] = stack.mean(axis=0)
        self.days_recorded = day + 1

    # ------------------------------------------------------------------ tables

    def _replicates(self) -> np.ndarray:
        return self.model.first_replicate + np.arange(self.model.n_replicates)

    def summary(self) -> pd.DataFrame:
        m, net = self.model, self.model.net
        n, k, c = self.totals["delivered"].shape
        idx = np.indices((n, k, c)).reshape(3, -1)
        t = {q: v.reshape(-1) for q, v in self.totals.items()}
        tons = (self.totals["dispatched"] / m.payload_factor).sum(axis=2)
        cap_use = np.divide(tons, self.capacity_days, out=np.zeros_like(tons), where=self.capacity_days > 0)
        end_transit = np.add.reduceat(m.in_transit, net.route_leg_start[:-1], axis=1).reshape(-1)
        end_queue = np.add.reduceat(m.queue, net.route_leg_start[:-1], axis=1).reshape(-1)
        got, lost = t["delivered"], t["interdicted"]
        return pd.DataFrame(
            {
                "replicate": self._replicates()[idx[0]],
                "route": np.array(net.route_ids)[idx[1]],
                "mode": np.array(net.route_mode)[idx[1]],
                "cargo": np.array(net.cargo_ids)[idx[2]],
                "dispatched_tons": t["dispatched"],
                "delivered_tons": got,
                "interdicted_tons": lost,
                "in_transit_tons": end_transit,
                "queued_tons": end_queue,
                "cost_usd": t["cost_usd"],
                "transport_usd": t["transport_usd"],
                "fees_usd": t["fees_usd"],
                "losses_usd": t["losses_usd"],
                "cost_per_delivered_ton": np.divide(t["cost_usd"], got, out=np.full_like(got, np.nan), where=got > 0),
                "interdiction_rate": np.divide(lost, got + lost, out=np.full_like(got, np.nan), where=(got + lost) > 0),
                "capacity_use": cap_use[idx[0], idx[1]],
            }
        )

    def destinations(self) -> pd.DataFrame:
        m, net = self.model, self.model.net
        n, dn, c = m.cum_demand.shape
        idx = np.indices((n, dn, c)).reshape(3, -1)
        demand, got = m.cum_demand.reshape(-1), m.cum_delivered_dest.reshape(-1)
        return pd.DataFrame(
            {
                "replicate": self._replicates()[idx[0]],
                "destination": np.array(net.destination_ids)[idx[1]],
                "cargo": np.array(net.cargo_ids)[idx[2]],
                "demand_tons": demand,
                "delivered_tons": got,
                "backlog_tons": demand - got,
                "share_met": np.divide(got, demand, out=np.full_like(got, np.nan), where=demand > 0),
            }
        )

    def _dates(self, days: np.ndarray) -> np.ndarray:
        start = np.datetime64(self.model.spec.start_date, "D")
        return start + days.astype("timedelta64[D]")

    def timeseries(self) -> pd.DataFrame:
        if not self.keep_daily:
            raise RuntimeError("daily tables were not kept (keep_daily=False / --no-daily)")
        net, days = self.model.net, self.days_recorded
        n, k, c = self.totals["delivered"].shape
        idx = np.indices((days, n, k, c)).reshape(4, -1)
        frame = {
            "replicate": self._replicates()[idx[1]],
            "day": idx[0],
            "date": self._dates(idx[0]),
            "route": pd.Categorical.from_codes(idx[2], net.route_ids),
            "mode": pd.Categorical(np.array(net.route_mode)[idx[2]], categories=list(MODES)),
            "cargo": pd.Categorical.from_codes(idx[3], net.cargo_ids),
        }
        for q in ROUTE_QUANTITIES:
            frame[_col(q)] = self.daily[q][:days].reshape(-1)
        return pd.DataFrame(frame)

    def bands(self) -> pd.DataFrame:
        _m, net, days = self.model, self.model.net, self.days_recorded
        k, c, dn = len(net.route_ids), len(net.cargo_ids), len(net.destination_ids)
        cols = []
        for q in ROUTE_QUANTITIES:
            for r in range(k):
                for ci in range(c):
                    cols.append(("route", net.route_ids[r], net.route_mode[r], net.cargo_ids[ci], _col(q)))
        for q in DEST_QUANTITIES:
            for d in range(dn):
                for ci in range(c):
                    cols.append(("destination", net.destination_ids[d], "", net.cargo_ids[ci], _col(q)))
        meta = pd.DataFrame(cols, columns=["kind", "id", "mode", "cargo", "quantity"])
        stats = self.band_stats[:days]  # (days, 4, cols)
        n_cols = stats.shape[2]
        day = np.repeat(np.arange(days), n_cols)
        out = meta.iloc[np.tile(np.arange(n_cols), days)].reset_index(drop=True)
        out.insert(0, "date", self._dates(day))
        out.insert(0, "day", day)
        for j, name in enumerate(("q05", "median", "q95", "mean")):
            out[name] = stats[:, j, :].reshape(-1)
        return out

    def events(self) -> pd.DataFrame:
        chunks = self.model.levers.log_.chunks
        columns = ["replicate", "day", "date", "actor", "lever", "old_value", "new_value", "cause", "label"]
        if not chunks:
            return pd.DataFrame(
                {
                    c: pd.Series(dtype=t)
                    for c, t in zip(
                        columns,
                        ["int64", "int64", "datetime64[s]", "str", "str", "float64", "float64", "str", "str"],
                        strict=False,
                    )
                }
            )
        parts = []
        for rows, day, lever, old, new, cause, label in chunks:
            actor, lever_id = lever.split(".", 1)
            parts.append(
                pd.DataFrame(
                    {
                        "replicate": self.model.first_replicate + rows,
                        "day": day,
                        "actor": actor,
                        "lever": lever_id,
                        "old_value": old,
                        "new_value": new,
                        "cause": cause,
                        "label": label,
                    }
                )
            )
        out = pd.concat(parts, ignore_index=True)
        out.insert(2, "date", self._dates(out["day"].to_numpy()))
        return out.sort_values(["replicate", "day"], kind="stable").reset_index(drop=True)[columns]

    def actor_levers(self) -> pd.DataFrame:
        if not self.keep_daily or self.lever_daily is None:
            raise RuntimeError("daily tables were not kept (keep_daily=False / --no-daily)")
        names = self.model.levers.names
        days, n, nl = self.days_recorded, self.model.n_replicates, len(names)
        idx = np.indices((days, n, nl)).reshape(3, -1)
        return pd.DataFrame(
            {
                "replicate": self._replicates()[idx[1]],
                "day": idx[0],
                "date": self._dates(idx[0]),
                "actor": np.array([x.split(".")[0] for x in names])[idx[2]] if nl else np.array([], dtype=str),
                "lever": np.array([x.split(".", 1)[1] for x in names])[idx[2]] if nl else np.array([], dtype=str),
                "value": self.lever_daily[:days].reshape(-1),
            }
        )

    def actor_costs(self) -> pd.DataFrame:
        rows = []
        for actor in self.model.policy_actors:
            rows.append(
                pd.DataFrame(
                    {"replicate": self._replicates(), "actor": actor.actor_id, "lever_cost_usd": actor.cost_usd}
                )
            )
        return (
            pd.concat(rows, ignore_index=True)
            if rows
            else pd.DataFrame(columns=["replicate", "actor", "lever_cost_usd"])
        )


# ---------------------------------------------------------------------- console tables


def _interval(series: pd.Series, fmt: str) -> str:
    s = series.dropna()
    if s.empty:
        return "-"
    lo, med, hi = np.quantile(s, QUANTILES)
    if len(s) == 1 or lo == hi:
        return format(med, fmt)
    return f"{format(med, fmt)} [{format(lo, fmt)}, {format(hi, fmt)}]"


def route_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per route and cargo: median and 90% interval across replicates of each total."""
    rows = []
    for (route, mode, cargo), g in summary.groupby(["route", "mode", "cargo"], sort=False):
        rows.append(
            {
                "route": route,
                "mode": mode,
                "cargo": cargo,
                "dispatched t": _interval(g["dispatched_tons"], ",.0f"),
                "delivered t": _interval(g["delivered_tons"], ",.0f"),
                "interdicted t": _interval(g["interdicted_tons"], ",.0f"),
                "interdiction rate": _interval(g["interdiction_rate"], ".1%"),
                "$ per delivered t": _interval(g["cost_per_delivered_ton"], ",.0f"),
                "capacity use": _interval(g["capacity_use"], ".0%"),
            }
        )
    return pd.DataFrame(rows)


def destination_table(destinations: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (dest, cargo), g in destinations.groupby(["destination", "cargo"], sort=False):
        rows.append(
            {
                "destination": dest,
                "cargo": cargo,
                "demand t": _interval(g["demand_tons"], ",.0f"),
                "delivered t": _interval(g["delivered_tons"], ",.0f"),
                "share met": _interval(g["share_met"], ".0%"),
                "backlog t": _interval(g["backlog_tons"], ",.0f"),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- files

RESULT_FILES = (
    "summary.csv",
    "destinations.csv",
    "bands.parquet",
    "events.parquet",
    "scenario.resolved.yaml",
    "timeseries.parquet",
    "actors.parquet",
    "actor_costs.csv",
)


def holds_results(folder: Path) -> bool:
    return folder.is_dir() and any((folder / name).exists() for name in RESULT_FILES)


def write_results(model: CorridorModel, out: Path, *, resolved: dict[str, Any], force: bool) -> list[Path]:
    """Write a run's files into ``out``: into a temporary folder first, then moved in.

    A crash part-way leaves ``out`` as it was.
    """
    import yaml

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.summary().to_csv(tmp / "summary.csv", index=False)
        model.destinations().to_csv(tmp / "destinations.csv", index=False)
        model.actor_costs().to_csv(tmp / "actor_costs.csv", index=False)
        model.bands().to_parquet(tmp / "bands.parquet", index=False)
        model.events().to_parquet(tmp / "events.parquet", index=False)
        if model.recorder.keep_daily:
            model.timeseries().to_parquet(tmp / "timeseries.parquet", index=False)
            model.actor_levers().to_parquet(tmp / "actors.parquet", index=False)
        with open(tmp / "scenario.resolved.yaml", "w", encoding="utf-8") as fh:
            yaml.safe_dump(resolved, fh, sort_keys=False, allow_unicode=True)
        out.mkdir(parents=True, exist_ok=True)
        if force:
            for name in RESULT_FILES:
                (out / name).unlink(missing_ok=True)
        written = []
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
            written.append(out / f.name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def resolved_document(model: CorridorModel, *, version: str, command: str) -> dict[str, Any]:
    """What ``scenario.resolved.yaml`` holds: enough to reproduce the run exactly."""
    return {
        RESOLVED_MARK: version,
        "seed": model.seed,
        "replicates": model.n_replicates,
        "first_replicate": model.first_replicate,
        "command": command,
        "scenario": model.spec.to_dict(),
    }
