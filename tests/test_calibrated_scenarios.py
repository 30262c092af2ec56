"""Scenarios that name a calibration file: the accepted parameter sets drawn whole, clear refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from corridor_sim.model import CorridorModel
from corridor_sim.scenario import ScenarioError, load_scenario
from corridor_sim.streams import draw_value

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
POSTERIOR = ROOT / "scenarios" / "calibration" / "posterior.yaml"


def _posterior() -> dict:
    return yaml.safe_load(POSTERIOR.read_text(encoding="utf-8"))["values"]


def test_the_shipped_scenarios_draw_the_calibrated_values_and_calibration_reads_the_priors():
    calibrated = load_scenario(BASELINE)
    prior = load_scenario(BASELINE, calibrated=False)
    assert calibrated.fleets["cargo_aircraft"].count.dist == "sample"
    assert prior.fleets["cargo_aircraft"].count.dist == "uniform"
    # A scenario that extends the baseline inherits them.
    assert load_scenario(ROOT / "scenarios" / "us_withdrawal.yaml").fleets["cargo_aircraft"].count.dist == "sample"


def test_each_replicate_takes_one_accepted_parameter_set_whole():
    """Every calibrated parameter is drawn at the same position of its list: the sets are kept together."""
    values = _posterior()
    model = CorridorModel(BASELINE, replicates=300, rng=5, keep_daily=False, keep_bands=False)
    drawn = model.streams.drawn
    rows = {k: np.asarray(v["values"]) for k, v in values.items()}
    first = next(iter(rows))
    position = np.array([np.flatnonzero(np.isclose(rows[first], x))[0] for x in drawn[first]])
    for key, column in rows.items():
        np.testing.assert_allclose(drawn[key], column[position], rtol=1e-12, err_msg=key)
    assert len(set(position.tolist())) > 100  # many sets, not one


def test_a_sample_without_a_stream_draws_on_its_own():
    from corridor_sim.distributions import Sample

    a = Sample(dist="sample", values=[1.0, 2.0, 3.0, 4.0])
    b = Sample(dist="sample", values=[10.0, 20.0, 30.0, 40.0])
    x, y = draw_value(1, 0, 500, "a", a), draw_value(1, 0, 500, "b", b)
    assert not np.array_equal(x * 10, y)
    shared = [Sample(dist="sample", values=v, stream="s") for v in ([1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0])]
    np.testing.assert_array_equal(draw_value(1, 0, 500, "a", shared[0]) * 10, draw_value(1, 0, 500, "b", shared[1]))


def _copy_baseline(tmp_path: Path, calibration: str | None, values: dict | None) -> Path:
    text = BASELINE.read_text(encoding="utf-8").replace(
        "calibration: calibration/posterior.yaml", f"calibration: {calibration}" if calibration else ""
    )
    path = tmp_path / "baseline.yaml"
    path.write_text(text, encoding="utf-8")
    if values is not None:
        (tmp_path / "cal.yaml").write_text(yaml.safe_dump({"values": values}), encoding="utf-8")
    return path


def test_a_missing_calibration_file_is_refused_naming_the_scenario_and_the_key(tmp_path):
    path = _copy_baseline(tmp_path, "nowhere.yaml", None)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(path) in str(err.value) and "calibration" in str(err.value) and "nowhere.yaml" in str(err.value)


def test_a_calibrated_value_for_an_unknown_key_path_is_refused_naming_the_calibration_file(tmp_path):
    path = _copy_baseline(tmp_path, "cal.yaml", {"fleets.no_such_fleet.count": 2})
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "cal.yaml" in str(err.value) and "no_such_fleet" in str(err.value)


def test_a_calibrated_value_out_of_its_field_range_is_refused(tmp_path):
    bad = {"cargo.oil.replacement_share": {"dist": "sample", "values": [0.5, 1.5]}}
    path = _copy_baseline(tmp_path, "cal.yaml", bad)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "cargo.oil.replacement_share" in str(err.value)


def test_params_shows_a_calibrated_value_by_its_size_and_range_not_its_hundreds_of_values():
    from corridor_sim.parameters import describe

    n = len(_posterior()["destinations.syria.demand.oil.0.value"]["values"])
    text = describe(BASELINE)
    assert f"sample of {n} in [" in text
    assert max(len(line) for line in text.splitlines()) < 1000  # the list itself would take 2,500 characters


def test_a_mapping_that_names_a_relative_calibration_file_is_refused_with_the_way_out():
    raw = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    with pytest.raises(ScenarioError, match=r"calibration.*load_raw"):
        load_scenario(raw)
    raw["calibration"] = str(POSTERIOR)  # an absolute path is found
    assert load_scenario(raw).fleets["cargo_aircraft"].count.dist == "sample"
