"""The synthetic extract: contract columns, determinism, formats and bad arguments."""

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from forlop.errors import InputError
from forlop.synth.events import SCHEMAS
from forlop.synth.extract import build_tables, cohort_size, write_tables
from tests.cli import forlop
from tests.synth.calibration_counter import patient_table


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    write_tables(build_tables(400, seed=11), out)
    return out


def test_every_contract_table_is_written_with_its_columns(small):
    for table, schema in SCHEMAS.items():
        written = pq.read_schema(small / f"{table}.parquet")
        assert written.names == schema.names, table
    episodes = pq.read_table(small / "specialist_episodes.parquet")
    field_type = episodes.schema.field("special_codes").type
    assert field_type.num_fields == 1 and str(field_type.value_type) == "string"  # list<string>


def test_same_seed_same_extract_other_seed_other_extract():
    first = build_tables(300, seed=5)
    again = build_tables(300, seed=5)
    other = build_tables(300, seed=6)
    for name in first:
        assert first[name].equals(again[name]), name
    assert not first["specialist_episodes"].equals(other["specialist_episodes"])


def test_scaled_extract_keeps_the_cohort_flow(small):
    # 400 cohort patients: the others scale by 400/15587; died within the year 324 x 400/15587 = 8.3 -> 8.
    patients, flow = patient_table(small)
    assert flow["cohort"] == 400
    assert flow["died_within_365"] == 8
    assert len(patients) == 400


def test_every_municipality_with_residents_has_adult_population(small):
    # Each municipality of the geography (every one a person can live in) has at least about
    # min_municipality_adults = 150 adults in every population year (per-age rounding loses a few:
    # 150 adults / 0.79 adult share = 190 people, rounded age by age and sex by sex).
    population = pq.read_table(small / "population.parquet").to_pandas()
    residence = pq.read_table(small / "residence.parquet").to_pandas()
    geography = pq.read_table(small / "geography.parquet").to_pandas()
    adults = population[population["age"] >= 18].groupby(["year", "municipality"])["count"].sum()
    assert adults.index.get_level_values("municipality").nunique() == len(geography)
    assert adults.min() >= 120
    lived = set(zip(residence["year"], residence["municipality"]))
    assert lived <= set(adults.index)


def test_csv_format_uses_iso_timestamps_and_semicolon_lists(tmp_path):
    write_tables(build_tables(100, seed=3), tmp_path, fmt="csv")
    claims = pacsv.read_csv(tmp_path / "primary_care_claims.csv",
                            convert_options=pacsv.ConvertOptions(column_types={"at": "string", "fee_codes": "string"}))
    first = claims.column("at")[0].as_py()
    assert len(first) == 19 and first[10] == "T"
    assert any(";" in (v or "") for v in claims.column("fee_codes").to_pylist())


def test_cohort_size_rejects_nonsense():
    assert cohort_size("national") == 15587
    assert cohort_size("250") == 250
    with pytest.raises(InputError):
        cohort_size("huge")
    with pytest.raises(InputError):
        cohort_size(3)


def test_cli_bad_scale_is_one_line_and_exit_code_2(tmp_path):
    result = forlop("synth", "--scale", "huge", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.strip() == ("forlop: --scale: ukjent skala 'huge': bruk national, demo eller et antall "
                                     "kohortpasienter")
