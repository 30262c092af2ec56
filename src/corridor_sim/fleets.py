"""Fleets' convoys and losses: the per-replicate convoy parameters, and the table of vehicles lost.

A fleet's optional ``convoy:`` block (docs/ODD.md 7.4) says how its vehicles travel (in convoys of
``size``), how strikes take them (the share that are targeted and the vehicles a targeted strike
takes, the rest taking the whole convoy), whether the vehicles struck are lost with their cargo, and
how many lost vehicles the fleet replaces a day. Without the block a fleet's loads are struck one by
one and its vehicles always come back: the model's behaviour before convoys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from corridor_sim.distributions import Number
from corridor_sim.scenario_schema import Convoy, Scenario

# The convoy parameters drawn per replicate: (the engine's Params field, the convoy block's key).
CONVOY_NUMBERS = (
    ("convoy_size", "size"),
    ("targeted_share", "targeted_share"),
    ("targeted_vehicles", "targeted_vehicles"),
    ("replacement_per_day", "replacement_per_day"),
)


def convoy_parameters(
    spec: Scenario, fleet_ids: Sequence[str], draw: Callable[[str, Number], np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """The engine's convoy fields (kernels.contract.Params) for n replicates.

    ``draw(key_path, number)`` gives a number's values per replicate, each from its own stream
    ``fleets.<id>.convoy.<key>``. A fleet without a convoy block takes the block's defaults (convoys
    of one, nothing lost), with no draw.
    """
    blocks = [spec.fleets[f].convoy for f in fleet_ids]
    defaults = Convoy()
    out = {
        field: np.stack(
            [
                draw(f"fleets.{fid}.convoy.{key}", getattr(block, key))
                if block is not None
                else np.full(n, float(getattr(defaults, key)))
                for fid, block in zip(fleet_ids, blocks, strict=True)
            ]
        ).reshape(len(fleet_ids), n)
        for field, key in CONVOY_NUMBERS
    }
    out["in_convoys"] = np.array([block is not None for block in blocks], dtype=np.bool_)
    out["loses_vehicles"] = np.array([block is not None and block.vehicles_lost for block in blocks], dtype=np.bool_)
    return out


def fleet_table(
    fleet_ids: Sequence[str], modes: Sequence[str], replicates: np.ndarray, lost: np.ndarray, missing: np.ndarray
) -> pd.DataFrame:
    """One row per replicate x fleet: vehicles lost over the run and still missing (not yet replaced) at its end."""
    n_fleets, n = lost.shape
    return pd.DataFrame(
        {
            "replicate": np.tile(replicates, n_fleets),
            "fleet": np.repeat(np.asarray(fleet_ids), n),
            "mode": np.repeat(np.asarray(modes), n),
            "vehicles_lost": lost.reshape(-1),
            "vehicles_missing": missing.reshape(-1),
        }
    )
