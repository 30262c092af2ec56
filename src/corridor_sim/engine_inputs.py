"""The engine's inputs, built in this one place: the named records of kernels.contract from the model.

:func:`network_record` packs the network's index arrays, :func:`effects_record` the levers'
effects as chains, and :func:`engine_inputs` the whole set from a model that has drawn its
parameters and made its state arrays. The records share the model's arrays (never copies): the
kernels change the state in place, and the model, its actors and the recorder read it there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from corridor_sim.kernels.contract import (
    DERIVED_ALL,
    DERIVED_NONE,
    DERIVED_RISK,
    LEG_FLOWS,
    SEGMENT_FIELDS,
    TOTAL_QUANTITIES,
    Effects,
    Network,
    Params,
    State,
    chunked,
)
from corridor_sim.levers import CompiledEffect, Levers, factor_ref
from corridor_sim.responses import response_inputs
from corridor_sim.scenario_schema import NODE_ATTRIBUTES

if TYPE_CHECKING:
    from corridor_sim.network import Network as NetworkSpec


class EngineInputs(NamedTuple):
    """Everything the engine's entry points take besides the day and the draws."""

    net: Network
    fx: Effects
    par: Params
    st: State


class StorageLayout(NamedTuple):
    """The airports' storage (kernels/storage.py): where it is, the legs landing there, the storing legs' rings."""

    store_node: np.ndarray  # (storages,) each storage's node
    leg_land: np.ndarray  # (legs,) the storage an air leg lands at, or -1
    leg_store_start: np.ndarray  # (legs + 1,) each storing leg's rows of the storage ring

    @classmethod
    def none(cls, legs: int) -> StorageLayout:
        return cls(np.zeros(0, dtype=np.intp), np.full(legs, -1, dtype=np.intp), np.zeros(legs + 1, dtype=np.intp))


def storage_layout(model) -> tuple[StorageLayout, dict[str, np.ndarray]]:
    """The storage layout and each storage's per-replicate parameters (drawn from the scenario's storage blocks).

    An air leg landing at a node with storage is closed with it; it stores (has ring rows) if the route
    goes on from there. A storing leg's ring has a row for every day its longest dwell can reach, plus one.
    """
    spec, net = model.spec, model.net
    stores = [i for i, nid in enumerate(net.node_ids) if spec.nodes[nid].storage is not None]
    drawn: dict[str, list[np.ndarray]] = {"dwell_days": [], "destroyed_share": [], "closure_days": []}
    for i in stores:
        nid = net.node_ids[i]
        for key, values in drawn.items():
            values.append(model._param(f"nodes.{nid}.storage.{key}", getattr(spec.nodes[nid].storage, key)))
    params = {key: np.stack(v) if v else np.zeros((0, model.n_replicates)) for key, v in drawn.items()}
    leg_land, rows = np.full(net.n_legs, -1, dtype=np.intp), np.zeros(net.n_legs, dtype=np.intp)
    for leg in range(net.n_legs):
        seg = spec.segments[net.segment_ids[net.leg_segment[leg]]]
        landing = net.node_ids.index(seg.to)
        if seg.mode == "air" and landing in stores:
            s = stores.index(landing)
            leg_land[leg] = s
            if net.leg_next[leg] >= 0:
                rows[leg] = int(np.floor(params["dwell_days"][s].max())) + 2
    layout = StorageLayout(np.array(stores, dtype=np.intp), leg_land, np.cumsum([0, *rows]).astype(np.intp))
    return layout, params


def network_record(net: NetworkSpec, payload_factor: np.ndarray, storage: StorageLayout | None = None) -> Network:
    """The network's index arrays as the kernels take them (``storage``: the airports', by default none)."""
    groups = [np.flatnonzero(row) for row in net.group_legs]
    leg_groups = [np.flatnonzero(net.group_legs[:, leg]) for leg in range(net.n_legs)]
    by_destination = [np.flatnonzero(net.route_destination == d) for d in range(len(net.destination_ids))]
    by_fleet = [np.flatnonzero(net.route_fleet == f) for f in range(len(net.fleet_ids))]
    group_leg_start, group_leg_idx = _csr(groups)
    leg_group_start, leg_group_idx = _csr(leg_groups)
    dest_route_start, dest_route_idx = _csr(by_destination)
    fleet_route_start, fleet_route_idx = _csr(by_fleet)
    pf = np.asarray(payload_factor, dtype=float)
    return Network(
        leg_seg=net.leg_segment,
        leg_from=net.leg_from_node,
        leg_transit=net.leg_transit,
        leg_next=net.leg_next,
        leg_vehicle=net.leg_vehicle,
        leg_own=net.leg_own_vehicle,
        leg_route=net.leg_route,
        route_leg_start=net.route_leg_start,
        route_fleet=net.route_fleet,
        route_dest=net.route_destination,
        route_turnaround=net.route_turnaround,
        route_transit=net.route_transit,
        route_cargo=net.route_cargo,
        group_leg_start=group_leg_start,
        group_leg_idx=group_leg_idx,
        leg_group_start=leg_group_start,
        leg_group_idx=leg_group_idx,
        dest_route_start=dest_route_start,
        dest_route_idx=dest_route_idx,
        fleet_route_start=fleet_route_start,
        fleet_route_idx=fleet_route_idx,
        group_is_node=np.array([kind == "node" for kind in net.group_kind], dtype=np.bool_),
        group_index=net.group_index,
        inv_pf=1.0 / pf,
        pf=pf,
        n_segments=len(net.segment_ids),
        n_nodes=len(net.node_ids),
        leg_ring_start=net.leg_ring_start,
        **(storage or StorageLayout.none(net.n_legs))._asdict(),
    )


