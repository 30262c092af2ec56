"""Levers and their effects on the network, over the replicate arrays.

Each lever holds one value per replicate. An effect turns a lever's value
into a change of a segment or node attribute:

* ``interdiction_probability``: an independent added hazard when m >= 0,
  p <- 1 - (1 - p)(1 - m); a proportional cut when m < 0 (escorts), p <- p(1 + m)
* ``cost_usd_per_ton`` / ``fee_usd_per_ton``: added, p <- max(0, p + m)
* ``capacity_tons_per_day``: scaled, c <- c * max(0, 1 + m)

where m = coef x value x (product of the effect's factors), or coef x (1 - value)
with ``invert: true`` (a 0/1 switch that removes a capacity when off). A factor is
another lever (``us.troops_in_iraq``) or its complement
(``1 - iraq.baghdad_control``), which is how preconditions and control are
expressed. A lever with ``adaptive:`` spreads its value over its targets by
an allocation that follows observed traffic (see actors.PolicyActor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from corridor_sim.scenario import Scenario
from corridor_sim.streams import Streams


@dataclass
class EventLog:
    """Lever changes and rule firings, kept as arrays until written out."""

    chunks: list[tuple[np.ndarray, int, str, np.ndarray, np.ndarray, str, str]] = field(default_factory=list)

    def add(
        self, rows: np.ndarray, day: int, lever: str, old: np.ndarray, new: np.ndarray, cause: str, label: str
    ) -> None:
        self.chunks.append((rows, day, lever, old, new, cause, label))


class Levers:
    """All levers of all actors: names, bounds, and a (levers, replicates) value array."""

    def __init__(self, spec: Scenario, streams: Streams, *, clock):
        self.names: list[str] = []
        self.labels: list[str] = []
        starts, lows, highs, costs = [], [], [], []
        for actor_id, actor in spec.actors.items():
            for lever_id, lever in actor.levers.items():
                name = f"{actor_id}.{lever_id}"
                self.names.append(name)
                self.labels.append(lever.label or lever_id)
                starts.append(streams.value(f"actors.{actor_id}.levers.{lever_id}.value", lever.value))
                lows.append(lever.min)
                highs.append(lever.max)
                costs.append(lever.cost_usd_per_day)
        self._at = {name: i for i, name in enumerate(self.names)}
        self.values = np.stack(starts) if starts else np.zeros((0, streams.count))
        self.low = np.array(lows)
        self.high = np.array(highs)
        self.cost_per_unit_day = np.array(costs)
        self.log_ = EventLog()
        self._clock = clock  # returns the current model day

    def index(self, name: str) -> int:
        return self._at[name]

    def set(self, lever: int, rows, value: float, *, cause: str, label: str) -> None:
        """Set a lever in some replicates and log the change."""
        rows = np.arange(self.values.shape[1])[rows]
        old = self.values[lever, rows].copy()
        self.values[lever, rows] = value
        self.log(lever, rows, old, self.values[lever, rows], cause=cause, label=label)

    def log(self, lever: int, rows: np.ndarray, old: np.ndarray, new: np.ndarray, *, cause: str, label: str) -> None:
        self.log_.add(
            np.asarray(rows),
            self._clock(),
            self.names[lever],
            np.asarray(old, dtype=float),
            np.asarray(new, dtype=float).copy(),
            cause,
            label,
        )

    def factor(self, ref: str) -> np.ndarray:
        """A lever value or its complement, as referenced in an effect's factors."""
        name = ref.strip()
        if name.startswith("1"):
            name = name[1:].strip().removeprefix("-").strip()
            return 1.0 - self.values[self._at[name]]
        return self.values[self._at[name]]


@dataclass
class CompiledEffect:
    lever: int
    on_nodes: bool
    attribute: str
    targets: np.ndarray  # segment or node indices
    slots: np.ndarray  # positions of the targets in the lever's allocation
    coef: np.ndarray  # (replicates,)
    invert: bool
    factors: list[str]


