"""The actors as Mesa agents: the shipper (Iran) and the policy actors.

Each agent stands for one actor across all replicates: its state is arrays
with the replicate axis last, and its methods act on the model's arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from corridor_sim.distributions import draw
from corridor_sim.streams import draw_per_replicate

if TYPE_CHECKING:
    from corridor_sim.model import CorridorModel


class PolicyActor(mesa.Agent):
    """An actor with levers (us, iraq, militias, egypt, israel, gulf, ...).

    Its levers' values live in ``model.levers``; the actor pays for them
    (money cost per unit of lever value per day) and, for adaptive levers,
    moves its effort toward the targets where it sees traffic, so displacement
    between routes (the balloon effect) can emerge.
    """

    def __init__(self, model: CorridorModel, actor_id: str):
        super().__init__(model)
        self.actor_id = actor_id
        spec = model.spec.actors[actor_id]  # type: ignore[index]
        self.lever_index = np.array([model.levers.index(f"{actor_id}.{name}") for name in spec.levers], dtype=np.intp)
        self.cost_usd = np.zeros(model.n_replicates)
        self.allocation: dict[int, np.ndarray] = {}
        self.adapt_rate: dict[int, tuple[float, float]] = {}
        for name, lever in spec.levers.items():
            if lever.adaptive is None:
                continue
            li = model.levers.index(f"{actor_id}.{name}")
            slots = model.effect_slots.get(li, [])
            if slots:
                self.allocation[li] = np.full((len(slots), model.n_replicates), 1.0 / len(slots))
                self.adapt_rate[li] = (lever.adaptive.rate, lever.adaptive.floor)

    def pay(self) -> None:
        """Today's money cost of the actor's lever settings."""
        lv = self.model.levers
        self.cost_usd += (lv.cost_per_unit_day[self.lever_index, None] * lv.values[self.lever_index]).sum(axis=0)

    def adapt(self, segment_traffic: np.ndarray, node_traffic: np.ndarray) -> None:
        """Shift adaptive effort toward targets in proportion to the tons seen there today."""
        for li, alloc in self.allocation.items():
            rate, floor = self.adapt_rate[li]
            slots = self.model.effect_slots[li]
            seen = np.stack([node_traffic[i] if on_nodes else segment_traffic[i] for on_nodes, i in slots])
            total = seen.sum(axis=0)
            share = np.divide(seen, total, out=np.full_like(seen, 1.0 / len(slots)), where=total > 0)
            target = floor / len(slots) + (1.0 - floor) * share
            # Replicates with no traffic today keep yesterday's allocation.
            alloc += np.where(total > 0, rate * (target - alloc), 0.0)


class Shipper(mesa.Agent):
    """Iran as shipper: splits each day's cargo across routes.

    It ranks routes by its expected cost per delivered ton: transport (per-ton
    running costs and the vehicle-days a ton ties up), fees and tolls, the
    value of cargo it expects to lose (weighted up by risk aversion) and a
    holding cost for time in transit and in queues, all
    divided by the share expected to arrive. Its loss expectations are
    beliefs learnt from the losses it observes (a Beta-Bernoulli learner with
    exponential forgetting, after NarcoLogic's time-discounted interdiction
    counts). Routes costing more than the cargo's reservation cost are not
    used; the rest share the cargo by a logit on relative cost, smoothed by
    inertia. Fleet limits cap what each route can take; what is left over goes
    to routes with spare vehicles, and anything still unsent is backlog.
    """

    def __init__(self, model: CorridorModel):
        super().__init__(model)
        spec, n, net = model.spec.shipper, model.n_replicates, model.net

        def per_rep(name, value):
            return draw_per_replicate(
                model.seed, model.first_replicate, n, f"shipper.{name}", lambda g, m: draw(value, g, m)
            )

        self.risk_aversion = per_rep("risk_aversion", spec.risk_aversion)
        self.inertia = per_rep("inertia", spec.inertia)
        self.memory = per_rep("belief_memory", spec.belief_memory)
        self.urgency = per_rep("urgency_usd_per_ton_day", spec.urgency_usd_per_ton_day)
        self.prior_weight = spec.prior_weight_loads
        self.temperature = spec.choice_temperature
        self.sent_loads = np.zeros((net.n_legs, n))
        self.lost_loads = np.zeros((net.n_legs, n))
        self.prior_risk: np.ndarray | None = None
        self.shares = np.zeros((len(net.route_ids), len(net.cargo_ids), n))
        self.expected_cost = np.zeros_like(self.shares)
        self._dest_routes = [np.flatnonzero(net.route_destination == d) for d in range(len(net.destination_ids))]

    def believed_leg_risk(self) -> np.ndarray:
        """The shipper's loss probability per leg and replicate, (legs, replicates)."""
        assert self.prior_risk is not None
        w = self.prior_weight
        return (self.lost_loads + w * self.prior_risk) / (self.sent_loads + w)

    def observe(self, loads: np.ndarray, lost: np.ndarray) -> None:
        """Update loss beliefs from today's loads sent and lost on each leg."""
        self.sent_loads *= self.memory
        self.sent_loads += loads
        self.lost_loads *= self.memory
        self.lost_loads += lost

    def decide(
        self,
        *,
        requirement: np.ndarray,
        leg_unit_cost: np.ndarray,
        route_vehicle_cost: np.ndarray,
        leg_wait: np.ndarray,
        route_capacity: np.ndarray,
        available: np.ndarray,
        route_payload: np.ndarray,
    ) -> np.ndarray:
        """Cargo units to dispatch today on each route: (routes, cargo, replicates).

        ``requirement`` is (destinations, cargo, replicates); leg arrays are
        (legs, replicates), route arrays (routes, replicates), ``available``
        is free vehicles (fleets, replicates).
        """
        m, net = self.model, self.model.net
        q_leg = np.minimum(self.believed_leg_risk(), 1.0 - 1e-9)
        q_route = -np.expm1(m._per_route(np.log1p(-q_leg)))
        cost_route = m._per_route(leg_unit_cost) + route_vehicle_cost
        days = net.route_transit[:, None] + m._per_route(leg_wait)
        per_ton = cost_route + self.urgency * days  # (routes, replicates)
        loss_weight = q_route * (1.0 + self.risk_aversion)
        factor = m.payload_factor[None, :, None]
        per_unit = per_ton[:, None, :] / factor + m.cargo_value[None, :, :] * loss_weight[:, None, :]
        ec = per_unit / (1.0 - q_route)[:, None, :]
        self.expected_cost = ec
        ok = net.route_cargo[:, :, None] & (ec <= m.reservation[None, :, :]) & (route_capacity > 0)[:, None, :]

        target = np.zeros_like(ec)
        for routes in self._dest_routes:
            sub_ec, sub_ok = ec[routes], ok[routes]
            masked = np.where(sub_ok, sub_ec, np.inf)
            best = masked.min(axis=0)
            scale = self.temperature * np.where(np.isfinite(best) & (best > 0), best, 1.0)
            z = np.exp(-(masked - np.where(np.isfinite(best), best, 0.0)) / scale)
            total = z.sum(axis=0)
            target[routes] = np.divide(z, total, out=np.zeros_like(z), where=total > 0)
        inertia = self.inertia[None, None, :]
        shares = np.where(ok, inertia * self.shares + (1.0 - inertia) * target, 0.0)
        self.shares = self._normalise(shares, target)

        want = self.shares * requirement[net.route_destination]
        sent, left = self._fleet_limit(want, available, route_payload)
        # Second pass: cargo a full fleet could not take goes to routes with spare vehicles.
        leftover = np.maximum(0.0, requirement - self._by_destination(sent))
        spare = (left > 1e-9)[net.route_fleet][:, None, :]
        share2 = self._normalise(np.where(spare, self.shares, 0.0), np.zeros_like(self.shares))
        more, _ = self._fleet_limit(share2 * leftover[net.route_destination], left, route_payload)
        return sent + more

    def _normalise(self, shares: np.ndarray, fallback: np.ndarray) -> np.ndarray:
        out = shares.copy()
        for routes in self._dest_routes:
            sub = shares[routes]
            total = sub.sum(axis=0)
            out[routes] = np.where(total > 0, sub / np.where(total > 0, total, 1.0), fallback[routes])
        return out

    def _by_destination(self, per_route: np.ndarray) -> np.ndarray:
        return self.model._per_destination(per_route)

    def _fleet_limit(self, want: np.ndarray, available: np.ndarray, route_payload: np.ndarray):
        """Scale wanted loads down to the vehicles each fleet has free; returns (sent, vehicles left)."""
        net, m = self.model.net, self.model
        vehicles = m.tons(want) / route_payload
        need = m._routes_of_fleet.sum(vehicles)
        scale = np.clip(np.divide(available, need, out=np.ones_like(need), where=need > 0), 0.0, 1.0)
        return want * scale[net.route_fleet][:, None, :], np.maximum(0.0, available - need * scale)
