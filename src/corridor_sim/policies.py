"""Policies over time: timed lever changes (Mesa events) and reactive rules.

A timed change is an object with a lifecycle (Covasim's interventions): built
from the scenario, bound to the model, and its bound method is scheduled with
``model.schedule_event`` so that a change dated day d governs day d's flows.
Reactive rules are checked every step over the replicate arrays; each
replicate keeps its own firing day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from corridor_sim.scenario import Change, Rule

if TYPE_CHECKING:
    import mesa

    from corridor_sim.levers import Levers
    from corridor_sim.scenario import Scenario
    from corridor_sim.streams import Streams


def event_time(day: int) -> float:
    """Mesa time at which a change for ``day`` runs: after day d-1's step, before day d's.

    The model's step for day d runs at Mesa time d + 1 (Mesa's first step is
    at time 1), so an event at time d, at default priority, falls between them.
    """
    return float(day)


class TimedChange:
    """Set a lever, or ramp it linearly, from a given day, in every replicate."""

    def __init__(
        self, model: mesa.Model, *, spec: Scenario, levers: Levers, actor: str, change_id: str, change: Change
    ):
        self.model = model  # whose event list the change and its ramp steps go on
        self.levers = levers
        self.horizon = spec.days
        self.actor = actor
        self.change_id = change_id
        self.change = change
        self.lever = levers.index(f"{actor}.{change.lever}")
        self.day = spec.change_day(change)
        self.label = (
            change.label or f"{actor}.{change.lever} -> {change.set if change.set is not None else change.ramp_to}"
        )
        self._ramp_from: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._ramp_day = 0

    def schedule(self) -> None:
        self.model.schedule_event(self.start, at=event_time(self.day))

    def start(self) -> None:
        levers = self.levers
        levers.pinned[self.lever] = True  # a scheduled policy overrides the lever's response (ODD 7.16)
        if self.change.set is not None:
            levers.set(self.lever, slice(None), self.change.set, cause=f"timeline:{self.change_id}", label=self.label)
            return
        self._ramp_from = levers.values[self.lever].copy()
        self._ramp_day = 0
        self._last = None
        levers.log(
            self.lever,
            np.arange(levers.values.shape[1]),
            self._ramp_from,
            np.full_like(self._ramp_from, self.change.ramp_to),
            cause=f"timeline:{self.change_id}:ramp",
            label=f"{self.label} (ramp over {self.change.ramp_days} days begins)",
        )
        self._ramp_step()

    def _ramp_step(self) -> None:
        assert self._ramp_from is not None and self.change.ramp_days and self.change.ramp_to is not None
        self._ramp_day += 1
        frac = min(1.0, self._ramp_day / self.change.ramp_days)
        values = self._ramp_from + frac * (self.change.ramp_to - self._ramp_from)
        current = self.levers.values[self.lever]
        # A replicate whose lever something else changed mid-ramp (a rule firing) leaves the ramp.
        on_ramp = current == self._last if self._last is not None else np.ones(current.shape, dtype=bool)
        current[on_ramp] = values[on_ramp]
        self._last = np.where(on_ramp, values, np.nan)
        if frac < 1.0 and self.model.time + 1 < self.horizon:
            self.model.schedule_event(self._ramp_step, after=1.0)

    def to_dict(self) -> dict[str, Any]:
        return self.change.model_dump(mode="json", exclude_none=True)


class ReactiveRule:
    """When a model quantity crosses a threshold, an actor changes a lever.

    On each rising edge of the condition (false the day before, true today)
    the rule has a trial: with its probability it fires after its delay. A
    trial that fails uses no firing, so a later rising edge tries again; a
    replicate fires at most ``max_firings`` times. Trial k's uniform and delay
    come from the rule's own streams (``rules.<id>.trial.<k>``,
    ``rules.<id>.delay.<k>``), drawn the first time any replicate reaches
    trial k, so they depend only on (seed, replicate, k).
    """

    def __init__(self, rule_id: str, rule: Rule, *, levers: Levers, streams: Streams):
        self.levers = levers
        self.streams = streams
        self.rule_id = rule_id
        self.rule = rule
        self.label = rule.label or rule_id
        n = streams.count
        self.probability = streams.value(f"rules.{rule_id}.probability", rule.probability)
        self._trial_draws: list[tuple[np.ndarray, np.ndarray]] = []
        self.actions = [(levers.index(f"{a.actor}.{a.lever}"), a.set) for a in rule.then]
        self.previous = np.zeros(n, dtype=bool)
        self.trials = np.zeros(n, dtype=np.int64)
        self.pending_day = np.full(n, -1, dtype=np.int64)
        self.fired = np.zeros(n, dtype=np.int64)

    def _per_replicate(self, name: str, sampler) -> np.ndarray:
        return self.streams.per_replicate(f"rules.{self.rule_id}.{name}", sampler)

    def _trial(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Uniforms and delays of every replicate's k-th trial."""
        rule = self.rule
        hi = rule.delay_max_days if rule.delay_max_days is not None else rule.delay_days
        while len(self._trial_draws) <= k:
            j = len(self._trial_draws)
            self._trial_draws.append(
                (
                    self._per_replicate(f"trial.{j}", lambda g, m: g.random(m)),
                    self._per_replicate(f"delay.{j}", lambda g, m: g.integers(rule.delay_days, hi + 1, m)).astype(int),
                )
            )
        return self._trial_draws[k]

    def _holds(self, value: np.ndarray) -> np.ndarray:
        cond = self.rule.when
        return value > cond.above if cond.above is not None else value < cond.below  # type: ignore[operator]

    def _rising(self, now: np.ndarray, previous: np.ndarray) -> np.ndarray:
        return now & ~previous & (self.fired < self.rule.max_firings) & (self.pending_day < 0)

    def could_arm(self, values: list[np.ndarray]) -> bool:
        """Whether checks of these values, one per day from now on, would arm a firing in any replicate.

        For a model deciding how many days it may simulate before the rule must look (the rule's
        state is left as it is).
        """
        previous = self.previous
        for value in values:
            now = self._holds(value)
            if self._rising(now, previous).any():
                return True
            previous = now
        return False

    def check(self, day: int, value: np.ndarray) -> None:
        """Look at today's value of the rule's metric and arm firings for later days."""
        now = self._holds(value)
        rising = self._rising(now, self.previous)
        self.previous = now
        if not rising.any():
            return
        idx = np.flatnonzero(rising)
        for k in np.unique(self.trials[idx]):
            rows = idx[self.trials[idx] == k]
            uniform, delay = self._trial(int(k))
            go = rows[uniform[rows] < self.probability[rows]]
            self.pending_day[go] = day + 1 + delay[go]
        self.trials[idx] += 1

    def fire_due(self, day: int) -> None:
        """Apply the rule's lever changes in the replicates whose firing day is today."""
        due = np.flatnonzero(self.pending_day == day)
        if due.size == 0:
            return
        for lever, value in self.actions:
            self.levers.set(lever, due, value, cause=f"rule:{self.rule_id}", label=self.label)
            self.levers.pinned[lever, due] = True  # the rule's value overrides the lever's response
        self.pending_day[due] = -1
        self.fired[due] += 1
