"""The actors as Mesa agents: the shipper (Iran) and the policy actors.

Each agent stands for one actor across all replicates: its state is arrays
with the replicate axis last, and its methods act on the model's arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from corridor_sim import kernels
from corridor_sim.distributions import support_of

if TYPE_CHECKING:
    from corridor_sim.levers import Levers
    from corridor_sim.network import Network
    from corridor_sim.scenario import Actor, ShipperSpec
    from corridor_sim.streams import Streams


class PolicyActor(mesa.Agent):
    """An actor with levers (us, iraq, militias, egypt, israel, gulf, ...).

    Its levers' values live in ``model.levers``; the actor pays for them
    (money cost per unit of lever value per day) and, for adaptive levers,
    moves its effort toward the targets where it sees traffic, so displacement
    between routes (the balloon effect) can emerge. An actor with a ``budget``
    pays its scripted levers first and funds a share of its adaptive effort with
    the rest; one with a ``decision`` block places that effort by expected payoff
    from what it detects, seen ``delay_days`` late (ODD 7.8-7.9).
    """

    def __init__(
        self,
        model: mesa.Model,
        actor_id: str,
        *,
        spec: Actor,
        levers: Levers,
        effect_slots: dict[int, list[tuple[bool, int]]],
    ):
        super().__init__(model)
        self.actor_id = actor_id
        n = levers.values.shape[1]
        self.lever_index = np.array([levers.index(f"{actor_id}.{name}") for name in spec.levers], dtype=np.intp)
        self.cost_usd = np.zeros(n)
        self.allocation: dict[int, np.ndarray] = {}
        self.adapt_rate: dict[int, tuple[float, float]] = {}
        for name, lever in spec.levers.items():
            if lever.adaptive is None:
                continue
            li = levers.index(f"{actor_id}.{name}")
            slots = effect_slots.get(li, [])
            if slots:
                self.allocation[li] = np.full((len(slots), n), 1.0 / len(slots))
                self.adapt_rate[li] = (lever.adaptive.rate, lever.adaptive.floor)
        self.adaptive_levers = np.array([li in self.allocation for li in self.lever_index], dtype=np.bool_)
        streams = model.streams
        # Money per day (inf: no budget binds); the share of adaptive effort it funds (1 until a payment says).
        self.budget_usd = (
            np.full(n, np.inf)
            if spec.budget is None
            else streams.value(f"actors.{actor_id}.budget.usd_per_day", spec.budget.usd_per_day)
        )
        self.budgeted = spec.budget is not None
        self.funded = np.ones(n)
        self.decides = spec.decision is not None
        # Days its observations lag, per replicate, and the longest it can be (the ring's length less one).
        self.delay_days, self.max_delay_days = np.zeros(n, dtype=np.intp), 0
        if spec.decision is not None:
            delay = spec.decision.delay_days
            self.delay_days = np.rint(streams.value(f"actors.{actor_id}.decision.delay_days", delay)).astype(np.intp)
            self.max_delay_days = int(np.rint(support_of(delay)[1]))
        # Per adaptive lever and target: the share of its traffic the actor detects (one stream per
        # target, so an actor's sight of a target keeps its draws whatever else changes) and the
        # effect's strength per unit effort there (the sum of |coef| of the lever's effects on it).
        self.detection: dict[int, np.ndarray] = {}
        self.strength: dict[int, np.ndarray] = {}
        for li in self.allocation:
            slots = effect_slots[li]
            strength = np.zeros((len(slots), n))
            for eff in model.effects:
                if eff.lever == li:
                    for slot in eff.slots:
                        strength[slot] += np.abs(eff.coef)
            self.strength[li] = strength
            detection = np.ones((len(slots), n))
            if spec.decision is not None:
                for s, (on_nodes, index) in enumerate(slots):
                    target = model.net.node_ids[index] if on_nodes else model.net.segment_ids[index]
                    detection[s] = streams.value(
                        f"actors.{actor_id}.decision.detection.{target}", spec.decision.detection
                    )
            self.detection[li] = detection

    # The daily payment and adaptation run in the day kernel (kernels.day): each day the actor pays
    # cost_usd_per_day x value for each lever (within its budget, kernels/payments.py), and each
    # adaptive lever's allocation moves a share ``rate`` of the way toward floor / slots + (1 - floor)
    # x (share of the traffic, or of the expected payoff, at each target; kernels/adaptation.py).


# Fields of the scenario's shipper section that are not numbers for the engine.
NOT_PARAMETERS = ("actor",)


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

    The agent holds the shipper's parameters and state (shares, beliefs) as
    arrays; its daily choice runs in the engine (kernels/choice.py).
    """

    def __init__(self, model: mesa.Model, *, spec: ShipperSpec, net: Network, streams: Streams):
        super().__init__(model)
        self.n_replicates = n = streams.count

        # Every number of the scenario's shipper section, by its name there: a plain float as it is, an
        # uncertain Number drawn per replicate (the engine's Params take them by the same names).
        self.parameters: dict[str, np.ndarray | float] = {
            name: float(getattr(spec, name))
            if field.annotation is float
            else streams.value(f"shipper.{name}", getattr(spec, name))
            for name, field in type(spec).model_fields.items()
            if name not in NOT_PARAMETERS and getattr(spec, name) is not None
        }
        # On days a leg moves nothing its counts fade as on the others unless the scenario says otherwise.
        self.parameters.setdefault("idle_memory", self.parameters["belief_memory"])
        # The prior's error per segment (its legs share it), each on its own stream: N(0, 1) per replicate.
        self._prior_error = np.stack(
            [
                streams.per_replicate(f"shipper.prior_spread.{sid}", lambda g, m: g.standard_normal(m))
                for sid in net.segment_ids
            ]
        )[net.leg_segment]
        # Per-leg counts in the kernels' chunk-major layout (kernels.chunked); properties give them replicate-last.
        self._sent_loads = kernels.chunked((net.n_legs,), n)
        self._lost_loads = kernels.chunked((net.n_legs,), n)
        self._pending_fade = np.ones_like(self._lost_loads)  # the fade held back on idle days (kernels/beliefs.py)
        self._prior_risk = kernels.chunked((net.n_legs,), n)  # the legs' risk on day 0, set by the model
        self._shares = kernels.chunked((len(net.route_ids), len(net.cargo_ids)), n)
        self._expected_cost = kernels.chunked((len(net.route_ids), len(net.cargo_ids)), n)
        # Exploration and queue knowledge (kernels/choice.py): believed waits, days out of use, probes.
        self._believed_wait = kernels.chunked((len(net.route_ids),), n)
        self._idle_days = kernels.chunked((len(net.route_ids), len(net.cargo_ids)), n)
        self._probe_wait = kernels.to_chunked(
            np.broadcast_to(self.parameters["probe_wait_days"], (len(net.route_ids), len(net.cargo_ids), n))
        )
        self._probe_out = np.zeros_like(self._idle_days)
        self._lost_since_probe = np.zeros_like(self._lost_loads)

    # The prior of a leg whose day-0 risk is nil or certain is drawn around this distance from it.
    PRIOR_CLIP = 1e-3

    def set_prior_risk(self, leg_risk: np.ndarray) -> None:
        """The prior belief per leg, (legs, replicates): the replicate's day-0 risk, wrongly known.

        logit(prior) = logit(day-0 risk) + prior_spread x Z, with Z ~ N(0, 1) per segment and replicate
        (the risk clipped to [PRIOR_CLIP, 1 - PRIOR_CLIP] first); where prior_spread is 0 the prior is
        the day-0 risk itself (docs/ODD.md 7.6).
        """
        spread = np.broadcast_to(self.parameters["prior_spread"], leg_risk.shape[-1:])
        p = np.clip(leg_risk, self.PRIOR_CLIP, 1.0 - self.PRIOR_CLIP)
        wrong = 1.0 / (1.0 + np.exp(-(np.log(p / (1.0 - p)) + spread * self._prior_error)))
        self._prior_risk[...] = kernels.to_chunked(np.where(spread > 0.0, wrong, leg_risk))

    # The chunk-major arrays the kernels use, replicate-last (copies).
    sent_loads = kernels.replicate_last_property(
        "_sent_loads", "Vehicle loads sent per leg, faded by memory: (legs, replicates)."
    )
    lost_loads = kernels.replicate_last_property(
        "_lost_loads", "Vehicle loads lost per leg, faded by memory: (legs, replicates)."
    )
    shares = kernels.replicate_last_property(
        "_shares", "Each route's share of its destination's cargo today: (routes, cargo, replicates)."
    )
    expected_cost = kernels.replicate_last_property(
        "_expected_cost",
        "Expected cost per delivered cargo unit on each route: (routes, cargo, replicates).",
    )
    prior_risk = kernels.replicate_last_property(
        "_prior_risk", "The prior belief per leg, around its day-0 risk: (legs, replicates)."
    )
    believed_wait = kernels.replicate_last_property(
        "_believed_wait", "The queue wait the shipper believes each route has, days: (routes, replicates)."
    )
    idle_days = kernels.replicate_last_property(
        "_idle_days", "Days since each route was eligible or probed: (routes, cargo, replicates)."
    )

    def believed_leg_risk(self) -> np.ndarray:
        """The shipper's loss probability per leg and replicate, (legs, replicates).

        Its prior, worth ``prior_weight_loads`` loads, updated by the (fading) loads it saw sent and
        lost (ODD 7.6).
        """
        w = self.parameters["prior_weight_loads"]
        return (self.lost_loads + w * self.prior_risk) / (self.sent_loads + w)
