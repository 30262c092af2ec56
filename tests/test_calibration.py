"""calibration.py: rejection ABC over the replicates' drawn parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor_sim.calibration import accepted, lost_correlations, posteriors, reachable, target_sources
from corridor_sim.patterns import load_patterns


@pytest.fixture(scope="module")
def patterns():
    return load_patterns()


def test_a_replicate_is_accepted_only_if_every_figure_is_in_its_range(patterns):
    figures = {
        "cargo_flights_2018": np.array([3.5, 3.5, 5.0, np.nan]),  # range 3.0 - 4.2
        "oil_volume_mid_2019": np.array([90_000, 70_000, 90_000, 90_000]),  # range 80k - 120k
    }
    assert accepted(figures, patterns).tolist() == [True, False, False, False]
    with pytest.raises(ValueError):
        accepted({}, patterns)


def test_posterior_narrows_to_the_parameters_that_reproduce_the_pattern(patterns):
    """A synthetic model whose figure is the parameter itself plus noise: the posterior sits in the range."""
    rng = np.random.default_rng(2)
    count = rng.uniform(1, 2, 4000)
    flights = 2.4 * count + rng.normal(0, 0.1, 4000)  # 3.0 - 4.2 a week needs count in about 1.25 - 1.75
    drawn = pd.DataFrame(
        {"fleets.cargo_aircraft.count": count, "cargo.materiel.value_usd_per_ton": rng.uniform(size=4000)}
    )
    ok = accepted({"cargo_flights_2018": flights}, patterns)
    sources = target_sources(patterns["cargo_flights_2018"], drawn)
    assert sources == ["fleets.cargo_aircraft.count"]
    (post,) = posteriors(drawn, ok, sources)
    assert 1.2 < post.posterior[0] < post.posterior[2] < 1.8
    assert post.prior[0] < post.posterior[0] and post.posterior[2] < post.prior[2]
    kept = count[ok]
    assert post.fitted == {"dist": "uniform", "low": kept.min(), "high": kept.max()}
    assert lost_correlations(drawn, ok, sources).empty  # one target: nothing lost


def test_a_pattern_the_prior_cannot_reach_is_set_apart_not_allowed_to_reject_everything(patterns):
    """The strike tempo's range is 2.0 - 2.6 a week: a prior whose band stays below it is out of reach."""
    rng = np.random.default_rng(3)
    figures = {
        "cargo_flights_2018": rng.uniform(2.5, 4.5, 1000),
        "strike_tempo_2017_2018": np.r_[rng.uniform(0.5, 1.5, 999), 2.2],  # one replicate in range
    }
    met, missed = reachable(figures, patterns)
    assert list(met) == ["cargo_flights_2018"] and list(missed) == ["strike_tempo_2017_2018"]
    assert accepted(met, patterns).sum() > 500  # without it, the flights alone decide
    assert accepted(figures, patterns).sum() <= 1  # with it, all but one replicate would be rejected
