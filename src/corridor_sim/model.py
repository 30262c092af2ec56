"""CorridorModel: a Mesa model that advances many replicates of a scenario at once.

State the daily loop touches is numpy arrays with the replicate axis last; a
single run is one replicate. One Mesa step is one day: rules and timed changes
set levers in Python, then the day itself runs in compiled kernels over the
arrays (the kernels package; docs/performance.md). Inside ``run``/``run_for``, days on
which nothing outside the kernel can act are simulated several at a time
(spans; see schedule.py), with identical results. See
docs/ODD.md for the process overview and scheduling.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from corridor_sim import kernels
from corridor_sim.actors import PolicyActor, Shipper
from corridor_sim.adapters.mesa_events import next_event_time
from corridor_sim.distributions import Number
from corridor_sim.engine_inputs import engine_inputs
from corridor_sim.fleets import convoy_parameters, fleet_table
from corridor_sim.kernels.contract import LEG_FLOWS, SEGMENT_FIELDS, WINDOW_FLOWS
from corridor_sim.levers import Levers, compile_effects
from corridor_sim.memory import check_fits
from corridor_sim.metrics import WINDOW_METRICS, RuleMetrics
from corridor_sim.network import Grouping, build_network
from corridor_sim.policies import ReactiveRule, TimedChange
from corridor_sim.recorder import Recorder, mode_reporters
from corridor_sim.scenario import MODES, NODE_ATTRIBUTES, Scenario, load_scenario
from corridor_sim.scenario_checks import check_metric
from corridor_sim.scenario_schema import node_attribute
from corridor_sim.schedule import Scheduler, thread_count
from corridor_sim.streams import BLOCK, Streams, seed_from
from corridor_sim.tables import RunTables

# A chunk of the kernels never straddles two blocks of random draws.
assert BLOCK % kernels.CHUNK == 0

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
        keep_bands: compute the daily bands (quantiles across replicates); sweeps, which
            read only totals and their own daily outcomes, leave them out (a sixth of a day's work).
        collect: run Mesa's DataCollector every day (:attr:`datacollector`: the ensemble's
            cumulative tons per mode); sweeps, which read their own outcomes, leave it out.
        threads: threads a day runs on (same results whatever the number). By
            default, one below :attr:`THREADED_FROM` replicates, else as many
            as the process may use, at most :attr:`MAX_THREADS`, each with at
            least :attr:`THREADED_FROM` / 2 replicates.
        span: the most days simulated at a time (default :attr:`MAX_SPAN`; 1: day by day). Same
            results whatever the number; see :meth:`step`.
        flow_window: keep the last 30 days' delivered and interdicted tons per route and replicate,
            which the flow metrics (:data:`WINDOW_METRICS`) of :meth:`metric` read. By default kept
            only when a reactive rule watches one: writing it costs 3% of a run.
        streams: the run's random streams, made by the caller (a sweep's design points grouped in one
            model: :meth:`Streams.grouped <corridor_sim.streams.Streams.grouped>`); it then gives
            the replicates, and ``rng``, ``replicates`` and ``first_replicate`` are not used.
        **overrides: scenario values by flat name (``days=365``,
            ``us_land_surveillance=0.5``) or key path.

    The daily loop runs in compiled kernels (see the kernels package); runs of at most
    :attr:`SMALL_RUN` replicate-days run them as plain Python instead, which
    gives the same results without the cost of loading compiled code.
    """

    SMALL_RUN = 64
    THREADED_FROM = 2048  # replicates from which a day runs on several threads by default
    MAX_THREADS = 4  # default ceiling: the day is bound by memory bandwidth as much as by cores
    MAX_SPAN = 8  # days simulated at a time, at most (see step)

    def __init__(
        self,
        scenario: str | Path | Scenario | Mapping[str, Any] | None = None,
        *,
        replicates: int = 1,
        rng: Any = None,
        first_replicate: int = 0,
        keep_daily: bool = True,
        keep_bands: bool = True,
        collect: bool = True,
        threads: int | None = None,
        span: int | None = None,
        flow_window: bool | None = None,
        streams: Streams | None = None,
        **overrides: Any,
    ):
        if streams is not None:
            rng, replicates, first_replicate = streams.seed, streams.count, 0
        seed = seed_from(rng)
        super().__init__(rng=seed)
        # Every random draw of the run comes from these.
        self.streams = Streams(seed, first_replicate, replicates) if streams is None else streams
        days = overrides.pop("days", None)
        self.spec: Scenario = load_scenario(scenario, overrides=overrides or None, days=days)
        # Large ensembles run on several threads (same results on any number; see schedule.py).
        self.threads = thread_count(threads, replicates, self.THREADED_FROM, self.MAX_THREADS)
        if span is not None and span < 1:
            raise ValueError(f"span must be at least 1, got {span}")
        self.max_span = self.MAX_SPAN if span is None else span
        # Before any array is made: refuse a run that cannot fit (memory.RunTooLarge says why).
        check_fits(self.spec, replicates, keep_daily=keep_daily, threads=self.threads, span=self.max_span)
        self.seed = seed
        self.n_replicates = replicates
        self.first_replicate = first_replicate
        self.net = build_network(self.spec)
        self.day = 0  # the day the next step simulates
        compiled = replicates * self.spec.days > self.SMALL_RUN and kernels.numba_available()
        self._kernels = kernels.engine(compiled)
        self._draw_parameters()
        self.levers = Levers(self.spec, self.streams, clock=lambda: self.day)
        self.effects, self.effect_slots = compile_effects(
            self.spec, self.levers, self.net.node_ids, self.net.segment_ids, streams=self.streams
        )
        self.shipper = Shipper(self, spec=self.spec.shipper, net=self.net, streams=self.streams)
        self.policy_actors = [
            PolicyActor(self, a, spec=actor, levers=self.levers, effect_slots=self.effect_slots)
            for a, actor in self.spec.actors.items()
        ]
        self.timed_changes = [
            TimedChange(self, spec=self.spec, levers=self.levers, actor=a, change_id=cid, change=c)
            for a, actor in self.spec.actors.items()
            for cid, c in actor.timeline.items()
        ]
        for change in self.timed_changes:
            change.schedule()
        self.rules = [
            ReactiveRule(rid, r, levers=self.levers, streams=self.streams) for rid, r in self.spec.rules.items()
        ]
        watched = {rule.rule.when.metric.partition(":")[0] for rule in self.rules}
        self.keeps_window = bool(watched & set(WINDOW_METRICS)) if flow_window is None else bool(flow_window)
        self._init_state()
        self.recorder = Recorder(
            net=self.net,
            replicates=replicates,
            days=self.spec.days,
            levers=self.levers,
            sums=(self._totals, self._leg_totals, self._capacity_days),
            bands_kernel=self._kernels.bands,
            keep_daily=keep_daily,
            threads=self.threads,
            keep_bands=keep_bands,
            span=self.max_span,
        )
        self.tables = RunTables(
            self.recorder,
            start_date=self.spec.start_date,
            first_replicate=first_replicate,
            levers=self.levers,
            actors=self.policy_actors,
            destinations=(self.cum_demand, self.cum_delivered_dest),
            tons=self.tons,
            stock=(self._queue, self._in_transit, self._legs_of_route),
            vehicle_payload=(self.fleet_payload, self.payload_factor),
        )
        # Callables observer(model, day, flows) run after each day, e.g. a sweep's outcome trackers;
        # flows maps quantity -> (replicates, routes, cargo) arrays for that day.
        self.observers: list = []
        # The ensemble's cumulative tons per mode, each day (collect=False leaves it empty).
        cargo = [(cid, float(pf)) for cid, pf in zip(self.net.cargo_ids, self.payload_factor, strict=True)]
        reporters = mode_reporters(self.recorder, self._mode_of_route, self.net.route_cargo, cargo)
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.metrics = RuleMetrics(
            net=self.net,
            levers=self.levers,
            tons=self.tons,
            destinations=(self.cum_demand, self.cum_delivered_dest),
            windows=(self.window, self.leg_window),
            mode_of_route=self._mode_of_route,
            keeps_window=self.keeps_window,
        )
        levers_read_daily = self._levers_move_unseen(keep_daily)
        self.scheduler = Scheduler(
            self,
            engine=self._kernels,
            kernel_args=(self._net_args, self._fx, self._par, self._st),
            recorder=self.recorder,
            metrics=self.metrics,
            rules=self.rules,
            draws=self.streams.interdiction(self.net.n_legs, storages=len(self._net_args.store_node)),
            days=self.spec.days,
            threads=self.threads,
            max_span=self.max_span,
            spannable=not self.keeps_window and watched <= {"lever", "day"} and not levers_read_daily,
            collect=collect,
            next_event=partial(next_event_time, self),
        )

    # ------------------------------------------------------------------ set-up

    def _levers_move_unseen(self, keep_daily: bool) -> bool:
        """Whether levers with a response (ODD 7.16), which move inside the engine, would be read between its days.

        The daily lever table and a rule watching such a lever read each day's value: those runs go day by day.
        """
        moving = {self.levers.names[li] for li in self._par.resp_lever}
        watched = {rule.rule.when.metric.partition(":")[2] for rule in self.rules}
        return bool(moving) and (keep_daily or bool(moving & watched))

    def _param(self, key: str, value: Number | None, default: float = INF) -> np.ndarray:
        if value is None:
            return np.full(self.n_replicates, default)
        return self.streams.value(key, value)

    def _draw_parameters(self) -> None:
        """Per-replicate draws of every scenario number (fixed numbers are just repeated).

        Every array has the replicate axis last: (segments, replicates), (fleets, replicates), ...
        """
        s, p, net = self.spec, self._param, self.net
        self._segment_base = np.stack(
            [
                np.stack([p(f"segments.{i}.{attr}", getattr(s.segments[i], attr)) for i in net.segment_ids])
                for attr in SEGMENT_FIELDS
            ]
        )

        def node_key(i, attr):  # a storage's strike probability lives in its storage block
            return node_attribute(s.nodes[i], attr)

        self._node_base = np.stack(
            [
                np.stack([p(f"nodes.{i}.{key}", value) for i in net.node_ids for key, value in [node_key(i, attr)]])
                for attr in NODE_ATTRIBUTES
            ]
        )
        self.segment_base = dict(zip(SEGMENT_FIELDS, self._segment_base, strict=True))
        self.node_base = dict(zip(NODE_ATTRIBUTES, self._node_base, strict=True))

        def per_fleet(attr):
            return np.stack([p(f"fleets.{f}.{attr}", getattr(s.fleets[f], attr)) for f in net.fleet_ids])

        self.fleet_payload = per_fleet("payload_tons")
        self.fleet_count = per_fleet("count")
        self.fleet_day_cost = per_fleet("cost_usd_per_vehicle_day")
        self.convoys = convoy_parameters(s, net.fleet_ids, p, self.n_replicates)
        cargo = {c: s.cargo[c] for c in net.cargo_ids}
        self.payload_factor = np.array([c.payload_factor for c in cargo.values()])
        self.cargo_value = np.stack([p(f"cargo.{c}.value_usd_per_ton", v.value_usd_per_ton) for c, v in cargo.items()])
        self.reservation = np.stack(
            [p(f"cargo.{c}.reservation_cost_usd_per_ton", v.reservation_cost_usd_per_ton) for c, v in cargo.items()]
        )
        # Each class's own urgency per unit and day, where it has one (NaN: the shipper's, per payload ton).
        self.cargo_urgency = np.stack(
            [p(f"cargo.{c}.urgency_usd_per_ton_day", v.urgency_usd_per_ton_day, np.nan) for c, v in cargo.items()]
        )
        self.replacement_share = np.stack(
            [p(f"cargo.{c}.replacement_share", v.replacement_share) for c, v in cargo.items()]
        )
        self._demand_phases(p)

    def _demand_phases(self, p) -> None:
        """Each destination's daily demand per cargo class and phase, and the day each phase starts (ODD 7.2).

        ``demand`` is (destinations, cargo, phases, replicates); a pair with fewer phases than the most
        any pair has is padded with phases that never start (``demand_start`` past any horizon).
        """
        s, net = self.spec, self.net
        given = {
            (d, c): s.destinations[did].demand.get(cid)
            for d, did in enumerate(net.destination_ids)
            for c, cid in enumerate(net.cargo_ids)
        }
        phases = max(len(a) if isinstance(a, list) else 1 for a in given.values())
        self.demand = np.zeros((len(net.destination_ids), len(net.cargo_ids), phases, self.n_replicates))
        self.demand_start = np.full(self.demand.shape[:3], np.iinfo(np.int64).max, dtype=np.int64)
        self.demand_start[:, :, 0] = 0
        for (d, c), amount in given.items():
            key = f"destinations.{net.destination_ids[d]}.demand.{net.cargo_ids[c]}"
            if isinstance(amount, list):
                for j, phase in enumerate(amount):
                    self.demand[d, c, j] = p(f"{key}.{j}.value", phase.value)
                    self.demand_start[d, c, j] = s.phase_day(phase)
            elif amount is not None:
                self.demand[d, c, 0] = p(key, amount)

    def _init_state(self) -> None:
        n, net = self.n_replicates, self.net
        legs, routes, cargo = net.n_legs, len(net.route_ids), len(net.cargo_ids)
        dests, fleets, groups = len(net.destination_ids), len(net.fleet_ids), len(net.group_kind)
        self._pipe_len = int(net.leg_transit.max()) + 1
        self._return_len = int(net.route_turnaround.max()) + 1
        zeros = self._state_array
        # Per-leg state in chunk-major layout (kernels.chunked); the properties below give it replicate-last.
        # Cargo due to finish each leg, by day: leg l's ring of transit + 1 rows, due day D in row D % (transit + 1).
        # A leg's cargo is never more than its transit ahead, so short legs keep few rows (and those in cache).
        self._pipeline = kernels.chunked((int(net.leg_ring_start[-1]), cargo), n)
        self._queue = kernels.chunked((legs, cargo), n)  # cargo waiting to start a leg
        self._in_transit = kernels.chunked((legs, cargo), n)
        self.fleet_busy = zeros(fleets)
        self.fleet_returns = zeros(self._return_len, fleets)
        self.fleet_lost, self.fleet_ghosts, self.fleet_lost_total = zeros(fleets), zeros(fleets), zeros(fleets)
        self.cum_demand = zeros(dests, cargo)
        self.cum_delivered_dest = zeros(dests, cargo)
        # Delivered and interdicted payload tons over the last 30 days, for the flow metrics (no rows if unread).
        self.window = zeros(30 if self.keeps_window else 0, len(WINDOW_FLOWS), routes)
        # The same days' payload tons entering and lost on each leg (the 30-day interdiction rate).
        self.leg_window = zeros(30 if self.keeps_window else 0, len(LEG_FLOWS), legs)
        # Today's attributes (the kernels keep them up to date; see _attributes).
        self._segment_now = zeros(*self._segment_base.shape[:-1])
        self._node_now = zeros(*self._node_base.shape[:-1])
        self.segment_now = dict(zip(SEGMENT_FIELDS, self._segment_now, strict=True))
        self.node_now = dict(zip(NODE_ATTRIBUTES, self._node_now, strict=True))
        self._leg_risk, self._leg_payload = kernels.chunked((legs,), n), kernels.chunked((legs,), n)
        self.group_capacity = zeros(groups)
        self._route_unit_cost, self._route_payload = kernels.chunked((routes,), n), kernels.chunked((routes,), n)
        self._route_vehicle_cost, self._route_capacity = kernels.chunked((routes,), n), kernels.chunked((routes,), n)
        self._legs_of_route = Grouping(net.leg_route, routes)
        self._mode_of_route = {m: np.array([x == m for x in net.route_mode]) for m in MODES}
        self._single_ton_cargo = cargo == 1 and self.payload_factor[0] == 1.0
        self._kernel_args()
        self._attributes()
        # Its prior is each load's loss chance: struck (per passage in convoys) or seized at inspection.
        risk, inspect = self.leg_risk, self.segment_now["inspection_probability"][self.net.leg_segment]
        self.shipper.set_prior_risk(risk + inspect * (1.0 - risk))

    @property
    def pipeline(self) -> np.ndarray:
        """Cargo due to finish each leg, by day slot: (slots, legs, cargo, replicates), a copy.

        Cargo due on day D (from today, :attr:`day`, to the longest transit ahead) is in slot
        D % slots; the kernels keep it in each leg's own ring instead.
        """
        rings = kernels.replicate_last(self._pipeline, self.n_replicates)
        legs, slots, ring_start = self.net.n_legs, self._pipe_len, self.net.leg_ring_start
        out = np.zeros((slots, legs, *rings.shape[1:]))
        for leg in range(legs):
            start, transit = ring_start[leg], int(self.net.leg_transit[leg])
            for due in range(self.day, self.day + transit + 1):
                out[due % slots, leg] = rings[start + due % (transit + 1)]
        return out

    # The chunk-major state, replicate-last (copies).
    queue = kernels.replicate_last_property("_queue", "Cargo waiting to start each leg: (legs, cargo, replicates).")
    in_transit = kernels.replicate_last_property("_in_transit", "Cargo on each leg: (legs, cargo, replicates).")
    route_unit_cost = kernels.replicate_last_property(
        "_route_unit_cost", "Today's transport cost and fees per cargo unit over each route: (routes, replicates)."
    )
    route_payload = kernels.replicate_last_property(
        "_route_payload", "Today's load per vehicle on each route, tons: (routes, replicates)."
    )
    route_vehicle_cost = kernels.replicate_last_property(
        "_route_vehicle_cost", "Today's vehicle-day cost per payload ton on each route: (routes, replicates)."
    )
    route_capacity = kernels.replicate_last_property(
        "_route_capacity", "Today's payload tons a day each route can take: (routes, replicates)."
    )
    leg_risk = kernels.replicate_last_property(
        "_leg_risk", "Today's loss probability per vehicle load on each leg: (legs, replicates)."
    )
    leg_payload = kernels.replicate_last_property(
        "_leg_payload", "Today's vehicle load on each leg, tons: (legs, replicates)."
    )

    def _state_array(self, *shape: int) -> np.ndarray:
        return np.zeros((*shape, self.n_replicates))

    def _kernel_args(self) -> None:
        """The named records the engine works on (engine_inputs.py), sharing the model's arrays."""
        self._net_args, self._fx, self._par, self._st = engine_inputs(self)

    def tons(self, x: np.ndarray) -> np.ndarray:
        """Payload tons of a (..., cargo, replicates) array: each cargo's units over its payload factor, summed."""
        if self._single_ton_cargo:
            return x[..., 0, :]
        return np.einsum("...cr,c->...r", x, 1.0 / self.payload_factor)

    # ------------------------------------------------------------------ the day

    def _attributes(self) -> None:
        """Every replicate's effective segment and node attributes, after every lever's effects, from scratch.

        Days recompute them in the kernel: in full for replicates whose levers changed, else only
        what adaptive effort moves.
        """
        self._kernels.attributes(self._net_args, self._fx, self._par, self._st)

    def step(self) -> None:
        """Simulate one day for every replicate (or record it: see schedule.py).

        Inside :meth:`run_for` (and :meth:`run`), the kernels may simulate several days at once (a span
        of up to :attr:`max_span` days; identical results), each still recorded, collected and checked
        by the rules at its own step; run_for returns only at a span's end.
        """
        d = self.day
        if d >= self.spec.days:
            self.running = False
            return
        self.scheduler.step(d)
        self.day += 1
        if self.day >= self.spec.days:
            self.running = False
            self.scheduler.finish()

    def run_for(self, duration: float | int) -> None:
        """Advance Mesa time by ``duration`` (one unit per day), letting the kernels take several days at once."""
        self.scheduler.until = self.time + duration
        try:
            super().run_for(duration)
        finally:
            self.scheduler.until = None

    def metric(self, metric: str) -> np.ndarray:
        """A model quantity per replicate, as named in reactive rules (see docs/parameters.md and metrics.py).

        Raises:
            ValueError: an unknown metric, or one that would add up several cargo classes.
        """
        problem = check_metric(self.spec, metric)
        if problem:
            raise ValueError(problem)
        return self.metrics.value(metric, self.day, self.recorder.days_recorded)

    # ------------------------------------------------------------------ running and results

    def run(self, days: int | None = None) -> CorridorModel:
        """Run to the horizon (or for ``days`` more days) with Mesa's time API."""
        self.run_for(days if days is not None else self.spec.days - self.day)
        return self

    def summary(self) -> pd.DataFrame:
        """One row per replicate x route x cargo class: totals over the run."""
        return self.tables.summary()

    def destinations(self) -> pd.DataFrame:
        """One row per replicate x destination x cargo class: demand, delivered, backlog."""
        return self.tables.destinations()

    def timeseries(self) -> pd.DataFrame:
        """One row per replicate x day x route x cargo class (needs keep_daily)."""
        return self.tables.timeseries()

    def bands(self) -> pd.DataFrame:
        """Per day, quantiles and mean across replicates of each daily quantity."""
        return self.tables.bands()

    def events(self) -> pd.DataFrame:
        """Every lever change and rule firing: replicate, day, date, actor, lever, old, new, cause, label."""
        return self.tables.events()

    def actor_levers(self) -> pd.DataFrame:
        """Each lever's value per replicate x day (needs keep_daily)."""
        return self.tables.actor_levers()

    def actor_costs(self) -> pd.DataFrame:
        """Money each actor spent on its levers, per replicate."""
        return self.tables.actor_costs()

    def fleets(self) -> pd.DataFrame:
        """One row per replicate x fleet: vehicles lost with their cargo, and still missing at the end (ODD 7.4)."""
        modes = [self.spec.fleets[f].mode for f in self.net.fleet_ids]
        replicates = self.first_replicate + np.arange(self.n_replicates)
        return fleet_table(self.net.fleet_ids, modes, replicates, self.fleet_lost_total, self.fleet_lost)

    def leg_strikes(self) -> pd.DataFrame:
        """One row per replicate x leg (a route's segment, from a node): strikes so far (convoys, lone loads)."""
        net, n = self.net, self.n_replicates
        return pd.DataFrame(
            {
                "replicate": np.tile(self.first_replicate + np.arange(n), net.n_legs),
                "route": np.repeat([net.route_ids[i] for i in net.leg_route], n),
                "segment": np.repeat([net.segment_ids[i] for i in net.leg_segment], n),
                "from_node": np.repeat([net.node_ids[i] for i in net.leg_from_node], n),
                "strikes": self._leg_strikes.reshape(-1),
            }
        )

    def store_strikes(self) -> pd.DataFrame:
        """One row per replicate x airport storage: strikes on its store so far (ODD 7.15)."""
        nodes = [self.net.node_ids[i] for i in self._net_args.store_node]
        replicates = self.first_replicate + np.arange(self.n_replicates)
        return pd.DataFrame(
            {
                "replicate": np.tile(replicates, len(nodes)),
                "node": np.repeat(nodes, self.n_replicates),
                "strikes": self.storage_strikes.reshape(-1),
            }
        )
