"""The engine's contract: named records built in one place, counts derived from the names they stand for.

What a developer changing the model relies on: every record the model hands the engine is a
NamedTuple whose fields are the arrays' names (no positions to keep in step); every array's count
of quantities comes from the contract's name tuples; the shipper's parameters reach the engine by
their scenario names; and a change to any engine module is compiled afresh, never served stale
from Numba's cache.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corridor_sim import CorridorModel, kernels
from corridor_sim.actors import NOT_PARAMETERS
from corridor_sim.kernels import compile as compile_engine
from corridor_sim.kernels import contract
from corridor_sim.scenario_schema import ShipperSpec

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "corridor_sim"


def test_the_model_hands_the_engine_named_records_sharing_its_arrays(baseline_path):
    model = CorridorModel(baseline_path, replicates=3, rng=1, days=5)
    records = (model._net_args, model._fx, model._par, model._st)
    assert [type(r) for r in records] == [kernels.Network, kernels.Effects, kernels.Params, kernels.State]
    st = model._st
    assert st.queue is model._queue and st.lev is model.levers.values  # shared, never copied
    assert st.totals.shape[1] == len(contract.TOTAL_QUANTITIES)
    assert st.leg_totals.shape[1] == len(contract.LEG_FLOWS)
    assert st.seg_base.shape[0] == len(contract.SEGMENT_FIELDS)
    rows, parts, sums = model.recorder.buffers(1)
    routes, cargo, dests = len(model.net.route_ids), len(model.net.cargo_ids), len(model.net.destination_ids)
    assert rows.shape[1] == (len(contract.ROUTE_QUANTITIES) * routes + len(contract.DEST_QUANTITIES) * dests) * cargo
    assert sums.shape[2] == len(contract.ENSEMBLE_SUMS)


def test_the_shipper_parameters_reach_the_engine_by_their_scenario_names(baseline_path):
    numbers = [name for name in ShipperSpec.model_fields if name not in NOT_PARAMETERS]
    assert set(numbers) <= set(kernels.Params._fields), "a ShipperSpec number has no Params field of its name"
    model = CorridorModel(baseline_path, replicates=3, rng=1, days=5, shipper={"risk_aversion": 2.5})
    assert np.array_equal(model._par.risk_aversion, np.full(3, 2.5))
    assert model._par.choice_temperature == model.spec.shipper.choice_temperature


def test_the_contract_positions_follow_the_names():
    assert contract.ROUTE_QUANTITIES[contract.ROW_COST] == "cost_usd"
    assert contract.TOTAL_QUANTITIES[contract.TOTAL_LOSSES] == "losses_usd"
    assert contract.COST_PARTS[contract.PART_FEES] == "fees_usd"
    assert contract.DEST_QUANTITIES[contract.ROW_BACKLOG] == "backlog"
    assert contract.ENSEMBLE_SUMS[contract.SUM_WRITTEN] == "written" == contract.ENSEMBLE_SUMS[-1]
    assert contract.SEGMENT_FIELDS[contract.SEG_PAYLOAD] == "max_payload_tons"


def test_every_engine_module_is_compiled_and_tags_the_cache():
    """A module missing from the compiled set would run stale or fail; each one's source feeds the cache tag."""
    compiled = set(compile_engine._MODULES)
    for folder in ("kernels", "effect_kinds"):
        for path in (PACKAGE / folder).glob("*.py"):
            name = f"corridor_sim.{folder}" + ("" if path.stem == "__init__" else f".{path.stem}")
            if name not in ("corridor_sim.kernels", "corridor_sim.kernels.compile"):
                assert name in compiled, f"{name} is not among the engine's compiled modules"


def test_a_changed_engine_source_changes_the_cache_tag(monkeypatch):
    before = compile_engine.source_digest()
    real = Path.read_bytes
    movement = str(PACKAGE / "kernels" / "movement.py")
    monkeypatch.setattr(Path, "read_bytes", lambda self: real(self) + (b"#" if str(self) == movement else b""))
    assert compile_engine.source_digest() != before


def test_plain_and_compiled_engines_have_the_same_entry_points():
    assert set(vars(kernels.engine(False))) == set(compile_engine.ENTRY_POINTS)
