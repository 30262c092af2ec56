"""The quantities reactive rules watch, per replicate: the vocabulary of ``when.metric``.

A metric is named ``kind`` or ``kind:selector`` (docs/parameters.md lists them): the day, a lever's
value, a destination's share of demand met or backlog, and the flow metrics read from the last 30
days' flows (:data:`WINDOW_METRICS`), which the model keeps only when something reads them.
:class:`RuleMetrics` reads them from the model's arrays, which the kernels update in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from corridor_sim import rates
from corridor_sim.kernels.contract import LEG_ENTERED, LEG_LOST, WINDOW_DELIVERED, WINDOW_INTERDICTED
from corridor_sim.scenario_schema import split_cargo

if TYPE_CHECKING:
    from corridor_sim.levers import Levers
    from corridor_sim.network import Network

# Metrics read from the last 30 days' flows (the model's window), kept only when something reads them.
WINDOW_METRICS = ("delivered_7d", "interdicted_30d", "interdiction_rate_30d")


class RuleMetrics:
    """Every rule metric of a model, per replicate, from the arrays it is given (shared, never copied).

    Args:
        net: the model's network (ids of routes and destinations, each route's legs).
        levers: the model's levers.
        tons: payload tons of a (..., cargo, replicates) array (``CorridorModel.tons``).
        destinations: cumulative demand and deliveries, (destinations, cargo, replicates) each.
        windows: the last 30 days' delivered and interdicted payload tons per route, (30, WINDOW_FLOWS, routes,
            replicates), the row of day d at d % 30, and the same days' payload tons entering and lost
            on each leg, (30, LEG_FLOWS, legs, replicates); no rows if not kept.
        mode_of_route: per mode, which routes are of that mode (a boolean mask over routes).
        keeps_window: whether the windows are kept (the flow metrics refuse otherwise).
    """

    def __init__(
        self,
        *,
        net: Network,
        levers: Levers,
        tons: Callable[[np.ndarray], np.ndarray],
        destinations: tuple[np.ndarray, np.ndarray],
        windows: tuple[np.ndarray, np.ndarray],
        mode_of_route: Mapping[str, np.ndarray],
        keeps_window: bool,
    ):
        self.net = net
        self.levers = levers
        self.tons = tons
        self.cum_demand, self.cum_delivered = destinations
        self.window, self.leg_window = windows
        self.mode_of_route = mode_of_route
        self.keeps_window = keeps_window
        self.replicates = levers.values.shape[1]

    def route_mask(self, selector: str) -> np.ndarray:
        """The routes a flow metric's selector covers, as a mask.

        ``all``, ``mode:<mode>`` or ``route:<id>``, optionally followed by ``:<cargo>``, which keeps only
        the routes that carry that cargo class (the window holds payload tons per route, so a selector
        over routes of two cargo classes would add barrels' tons to materiel's: the scenario checks
        refuse it).
        """
        where, cargo = split_cargo(selector, self.net.cargo_ids)
        if where == "all":
            mask = np.ones(len(self.net.route_ids), dtype=bool)
        elif where.startswith("mode:"):
            mask = self.mode_of_route[where[5:]]
        else:
            mask = np.array([r == where[6:] for r in self.net.route_ids])
        if cargo is not None:
            mask = mask & self.net.route_cargo[:, self.net.cargo_ids.index(cargo)]
        return mask

    def value(self, metric: str, day: int, recorded: int) -> np.ndarray:
        """The metric per replicate on ``day``, with the flows of days 0 .. ``recorded`` - 1 in the window."""
        kind, _, sel = metric.partition(":")
        if kind == "day":
            return np.full(self.replicates, float(day))
        if kind == "lever":
            return self.levers.factor(sel)
        if kind in ("share_met", "backlog"):
            dest, cargo = split_cargo(sel, self.net.cargo_ids)
            i = self.net.destination_ids.index(dest)
            if cargo is None:
                dem, got = self.tons(self.cum_demand[i]), self.tons(self.cum_delivered[i])
            else:  # in the cargo's own units
                c = self.net.cargo_ids.index(cargo)
                dem, got = self.cum_demand[i, c], self.cum_delivered[i, c]
            if kind == "backlog":
                return dem - got
            return rates.share_met(got, dem)
        if not self.keeps_window:
            raise ValueError(
                f"metric {metric!r} reads the last 30 days' flows, which this model does not keep (no rule "
                "watches them): make it with CorridorModel(..., flow_window=True)"
            )
        mask = self.route_mask(sel)
        span = 7 if kind == "delivered_7d" else 30
        last = recorded - 1  # the last day whose flows are in: today's while its rules look
        rows = [(last - i) % 30 for i in range(min(span, last + 1))]
        if kind == "interdiction_rate_30d":
            # The product-limit rate over the window's days, pooled over the routes by the tons that set out.
            flows = self.leg_window[rows].sum(axis=0)  # (LEG_FLOWS, legs, replicates)
            entered, lost_on_leg = flows[LEG_ENTERED], flows[LEG_LOST]
            rate = rates.route_interdiction_rate(entered, lost_on_leg, self.net.route_leg_start)
            sent = entered[self.net.route_first_leg]
            return rates.pooled_interdiction_rate(rate[mask], sent[mask], axis=0)
        flows = self.window[rows][:, :, mask].sum(axis=(0, 2))  # (WINDOW_FLOWS, replicates)
        got, lost = flows[WINDOW_DELIVERED], flows[WINDOW_INTERDICTED]
        if kind == "delivered_7d":
            return got / max(len(rows), 1)
        return lost

    def ahead(self, metric: str, day: int, days: int) -> list[np.ndarray]:
        """A lever or day metric on days ``day`` .. ``day + days - 1``, with the levers as they are now.

        A lever's value is the same every day (checking it once is enough): one array.
        """
        kind, _, sel = metric.partition(":")
        if kind == "day":
            return [np.full(self.replicates, float(t)) for t in range(day, day + days)]
        return [self.levers.factor(sel)]
