"""A run's tables as tidy DataFrames, and the console's summaries of them.

:class:`RunTables` builds the per-replicate tables (summary, destinations, timeseries, bands,
events, actor levers and costs; docs/ODD.md 7.14) from what the :class:`~corridor_sim.recorder.Recorder`
kept and the arrays it is given; :func:`route_table` and :func:`destination_table` summarise two of
them across replicates for the console.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridor_sim import kernels, rates
from corridor_sim.kernels.contract import LEG_ENTERED, LEG_LOST
from corridor_sim.recorder import DEST_QUANTITIES, QUANTILES, ROUTE_QUANTITIES
from corridor_sim.scenario import MODES

if TYPE_CHECKING:
    import datetime

    from corridor_sim.actors import PolicyActor
    from corridor_sim.levers import Levers
    from corridor_sim.network import Grouping, Network
    from corridor_sim.recorder import Recorder


def _col(q: str) -> str:
    return q if q == "cost_usd" else f"{q}_tons"


class RunTables:
    """A run's tables, from its recorder and the arrays given (read when a table is asked for).

    Args:
        recorder: what the run kept day by day (totals, daily arrays, bands).
        start_date: the date of day 0.
        first_replicate: the index of the run's first replicate.
        levers: the levers (names and the log of their changes).
        actors: the policy actors (what each spent on its levers).
        destinations: cumulative demand and deliveries, (destinations, cargo, replicates) each.
        tons: payload tons of a (..., cargo, replicates) array (``CorridorModel.tons``).
        stock: cargo queued and cargo in transit on each leg (chunk-major, legs x cargo) and the
            legs of each route (a :class:`~corridor_sim.network.Grouping`).
        vehicle_payload: each fleet's payload tons per vehicle, (fleets, replicates), and each
            cargo class's payload factor (cargo units per payload ton).
    """

    def __init__(
        self,
        recorder: Recorder,
        *,
        start_date: datetime.date,
        first_replicate: int,
        levers: Levers,
        actors: Sequence[PolicyActor],
        destinations: tuple[np.ndarray, np.ndarray],
        tons: Callable[[np.ndarray], np.ndarray],
        stock: tuple[np.ndarray, np.ndarray, Grouping],
        vehicle_payload: tuple[np.ndarray, np.ndarray],
    ):
        self.recorder = recorder
        self.net = recorder.net
        self.start_date = start_date
        self.first_replicate = first_replicate
        self.levers = levers
        self.actors = actors
        self.destinations_arrays = destinations
        self.tons = tons
        self.stock = stock
        self.vehicle_payload = vehicle_payload
        self._summary: tuple[int, pd.DataFrame] | None = None

    @property
    def vehicle_load(self) -> np.ndarray:
        """One load of each route's fleet in each cargo's units, (routes, cargo, replicates): the payload drawn."""
        fleet_payload, payload_factor = self.vehicle_payload
        payload = fleet_payload[self.net.route_fleet]  # (routes, replicates)
        return payload[:, None, :] * payload_factor[None, :, None]

    def _per_route_stock(self) -> tuple[np.ndarray, np.ndarray]:
        """Cargo in transit and queued on each route's legs now: (routes, cargo, replicates) each."""
        queue, in_transit, legs_of_route = self.stock
        n = self.recorder.n_replicates
        in_transit = legs_of_route.sum(kernels.replicate_last(in_transit, n))
        queued = legs_of_route.sum(kernels.replicate_last(queue, n))
        return in_transit, queued

    def _replicates(self) -> np.ndarray:
        return self.first_replicate + np.arange(self.recorder.n_replicates)

    def _frame(self, columns: dict[str, np.ndarray], shape: tuple[int, ...], labels: dict[str, tuple[int, list]]):
        """A tidy frame over an (..., replicates) index: labels maps column -> (axis, names)."""
        idx = np.indices(shape).reshape(len(shape), -1)
        out = {"replicate": self._replicates()[idx[-1]]}
        for name, (axis, values) in labels.items():
            out[name] = np.asarray(values)[idx[axis]]
        out.update({k: v.reshape(-1) for k, v in columns.items()})
        return pd.DataFrame(out)

    def summary(self) -> pd.DataFrame:
        """The per-replicate summary (a copy of a table kept until the model advances: runs ask twice)."""
        rec = self.recorder
        rec.finish()
        if self._summary is None or self._summary[0] != rec.days_recorded:
            self._summary = (rec.days_recorded, self._make_summary())
        return self._summary[1].copy()

    def _make_summary(self) -> pd.DataFrame:
        rec, net = self.recorder, self.net
        t = rec.totals
        cap_use = np.divide(
            self.tons(t["dispatched"]),
            rec.capacity_days,
            out=np.zeros_like(rec.capacity_days),
            where=rec.capacity_days > 0,
        )
        shape = t["delivered"].shape
        got, lost = t["delivered"], t["interdicted"]
        leg_totals = rec.leg_totals  # (LEG_FLOWS, legs, cargo, replicates)
        entered, lost_on_leg = leg_totals[LEG_ENTERED], leg_totals[LEG_LOST]
        load = self.vehicle_load
        in_transit, queued = self._per_route_stock()
        return self._route_frame(
            {
                "dispatched_tons": t["dispatched"],
                "delivered_tons": got,
                "interdicted_tons": lost,
                "in_transit_tons": in_transit,
                "queued_tons": queued,
                "cost_usd": t["cost_usd"],
                "transport_usd": t["transport_usd"],
                "fees_usd": t["fees_usd"],
                "losses_usd": t["losses_usd"],
                "cost_per_delivered_ton": rates.cost_per_delivered_ton(t["cost_usd"], got, load),
                "interdiction_rate": rates.route_interdiction_rate(entered, lost_on_leg, net.route_leg_start),
                "capacity_use": np.broadcast_to(cap_use[:, None, :], shape),
                "vehicle_load_tons": load,
            },
            shape,
        )

    def _route_frame(self, columns: dict[str, np.ndarray], shape: tuple[int, int, int]) -> pd.DataFrame:
        """A tidy frame over (routes, cargo, replicates) in replicate order, with the pairs a route carries.

        The rows :meth:`_frame`, :func:`_carried` and :func:`_order` would give (by replicate, then route
        and cargo), made in that order at once: half the rows to make when each route carries one of two
        cargo classes, and no sort.
        """
        net = self.net
        routes, cargo = np.nonzero(net.route_cargo)  # the carried pairs, in (route, cargo) order
        pairs = len(routes)
        out = {
            "replicate": np.repeat(self._replicates(), pairs),
            "route": np.tile(np.asarray(net.route_ids)[routes], shape[-1]),
            "mode": np.tile(np.asarray(net.route_mode)[routes], shape[-1]),
            "cargo": np.tile(np.asarray(net.cargo_ids)[cargo], shape[-1]),
        }
        out.update({k: np.broadcast_to(v, shape)[routes, cargo].T.reshape(-1) for k, v in columns.items()})
        return pd.DataFrame(out)

    def destinations(self) -> pd.DataFrame:
        net = self.net
        demand, got = self.destinations_arrays
        frame = self._frame(
            {
                "demand_tons": demand,
                "delivered_tons": got,
                "backlog_tons": demand - got,
                "share_met": rates.share_met(got, demand),
            },
            demand.shape,
            {"destination": (0, net.destination_ids), "cargo": (1, net.cargo_ids)},
        )
        return _order(frame, ["replicate", "destination", "cargo"], ["replicate"])

    def _dates(self, days: np.ndarray) -> np.ndarray:
        start = np.datetime64(self.start_date, "D")
        return start + days.astype("timedelta64[D]")

    def _require_daily(self) -> None:
        if not self.recorder.keep_daily:
            raise RuntimeError("daily tables were not kept (keep_daily=False / --no-daily)")

    def timeseries(self) -> pd.DataFrame:
        self._require_daily()
        rec, net = self.recorder, self.net
        days = rec.days_recorded
        shape = (days, *rec.shape)
        frame = self._frame(
            {_col(q): rec.daily[q][:days] for q in ROUTE_QUANTITIES},
            shape,
            {
                "day": (0, np.arange(days)),
                "route": (1, net.route_ids),
                "mode": (1, net.route_mode),
                "cargo": (2, net.cargo_ids),
            },
        )
        frame.insert(2, "date", self._dates(frame["day"].to_numpy()))
        frame["route"] = pd.Categorical(frame["route"], categories=net.route_ids)
        frame["mode"] = pd.Categorical(frame["mode"], categories=list(MODES))
        frame["cargo"] = pd.Categorical(frame["cargo"], categories=net.cargo_ids)
        return _order(
            _carried(frame, net), ["replicate", "day", "date", "route", "mode", "cargo"], ["replicate", "day"]
        )

    def bands(self) -> pd.DataFrame:
        rec, net = self.recorder, self.net
        if not rec.keep_bands:
            raise RuntimeError("bands were not kept (keep_bands=False)")
        rec.finish()
        days = rec.days_recorded
        cols = [
            ("route", rid, net.route_mode[r], cid, _col(q))
            for q in ROUTE_QUANTITIES
            for r, rid in enumerate(net.route_ids)
            for cid in net.cargo_ids
        ] + [
            ("destination", did, "", cid, _col(q))
            for q in DEST_QUANTITIES
            for did in net.destination_ids
            for cid in net.cargo_ids
        ]
        meta = pd.DataFrame(cols, columns=["kind", "id", "mode", "cargo", "quantity"])
        stats = rec.band_stats[:days]  # (days, 4, cols)
        if not net.route_cargo.all():  # only the routes' rows for cargo classes they carry
            carried = np.ones(len(meta), dtype=bool)
            on_route = (meta["kind"] == "route").to_numpy()
            carried[on_route] = _carries(net, meta["id"][on_route], meta["cargo"][on_route])
            meta, stats = meta[carried].reset_index(drop=True), stats[:, :, carried]
        n_cols = stats.shape[2]
        day = np.repeat(np.arange(days), n_cols)
        out = meta.iloc[np.tile(np.arange(n_cols), days)].reset_index(drop=True)
        out.insert(0, "date", self._dates(day))
        out.insert(0, "day", day)
        for j, name in enumerate(("q05", "median", "q95", "mean")):
            out[name] = stats[:, j, :].reshape(-1)
        return out

    def events(self) -> pd.DataFrame:
        chunks = self.levers.log_.chunks
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
                        "replicate": self.first_replicate + rows,
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
        self._require_daily()
        names, days = self.levers.names, self.recorder.days_recorded
        lever_daily = self.recorder.lever_daily
        assert lever_daily is not None
        frame = self._frame(
            {"value": lever_daily[:days]},
            lever_daily[:days].shape,
            {
                "day": (0, np.arange(days)),
                "actor": (1, [x.split(".")[0] for x in names]),
                "lever": (1, [x.split(".", 1)[1] for x in names]),
            },
        )
        frame.insert(2, "date", self._dates(frame["day"].to_numpy()))
        return _order(frame, ["replicate", "day", "date", "actor", "lever", "value"], ["replicate", "day"])

    def actor_costs(self) -> pd.DataFrame:
        rows = []
        for actor in self.actors:
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


