"""Oil, the baseline's second cargo class: conservation per cargo, Egypt's Suez tanker policy,
sanctions at Gibraltar and Egypt's MESA exit, each with paired replicates (same seed).

The baseline carries oil (barrels) on its own routes, fleets and sea legs (docs/ODD.md 7.7.2); the
only segment oil shares with materiel is the road from Tartus to Damascus, which has no capacity and
no lever acting on it, so nothing done to tankers reaches materiel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import BASELINE, SCENARIOS_DIR

from corridor_sim.model import CorridorModel
from corridor_sim.scenario import load_scenario

REPS, DAYS, SEED = 48, 300, 11
SUEZ = ["oil_vlcc_suez", "oil_small_suez"]
AFRICA = ["oil_vlcc_africa", "oil_small_africa"]
LAND = ["oil_land_trucks"]
# Where Egypt's MESA exit reaches tankers: stops by patrols in the Red Sea (ODD 7.7.2).
GIBRALTAR_SEIZURE = "actors.us.levers.sanctions_enforcement.effects.3.coef"


def _summary(path=BASELINE, **overrides) -> pd.DataFrame:
    model = CorridorModel(path, replicates=REPS, rng=SEED, days=DAYS, **overrides)
    model.run()
    return model.summary()


def _total(summary: pd.DataFrame, routes: list[str], column: str = "delivered_tons") -> float:
    """Sum over replicates of a column over some oil routes (barrels)."""
    rows = summary[(summary["cargo"] == "oil") & summary["route"].isin(routes)]
    return float(rows[column].sum())


def _per_replicate(summary: pd.DataFrame, routes: list[str], column: str = "delivered_tons") -> np.ndarray:
    rows = summary[(summary["cargo"] == "oil") & summary["route"].isin(routes)]
    return rows.groupby("replicate")[column].sum().to_numpy()


def _materiel(summary: pd.DataFrame) -> pd.DataFrame:
    return summary[summary["cargo"] == "materiel"].reset_index(drop=True)


@pytest.fixture(scope="module")
def denied() -> pd.DataFrame:
    """The baseline as shipped: Egypt denies Syria-bound tankers the canal."""
    return _summary()


@pytest.fixture(scope="module")
def open_canal() -> pd.DataFrame:
    """The same replicates with the canal open to tankers."""
    return _summary(egypt_suez_tanker_restriction=0.0)


def test_the_baseline_carries_oil_in_barrels_on_routes_of_its_own():
    spec = load_scenario(BASELINE)
    assert spec.cargo["oil"].unit == "barrels"
    assert spec.cargo["oil"].payload_factor == pytest.approx(7.3)
    for rid, route in spec.routes.items():
        assert route.cargo in (["oil"], ["materiel"]), f"{rid} carries {route.cargo}"


def test_each_cargo_is_conserved_on_every_route(denied, open_canal):
    """Per route and cargo: dispatched = delivered + interdicted + in transit + queued."""
    for summary in (denied, open_canal):
        accounted = summary[["delivered_tons", "interdicted_tons", "in_transit_tons", "queued_tons"]].sum(axis=1)
        np.testing.assert_allclose(accounted, summary["dispatched_tons"], rtol=1e-9, atol=1e-6)
        for cargo in ("materiel", "oil"):
            assert summary.loc[summary["cargo"] == cargo, "dispatched_tons"].sum() > 0, cargo


def test_routes_carry_only_their_cargo(denied):
    """No oil on materiel's routes, no materiel on oil's: the summary has a row only where a route carries the cargo."""
    oil_routes = set(SUEZ + AFRICA + LAND)
    pairs = set(zip(denied["route"].astype(str), denied["cargo"].astype(str), strict=True))
    assert {r for r, c in pairs if c == "oil"} == oil_routes
    assert not {r for r, c in pairs if c == "materiel"} & oil_routes


def test_suez_denial_moves_oil_round_africa_and_onto_the_land_bridge(denied, open_canal):
    """Closing the canal to tankers: nothing via Suez, more round Africa and by tanker truck (paired)."""
    assert _total(denied, SUEZ) == 0.0
    assert _total(open_canal, SUEZ) > 0.0
    assert _total(denied, AFRICA) > _total(open_canal, AFRICA)
    assert _total(denied, LAND, "dispatched_tons") > _total(open_canal, LAND, "dispatched_tons")
    # The land bridge is fleet-limited: where it carries more, it is in replicates whose trucks were free.
    assert (
        _per_replicate(denied, LAND, "dispatched_tons") >= _per_replicate(open_canal, LAND, "dispatched_tons") - 1e-6
    ).all()


def test_suez_tanker_policy_leaves_materiel_exactly_as_it_was(denied, open_canal):
    """Egypt's tanker policy acts on the tankers' own canal segment: materiel's rows are identical."""
    pd.testing.assert_frame_equal(_materiel(denied), _materiel(open_canal))


def test_detention_at_gibraltar_lowers_oil_delivered_round_africa():
    """A larger sanctions seizure chance on the tankers' Gibraltar-Tartus leg: less oil arrives round Africa."""
    calm = _summary(**{GIBRALTAR_SEIZURE: 0.0})
    seizing = _summary(**{GIBRALTAR_SEIZURE: 0.5})
    assert _total(seizing, AFRICA, "interdicted_tons") > _total(calm, AFRICA, "interdicted_tons") == 0.0
    assert _total(seizing, AFRICA) < _total(calm, AFRICA)
    pd.testing.assert_frame_equal(_materiel(calm), _materiel(seizing))


