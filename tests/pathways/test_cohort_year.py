"""The cohort year: refused when no stay ends in it (exit code 2), recorded in pathways_run.json.

Extract: the scenario of scenario.py plus two inpatient stays of person 6 (born 1960, F33.1),
ending 2018-01-05 and 2019-02-03. Completed merged PHV stays then end in 2018, 2019 and 2020
(persons 4 and 5 also have open stays, which end in no year).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from forlop.errors import InputError
from forlop.i18n import years_text
from forlop.pathways.pipeline import build_pathways, write_outputs
from tests.cli import forlop
from tests.pathways.conftest import episode, write_extract
from tests.pathways.scenario import ROWS



def _rows() -> dict:
    rows = copy.deepcopy(ROWS)
    rows["specialist_episodes"] += [
        episode(91, 6, "2018-01-01 10:00", "2018-01-05 10:00", care_level=1, main="F33.1"),
        episode(92, 6, "2019-02-01 10:00", "2019-02-03 10:00", care_level=1, main="F33.1"),
    ]
    return rows


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    return write_extract(tmp_path_factory.mktemp("years"), _rows())


def test_years_text() -> None:
    assert years_text([2021, 2017, 2018, 2019, 2021]) == "2017–2019, 2021"
    assert years_text([2020]) == "2020"
    assert years_text([]) == ""


def test_year_without_stays_is_refused(extract: Path) -> None:
    with pytest.raises(InputError) as error:
        build_pathways(extract, 2030, lang="en")
    assert str(error.value) == (f"{extract / 'specialist_episodes.parquet'}: no inpatient stay in mental health "
                                "care ending in 2030 in the extract; years with completed stays: 2018–2020 "
                                "(choose one with --year)")


def test_year_is_recorded(extract: Path, tmp_path: Path) -> None:
    result = build_pathways(extract, 2019)
    # 2019: adults with a qualifying PHV episode in 2019 are person 1 (F32.1, 1 June 2019), person 4
    # (F60.3, 20 Dec 2018 - 5 Jan 2019) and person 6 (F33.1, the stay of 1-3 Feb 2019); only person 6
    # has a stay ending in 2019, and does not die -> cohort 1.
    assert result.flow.values.tolist() == [
        ["persons_in_extract", 6], ["smi_population", 3], ["with_completed_stay", 1],
        ["died_within_365", 0], ["cohort", 1],
    ]
    paths = write_outputs(result, tmp_path / "out")
    assert json.loads(paths["run"].read_text(encoding="utf-8")) == {"year": 2019, "keep_deaths": False}


def test_cli_year_without_stays_is_one_line_and_exit_2(extract: Path, tmp_path: Path) -> None:
    done = forlop("pathways", "--data", str(extract), "--out", str(tmp_path / "out"), "--year", "2030")
    assert done.exit_code == 2
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.endswith("ingen døgnopphold i psykisk helsevern som avsluttes i 2030 i uttrekket; "
                         "år med avsluttede opphold: 2018–2020 (velg ett med --year)")
    assert not (tmp_path / "out" / "indicators.csv").exists()
