"""The corridor network: nodes and segments as a networkx graph, routes as legs.

A *leg* is one segment as used by one route. The simulation keeps its
pipelines and queues per leg, so routes sharing a segment share its capacity
but each keeps its own cargo. Everything here is index arrays built once from
the scenario; the model's hot loop works on those.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from corridor_sim.scenario import Scenario


@dataclass(frozen=True)
class Network:
    """Index arrays of a scenario's network (all fixed for a run)."""

    graph: nx.MultiDiGraph
    node_ids: list[str]
    segment_ids: list[str]
    route_ids: list[str]
    fleet_ids: list[str]
    cargo_ids: list[str]
    destination_ids: list[str]
    route_mode: list[str]
    # legs, grouped by route (route k's legs are route_leg_start[k]:route_leg_start[k+1])
    leg_route: np.ndarray
    leg_segment: np.ndarray
    leg_from_node: np.ndarray
    leg_transit: np.ndarray
    leg_next: np.ndarray  # index of the next leg of the same route, -1 after the last
    leg_vehicle: np.ndarray  # fleet whose vehicles carry the leg (its payload sets the loads)
    leg_own_vehicle: np.ndarray  # bool: the leg is carried by the route's own fleet
    route_leg_start: np.ndarray
    route_first_leg: np.ndarray
    route_last_leg: np.ndarray
    route_fleet: np.ndarray
    route_destination: np.ndarray
    route_turnaround: np.ndarray
    route_transit: np.ndarray
    route_cargo: np.ndarray  # (routes, cargo) bool: may the route carry the cargo
    # capacity groups: a segment or node with a daily capacity, and the legs it limits
    group_kind: list[str]
    group_index: np.ndarray
    group_legs: np.ndarray  # (groups, legs) bool

    @property
    def n_legs(self) -> int:
        return len(self.leg_route)

    @property
    def leg_ring_start(self) -> np.ndarray:
        """Where each leg's ring of cargo in transit starts: transit + 1 rows each, (legs + 1,)."""
        return np.concatenate([[0], np.cumsum(self.leg_transit + 1)]).astype(np.intp)

    def route_legs(self, k: int) -> range:
        return range(int(self.route_leg_start[k]), int(self.route_leg_start[k + 1]))


def build_graph(spec: Scenario) -> nx.MultiDiGraph:
    """The scenario's nodes and segments as a networkx multigraph (parallel segments allowed)."""
    graph = nx.MultiDiGraph(name=spec.name)
    for nid, node in spec.nodes.items():
        graph.add_node(nid, **node.model_dump(exclude_none=True))
    for sid, seg in spec.segments.items():
        graph.add_edge(seg.from_, seg.to, key=sid, **seg.model_dump(exclude={"from_", "to"}, exclude_none=True))
    return graph