def _carried(frame: pd.DataFrame, net: Network) -> pd.DataFrame:
    """Only the rows of a route and a cargo class it may carry (its ``cargo:``): all if every route carries all."""
    if net.route_cargo.all():
        return frame
    return frame[_carries(net, frame["route"], frame["cargo"])].reset_index(drop=True)


def _carries(net: Network, routes: pd.Series, cargo: pd.Series) -> np.ndarray:
    """Whether each (route, cargo class) pair is one the route may carry."""
    r = pd.Index(net.route_ids).get_indexer(routes.astype(str))
    c = pd.Index(net.cargo_ids).get_indexer(cargo.astype(str))
    return net.route_cargo[r, c]


def _order(frame: pd.DataFrame, columns: list[str], sort: list[str]) -> pd.DataFrame:
    """Put identifying columns first and rows in replicate order (stable within a replicate)."""
    rest = [c for c in frame.columns if c not in columns]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)[columns + rest]


# ---------------------------------------------------------------------- console tables


def _interval(series: pd.Series, fmt: str) -> str:
    s = series.dropna()
    if s.empty:
        return "-"
    lo, med, hi = np.quantile(s, QUANTILES)
    if len(s) == 1 or lo == hi:
        return format(med, fmt)
    return f"{format(med, fmt)} [{format(lo, fmt)}, {format(hi, fmt)}]"