def _csr(members: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Compressed rows: (starts, indices) with group g's members at indices[starts[g]:starts[g + 1]]."""
    starts = np.cumsum([0] + [len(m) for m in members]).astype(np.intp)
    indices = np.concatenate([np.asarray(m, dtype=np.intp) for m in members] + [np.zeros(0, dtype=np.intp)])
    return starts, indices


def effects_record(
    effects: list[CompiledEffect], levers: Levers, allocation_rows: dict[int, tuple[int, int]]
) -> Effects:
    """Effects as the kernels apply them.

    Each segment or node attribute that some effect changes is a *chain*: its base value, then
    every effect on it in the scenario's order. A chain with an adaptive effect (an allocation
    slot) changes with the actor's effort every day; the others only when a lever changes.
    ``allocation_rows`` gives each adaptive lever's first row in the stacked allocation array and
    its number of rows.
    """
    chains: dict[tuple[bool, int, int], list[tuple[int, int, int]]] = {}
    for e, eff in enumerate(effects):
        fields = NODE_ATTRIBUTES if eff.on_nodes else SEGMENT_FIELDS
        attr = fields.index(eff.attribute)
        offset, n_slots = allocation_rows.get(eff.lever, (None, 0))
        for target, slot in zip(eff.targets, eff.slots, strict=True):
            row = offset + int(slot) if offset is not None else -1
            chains.setdefault((eff.on_nodes, attr, int(target)), []).append((e, row, n_slots))
    entries = [entry for chain in chains.values() for entry in chain]
    adaptive = [any(row >= 0 for _, row, _ in chain) for chain in chains.values()]
    factors = [[factor_ref(levers, f) for f in eff.factors] for eff in effects]
    n = levers.values.shape[1]
    return Effects(
        chain_table=np.array([int(on_nodes) for on_nodes, _, _ in chains], dtype=np.intp),
        chain_attr=np.array([attr for _, attr, _ in chains], dtype=np.intp),
        chain_target=np.array([target for _, _, target in chains], dtype=np.intp),
        chain_start=np.cumsum([0] + [len(c) for c in chains.values()]).astype(np.intp),
        chain_adaptive=np.array(adaptive, dtype=np.bool_),
        entry_effect=np.array([e for e, _, _ in entries], dtype=np.intp),
        entry_slot=np.array([row for _, row, _ in entries], dtype=np.intp),
        entry_nslots=np.array([n_slots for _, _, n_slots in entries], dtype=float),
        eff_lever=np.array([eff.lever for eff in effects], dtype=np.intp),
        eff_invert=np.array([eff.invert for eff in effects], dtype=np.bool_),
        eff_kind=np.array([eff.kind for eff in effects], dtype=np.intp),
        eff_coef=np.stack([eff.coef for eff in effects]) if effects else np.zeros((0, n)),
        eff_factor_start=np.cumsum([0] + [len(f) for f in factors]).astype(np.intp),
        factor_lever=np.array([li for f in factors for li, _ in f], dtype=np.intp),
        factor_complement=np.array([comp for f in factors for _, comp in f], dtype=np.bool_),
        chain_derived=np.array([_derived_by(on_nodes, attr) for on_nodes, attr, _ in chains], dtype=np.intp),
    )


def _derived_by(on_nodes: bool, attr: int) -> int:
    """What new values of a segment's or node's attribute call for in the derived attributes (kernels/derived.py)."""
    if on_nodes:
        name = NODE_ATTRIBUTES[attr]
        if name == "strike_probability":  # read by the storage step as it is
            return DERIVED_NONE
        return DERIVED_RISK if name == "interdiction_probability" else DERIVED_ALL
    name = SEGMENT_FIELDS[attr]
    if name == "inspection_probability":  # read by the movement step as it is
        return DERIVED_NONE
    return DERIVED_RISK if name in ("interdiction_probability", "hazard_per_day") else DERIVED_ALL


def cargo_urgency(model, shipper_urgency: np.ndarray) -> np.ndarray:
    """Each cargo class's holding cost per payload ton and day, (cargo, replicates).

    A class with its own ``urgency_usd_per_ton_day`` (per unit of the class) pays that times its
    payload factor (units per payload ton); the others pay the shipper's, which is per payload ton.
    """
    own = model.cargo_urgency  # NaN where the class has none
    out = np.empty_like(own)
    for c in range(own.shape[0]):
        out[c] = shipper_urgency if np.isnan(own[c]).all() else own[c] * model.payload_factor[c]
    return out


def decision_arrays(model, allocations, rows: int) -> dict[str, dict[str, np.ndarray]]:
    """Budgets and decisions (ODD 7.8-7.9): the ``Params`` and ``State`` fields, by name.

    The actors keep views of their funded shares. The ring of detected tons has a day more than the
    longest observation delay, and no rows unless some actor decides.
    """
    actors, n = model.policy_actors, model.n_replicates
    discretionary = np.zeros(model.levers.values.shape[0], dtype=np.bool_)
    for actor in actors:
        discretionary[actor.lever_index[actor.adaptive_levers]] = True
    funded = np.ones((len(actors), n))
    for a, actor in enumerate(actors):
        actor.funded = funded[a]
    index = {id(actor): a for a, actor in enumerate(actors)}
    deciding = [actor.decides for actor, _ in allocations]
    ring_days = 1 + max([actor.max_delay_days for actor, _ in allocations], default=0)
    stacked = [
        np.ascontiguousarray(np.concatenate([getattr(actor, x)[li] for actor, li in allocations] or [np.zeros((0, n))]))
        for x in ("detection", "strength")
    ]
    params = {
        "lever_discretionary": discretionary,
        "lever_start": model.levers.values.copy(),
        "ad_lever": np.array([li for _, li in allocations], dtype=np.intp),
        "budget_usd": np.array([actor.budget_usd for actor in actors]).reshape(len(actors), n),
        "actor_budgeted": np.array([actor.budgeted for actor in actors], dtype=np.bool_),
        "ad_actor": np.array([index[id(actor)] for actor, _ in allocations], dtype=np.intp),
        "ad_decide": np.array(deciding, dtype=np.bool_),
        "ad_delay": np.array([actor.delay_days for actor, _ in allocations], dtype=np.intp).reshape(-1, n),
        "slot_detect": stacked[0],
        "slot_strength": stacked[1],
    }
    state = {
        "funded": funded,
        "seen_ring": np.zeros((ring_days, rows if any(deciding) else 0, n)),
    }
    return {"params": params, "state": state}


def engine_inputs(model) -> EngineInputs:
    """The records for a model (a ``CorridorModel`` whose parameters and state arrays are made).

    Stacks the adaptive actors' allocations and the actors' cost accounts into one array each (the
    actors keep views of their rows), and makes the run's totals (``model._totals``,
    ``model._capacity_days``, ``model._leg_totals``).
    """
    net, shipper, n = model.net, model.shipper, model.n_replicates
    allocations = [(actor, li) for actor in model.policy_actors for li in actor.allocation]
    rows_of, total = {}, 0
    for actor, li in allocations:
        rows_of[li] = (total, actor.allocation[li].shape[0])
        total += actor.allocation[li].shape[0]
    alloc = np.zeros((total, n))
    for actor, li in allocations:
        start, count = rows_of[li]
        alloc[start : start + count] = actor.allocation[li]
        actor.allocation[li] = alloc[start : start + count]
    plan = alloc.copy()  # a budgeted actor's shares before funding
    actor_cost = np.zeros((len(model.policy_actors), n))
    for a, actor in enumerate(model.policy_actors):
        actor.cost_usd = actor_cost[a]
    lever_rows = [actor.lever_index for actor in model.policy_actors]
    slots = [slot for _, li in allocations for slot in model.effect_slots[li]]
    adaptive = [(*rows_of[li], *actor.adapt_rate[li]) for actor, li in allocations]
    decisions = decision_arrays(model, allocations, total)
    model._totals = chunked((len(TOTAL_QUANTITIES), len(net.route_ids), len(net.cargo_ids)), n)
    model._capacity_days = np.zeros((len(net.route_ids), n))
    # Cargo entering each leg's interdiction draw and cargo lost in it, over the run (cargo units).
    model._leg_totals = chunked((len(LEG_FLOWS), net.n_legs, len(net.cargo_ids)), n)
    storage, storage_params = storage_layout(model)
    # Cargo due out of storage by day, each storing leg's rows; each storage's closure left and strikes so far.
    model._store = chunked((int(storage.leg_store_start[-1]), len(net.cargo_ids)), n)
    model.storage_closed = np.zeros((len(storage.store_node), n))
    model.storage_strikes = np.zeros((len(storage.store_node), n))
    model._leg_strikes = np.zeros((net.n_legs, n))  # strike events on each leg so far (validation's strike tempo)
    responses, model.response_obs = response_inputs(model)  # levers that respond (ODD 7.16)
    par = Params(
        fleet_payload=model.fleet_payload,
        fleet_count=model.fleet_count,
        fleet_day_cost=model.fleet_day_cost,
        **model.convoys,
        cargo_value=model.cargo_value,
        reservation=model.reservation,
        cargo_urgency=cargo_urgency(model, shipper.parameters["urgency_usd_per_ton_day"]),
        demand=model.demand,
        demand_start=model.demand_start,
        replacement_share=model.replacement_share,
        **shipper.parameters,  # by their names in the scenario's shipper section
        prior_risk=shipper._prior_risk,
        lever_cost=model.levers.cost_per_unit_day.astype(float),
        actor_lever_start=np.cumsum([0] + [len(x) for x in lever_rows]).astype(np.intp),
        actor_lever_idx=np.concatenate(lever_rows + [np.zeros(0, dtype=np.intp)]).astype(np.intp),
        ad_offset=np.array([a[0] for a in adaptive], dtype=np.intp),
        ad_n=np.array([a[1] for a in adaptive], dtype=np.intp),
        ad_rate=np.array([a[2] for a in adaptive], dtype=float),
        ad_floor=np.array([a[3] for a in adaptive], dtype=float),
        slot_on_nodes=np.array([on_nodes for on_nodes, _ in slots], dtype=np.bool_),
        slot_index=np.array([i for _, i in slots], dtype=np.intp),
        seg_watched=np.isin(np.arange(len(net.segment_ids)), [i for on_nodes, i in slots if not on_nodes]),
        node_watched=np.isin(np.arange(len(net.node_ids)), [i for on_nodes, i in slots if on_nodes]),
        **decisions["params"],
        **storage_params,
        **responses,
    )
    st = State(
        lev=model.levers.values,
        lev_seen=np.full_like(model.levers.values, np.nan),
        alloc=alloc,
        plan=plan,
        **decisions["state"],
        seg_base=model._segment_base,
        node_base=model._node_base,
        seg_now=model._segment_now,
        node_now=model._node_now,
        leg_risk=model._leg_risk,
        leg_payload=model._leg_payload,
        group_capacity=model.group_capacity,
        route_unit_cost=model._route_unit_cost,
        route_payload=model._route_payload,
        route_vehicle_cost=model._route_vehicle_cost,
        route_capacity=model._route_capacity,
        pipeline=model._pipeline,
        queue=model._queue,
        in_transit=model._in_transit,
        fleet_busy=model.fleet_busy,
        fleet_returns=model.fleet_returns,
        fleet_lost=model.fleet_lost,
        fleet_ghosts=model.fleet_ghosts,
        fleet_lost_total=model.fleet_lost_total,
        cum_demand=model.cum_demand,
        cum_delivered=model.cum_delivered_dest,
        window=model.window,
        shares=shipper._shares,
        expected_cost=shipper._expected_cost,
        sent_loads=shipper._sent_loads,
        lost_loads=shipper._lost_loads,
        pending_fade=shipper._pending_fade,
        actor_cost=actor_cost,
        totals=model._totals,
        capacity_days=model._capacity_days,
        leg_totals=model._leg_totals,
        leg_window=model.leg_window,
        store=model._store,
        closed=model.storage_closed,
        strikes=model.storage_strikes,
        leg_strikes=model._leg_strikes,
        resp_obs=model.response_obs,
        lev_pinned=model.levers.pinned,
        believed_wait=shipper._believed_wait,
        idle_days=shipper._idle_days,
        probe_wait=shipper._probe_wait,
        probe_out=shipper._probe_out,
        lost_since_probe=shipper._lost_since_probe,
    )
    _check_shared(par, st)
    return EngineInputs(
        network_record(net, model.payload_factor, storage),
        effects_record(model.effects, model.levers, rows_of),
        par,
        st,
    )


def _check_shared(*records: NamedTuple) -> None:
    """Every array the kernels read or change in place must be C-contiguous (never a copy)."""
    for record in records:
        for name, x in record._asdict().items():
            if isinstance(x, np.ndarray) and not x.flags.c_contiguous:  # pragma: no cover - the model makes them
                raise ValueError(f"engine array {type(record).__name__}.{name} must be C-contiguous")