def build_network(spec: Scenario) -> Network:
    """Turn a validated scenario into the index arrays the model steps over."""
    graph = build_graph(spec)
    node_ids = list(spec.nodes)
    segment_ids = list(spec.segments)
    route_ids = list(spec.routes)
    fleet_ids = list(spec.fleets)
    cargo_ids = list(spec.cargo)
    destination_ids = list(spec.destinations)
    node_at = {n: i for i, n in enumerate(node_ids)}
    seg_at = {s: i for i, s in enumerate(segment_ids)}
    dest_by_node = {d.node: i for i, d in enumerate(spec.destinations.values())}

    leg_route, leg_segment, leg_from, leg_transit, leg_next, leg_vehicle, leg_own = [], [], [], [], [], [], []
    first_fleet_of_mode: dict[str, int] = {}
    for i, fid in enumerate(fleet_ids):
        first_fleet_of_mode.setdefault(spec.fleets[fid].mode, i)
    starts, first, last, fleets, dests, turnaround, transit, modes = [], [], [], [], [], [], [], []
    route_cargo = np.zeros((len(route_ids), len(cargo_ids)), dtype=bool)
    for k, rid in enumerate(route_ids):
        route = spec.routes[rid]
        starts.append(len(leg_route))
        first.append(len(leg_route))
        for j, sid in enumerate(route.segments):
            seg = spec.segments[sid]
            if not graph.has_edge(seg.from_, seg.to, key=sid):  # pragma: no cover - validated earlier
                raise ValueError(f"route {rid}: segment {sid} missing from graph")
            leg_route.append(k)
            leg_segment.append(seg_at[sid])
            leg_from.append(node_at[seg.from_])
            leg_transit.append(seg.transit_days)
            leg_next.append(len(leg_route) if j + 1 < len(route.segments) else -1)
            # Legs of another mode (the road from an airport or port) go by that mode's vehicles.
            own = seg.mode == spec.fleets[route.fleet].mode
            leg_own.append(own)
            leg_vehicle.append(
                fleet_ids.index(route.fleet) if own else first_fleet_of_mode.get(seg.mode, fleet_ids.index(route.fleet))
            )
        last.append(len(leg_route) - 1)
        fleet = spec.fleets[route.fleet]
        fleets.append(fleet_ids.index(route.fleet))
        dests.append(dest_by_node[spec.segments[route.segments[-1]].to])
        days = sum(spec.segments[s].transit_days for s in route.segments)
        transit.append(days)
        turnaround.append(route_turnaround(spec, rid))
        modes.append(route.mode or fleet.mode)
        for c in route.cargo or cargo_ids:
            route_cargo[k, cargo_ids.index(c)] = True
    starts.append(len(leg_route))

    leg_segment_a = np.array(leg_segment, dtype=np.intp)
    leg_from_a = np.array(leg_from, dtype=np.intp)
    group_kind, group_index, group_rows = [], [], []
    for i, sid in enumerate(segment_ids):
        if spec.segments[sid].capacity_tons_per_day is not None:
            group_kind.append("segment")
            group_index.append(i)
            group_rows.append(leg_segment_a == i)
    for i, nid in enumerate(node_ids):
        if spec.nodes[nid].capacity_tons_per_day is not None:
            group_kind.append("node")
            group_index.append(i)
            group_rows.append(leg_from_a == i)
    group_legs = np.array(group_rows, dtype=bool).reshape(len(group_rows), len(leg_route))

    return Network(
        graph=graph,
        node_ids=node_ids,
        segment_ids=segment_ids,
        route_ids=route_ids,
        fleet_ids=fleet_ids,
        cargo_ids=cargo_ids,
        destination_ids=destination_ids,
        route_mode=modes,
        leg_route=np.array(leg_route, dtype=np.intp),
        leg_segment=leg_segment_a,
        leg_from_node=leg_from_a,
        leg_transit=np.array(leg_transit, dtype=np.intp),
        leg_next=np.array(leg_next, dtype=np.intp),
        leg_vehicle=np.array(leg_vehicle, dtype=np.intp),
        leg_own_vehicle=np.array(leg_own, dtype=bool),
        route_leg_start=np.array(starts, dtype=np.intp),
        route_first_leg=np.array(first, dtype=np.intp),
        route_last_leg=np.array(last, dtype=np.intp),
        route_fleet=np.array(fleets, dtype=np.intp),
        route_destination=np.array(dests, dtype=np.intp),
        route_turnaround=np.array(turnaround, dtype=np.float64),
        route_transit=np.array(transit, dtype=np.float64),
        route_cargo=route_cargo,
        group_kind=group_kind,
        group_index=np.array(group_index, dtype=np.intp),
        group_legs=group_legs,
    )


class Grouping:
    """Sums over the members of each group along the first axis (legs -> routes, routes -> destinations, ...).

    A loop of ``np.add.reduce`` over slices: for the small, sparse incidence
    matrices of a corridor network this is far faster than a matrix product.
    """

    def __init__(self, group_of_member: np.ndarray, n_groups: int):
        self.n_groups = n_groups
        self.members: list[slice | np.ndarray] = []
        for g in range(n_groups):
            idx = np.flatnonzero(group_of_member == g)
            contiguous = idx.size > 0 and idx[-1] - idx[0] + 1 == idx.size
            self.members.append(slice(int(idx[0]), int(idx[-1]) + 1) if contiguous else idx)

    @classmethod
    def from_rows(cls, rows: list[np.ndarray]) -> Grouping:
        """A grouping whose groups may overlap, given each group's member indices."""
        self = cls.__new__(cls)
        self.n_groups = len(rows)
        self.members = [np.asarray(r, dtype=np.intp) for r in rows]
        return self

    def sum(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n_groups, *x.shape[1:]))
        for g, members in enumerate(self.members):
            part = x[members]
            if len(part):
                np.add.reduce(part, axis=0, out=out[g])
        return out


def route_turnaround(spec: Scenario, route_id: str) -> int:
    """Days a route's vehicle is away per trip: as given, or the round trip over its own mode's legs plus loading."""
    route = spec.routes[route_id]
    fleet = spec.fleets[route.fleet]
    days = sum(spec.segments[s].transit_days for s in route.segments)
    # The route's vehicles make the round trip over their own mode's legs only.
    own_days = sum(spec.segments[s].transit_days for s in route.segments if spec.segments[s].mode == fleet.mode)
    return route.turnaround_days or 2 * (own_days or days) + fleet.loading_days
