"""Switching a mechanism off in a scenario, and reading what each replicate drew: attribution's two inputs.

A conclusion (a scenario's paired difference from the baseline) is attributed to mechanisms by
running both arms again with one mechanism switched off (:data:`SWITCHES`, each an edit of the raw
scenario mapping, applied to both arms) and to uncertain assumptions by a global sensitivity
analysis of the per-replicate difference against the values each replicate drew
(:func:`drawn_inputs`; ``Streams.drawn``). ``scripts/findings.py`` and ``scripts/balloon.py`` use them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

Raw = dict[str, Any]
NEVER_LEARNS = 1e12  # a prior worth this many loads: the shipper's beliefs never move from it


def _levers(raw: Raw):
    for actor in raw.get("actors", {}).values():
        yield from actor.get("levers", {}).values()


def no_storage(raw: Raw) -> Raw:
    """Airport storage off: no node keeps flown-in cargo, and no effect aims at a store."""
    raw = copy.deepcopy(raw)
    for node in raw.get("nodes", {}).values():
        node.pop("storage", None)
    for lever in _levers(raw):
        lever["effects"] = [e for e in lever.get("effects", []) if e.get("attribute") != "strike_probability"]
    return raw


def no_convoys(raw: Raw) -> Raw:
    """Convoys off: trucks' loads are struck one by one and no truck is lost."""
    raw = copy.deepcopy(raw)
    for fleet in raw.get("fleets", {}).values():
        fleet.pop("convoy", None)
    return raw


def no_adaptive(raw: Raw) -> Raw:
    """Adaptive effort off: every interdictor's allocation stays even (no ``adaptive`` blocks).

    Budgets and decisions act only on adaptive effort (ODD 7.8-7.9), so they go with it: each lever
    is then put in at its value, in full.
    """
    raw = copy.deepcopy(raw)
    for lever in _levers(raw):
        lever.pop("adaptive", None)
    for actor in raw.get("actors", {}).values():
        actor.pop("budget", None)
        actor.pop("decision", None)
    return raw


def no_learning(raw: Raw) -> Raw:
    """The shipper's learning off: its beliefs stay at its prior (worth :data:`NEVER_LEARNS` loads)."""
    raw = copy.deepcopy(raw)
    raw.setdefault("shipper", {})["prior_weight_loads"] = NEVER_LEARNS
    return raw


def no_decisions(raw: Raw) -> Raw:
    """Budgets and decisions off: no actor's budget binds, and adaptive effort follows the tons seen, at once."""
    raw = copy.deepcopy(raw)
    for actor in raw.get("actors", {}).values():
        actor.pop("budget", None)
        actor.pop("decision", None)
    return raw


def no_responses(raw: Raw) -> Raw:
    """The militias' responses off: every lever with a ``response`` block keeps its scripted value."""
    raw = copy.deepcopy(raw)
    for lever in _levers(raw):
        lever.pop("response", None)
    return raw


def full_replacement(raw: Raw) -> Raw:
    """Lost cargo demanded again in full, as before partial replacement (every ``replacement_share`` 1)."""
    raw = copy.deepcopy(raw)
    for cargo in raw.get("cargo", {}).values():
        cargo["replacement_share"] = 1.0
    return raw


def no_tolerance(raw: Raw) -> Raw:
    """The shipper's loss tolerance and probes off: no route is dropped for its believed risk alone."""
    raw = copy.deepcopy(raw)
    shipper = raw.setdefault("shipper", {})
    shipper["loss_tolerance"] = 1.0
    shipper["probe_demand_days"] = 0.0
    return raw


SWITCHES: dict[str, Callable[[Raw], Raw]] = {
    "airport storage": no_storage,
    "convoys": no_convoys,
    "adaptive effort": no_adaptive,
    "budgets and decisions": no_decisions,
    "militias' responses": no_responses,
    "shipper's learning": no_learning,
    "shipper's loss tolerance": no_tolerance,
    "partial replacement of losses": full_replacement,
}


def drawn_inputs(*models: Any) -> pd.DataFrame:
    """The uncertain numbers each replicate drew (replicates × sources), from one or more paired arms.

    A source drawn in several arms keeps the first arm's values (paired arms draw alike from the same
    seed); sources whose values do not vary across replicates are left out.
    """
    columns: dict[str, np.ndarray] = {}
    for model in models:
        for source, values in model.streams.drawn.items():
            if source not in columns and np.ptp(values) > 0:
                columns[source] = values
    return pd.DataFrame(columns)