def test_mesa_exit_changes_no_oil_while_the_canal_is_denied(denied):
    """With the canal shut to tankers, no oil passes the Red Sea patrols that MESA's exit thins."""
    left = _summary(SCENARIOS_DIR / "egypt_leaves_mesa.yaml")
    oil = denied["cargo"] == "oil"
    pd.testing.assert_frame_equal(
        denied[oil].reset_index(drop=True), left[left["cargo"] == "oil"].reset_index(drop=True)
    )


def test_mesa_exit_lowers_oil_losses_in_the_red_sea_when_the_canal_is_open(open_canal):
    """Canal open: fewer patrol stops after Egypt leaves MESA, so less oil lost via Suez (paired)."""
    left = _summary(SCENARIOS_DIR / "egypt_leaves_mesa.yaml", egypt_suez_tanker_restriction=0.0)
    assert _total(left, SUEZ, "interdicted_tons") < _total(open_canal, SUEZ, "interdicted_tons")


# ----------------------------------------------------------------------------- outputs never mix cargo


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> tuple:
    """A short two-cargo run written as `corridor-sim run --out` writes it, and its model."""
    from corridor_sim.outputs import resolved_document, write_results

    model = CorridorModel(BASELINE, replicates=12, rng=SEED, days=120, egypt_suez_tanker_restriction=0.5)
    model.run()
    folder = tmp_path_factory.mktemp("oil") / "run"
    write_results(model, folder, resolved=resolved_document(model, version="test", command="test"), force=True)
    return folder, model


def _mode_totals(summary: pd.DataFrame, cargo: str) -> pd.Series:
    rows = summary[summary["cargo"].astype(str) == cargo]
    return rows.groupby(["replicate", "mode"])["delivered_tons"].sum()


def test_no_output_adds_one_cargo_class_to_another(run_folder):
    """Tables, figures' tables, comparisons, DataCollector and sweeps: each total is over one class's routes only."""
    from corridor_sim.charts.compare import key_outcomes
    from corridor_sim.charts.io import read_results
    from corridor_sim.charts.run import run_tables
    from corridor_sim.outputs import cargo_units, route_table

    folder, model = run_folder
    results = read_results(folder)
    summary, oil_routes = results.summary, set(SUEZ + AFRICA + LAND)
    assert results.cargo_ids == ["materiel", "oil"]
    # Console and report tables: one cargo class per row, in its unit.
    table = route_table(summary, cargo_units(results.scenario))
    assert set(zip(table["cargo"], table["unit"], strict=True)) == {("materiel", "tons"), ("oil", "barrels")}
    assert set(table.loc[table["cargo"] == "oil", "route"]) == oil_routes
    # Compare: a mode's total is the sum over that class's routes of that mode.
    for cargo in ("materiel", "oil"):
        out = key_outcomes(summary, results.destinations, scenario="x", cargo=cargo)
        got = out[out["outcome"] == "delivered_tons"].set_index(["replicate", "group"])["value"]
        expected = _mode_totals(summary, cargo)
        np.testing.assert_allclose(got.sort_index(), expected.rename_axis(["replicate", "group"]).sort_index())
    # Figures: every series of a class's figure set is one of that class's routes or destinations.
    tables = run_tables(results, cargo="oil")
    for name in ("series", "share", "interdicted", "rate", "cost"):
        assert set(tables[name]["route"].astype(str)) <= oil_routes, name
        assert set(tables[name]["cargo"].astype(str)) == {"oil"}, name
    flows = tables["flows"].set_index("segment")["tons"]
    assert flows[[s for s in flows.index if s.startswith("tanker_")]].sum() > 0
    assert flows[[s for s in flows.index if not s.startswith("tanker_") and s != "road_tartus_damascus"]].sum() == 0
    assert set(tables["queues"]["segment"]) <= {"tanker_suez_canal"}
    materiel = run_tables(results, cargo="materiel")
    assert not set(materiel["series"]["route"].astype(str)) & oil_routes
    # The Mesa DataCollector: delivered_land counts materiel in tons, delivered_land_oil oil in barrels.
    frame = model.datacollector.get_model_vars_dataframe().iloc[-1]
    for cargo, suffix in (("materiel", ""), ("oil", "_oil")):
        land = _mode_totals(model.summary(), cargo).xs("land", level="mode").mean()
        assert frame[f"delivered_land{suffix}"] == pytest.approx(land)


def test_a_rule_metric_over_two_cargo_classes_must_name_one(run_folder):
    """The land routes carry materiel and oil: 'delivered_7d:mode:land' is refused, ':materiel' counts materiel only."""
    from corridor_sim.scenario_checks import check_metric

    _, model = run_folder
    assert "more than one cargo class" in check_metric(model.spec, "delivered_7d:mode:land")
    assert "more than one cargo class" in check_metric(model.spec, "share_met:syria")
    assert check_metric(model.spec, "delivered_7d:mode:land:materiel") is None
    assert check_metric(model.spec, "backlog:syria:oil") is None
