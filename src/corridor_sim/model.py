"""CorridorModel: a Mesa model that advances many replicates of a scenario at once.

State the daily loop touches is numpy arrays with the replicate axis last
(contiguous, so every operation is a vector operation over replicates); a
single run is one replicate. One Mesa step is one day. See docs/ODD.md for
the process overview and scheduling.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from corridor_sim.actors import PolicyActor, Shipper
from corridor_sim.distributions import Number, draw
from corridor_sim.levers import Levers, apply_effects, compile_effects
from corridor_sim.network import Grouping, build_network
from corridor_sim.outputs import Recorder
from corridor_sim.policies import ReactiveRule, TimedChange
from corridor_sim.scenario import MODES, Scenario, load_scenario, truncate
from corridor_sim.streams import BLOCK, binomial_from_uniform, block_generator, blocks, draw_per_replicate

INF = np.inf
SEGMENT_FIELDS = (
    "interdiction_probability",
    "cost_usd_per_ton",
    "fee_usd_per_ton",
    "capacity_tons_per_day",
    "max_payload_tons",
)


class CorridorModel(mesa.Model):
    """Iran's supply corridors to Syria and Lebanon, and the actors who squeeze them.

    Args:
        scenario: a scenario file path, a loaded :class:`Scenario`, a raw
            mapping, or None for the shipped baseline.
        replicates: how many replicates to advance together.
        rng: the run's seed (an int); replicate i's results depend only on
            (seed, i). A numpy Generator or None draws a seed.
        first_replicate: index of the first replicate (a multiple of
            streams.BLOCK), for running a large ensemble in pieces.
        keep_daily: keep per-replicate daily tables (timeseries, actors).
        **overrides: scenario values by flat name (``days=365``,
            ``us_land_surveillance=0.5``) or key path.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario | Mapping[str, Any] | None = None,
        *,
        replicates: int = 1,
        rng: Any = None,
        first_replicate: int = 0,
        keep_daily: bool = True,
        **overrides: Any,
    ):
        seed = _seed_from(rng)
        super().__init__(rng=seed)
        if replicates < 1:
            raise ValueError(f"replicates must be at least 1, got {replicates}")
        if first_replicate % BLOCK:
            raise ValueError(f"first_replicate must be a multiple of {BLOCK}, got {first_replicate}")
        days = overrides.pop("days", None)
        self.spec: Scenario = load_scenario(scenario, overrides=overrides or None)
        if days is not None:
            self.spec, dropped = truncate(self.spec, int(days))
            for message in dropped:
                warnings.warn(message, UserWarning, stacklevel=2)
        self.seed = seed
        self.n_replicates = replicates
        self.first_replicate = first_replicate
        self.net = build_network(self.spec)
        self.day = 0  # the day the next step simulates
        self._draw_parameters()
        self.levers = Levers(self.spec, replicates, seed, first_replicate, clock=lambda: self.day)
        self.effects, self.effect_slots = compile_effects(
            self.spec, self.levers, self.net.node_ids, self.net.segment_ids, replicates, seed, first_replicate
        )
        self.shipper = Shipper(self)
        self.policy_actors = [PolicyActor(self, a) for a in self.spec.actors]
        self.timed_changes = [
            TimedChange(self, a, cid, c) for a, actor in self.spec.actors.items() for cid, c in actor.timeline.items()
        ]
        for change in self.timed_changes:
            change.schedule()
        self.rules = [ReactiveRule(self, rid, r) for rid, r in self.spec.rules.items()]
        self._init_state()
        self.recorder = Recorder(self, keep_daily=keep_daily)
        # Callables observer(model, day, flows) run after each day, e.g. a sweep's outcome trackers;
        # flows maps quantity -> (replicates, routes, cargo) arrays for that day.
        self.observers: list = []
        self.datacollector = mesa.DataCollector(
            model_reporters={
                f"{q}_{mode}": partial(mode_total, quantity=q, mode=mode)
                for q in ("dispatched", "delivered", "interdicted")
                for mode in MODES
            }
        )

    # ------------------------------------------------------------------ set-up

    def _param(self, key: str, value: Number | None, default: float = INF) -> np.ndarray:
        if value is None:
            return np.full(self.n_replicates, default)
        return draw_per_replicate(
            self.seed, self.first_replicate, self.n_replicates, key, lambda g, m: draw(value, g, m)
        )

    def _draw_parameters(self) -> None:
        """Per-replicate draws of every scenario number (fixed numbers are just repeated).

        Every array has the replicate axis last: (segments, replicates), (fleets, replicates), ...
        """
        s, p, net = self.spec, self._param, self.net
        self.segment_base = {
            attr: np.stack([p(f"segments.{i}.{attr}", getattr(s.segments[i], attr)) for i in net.segment_ids])
            for attr in SEGMENT_FIELDS
        }
        self.node_base = {
            attr: np.stack([p(f"nodes.{i}.{attr}", getattr(s.nodes[i], attr)) for i in net.node_ids])
            for attr in ("interdiction_probability", "capacity_tons_per_day")
        }

        def per_fleet(attr):
            return np.stack([p(f"fleets.{f}.{attr}", getattr(s.fleets[f], attr)) for f in net.fleet_ids])

        self.fleet_payload = per_fleet("payload_tons")
        self.fleet_count = per_fleet("count")
        self.fleet_day_cost = per_fleet("cost_usd_per_vehicle_day")
        cargo = {c: s.cargo[c] for c in net.cargo_ids}
        self.payload_factor = np.array([c.payload_factor for c in cargo.values()])
        self.cargo_value = np.stack([p(f"cargo.{c}.value_usd_per_ton", v.value_usd_per_ton) for c, v in cargo.items()])
        self.reservation = np.stack(
            [p(f"cargo.{c}.reservation_cost_usd_per_ton", v.reservation_cost_usd_per_ton) for c, v in cargo.items()]
        )
        self.demand = np.zeros((len(net.destination_ids), len(cargo), self.n_replicates))
        for d, did in enumerate(net.destination_ids):
            for c, cid in enumerate(net.cargo_ids):
                amount = s.destinations[did].demand.get(cid)
                if amount is not None:
                    self.demand[d, c] = p(f"destinations.{did}.demand.{cid}", amount)

    def _init_state(self) -> None:
        n, net = self.n_replicates, self.net
        legs, routes, cargo = net.n_legs, len(net.route_ids), len(net.cargo_ids)
        dests = len(net.destination_ids)
        self._pipe_len = int(net.leg_transit.max()) + 1
        self._return_len = int(net.route_turnaround.max()) + 1
        self.pipeline = np.zeros((self._pipe_len, legs, cargo, n))  # cargo arriving at a leg's end, by day
        self.queue = np.zeros((legs, cargo, n))  # cargo waiting to start a leg
        self.in_transit = np.zeros((legs, cargo, n))
        self.fleet_busy = np.zeros((len(net.fleet_ids), n))
        self.fleet_returns = np.zeros((self._return_len, len(net.fleet_ids), n))
        self.cum_demand = np.zeros((dests, cargo, n))
        self.cum_delivered_dest = np.zeros((dests, cargo, n))
        self.window = np.zeros((30, 2, routes, n))  # delivered and interdicted payload tons, last 30 days
        self._legs_of_route = Grouping(net.leg_route, routes)
        self._routes_of_dest = Grouping(net.route_destination, dests)
        self._routes_of_fleet = Grouping(net.route_fleet, len(net.fleet_ids))
        self._legs_of_segment = Grouping(net.leg_segment, len(net.segment_ids))
        self._legs_of_node = Grouping(net.leg_from_node, len(net.node_ids))
        self._legs_of_group = Grouping.from_rows([np.flatnonzero(row) for row in net.group_legs])
        self._route_legs = [
            np.arange(a, b) for a, b in zip(net.route_leg_start[:-1], net.route_leg_start[1:], strict=False)
        ]
        mid = np.flatnonzero(net.leg_next >= 0)
        self._mid_legs, self._next_legs = mid, net.leg_next[mid]
        self._legs_by_transit = [(int(t), np.flatnonzero(net.leg_transit == t)) for t in np.unique(net.leg_transit)]
        self._group_leg_lists = [np.flatnonzero(row) for row in net.group_legs]
        self._mode_of_route = {m: np.array([x == m for x in net.route_mode]) for m in MODES}
        self._single_ton_cargo = cargo == 1 and self.payload_factor[0] == 1.0
        self._interdiction_streams = [
            (block_generator(self.seed, b, "interdiction"), target) for b, _, target in blocks(self.first_replicate, n)
        ]
        self._attributes()
        self.shipper.prior_risk = self.leg_risk.copy()

    # ------------------------------------------------------------------ helpers over the arrays

    def tons(self, x: np.ndarray) -> np.ndarray:
        """Payload tons of a (..., cargo, replicates) array: each cargo's units over its payload factor, summed."""
        if self._single_ton_cargo:
            return x[..., 0, :]
        return np.einsum("...cr,c->...r", x, 1.0 / self.payload_factor)

    def _per_route(self, per_leg: np.ndarray) -> np.ndarray:
        """Sum a (legs, ...) array over each route's legs."""
        return self._legs_of_route.sum(per_leg)

    def _route_min(self, per_leg: np.ndarray) -> np.ndarray:
        """Minimum of a (legs, replicates) array over each route's legs."""
        return np.stack([per_leg[legs].min(axis=0) for legs in self._route_legs])

    def _per_destination(self, per_route: np.ndarray) -> np.ndarray:
        """Sum a (routes, cargo, replicates) array over each destination's routes."""
        return self._routes_of_dest.sum(per_route)

    def _per_leg(self, per_group: np.ndarray, reduce, empty: float) -> np.ndarray:
        """Reduce a (groups, replicates) array over the capacity groups that limit each leg."""
        out = np.full((self.net.n_legs, self.n_replicates), empty)
        for g, legs in enumerate(self._group_leg_lists):
            out[legs] = reduce(out[legs], per_group[g])
        return out

    def _group_load(self, queue: np.ndarray) -> np.ndarray:
        """Payload tons waiting at each capacity group, (groups, replicates)."""
        return self._legs_of_group.sum(self.tons(queue))

    # ------------------------------------------------------------------ the day

    def _attributes(self) -> None:
        """Today's effective segment and node attributes, after every lever's effects."""
        seg = {k: v.copy() for k, v in self.segment_base.items()}
        node = {k: v.copy() for k, v in self.node_base.items()}
        allocation = {li: a for actor in self.policy_actors for li, a in actor.allocation.items()}
        apply_effects(self.effects, self.levers, allocation, seg, node)
        net = self.net
        self.segment_now, self.node_now = seg, node
        self.leg_risk = 1.0 - (1.0 - seg["interdiction_probability"][net.leg_segment]) * (
            1.0 - node["interdiction_probability"][net.leg_from_node]
        )
        self.leg_running_cost = seg["cost_usd_per_ton"][net.leg_segment]
        self.leg_fee = seg["fee_usd_per_ton"][net.leg_segment]
        self.leg_unit_cost = self.leg_running_cost + self.leg_fee
        caps = [
            (seg if kind == "segment" else node)["capacity_tons_per_day"][i]
            for kind, i in zip(net.group_kind, net.group_index, strict=True)
        ]
        self.group_capacity = np.stack(caps) if caps else np.zeros((0, self.n_replicates))
        leg_limit = seg["max_payload_tons"][net.leg_segment]
        self.leg_payload = np.minimum(self.fleet_payload[net.leg_vehicle], leg_limit)
        own_limit = np.where(net.leg_own_vehicle[:, None], leg_limit, INF)
        self.route_payload = np.minimum(self.fleet_payload[net.route_fleet], self._route_min(own_limit))
        turnaround = net.route_turnaround[:, None]
        # A vehicle is tied up for the route's turnaround and carries route_payload tons.
        self.route_vehicle_cost = self.fleet_day_cost[net.route_fleet] * turnaround / self.route_payload
        leg_cap = self._per_leg(self.group_capacity, np.minimum, INF)
        fleet_cap = self.fleet_count[net.route_fleet] * self.route_payload / turnaround
        self.route_capacity = np.minimum(fleet_cap, self._route_min(leg_cap))

    def _interdiction_uniforms(self) -> np.ndarray:
        """One uniform per leg and replicate for today, from each block's own stream."""
        u = np.empty((self.net.n_legs, self.n_replicates))
        for gen, target in self._interdiction_streams:
            # Always the whole block, so the stream's position tomorrow never depends on the run's size.
            u[:, target] = gen.random((BLOCK, self.net.n_legs))[: target.stop - target.start].T
        return u

    def step(self) -> None:
        """Simulate one day for every replicate."""
        d, net = self.day, self.net
        if d >= self.spec.days:
            self.running = False
            return
        for rule in self.rules:
            rule.fire_due(d)
        for actor in self.policy_actors:
            actor.pay()
        self._attributes()

        # Arrivals: cargo finishing a leg moves to the next leg's queue or is delivered.
        slot = d % self._pipe_len
        arrived = self.pipeline[slot]
        self.in_transit -= arrived
        delivered = arrived[net.route_last_leg]
        self.queue[self._next_legs] += arrived[self._mid_legs]
        arrived[...] = 0.0
        rslot = d % self._return_len
        self.fleet_busy -= self.fleet_returns[rslot]
        self.fleet_returns[rslot] = 0.0

        self.cum_demand += self.demand
        self.cum_delivered_dest += self._per_destination(delivered)
        on_the_way = self._per_destination(self._per_route(self.queue + self.in_transit))
        requirement = np.maximum(0.0, self.cum_demand - self.cum_delivered_dest - on_the_way)

        # The shipper dispatches; vehicles leave for their round trip.
        load = self._group_load(self.queue)
        cap = self.group_capacity
        wait = np.where(cap > 0, load / np.where(cap > 0, cap, 1.0), np.where(load > 0, 1e6, 0.0))
        dispatched = self.shipper.decide(
            requirement=requirement,
            leg_unit_cost=self.leg_unit_cost,
            route_vehicle_cost=self.route_vehicle_cost,
            leg_wait=self._per_leg(wait, np.maximum, 0.0),
            route_capacity=self.route_capacity,
            available=np.maximum(0.0, self.fleet_count - self.fleet_busy),
            route_payload=self.route_payload,
        )
        self.queue[net.route_first_leg] += dispatched
        vehicles = self.tons(dispatched) / self.route_payload
        self.fleet_busy += self._routes_of_fleet.sum(vehicles)
        for k, f in enumerate(net.route_fleet):
            self.fleet_returns[int(d + net.route_turnaround[k]) % self._return_len, f] += vehicles[k]

        # Each leg moves what its capacity groups allow; the rest waits in the queue.
        load = self._group_load(self.queue)
        ratio = np.minimum(1.0, np.divide(cap, load, out=np.ones_like(load), where=load > 0))
        served = self.queue * self._per_leg(ratio, np.minimum, 1.0)[:, None, :]
        self.queue -= served

        # Interdiction: each vehicle load on a leg is lost with the leg's probability.
        served_tons = self.tons(served)
        loads = np.ceil(served_tons / self.leg_payload - 1e-9)
        lost = binomial_from_uniform(loads, self.leg_risk, self._interdiction_uniforms())
        frac = np.divide(lost, loads, out=np.zeros_like(loads), where=loads > 0)
        interdicted = served * frac[:, None, :]
        moving = served - interdicted
        for transit, legs in self._legs_by_transit:
            self.pipeline[(d + transit) % self._pipe_len, legs] += moving[legs]
        self.in_transit += moving

        served_units = served / self.payload_factor[None, :, None]
        transport = (
            self._per_route(served_units * self.leg_running_cost[:, None, :])
            + (dispatched / self.payload_factor[None, :, None]) * self.route_vehicle_cost[:, None, :]
        )
        fees = self._per_route(served_units * self.leg_fee[:, None, :])
        route_interdicted = self._per_route(interdicted)
        losses = route_interdicted * self.cargo_value[None, :, :]
        self.shipper.observe(loads, lost)
        seg_traffic = self._legs_of_segment.sum(served_tons)
        node_traffic = self._legs_of_node.sum(served_tons)
        for actor in self.policy_actors:
            actor.adapt(seg_traffic, node_traffic)

        flows = {
            "dispatched": dispatched,
            "delivered": delivered,
            "interdicted": route_interdicted,
            "in_transit": self._per_route(self.in_transit),
            "queued": self._per_route(self.queue),
            "cost_usd": transport + fees + losses,
            "transport_usd": transport,
            "fees_usd": fees,
            "losses_usd": losses,
        }
        self.window[d % 30, 0] = self.tons(delivered)
        self.window[d % 30, 1] = self.tons(route_interdicted)
        self.recorder.record(d, flows)
        if self.observers:
            public = {q: np.moveaxis(v, -1, 0) for q, v in flows.items()}
            for observer in self.observers:
                observer(self, d, public)
        self.datacollector.collect(self)
        for rule in self.rules:
            rule.check(d, self.metric(rule.rule.when.metric))
        self.day += 1
        if self.day >= self.spec.days:
            self.running = False
            self.recorder.finish()

    # ------------------------------------------------------------------ observation

    def _route_mask(self, selector: str) -> np.ndarray:
        if selector == "all":
            return np.ones(len(self.net.route_ids), dtype=bool)
        if selector.startswith("mode:"):
            return self._mode_of_route[selector[5:]]
        return np.array([r == selector[6:] for r in self.net.route_ids])

    def metric(self, metric: str) -> np.ndarray:
        """A model quantity per replicate, as named in reactive rules (see docs/parameters.md)."""
        kind, _, sel = metric.partition(":")
        d = self.day
        if kind == "day":
            return np.full(self.n_replicates, float(d))
        if kind == "lever":
            return self.levers.factor(sel)
        if kind in ("share_met", "backlog"):
            i = self.net.destination_ids.index(sel)
            dem = self.tons(self.cum_demand[i])
            got = self.tons(self.cum_delivered_dest[i])
            if kind == "backlog":
                return dem - got
            return np.divide(got, dem, out=np.ones_like(got), where=dem > 0)
        mask = self._route_mask(sel)
        span = 7 if kind == "delivered_7d" else 30
        rows = [(d - i) % 30 for i in range(min(span, d + 1))]
        window = self.window[rows][:, :, mask].sum(axis=(0, 2))  # (2, replicates)
        got, lost = window
        if kind == "delivered_7d":
            return got / len(rows)
        if kind == "interdicted_30d":
            return lost
        return np.divide(lost, got + lost, out=np.zeros_like(lost), where=(got + lost) > 0)

    # ------------------------------------------------------------------ running and results

    def run(self, days: int | None = None) -> CorridorModel:
        """Run to the horizon (or for ``days`` more days) with Mesa's time API."""
        self.run_for(days if days is not None else self.spec.days - self.day)
        return self

    def summary(self) -> pd.DataFrame:
        """One row per replicate x route x cargo class: totals over the run."""
        return self.recorder.summary()

    def destinations(self) -> pd.DataFrame:
        """One row per replicate x destination x cargo class: demand, delivered, backlog."""
        return self.recorder.destinations()

    def timeseries(self) -> pd.DataFrame:
        """One row per replicate x day x route x cargo class (needs keep_daily)."""
        return self.recorder.timeseries()

    def bands(self) -> pd.DataFrame:
        """Per day, quantiles and mean across replicates of each daily quantity."""
        return self.recorder.bands()

    def events(self) -> pd.DataFrame:
        """Every lever change and rule firing: replicate, day, date, actor, lever, old, new, cause, label."""
        return self.recorder.events()

    def actor_levers(self) -> pd.DataFrame:
        """Each lever's value per replicate x day (needs keep_daily)."""
        return self.recorder.actor_levers()

    def actor_costs(self) -> pd.DataFrame:
        """Money each actor spent on its levers, per replicate."""
        return self.recorder.actor_costs()


def mode_total(model: CorridorModel, quantity: str, mode: str) -> float:
    """DataCollector reporter: cumulative payload tons of one quantity and mode, mean over replicates."""
    per_route = model.recorder.mode_totals(quantity)
    return float(per_route[model._mode_of_route[mode]].sum())


def _seed_from(rng: Any) -> int:
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, (int, np.integer)):
        if rng < 0:
            raise ValueError(f"seed must be a non-negative integer, got {rng}")
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng).__name__}")
