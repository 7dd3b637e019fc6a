"""Years of PHV contact before the index year, drawn by pattern (001 §4.2, parameters.yaml prior_phv_years)."""

import numpy as np
import pytest

from forlop.synth.specialist import prior_contact_years
from forlop.synth.targets import parameters


def test_pattern_years_map_to_columns_y_minus_1_2_3():
    # years_before [3, 1] = contact in Y-3 and Y-1, not Y-2; columns are (Y-1, Y-2, Y-3).
    years = prior_contact_years(np.random.default_rng(0), 5, [{"years_before": [3, 1], "share": 1.0}])
    assert years.tolist() == [[True, False, True]] * 5


def test_parameter_patterns_give_the_001_shares():
    # From parameters.yaml: Y-3 = 0.42 + 0.05 + 0.02 + 0.04 = 0.53 (001: 53 %), all three = 0.42 (42 %),
    # none = 0.21 (21 %); Y-2 = 0.42 + 0.05 + 0.10 + 0.04 = 0.61, Y-1 = 0.42 + 0.02 + 0.10 + 0.12 = 0.66.
    # With 200 000 draws the standard error of a share is at most 0.0011, so 0.005 is over 4 of them.
    years = prior_contact_years(np.random.default_rng(1), 200_000, parameters()["prior_phv_years"])
    assert years[:, 2].mean() == pytest.approx(0.53, abs=0.005)
    assert years.all(axis=1).mean() == pytest.approx(0.42, abs=0.005)
    assert (~years.any(axis=1)).mean() == pytest.approx(0.21, abs=0.005)
    assert years[:, 1].mean() == pytest.approx(0.61, abs=0.005)
    assert years[:, 0].mean() == pytest.approx(0.66, abs=0.005)


def test_shares_that_do_not_sum_to_one_are_refused():
    with pytest.raises(ValueError, match=r"sum to 0\.9"):
        prior_contact_years(np.random.default_rng(0), 3, [{"years_before": [1], "share": 0.9}])
