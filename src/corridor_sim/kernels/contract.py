"""The engine's contract: the named records of arrays the kernels read and write, and their layouts.

The model hands the engine four records (built in one place, :mod:`corridor_sim.engine_inputs`):

* :class:`Network`: fixed index arrays of the network (legs, routes, capacity groups, ...);
* :class:`Effects`: the levers' effects compiled to chains (segment or node attribute -> the effects
  applied to it, in order);
* :class:`Params`: per-replicate parameters (fleets, cargo, demand, the shipper, lever costs,
  adaptive effort);
* :class:`State`: levers, base and current attributes, and the state the days change.

Each kernel takes the records whole and reads fields by name (Numba compiles a field access on a
NamedTuple to the same code as a constant index into a tuple). A day's work arrays for a chunk of
replicates are a :class:`Scratch` record, made by :func:`scratch`.

The day's outputs are laid out by the name tuples below (:data:`ROUTE_QUANTITIES`,
:data:`DEST_QUANTITIES`, :data:`COST_PARTS`, :data:`TOTAL_QUANTITIES`): every count and row
position in the kernels is derived from them, and the recorder reads the rows back by the same
names. Adding a quantity is adding its name here and the line that fills it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from corridor_sim.scenario_schema import NODE_ATTRIBUTES, SEGMENT_ATTRIBUTES

INF = np.inf
# The C library's exp, as the kernels call it: in plain Python math.exp; compiled, the same function called by
# its default symbol rather than through the wrapper Numba's math.exp links to (kernels/compile.py).
libm_exp = math.exp

# ---------------------------------------------------------------------- output layout

# A route's daily quantities, per cargo: the first rows of the day's band stack, in this order.
ROUTE_QUANTITIES = ("dispatched", "delivered", "interdicted", "in_transit", "queued", "cost_usd")
# A destination's daily quantities, per cargo: the band stack's rows after the routes'.
DEST_QUANTITIES = ("demand", "delivered", "backlog")
# The parts of a route's daily cost (kept only for observers): cost_usd = transport (per-ton running
# costs + vehicle-days) + fees and tolls + value of cargo lost.
COST_PARTS = ("transport_usd", "fees_usd", "losses_usd")
# Totals over the run per route and cargo.
TOTAL_QUANTITIES = ("dispatched", "delivered", "interdicted", "cost_usd", *COST_PARTS)
# Each chunk's sums per route of today's payload tons (the DataCollector's ensemble means), then
# whether the chunk wrote the route's rows today.
ENSEMBLE_SUMS = ("dispatched", "delivered", "interdicted", "written")
# The per-leg tons the interdiction rate's product-limit estimate reads (run totals and the 30-day window).
LEG_FLOWS = ("entered", "lost")
# The per-route tons the 30-day window keeps for the flow metrics.
WINDOW_FLOWS = ("delivered", "interdicted")

N_ROUTE_QUANTITIES, N_COST_PARTS = len(ROUTE_QUANTITIES), len(COST_PARTS)
# Row blocks of the band stack, each (routes x cargo) or (destinations x cargo) rows.
ROW_DISPATCHED, ROW_DELIVERED = ROUTE_QUANTITIES.index("dispatched"), ROUTE_QUANTITIES.index("delivered")
ROW_INTERDICTED, ROW_IN_TRANSIT = ROUTE_QUANTITIES.index("interdicted"), ROUTE_QUANTITIES.index("in_transit")
ROW_QUEUED, ROW_COST = ROUTE_QUANTITIES.index("queued"), ROUTE_QUANTITIES.index("cost_usd")
ROW_DEMAND, ROW_DEST_DELIVERED = DEST_QUANTITIES.index("demand"), DEST_QUANTITIES.index("delivered")
ROW_BACKLOG = DEST_QUANTITIES.index("backlog")
PART_TRANSPORT, PART_FEES, PART_LOSSES = (COST_PARTS.index(p) for p in COST_PARTS)
TOTAL_DISPATCHED, TOTAL_DELIVERED = TOTAL_QUANTITIES.index("dispatched"), TOTAL_QUANTITIES.index("delivered")
TOTAL_INTERDICTED, TOTAL_COST = TOTAL_QUANTITIES.index("interdicted"), TOTAL_QUANTITIES.index("cost_usd")
TOTAL_TRANSPORT, TOTAL_FEES = TOTAL_QUANTITIES.index("transport_usd"), TOTAL_QUANTITIES.index("fees_usd")
TOTAL_LOSSES = TOTAL_QUANTITIES.index("losses_usd")
SUM_DISPATCHED, SUM_DELIVERED = ENSEMBLE_SUMS.index("dispatched"), ENSEMBLE_SUMS.index("delivered")
SUM_INTERDICTED, SUM_WRITTEN = ENSEMBLE_SUMS.index("interdicted"), ENSEMBLE_SUMS.index("written")
LEG_ENTERED, LEG_LOST = LEG_FLOWS.index("entered"), LEG_FLOWS.index("lost")
WINDOW_DELIVERED, WINDOW_INTERDICTED = WINDOW_FLOWS.index("delivered"), WINDOW_FLOWS.index("interdicted")

# Rows of the attribute tables: the segment attributes a lever's effect can change, then the payload
# limit (set by the scenario only); a node's are scenario_schema.NODE_ATTRIBUTES.
SEGMENT_FIELDS = (*SEGMENT_ATTRIBUTES, "max_payload_tons")
SEG_P, SEG_COST = SEGMENT_FIELDS.index("interdiction_probability"), SEGMENT_FIELDS.index("cost_usd_per_ton")
SEG_FEE, SEG_CAP = SEGMENT_FIELDS.index("fee_usd_per_ton"), SEGMENT_FIELDS.index("capacity_tons_per_day")
SEG_PAYLOAD, SEG_HAZARD = SEGMENT_FIELDS.index("max_payload_tons"), SEGMENT_FIELDS.index("hazard_per_day")
SEG_INSPECT = SEGMENT_FIELDS.index("inspection_probability")
NODE_P, NODE_CAP = NODE_ATTRIBUTES.index("interdiction_probability"), NODE_ATTRIBUTES.index("capacity_tons_per_day")
NODE_STRIKE = NODE_ATTRIBUTES.index("strike_probability")

# What a lever's response observes (kernels/militias.py, docs/ODD.md 7.16): days of queue at the watched
# segments, the share of their capacity unused, and the share of the tons moved onto them that was lost.
RESPONSE_OBSERVED = ("congestion", "idle", "loss_share")
OBS_CONGESTION, OBS_IDLE, OBS_LOSS = range(len(RESPONSE_OBSERVED))

# What a chain's new values call for in the derived attributes (kernels/derived.py): nothing (an attribute
# a step reads as it is), the legs' risk, or the legs' payloads, the capacity groups and the routes too.
DERIVED_NONE, DERIVED_RISK, DERIVED_ALL = 0, 1, 2

# ---------------------------------------------------------------------- the records


class Network(NamedTuple):
    """Fixed index arrays of the network. ``*_start``/``*_idx`` pairs are compressed rows (CSR)."""

    leg_seg: np.ndarray  # (legs,) each leg's segment
    leg_from: np.ndarray  # (legs,) the node each leg starts from
    leg_transit: np.ndarray  # (legs,) days in transit
    leg_next: np.ndarray  # (legs,) the route's next leg, or -1 at the destination
    leg_vehicle: np.ndarray  # (legs,) the fleet carrying the leg
    leg_own: np.ndarray  # (legs,) whether the route's own fleet carries it
    leg_route: np.ndarray  # (legs,) its route
    route_leg_start: np.ndarray  # (routes + 1,) a route's legs are route_leg_start[k] .. [k + 1] - 1
    route_fleet: np.ndarray  # (routes,)
    route_dest: np.ndarray  # (routes,)
    route_turnaround: np.ndarray  # (routes,) days a vehicle is away per trip
    route_transit: np.ndarray  # (routes,) days end to end
    route_cargo: np.ndarray  # (routes, cargo) whether the route carries the cargo
    group_leg_start: np.ndarray  # capacity group -> its legs
    group_leg_idx: np.ndarray
    leg_group_start: np.ndarray  # leg -> its capacity groups
    leg_group_idx: np.ndarray
    dest_route_start: np.ndarray  # destination -> its routes
    dest_route_idx: np.ndarray
    fleet_route_start: np.ndarray  # fleet -> its routes
    fleet_route_idx: np.ndarray
    group_is_node: np.ndarray  # (groups,) whether the group's capacity is a node's (else a segment's)
    group_index: np.ndarray  # (groups,) that node or segment
    inv_pf: np.ndarray  # (cargo,) payload tons per cargo unit
    pf: np.ndarray  # (cargo,) cargo units per payload ton
    n_segments: int
    n_nodes: int
    leg_ring_start: np.ndarray  # (legs + 1,) each leg's rows of the pipeline ring
    # Airport storage (kernels/storage.py): storage s is at node store_node[s].
    store_node: np.ndarray  # (storages,)
    leg_land: np.ndarray  # (legs,) the storage of the node an air leg lands at, or -1
    leg_store_start: np.ndarray  # (legs + 1,) each leg's rows of the storage ring (none unless it stores)


class Effects(NamedTuple):
    """The levers' effects as chains: each changed attribute, then its effects in the scenario's order."""

    chain_table: np.ndarray  # (chains,) 1 for a node attribute, 0 for a segment's
    chain_attr: np.ndarray  # (chains,) its row in the attribute table
    chain_target: np.ndarray  # (chains,) the segment or node
    chain_start: np.ndarray  # (chains + 1,) the chain's entries
    chain_adaptive: np.ndarray  # (chains,) whether an entry follows an actor's daily effort
    entry_effect: np.ndarray  # (entries,) the effect
    entry_slot: np.ndarray  # (entries,) its row of the allocation, or -1
    entry_nslots: np.ndarray  # (entries,) the adaptive lever's number of targets
    eff_lever: np.ndarray  # (effects,) the lever whose value scales it
    eff_invert: np.ndarray  # (effects,) scale by 1 - the lever's value
    eff_kind: np.ndarray  # (effects,) its kind, an index into kinds.KINDS
    eff_coef: np.ndarray  # (effects, replicates)
    eff_factor_start: np.ndarray  # (effects + 1,) its factors (other levers multiplying it)
    factor_lever: np.ndarray
    factor_complement: np.ndarray  # the factor is 1 - the lever's value
    chain_derived: np.ndarray  # (chains,) what its new values call for: DERIVED_NONE, DERIVED_RISK or DERIVED_ALL


class Params(NamedTuple):
    """Per-replicate parameters, replicate axis last (chunk-major where noted)."""

    fleet_payload: np.ndarray  # (fleets, replicates) tons per vehicle
    fleet_count: np.ndarray  # (fleets, replicates)
    fleet_day_cost: np.ndarray  # (fleets, replicates) per vehicle-day
    # Convoys and vehicles lost (a fleet's convoy block; docs/ODD.md 7.4): (fleets, replicates) each.
    convoy_size: np.ndarray  # vehicles per convoy
    targeted_share: np.ndarray  # share of strikes aimed at chosen vehicles
    targeted_vehicles: np.ndarray  # vehicles a targeted strike takes
    replacement_per_day: np.ndarray  # lost vehicles replaced a day
    in_convoys: np.ndarray  # (fleets,) whether the fleet has a convoy block (else loads are struck one by one)
    loses_vehicles: np.ndarray  # (fleets,) whether its vehicles struck are lost with their cargo
    cargo_value: np.ndarray  # (cargo, replicates) per cargo unit
    reservation: np.ndarray  # (cargo, replicates) the highest expected cost per unit the shipper pays
    cargo_urgency: np.ndarray  # (cargo, replicates) holding cost per payload ton and day (own, or the shipper's)
    demand: np.ndarray  # (destinations, cargo, phases, replicates) per day, in each phase (ODD 7.2)
    demand_start: np.ndarray  # (destinations, cargo, phases) the day each phase starts (int64; unused: never)
    replacement_share: np.ndarray  # (cargo, replicates) share of lost cargo demanded again
    # The shipper's parameters, named as in the scenario's shipper section (scenario_schema.ShipperSpec).
    risk_aversion: np.ndarray  # (replicates,)
    inertia: np.ndarray  # (replicates,)
    belief_memory: np.ndarray  # (replicates,) the daily fade of the shipper's load counts
    urgency_usd_per_ton_day: np.ndarray  # (replicates,) cost per ton and day of delay (cargo_urgency's default)
    prior_weight_loads: float  # loads' worth of the prior
    choice_temperature: float  # the logit's temperature on relative cost
    prior_risk: np.ndarray  # (chunks, legs, CHUNK) the shipper's prior loss rate per leg
    # How the shipper learns (docs/ODD.md 7.5-7.6): (replicates,) each, but probe_backoff.
    prior_spread: np.ndarray  # sd of the prior's error on the logit scale (used at set-up)
    idle_memory: np.ndarray  # the daily fade of a leg's counts on a day it moves nothing
    loss_tolerance: np.ndarray  # believed route loss share above which the route is dropped
    probe_demand_days: np.ndarray  # days of its destination's demand a probe of a dropped route sends
    probe_wait_days: np.ndarray  # days out of use before a dropped route's first probe
    probe_backoff: float  # the wait's factor after a probe that did not lower the belief
    wait_learning_rate: np.ndarray  # daily step of the believed queue wait toward the observed one
    lever_cost: np.ndarray  # (levers,) per unit of lever and day
    actor_lever_start: np.ndarray  # actor -> the levers it pays for
    actor_lever_idx: np.ndarray
    ad_offset: np.ndarray  # (adaptive levers,) first row in the allocation
    ad_n: np.ndarray  # (adaptive levers,) number of targets
    ad_rate: np.ndarray  # (adaptive levers,) the daily step toward the traffic-weighted target
    ad_floor: np.ndarray  # (adaptive levers,) the share of effort kept spread evenly
    slot_on_nodes: np.ndarray  # (allocation rows,) whether the target is a node
    slot_index: np.ndarray  # (allocation rows,) that node or segment
    seg_watched: np.ndarray  # (segments,) whether an allocation row targets it (its daily traffic is read)
    node_watched: np.ndarray  # (nodes,)
    # Budgets and decisions (kernels/payments.py, kernels/adaptation.py; docs/ODD.md 7.8-7.9).
    lever_discretionary: np.ndarray  # (levers,) an adaptive lever: paid after the scripted ones, within the budget
    lever_start: np.ndarray  # (levers, replicates) its value at the start; one a timeline or rule moved is scripted
    ad_lever: np.ndarray  # (adaptive levers,) the lever
    budget_usd: np.ndarray  # (actors, replicates) money per day (inf: none)
    actor_budgeted: np.ndarray  # (actors,) whether the actor has a budget
    ad_actor: np.ndarray  # (adaptive levers,) its actor
    ad_decide: np.ndarray  # (adaptive levers,) placed by expected payoff (else by the traffic seen today)
    ad_delay: np.ndarray  # (adaptive levers, replicates) days its actor's observations lag
    slot_detect: np.ndarray  # (allocation rows, replicates) the share of the target's traffic the actor detects
    slot_strength: np.ndarray  # (allocation rows, replicates) the lever's effect there per unit effort
    dwell_days: np.ndarray  # (storages, replicates) days flown-in cargo waits in storage
    destroyed_share: np.ndarray  # (storages, replicates) share of the storage's contents a strike destroys
    closure_days: np.ndarray  # (storages, replicates) days a strike closes the airport to landings
    # Levers that respond to what their actor observes (kernels/militias.py, docs/ODD.md 7.16).
    resp_lever: np.ndarray  # (responses,) the lever that moves
    resp_low: np.ndarray  # (responses,) its min
    resp_high: np.ndarray  # (responses,) its max
    resp_seg_start: np.ndarray  # (responses + 1,) the segments it watches (capacity)
    resp_seg_idx: np.ndarray
    resp_leg_start: np.ndarray  # (responses + 1,) their legs (queues, tons moved and lost)
    resp_leg_idx: np.ndarray
    resp_rate: np.ndarray  # (responses, replicates) share of the gap to the target closed a day
    resp_delay: np.ndarray  # (responses, replicates) mean lag of the observations, days (>= 1)
    resp_base: np.ndarray  # (responses, replicates) the target with nothing observed
    resp_gain: np.ndarray  # (responses, RESPONSE_OBSERVED, replicates) the target per unit observed
    resp_term_start: np.ndarray  # (responses + 1,) its terms in other levers' values
    term_gain: np.ndarray  # (terms, replicates)
    term_factor_start: np.ndarray  # (terms + 1,) the levers multiplied in a term
    term_factor_lever: np.ndarray
    term_factor_complement: np.ndarray  # the factor is 1 - the lever's value


class State(NamedTuple):
    """What the days read and change: levers, attributes, cargo and vehicles, beliefs and totals."""

    lev: np.ndarray  # (levers, replicates) today's lever values
    lev_seen: np.ndarray  # (levers, replicates) the values today's attributes were made with
    alloc: np.ndarray  # (allocation rows, replicates) adaptive actors' effort shares
    plan: np.ndarray  # (allocation rows, replicates) a budgeted actor's shares before funding (alloc = funded x plan)
    funded: np.ndarray  # (actors, replicates) the share of its adaptive effort the actor's budget pays for
    seen_ring: np.ndarray  # (ring days, allocation rows or 0, replicates) deciding actors' detected tons, by day
    seg_base: np.ndarray  # (segment fields, segments, replicates) before any lever
    node_base: np.ndarray  # (node fields, nodes, replicates)
    seg_now: np.ndarray  # (segment fields, segments, replicates) today's
    node_now: np.ndarray  # (node fields, nodes, replicates)
    leg_risk: np.ndarray  # (chunks, legs, CHUNK) loss probability per vehicle load
    leg_payload: np.ndarray  # (chunks, legs, CHUNK) tons per vehicle
    group_capacity: np.ndarray  # (groups, replicates) payload tons a day
    route_unit_cost: np.ndarray  # (chunks, routes, CHUNK) transport cost and fees per cargo unit
    route_payload: np.ndarray  # (chunks, routes, CHUNK)
    route_vehicle_cost: np.ndarray  # (chunks, routes, CHUNK) vehicle-day cost per payload ton
    route_capacity: np.ndarray  # (chunks, routes, CHUNK) payload tons a day
    pipeline: np.ndarray  # (chunks, ring rows, cargo, CHUNK) cargo due to finish each leg, by day
    queue: np.ndarray  # (chunks, legs, cargo, CHUNK) cargo waiting to start a leg
    in_transit: np.ndarray  # (chunks, legs, cargo, CHUNK)
    fleet_busy: np.ndarray  # (fleets, replicates) vehicles away
    fleet_returns: np.ndarray  # (ring days, fleets, replicates) vehicles due back, by day
    fleet_lost: np.ndarray  # (fleets, replicates) vehicles lost and not yet replaced
    fleet_ghosts: np.ndarray  # (fleets, replicates) lost vehicles still booked in fleet_returns
    fleet_lost_total: np.ndarray  # (fleets, replicates) vehicles lost over the run
    cum_demand: np.ndarray  # (destinations, cargo, replicates)
    cum_delivered: np.ndarray  # (destinations, cargo, replicates)
    window: np.ndarray  # (30 or 0, WINDOW_FLOWS, routes, replicates) payload tons, by day
    shares: np.ndarray  # (chunks, routes, cargo, CHUNK) the shipper's route shares
    expected_cost: np.ndarray  # (chunks, routes, cargo, CHUNK) its expected cost per unit delivered
    sent_loads: np.ndarray  # (chunks, legs, CHUNK) loads it saw sent (fading)
    lost_loads: np.ndarray  # (chunks, legs, CHUNK) and lost
    pending_fade: np.ndarray  # (chunks, legs, CHUNK) the fade held back on idle days (kernels/beliefs.py)
    actor_cost: np.ndarray  # (actors, replicates) lever costs paid
    totals: np.ndarray  # (chunks, TOTAL_QUANTITIES, routes, cargo, CHUNK)
    capacity_days: np.ndarray  # (routes, replicates) route capacity summed over days
    leg_totals: np.ndarray  # (chunks, LEG_FLOWS, legs, cargo, CHUNK) cargo units
    leg_window: np.ndarray  # (30 or 0, LEG_FLOWS, legs, replicates) payload tons, by day
    store: np.ndarray  # (chunks, storage ring rows, cargo, CHUNK) cargo due to leave storage, by day
    closed: np.ndarray  # (storages, replicates) days of closure to landings left
    strikes: np.ndarray  # (storages, replicates) strikes so far
    leg_strikes: np.ndarray  # (legs, replicates) strikes on the leg so far: convoys struck, or lone loads lost
    resp_obs: np.ndarray  # (responses, RESPONSE_OBSERVED, replicates) what each response has seen (delayed)
    lev_pinned: np.ndarray  # (levers, replicates) set by a timeline or rule: no longer moved by a response
    # The shipper's exploration and knowledge of queues (kernels/choice.py).
    believed_wait: np.ndarray  # (chunks, routes, CHUNK) the queue wait it believes, days
    idle_days: np.ndarray  # (chunks, routes, cargo, CHUNK) days since the route was eligible or probed
    probe_wait: np.ndarray  # (chunks, routes, cargo, CHUNK) days out of use before its next probe
    probe_out: np.ndarray  # (chunks, routes, cargo, CHUNK) 1 while a probe's outcome is still to be judged
    lost_since_probe: np.ndarray  # (chunks, legs, CHUNK) loads the shipper saw lost on the leg since its last probe


class Scratch(NamedTuple):
    """A chunk's work arrays for the day (one set per thread, reused chunk after chunk and day after day).

    ``a`` .. ``f`` are general vectors over the chunk's replicates that each step uses as it likes;
    the others carry a value from one step of the day to a later one.
    """

    changed: np.ndarray  # (n,) whether the replicate's levers changed today
    moved: np.ndarray  # (levers,) whether the lever changed today in some replicate of the chunk
    seg_derive: np.ndarray  # (segments,) what the segment's attributes made today call for (DERIVED_*)
    node_derive: np.ndarray  # (nodes,)
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    e: np.ndarray
    delivered: np.ndarray  # (routes, cargo, n) arriving at the destination today
    requirement: np.ndarray  # (destinations, cargo, n) what the shipper must still send
    available: np.ndarray  # (fleets, n) vehicles free
    route_wait: np.ndarray  # (routes, n) days its cargo would queue
    group: np.ndarray  # (groups, n) load on, then the share each capacity group lets through
    ec: np.ndarray  # (routes, cargo, n) expected cost per unit delivered
    ok: np.ndarray  # (routes, cargo, n) whether the route is usable for the cargo
    target: np.ndarray  # (routes, cargo, n) the logit's shares
    shares: np.ndarray  # (routes, cargo, n) after inertia
    normed: np.ndarray  # (routes, cargo, n) normalised per destination
    sent: np.ndarray  # (routes, cargo, n) dispatched today
    more: np.ndarray  # (routes, cargo, n) the second pass's extra
    want: np.ndarray  # (routes, cargo, n) what the shipper would send
    left: np.ndarray  # (fleets, n) vehicles left after the first pass
    vehicles: np.ndarray  # (routes, n) vehicles wanted, then sent
    need: np.ndarray  # (fleets, n) vehicles asked of the fleet
    served: np.ndarray  # (legs, cargo, n) what each leg moves today
    tons: np.ndarray  # (legs, n) payload tons each leg moves
    frac: np.ndarray  # (legs, n) the share of it lost
    seg_traffic: np.ndarray  # (segments, n) payload tons seen today (on the segments some allocation watches)
    node_traffic: np.ndarray  # (nodes, n)
    busy: np.ndarray  # (routes,) whether anything is on the route in the chunk today
    hits: np.ndarray  # (n + 1,) replicates whose interdiction draw needs the full binomial
    ring_row: np.ndarray  # (n,) a deciding actor's row of its observation ring today, or -1 (kernels/adaptation.py)
    f: np.ndarray
    struck: np.ndarray  # (legs, cargo, n) destroyed in storage today (written for storing legs only)
    phase: np.ndarray  # (destinations, cargo) the demand phase in force today (int64; set by arrivals)


def scratch(net: Network, n: int, levers: int) -> Scratch:
    """Work arrays for a chunk of n replicates, in a model with ``levers`` levers."""
    legs, routes, cargo = net.leg_seg.shape[0], net.route_fleet.shape[0], net.inv_pf.shape[0]
    dests, fleets, groups = (
        net.dest_route_start.shape[0] - 1,
        net.fleet_route_start.shape[0] - 1,
        net.group_index.shape[0],
    )
    return Scratch(
        np.zeros(n, dtype=np.bool_),
        np.zeros(levers, dtype=np.bool_),
        np.zeros(net.n_segments, dtype=np.intp),
        np.zeros(net.n_nodes, dtype=np.intp),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        np.zeros((routes, cargo, n)),
        np.zeros((dests, cargo, n)),
        np.zeros((fleets, n)),
        np.zeros((routes, n)),
        np.zeros((groups, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n), dtype=np.bool_),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((routes, cargo, n)),
        np.zeros((fleets, n)),
        np.zeros((routes, n)),
        np.zeros((fleets, n)),
        np.zeros((legs, cargo, n)),
        np.zeros((legs, n)),
        np.zeros((legs, n)),
        np.zeros((net.n_segments, n)),
        np.zeros((net.n_nodes, n)),
        np.zeros(routes, dtype=np.bool_),
        np.zeros(n + 1, dtype=np.intp),
        np.zeros(n, dtype=np.intp),
        np.zeros(n),
        np.zeros((legs, cargo, n)),
        np.zeros((dests, cargo), dtype=np.int64),
    )


# ---------------------------------------------------------------------- chunk-major layout

CHUNK = 256  # replicates per pass: a chunk's working set stays in cache between the steps of its day


def chunked(shape, n):
    """Zeros for n replicates in chunk-major layout: (chunks, *shape, CHUNK).

    The per-leg state the day walks through leg by leg (pipeline, queues, cargo in transit, the
    shipper's load counts) is kept this way, so that a chunk's rows are one contiguous stretch of
    memory: the day then streams through it, where with the replicate axis last every row of a
    chunk is a separate 2 KB piece (a fresh start for the hardware prefetcher each time).
    """
    return np.zeros((-(-n // CHUNK), *shape, CHUNK))


def to_chunked(x):
    """A (*shape, replicates) array in chunk-major layout (the inverse of :func:`replicate_last`)."""
    n = x.shape[-1]
    out = chunked(x.shape[:-1], n)
    padded = np.zeros((*x.shape[:-1], out.shape[0] * CHUNK))
    padded[..., :n] = x
    out[...] = np.moveaxis(padded.reshape(*x.shape[:-1], out.shape[0], CHUNK), -2, 0)
    return out


def replicate_last(x, n):
    """A chunk-major array as (*shape, replicates): a copy."""
    return np.ascontiguousarray(np.moveaxis(x, 0, -2).reshape(*x.shape[1:-1], -1)[..., :n])


def replicate_last_property(attr, doc, replicates=lambda obj: obj.n_replicates):
    """A read-only property giving the chunk-major array ``obj.<attr>`` as (*shape, replicates) (a copy)."""
    return property(lambda obj: replicate_last(getattr(obj, attr), replicates(obj)), doc=doc)
