"""forlop.errors.read_user_csv: the one reader of CSV files a user gives on the command line
(qi chart --csv, qi musiq --csv, coercion trial --counts, coercion allocate --clusters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from forlop.errors import InputError, csv_separator, read_user_csv
from tests.test_cli_choices import run_main

# Excel on a Norwegian machine, "CSV (semikolonseparert)": Windows-1252 and ';' between fields.
EXCEL_NO = "kommune;antall\r\nTromsø;3\r\nBodø;4,5\r\n".encode("cp1252")


def test_separator_from_the_header() -> None:
    assert csv_separator("kommune;antall") == ";"
    assert csv_separator("kommune,antall") == ","
    assert csv_separator("a,b;c") == ","  # ',' wins: ';' may be inside a value
    assert csv_separator("kommune") == ","


def test_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\nkommune;antall\nOslo;3\n", encoding="utf-8")
    assert read_user_csv(path).values.tolist() == [["Oslo", "3"]]


def test_excel_file_with_encoding_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(EXCEL_NO)
    table = read_user_csv(path, encoding="cp1252")
    assert list(table.columns) == ["kommune", "antall"]
    assert table["kommune"].tolist() == ["Tromsø", "Bodø"]
    assert table["antall"].tolist() == ["3", "4,5"]  # text: the caller decides what a number is


def test_not_utf8_says_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(EXCEL_NO)
    # 'ø' of Tromsø is byte 0xF8 in cp1252, on line 2; not valid UTF-8.
    with pytest.raises(InputError) as error:
        read_user_csv(path, lang="en")
    assert str(error.value) == (f"{path}: the file is not UTF-8 (byte 0xf8 on line 2); save it as \"CSV UTF-8\" "
                                "in Excel, or pass --encoding cp1252")
    with pytest.raises(InputError) as error:
        read_user_csv(path, lang="nb")
    assert str(error.value) == (f"{path}: filen er ikke UTF-8 (byte 0xf8 på linje 2); lagre den som «CSV UTF-8» "
                                "i Excel, eller bruk --encoding cp1252")


def test_utf8_with_bom_and_comma(tmp_path: Path) -> None:
    path = tmp_path / "utf8.csv"
    path.write_bytes("\ufeffkommune,antall\nTromsø,3\n".encode("utf-8"))  # Excel's "CSV UTF-8" has a BOM
    table = read_user_csv(path)
    assert list(table.columns) == ["kommune", "antall"] and table["kommune"].tolist() == ["Tromsø"]


def test_unusable_files_are_one_line(tmp_path: Path) -> None:
    cases = {"missing.csv": None, "empty.csv": b"", "blank.csv": b"\n\n", "ragged.csv": b"a,b\n1,2\n1,2,3\n"}
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
    expected = {
        "missing.csv": "file not found",
        "empty.csv": "the file is empty",
        "blank.csv": "the file is empty",
        "ragged.csv": ("the file cannot be read as CSV: Error tokenizing data. C error: Expected 2 fields in line 3, "
                       "saw 3"),
    }
    for name, message in expected.items():
        with pytest.raises(InputError) as error:
            read_user_csv(tmp_path / name, lang="en")
        assert str(error.value) == f"{tmp_path / name}: {message}"
    with pytest.raises(InputError) as error:
        read_user_csv(tmp_path / "ragged.csv", encoding="latin-9", lang="en")
    assert str(error.value) == "--encoding: unknown encoding 'latin-9' (example: utf-8, cp1252)"
    (tmp_path / "header.csv").write_text("a,b\n")
    assert read_user_csv(tmp_path / "header.csv").shape == (0, 2)  # no rows is for the caller to judge


def test_musiq_empty_csv_is_one_line_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "empty.csv").write_text("")
    code, lines = run_main(monkeypatch, capsys, "qi", "musiq", "--csv", str(tmp_path / "empty.csv"),
                           "--out", str(tmp_path / "s.csv"), "--lang", "da")
    assert (code, lines) == (2, [f"forlop: {tmp_path / 'empty.csv'}: filen er tom"])


def test_chart_reads_excel_file(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("måned;verdi\r\n2022-01;3\r\n2022-02;5\r\n2022-03;4\r\n".encode("cp1252"))
    args = ["qi", "chart", "--csv", str(path), "--x", "måned", "--y", "verdi", "--out", str(tmp_path / "p.csv")]
    code, lines = run_main(monkeypatch, capsys, *args, "--lang", "en")
    assert code == 2 and lines == [f"forlop: {path}: the file is not UTF-8 (byte 0xe5 on line 1); save it as "
                                   "\"CSV UTF-8\" in Excel, or pass --encoding cp1252"]
    code, lines = run_main(monkeypatch, capsys, *args, "--encoding", "cp1252")
    assert code == 0
    assert (tmp_path / "p.csv").read_text().splitlines()[1].startswith("2022-01-01,3.0,,4.0,")  # median 4


def test_allocate_reads_excel_file(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "clusters.csv"
    path.write_bytes("cluster;region\r\nTromsø;Nord\r\nBodø;Nord\r\n".encode("cp1252"))
    code, _ = run_main(monkeypatch, capsys, "coercion", "allocate", "--clusters", str(path), "--out",
                       str(tmp_path / "trial.yaml"), "--seed", "1", "--encoding", "cp1252", "--stratum", "region")
    assert code == 0
    arms = (tmp_path / "trial.yaml").read_text(encoding="utf-8")
    assert "Tromsø:" in arms and "Bodø:" in arms