def route_table(summary: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per route and cargo: median and 90% interval across replicates of each total, in the cargo's unit.

    ``units`` gives each cargo class's unit (the scenario's ``cargo.<id>.unit``; tons if not given).
    Cargo classes are never added together: each row is one route and one cargo class.
    """
    rows = []
    for (route, mode, cargo), g in summary.groupby(["route", "mode", "cargo"], sort=False):
        rows.append(
            {
                "route": route,
                "mode": mode,
                "cargo": cargo,
                "unit": (units or {}).get(str(cargo), "tons"),
                "dispatched": _interval(g["dispatched_tons"], ",.0f"),
                "delivered": _interval(g["delivered_tons"], ",.0f"),
                "interdicted": _interval(g["interdicted_tons"], ",.0f"),
                "interdiction rate": _interval(g["interdiction_rate"], ".1%"),
                "$ per delivered unit": _interval(g["cost_per_delivered_ton"], ",.0f"),
                "capacity use": _interval(g["capacity_use"], ".0%"),
            }
        )
    return pd.DataFrame(rows)


def destination_table(destinations: pd.DataFrame, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per destination and cargo: demand, deliveries, share met and backlog, in the cargo's unit.

    A cargo class a destination never demands and never receives (Lebanon's oil in the shipped
    scenarios) has no row, unless no row at all would be left.
    """
    rows = []
    groups = list(destinations.groupby(["destination", "cargo"], sort=False))
    idle = [(g["demand_tons"] == 0).all() and (g["delivered_tons"] == 0).all() for _, g in groups]
    for ((dest, cargo), g), unused in zip(groups, idle, strict=True):
        if unused and not all(idle):
            continue
        rows.append(
            {
                "destination": dest,
                "cargo": cargo,
                "unit": (units or {}).get(str(cargo), "tons"),
                "demand": _interval(g["demand_tons"], ",.0f"),
                "delivered": _interval(g["delivered_tons"], ",.0f"),
                "share met": _interval(g["share_met"], ".0%"),
                "backlog": _interval(g["backlog_tons"], ",.0f"),
            }
        )
    return pd.DataFrame(rows)


def cargo_units(scenario: Mapping[str, Any]) -> dict[str, str]:
    """Each cargo class's unit, from a scenario as plain data (``Scenario.to_dict()``, or a resolved file's)."""
    return {cid: str(c.get("unit", "tons")) for cid, c in scenario.get("cargo", {}).items()}
