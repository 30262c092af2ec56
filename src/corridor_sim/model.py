"""CorridorModel: a Mesa model that advances many replicates of a scenario at once.

State the daily loop touches is numpy arrays with a leading replicate axis;
a single run is one replicate. One Mesa step is one day. See docs/ODD.md for
the process overview and scheduling.
"""

from __future__ import annotations

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
from corridor_sim.network import build_network
from corridor_sim.outputs import Recorder
from corridor_sim.policies import ReactiveRule, TimedChange
from corridor_sim.scenario import MODES, Scenario, load_scenario
from corridor_sim.streams import BLOCK, block_generator, blocks, draw_per_replicate

INF = np.inf


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
        self.spec: Scenario = load_scenario(scenario, overrides=overrides or None)
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
        """Per-replicate draws of every scenario number (fixed numbers are just repeated)."""
        s, p = self.spec, self._param
        seg_ids, node_ids = self.net.segment_ids, self.net.node_ids
        self.segment_base = {
            attr: np.stack([p(f"segments.{i}.{attr}", getattr(s.segments[i], attr), INF) for i in seg_ids], axis=1)
            for attr in (
                "interdiction_probability",
                "cost_usd_per_ton",
                "fee_usd_per_ton",
                "capacity_tons_per_day",
                "max_payload_tons",
            )
        }
        self.node_base = {
            attr: np.stack([p(f"nodes.{i}.{attr}", getattr(s.nodes[i], attr), INF) for i in node_ids], axis=1)
            for attr in ("interdiction_probability", "capacity_tons_per_day")
        }
        self.fleet_payload = np.stack(
            [p(f"fleets.{f}.payload_tons", s.fleets[f].payload_tons) for f in self.net.fleet_ids], axis=1
        )
        self.fleet_count = np.stack([p(f"fleets.{f}.count", s.fleets[f].count) for f in self.net.fleet_ids], axis=1)
        self.fleet_day_cost = np.stack(
            [
                p(f"fleets.{f}.cost_usd_per_vehicle_day", s.fleets[f].cost_usd_per_vehicle_day)
                for f in self.net.fleet_ids
            ],
            axis=1,
        )
        cargo = [s.cargo[c] for c in self.net.cargo_ids]
        self.payload_factor = np.array([c.payload_factor for c in cargo])
        self.cargo_value = np.stack(
            [
                p(f"cargo.{cid}.value_usd_per_ton", c.value_usd_per_ton)
                for cid, c in zip(self.net.cargo_ids, cargo, strict=False)
            ],
            axis=1,
        )
        self.reservation = np.stack(
            [
                p(f"cargo.{cid}.reservation_cost_usd_per_ton", c.reservation_cost_usd_per_ton)
                for cid, c in zip(self.net.cargo_ids, cargo, strict=False)
            ],
            axis=1,
        )
        self.demand = np.zeros((self.n_replicates, len(self.net.destination_ids), len(cargo)))
        for d, did in enumerate(self.net.destination_ids):
            for c, cid in enumerate(self.net.cargo_ids):
                amount = s.destinations[did].demand.get(cid)
                if amount is not None:
                    self.demand[:, d, c] = p(f"destinations.{did}.demand.{cid}", amount)

    def _init_state(self) -> None:
        n, net = self.n_replicates, self.net
        legs, routes, cargo = net.n_legs, len(net.route_ids), len(net.cargo_ids)
        dests = len(net.destination_ids)
        self._pipe_len = int(net.leg_transit.max()) + 1
        self._return_len = int(net.route_turnaround.max()) + 1
        self.pipeline = np.zeros((n, legs, self._pipe_len, cargo))
        self.queue = np.zeros((n, legs, cargo))
        self.in_transit = np.zeros((n, legs, cargo))
        self.fleet_busy = np.zeros((n, len(net.fleet_ids)))
        self.fleet_returns = np.zeros((n, len(net.fleet_ids), self._return_len))
        self.cum_demand = np.zeros((n, dests, cargo))
        self.cum_delivered_dest = np.zeros((n, dests, cargo))
        self.window = np.zeros((30, n, routes, 2))  # delivered and interdicted payload tons, last 30 days
        self._route_onehot_dest = np.zeros((routes, dests))
        self._route_onehot_dest[np.arange(routes), net.route_destination] = 1.0
        self._leg_slots = np.arange(legs)
        self._interdiction_streams = [
            (block_generator(self.seed, b, "interdiction"), target) for b, _, target in blocks(self.first_replicate, n)
        ]
        self._attributes()
        self.shipper.prior_risk = self.leg_risk.copy()

    # ------------------------------------------------------------------ the day

    def _attributes(self) -> None:
        """Today's effective segment and node attributes, after every lever's effects."""
        seg = {k: v.copy() for k, v in self.segment_base.items()}
        node = {k: v.copy() for k, v in self.node_base.items()}
        allocation = {li: a for actor in self.policy_actors for li, a in actor.allocation.items()}
        apply_effects(self.effects, self.levers, allocation, seg, node)
        net = self.net
        self.segment_now, self.node_now = seg, node
        self.leg_risk = 1.0 - (1.0 - seg["interdiction_probability"][:, net.leg_segment]) * (
            1.0 - node["interdiction_probability"][:, net.leg_from_node]
        )
        self.leg_running_cost = seg["cost_usd_per_ton"][:, net.leg_segment]
        self.leg_fee = seg["fee_usd_per_ton"][:, net.leg_segment]
        self.leg_unit_cost = self.leg_running_cost + self.leg_fee
        caps = [
            seg["capacity_tons_per_day"][:, i] if kind == "segment" else node["capacity_tons_per_day"][:, i]
            for kind, i in zip(net.group_kind, net.group_index, strict=False)
        ]
        self.group_capacity = np.stack(caps, axis=1) if caps else np.zeros((self.n_replicates, 0))
        starts = net.route_leg_start[:-1]
        leg_payload = seg["max_payload_tons"][:, net.leg_segment]
        self.route_payload = np.minimum(
            self.fleet_payload[:, net.route_fleet], np.minimum.reduceat(leg_payload, starts, axis=1)
        )
        # Vehicle-days per ton: a vehicle is tied up for the route's turnaround and carries route_payload.
        self.route_vehicle_cost = self.fleet_day_cost[:, net.route_fleet] * net.route_turnaround / self.route_payload
        leg_cap = self._per_leg(self.group_capacity, np.min, INF)
        fleet_cap = self.fleet_count[:, net.route_fleet] * self.route_payload / net.route_turnaround
        self.route_capacity = np.minimum(fleet_cap, np.minimum.reduceat(leg_cap, starts, axis=1))

    def _per_leg(self, per_group: np.ndarray, reduce, empty: float) -> np.ndarray:
        """Reduce a (replicates, groups) array over the groups that limit each leg."""
        if per_group.shape[1] == 0:
            return np.full((self.n_replicates, self.net.n_legs), empty)
        gl = self.net.group_legs
        return reduce(np.where(gl[None, :, :], per_group[:, :, None], empty), axis=1)

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
        starts = net.route_leg_start[:-1]

        # Arrivals: cargo finishing a leg moves to the next leg's queue or is delivered.
        slot = d % self._pipe_len
        arrived = self.pipeline[:, :, slot, :].copy()
        self.pipeline[:, :, slot, :] = 0.0
        self.in_transit -= arrived
        delivered = arrived[:, net.route_last_leg, :]
        mid = net.leg_next >= 0
        self.queue[:, net.leg_next[mid], :] += arrived[:, mid, :]
        rslot = d % self._return_len
        self.fleet_busy -= self.fleet_returns[:, :, rslot]
        self.fleet_returns[:, :, rslot] = 0.0

        self.cum_demand += self.demand
        self.cum_delivered_dest += np.einsum("rkc,kd->rdc", delivered, self._route_onehot_dest)
        pipeline_dest = np.einsum(
            "rkc,kd->rdc", np.add.reduceat(self.queue + self.in_transit, starts, axis=1), self._route_onehot_dest
        )
        requirement = np.maximum(0.0, self.cum_demand - self.cum_delivered_dest - pipeline_dest)

        # The shipper dispatches; vehicles leave for their round trip.
        queued_tons = (self.queue / self.payload_factor).sum(axis=2)
        load = queued_tons @ net.group_legs.T.astype(float)
        wait = np.divide(load, self.group_capacity, out=np.zeros_like(load), where=self.group_capacity > 0)
        wait = np.where((self.group_capacity <= 0) & (load > 0), 1e6, wait)
        dispatched = self.shipper.decide(
            requirement=requirement,
            leg_unit_cost=self.leg_unit_cost,
            route_vehicle_cost=self.route_vehicle_cost,
            leg_wait=self._per_leg(wait, np.max, 0.0),
            route_capacity=self.route_capacity,
            available=np.maximum(0.0, self.fleet_count - self.fleet_busy),
            route_payload=self.route_payload,
        )
        self.queue[:, net.route_first_leg, :] += dispatched
        vehicles = (dispatched / self.payload_factor).sum(axis=2) / self.route_payload
        for k, f in enumerate(net.route_fleet):
            self.fleet_busy[:, f] += vehicles[:, k]
            self.fleet_returns[:, f, int(d + net.route_turnaround[k]) % self._return_len] += vehicles[:, k]

        # Each leg moves what its capacity groups allow; the rest waits in the queue.
        queued_tons = (self.queue / self.payload_factor).sum(axis=2)
        load = queued_tons @ net.group_legs.T.astype(float)
        ratio = np.minimum(1.0, np.divide(self.group_capacity, load, out=np.ones_like(load), where=load > 0))
        served = self.queue * self._per_leg(ratio, np.min, 1.0)[:, :, None]
        self.queue -= served

        # Interdiction: each vehicle load on a leg is lost with the leg's probability.
        served_tons = (served / self.payload_factor).sum(axis=2)
        loads = np.ceil(served_tons / self.route_payload[:, net.leg_route] - 1e-9)
        lost = np.zeros_like(loads)
        for gen, target in self._interdiction_streams:
            # Row order within a block is replicate order, so earlier rows never depend on later ones.
            lost[target] = gen.binomial(loads[target].astype(np.int64), self.leg_risk[target])
        frac = np.divide(lost, loads, out=np.zeros_like(loads), where=loads > 0)
        interdicted = served * frac[:, :, None]
        moving = served - interdicted
        self.pipeline[:, self._leg_slots, (d + net.leg_transit) % self._pipe_len, :] += moving
        self.in_transit += moving

        served_units = served / self.payload_factor
        transport = (
            np.add.reduceat(served_units * self.leg_running_cost[:, :, None], starts, axis=1)
            + (dispatched / self.payload_factor) * self.route_vehicle_cost[:, :, None]
        )
        fees = np.add.reduceat(served_units * self.leg_fee[:, :, None], starts, axis=1)
        route_interdicted = np.add.reduceat(interdicted, starts, axis=1)
        losses = route_interdicted * self.cargo_value[:, None, :]
        self.shipper.observe(loads, lost)
        seg_traffic = np.zeros((self.n_replicates, len(net.segment_ids)))
        node_traffic = np.zeros((self.n_replicates, len(net.node_ids)))
        np.add.at(seg_traffic.T, net.leg_segment, served_tons.T)
        np.add.at(node_traffic.T, net.leg_from_node, served_tons.T)
        for actor in self.policy_actors:
            actor.adapt(seg_traffic, node_traffic)

        flows = {
            "dispatched": dispatched,
            "delivered": delivered,
            "interdicted": route_interdicted,
            "in_transit": np.add.reduceat(self.in_transit, starts, axis=1),
            "queued": np.add.reduceat(self.queue, starts, axis=1),
            "cost_usd": transport + fees + losses,
            "transport_usd": transport,
            "fees_usd": fees,
            "losses_usd": losses,
        }
        self.window[d % 30, :, :, 0] = (delivered / self.payload_factor).sum(axis=2)
        self.window[d % 30, :, :, 1] = (flows["interdicted"] / self.payload_factor).sum(axis=2)
        self.recorder.record(d, flows)
        for observer in self.observers:
            observer(self, d, flows)
        self.datacollector.collect(self)
        for rule in self.rules:
            rule.check(d, self.metric(rule.rule.when.metric))
        self.day += 1
        if self.day >= self.spec.days:
            self.running = False

    # ------------------------------------------------------------------ observation

    def _route_mask(self, selector: str) -> np.ndarray:
        if selector == "all":
            return np.ones(len(self.net.route_ids), dtype=bool)
        if selector.startswith("mode:"):
            return np.array([m == selector[5:] for m in self.net.route_mode])
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
            dem = (self.cum_demand[:, i, :] / self.payload_factor).sum(axis=1)
            got = (self.cum_delivered_dest[:, i, :] / self.payload_factor).sum(axis=1)
            if kind == "backlog":
                return dem - got
            return np.divide(got, dem, out=np.ones_like(got), where=dem > 0)
        mask = self._route_mask(sel)
        if kind == "delivered_7d":
            days = min(7, d + 1)
            rows = [(d - i) % 30 for i in range(days)]
            return self.window[rows][:, :, mask, 0].sum(axis=(0, 2)) / days
        rows = [(d - i) % 30 for i in range(min(30, d + 1))]
        got = self.window[rows][:, :, mask, 0].sum(axis=(0, 2))
        lost = self.window[rows][:, :, mask, 1].sum(axis=(0, 2))
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
    mask = np.array([m == mode for m in model.net.route_mode])
    total = model.recorder.totals[quantity][:, mask, :] / model.payload_factor
    return float(total.sum(axis=(1, 2)).mean())


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