def compile_effects(
    spec: Scenario, levers: Levers, node_ids: list[str], segment_ids: list[str], *, streams: Streams
) -> tuple[list[CompiledEffect], dict[int, list[tuple[bool, int]]]]:
    """Effects as index arrays, and each lever's allocation slots (target kind, index)."""
    effects: list[CompiledEffect] = []
    slots_by_lever: dict[int, list[tuple[bool, int]]] = {}
    for actor_id, actor in spec.actors.items():
        for lever_id, lever in actor.levers.items():
            li = levers.index(f"{actor_id}.{lever_id}")
            slots = slots_by_lever.setdefault(li, [])
            for k, eff in enumerate(lever.effects):
                coef = streams.value(f"actors.{actor_id}.levers.{lever_id}.effects.{k}.coef", eff.coef)
                for on_nodes, names, ids in ((False, eff.segments, segment_ids), (True, eff.nodes, node_ids)):
                    if not names:
                        continue
                    targets = np.array([ids.index(t) for t in names], dtype=np.intp)
                    slot_idx = []
                    for t in targets:
                        key = (on_nodes, int(t))
                        if key not in slots:
                            slots.append(key)
                        slot_idx.append(slots.index(key))
                    effects.append(
                        CompiledEffect(
                            li,
                            on_nodes,
                            eff.attribute,
                            targets,
                            np.array(slot_idx, dtype=np.intp),
                            coef,
                            eff.invert,
                            list(eff.factors),
                        )
                    )
    return effects, slots_by_lever


def _factor_ref(levers: Levers, ref: str) -> tuple[int, bool]:
    """(lever index, complement) of an effect factor such as ``us.troops_in_iraq`` or ``1 - iraq.baghdad_control``."""
    name = ref.strip()
    if name.startswith("1"):
        return levers.index(name[1:].strip().removeprefix("-").strip()), True
    return levers.index(name), False


def effect_tables(
    effects: list[CompiledEffect],
    levers: Levers,
    allocation_rows: dict[int, tuple[int, int]],
    segment_fields: tuple[str, ...],
    node_fields: tuple[str, ...],
) -> tuple:
    """Effects as the kernels apply them (the ``fx`` tuple; positions in kernels.py).

    Each segment or node attribute that some effect changes is a *chain*: its
    base value, then every effect on it in the scenario's order. A chain with
    an adaptive effect (an allocation slot) changes with the actor's effort
    every day; the others only when a lever changes. ``allocation_rows`` gives
    each adaptive lever's first row in the stacked allocation array and its number of rows.
    """
    from corridor_sim import kernels

    chains: dict[tuple[bool, int, int], list[tuple[int, int, int]]] = {}
    kinds = []
    for e, eff in enumerate(effects):
        fields = node_fields if eff.on_nodes else segment_fields
        attr = fields.index(eff.attribute)
        kinds.append(
            kernels.PROBABILITY
            if eff.attribute == "interdiction_probability"
            else kernels.CAPACITY
            if eff.attribute == "capacity_tons_per_day"
            else kernels.ADDITIVE
        )
        offset, n_slots = allocation_rows.get(eff.lever, (None, 0))
        for target, slot in zip(eff.targets, eff.slots, strict=True):
            row = offset + int(slot) if offset is not None else -1
            chains.setdefault((eff.on_nodes, attr, int(target)), []).append((e, row, n_slots))
    entries = [entry for chain in chains.values() for entry in chain]
    adaptive = [any(row >= 0 for _, row, _ in chain) for chain in chains.values()]
    moved = {attr if not on_nodes else -1 - attr for (on_nodes, attr, _), a in zip(chains, adaptive, strict=True) if a}
    derived = kernels.DERIVED_NONE
    if moved:
        risk = {segment_fields.index("interdiction_probability"), -1 - node_fields.index("interdiction_probability")}
        risk_only = moved <= risk
        derived = kernels.DERIVED_RISK if risk_only else kernels.DERIVED_ALL
    factors = [[_factor_ref(levers, f) for f in eff.factors] for eff in effects]
    n = levers.values.shape[1]
    return (
        np.array([int(on_nodes) for on_nodes, _, _ in chains], dtype=np.intp),
        np.array([attr for _, attr, _ in chains], dtype=np.intp),
        np.array([target for _, _, target in chains], dtype=np.intp),
        np.cumsum([0] + [len(c) for c in chains.values()]).astype(np.intp),
        np.array(adaptive, dtype=np.bool_),
        np.array([e for e, _, _ in entries], dtype=np.intp),
        np.array([row for _, row, _ in entries], dtype=np.intp),
        np.array([n_slots for _, _, n_slots in entries], dtype=float),
        np.array([eff.lever for eff in effects], dtype=np.intp),
        np.array([eff.invert for eff in effects], dtype=np.bool_),
        np.array(kinds, dtype=np.intp),
        np.stack([eff.coef for eff in effects]) if effects else np.zeros((0, n)),
        np.cumsum([0] + [len(f) for f in factors]).astype(np.intp),
        np.array([li for f in factors for li, _ in f], dtype=np.intp),
        np.array([comp for f in factors for _, comp in f], dtype=np.bool_),
        derived,
    )
