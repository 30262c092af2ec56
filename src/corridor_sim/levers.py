"""Levers and their effects on the network, over the replicate arrays.

Each lever holds one value per replicate. An effect turns a lever's value
into a change of a segment or node attribute:

* ``probability`` (the kind of ``interdiction_probability`` effects): an independent added hazard
  when m >= 0, p <- 1 - (1 - p)(1 - m); a proportional cut when m < 0 (escorts), p <- p(1 + m)
* ``add`` (of ``cost_usd_per_ton`` / ``fee_usd_per_ton``): added, x <- max(0, x + m)
* ``scale`` (of ``capacity_tons_per_day``): scaled, c <- c * max(0, 1 + m)

as the effect's ``kind:`` says, or its attribute's default kind (see corridor_sim.effect_kinds)

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

from corridor_sim.effect_kinds import kind_index
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
        # Where a timeline or rule has set a lever: its response (if any) no longer moves it (ODD 7.16).
        self.pinned = np.zeros(self.values.shape, dtype=np.bool_)
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
    kind: int  # an index into effect_kinds.KINDS
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
                            kind_index(eff.kind, eff.attribute),
                            list(eff.factors),
                        )
                    )
    return effects, slots_by_lever


def factor_ref(levers: Levers, ref: str) -> tuple[int, bool]:
    """(lever index, complement) of an effect factor such as ``us.troops_in_iraq`` or ``1 - iraq.baghdad_control``."""
    name = ref.strip()
    if name.startswith("1"):
        return levers.index(name[1:].strip().removeprefix("-").strip()), True
    return levers.index(name), False
