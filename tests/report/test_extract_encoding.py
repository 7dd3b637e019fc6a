"""`forlop report --data`: the extract's population and geography CSV files are read by read_user_csv, so a
Windows-1252 extract is one line (and readable with --encoding cp1252), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from forlop.errors import InputError
from forlop.report.data import read_results
from tests.extract.conftest import minimal_tables
from tests.extract.test_fatal_input import _as_cp1252

FIXTURE = Path(__file__).parent / "fixtures" / "results"


def test_population_of_a_cp1252_extract(tmp_path: Path) -> None:
    data = _as_cp1252(minimal_tables(), tmp_path / "data")
    with pytest.raises(InputError) as error:
        read_results(FIXTURE, data, 2020, lang="en")
    assert str(error.value) == (f"{data / 'geography.csv'}: the file is not UTF-8 (byte 0xf8 on line 2); save it as "
                                "\"CSV UTF-8\" in Excel, or pass --encoding cp1252")
    results = read_results(FIXTURE, data, 2020, lang="en", encoding="cp1252")
    # Adults in 2020 (conftest: 4100 + 4200 in 0301 Tromsø, 2100 + 2050 in 4601 "Salten – Bodø"), all aged 30.
    by_community = results.population.groupby("health_community")["population"].sum().to_dict()
    assert by_community == {"Tromsø": 8300, "Salten – Bodø": 4150}
