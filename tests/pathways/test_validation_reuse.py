"""``forlop pathways`` run again on an unchanged extract uses the earlier validation (forlop.extract.reuse);
any change to the files, the options, Forløp or the written results validates again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import forlop.extract.validate as validate_module
from forlop.extract import reuse
from tests.cli import forlop
from tests.pathways.conftest import write_extract
from tests.pathways.scenario import ROWS

REUSED_EN = "The extract and Forløp are unchanged since the last validation"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The extract folders validated, one entry per real validation."""
    done: list[Path] = []
    original = validate_module.validate_extract

    def counting(data_dir, out_dir, **kwargs):  # noqa: ANN001, ANN202 - validate_extract's signature
        done.append(Path(data_dir))
        return original(data_dir, out_dir, **kwargs)

    monkeypatch.setattr(validate_module, "validate_extract", counting)
    return done


def _run(data: Path, out: Path, *options: str):  # noqa: ANN202 - a click Result
    result = forlop("pathways", "--data", str(data), "--out", str(out), "--lang", "en", *options)
    assert result.exit_code == 0, result.stderr
    return result


def test_an_unchanged_extract_is_validated_once(tmp_path: Path, validations: list[Path]) -> None:
    data = write_extract(tmp_path / "extract", ROWS)
    first = _run(data, tmp_path / "out")
    indicators = (tmp_path / "out" / "indicators.csv").read_bytes()
    second = _run(data, tmp_path / "out")
    assert len(validations) == 1
    assert REUSED_EN in second.stderr and REUSED_EN not in first.stderr
    # the same summary lines as the validation printed (its time included), and the same outputs
    summary = [line for line in first.stderr.splitlines() if ": read " in line or "Usable rows" in line]
    assert len(summary) >= 8
    assert all(line in second.stderr.splitlines() for line in summary)
    assert (tmp_path / "out" / "indicators.csv").read_bytes() == indicators
    _run(data, tmp_path / "out", "--year", "2020", "--keep-deaths")  # other pathway options: still reused
    assert len(validations) == 1


def test_a_changed_file_validates_again(tmp_path: Path, validations: list[Path]) -> None:
    data = write_extract(tmp_path / "extract", ROWS)
    _run(data, tmp_path / "out")
    persons = data / "persons.parquet"
    persons.write_bytes(persons.read_bytes())  # the same bytes, written anew (another modification time)
    os.utime(persons, ns=(persons.stat().st_atime_ns, persons.stat().st_mtime_ns + 1_000_000))
    _run(data, tmp_path / "out")
    assert len(validations) == 2
    (data / "notes.txt").write_text("not a table: validation does not read it", encoding="utf-8")
    (data / "old_persons.csv").symlink_to(data / "gone.csv")  # a link to nothing, which validation ignores
    _run(data, tmp_path / "out")
    assert len(validations) == 2
    (data / "geography.csv").write_text("municipality\n301\n", encoding="utf-8")  # a second file of one table
    result = forlop("pathways", "--data", str(data), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.exit_code == 2 and "geography" in result.stderr  # validated again: two files of a table
    assert len(validations) == 3


@pytest.mark.parametrize("options", [("--encoding", "cp1252"), ("--lang", "nb")])
def test_other_reading_options_validate_again(tmp_path: Path, validations: list[Path], options: tuple) -> None:
    data = write_extract(tmp_path / "extract", ROWS)
    _run(data, tmp_path / "out")
    _run(data, tmp_path / "out", *options)
    assert len(validations) == 2
    _run(data, tmp_path / "out", "--encoding", "UTF8")  # another spelling of the default: the first again
    assert len(validations) == 3


def test_the_language_from_the_environment_counts(
    tmp_path: Path, validations: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = write_extract(tmp_path / "extract", ROWS)
    out = str(tmp_path / "out")
    monkeypatch.setenv("FORLOP_LANG", "en")
    assert forlop("pathways", "--data", str(data), "--out", out).exit_code == 0
    monkeypatch.setenv("FORLOP_LANG", "nb")
    assert forlop("pathways", "--data", str(data), "--out", out).exit_code == 0
    assert len(validations) == 2  # the reasons and warnings are written in the language
    assert forlop("pathways", "--data", str(data), "--out", out, "--lang", "nb").exit_code == 0
    assert len(validations) == 2  # --lang nb is what FORLOP_LANG=nb gave


def test_a_changed_package_file_changes_forlops_state(tmp_path: Path) -> None:
    package = tmp_path / "forlop"
    (package / "extract").mkdir(parents=True)
    rules = package / "extract" / "contract.yaml"
    rules.write_text("tables: {}\n", encoding="utf-8")
    before = reuse._forlop_state(package)
    assert reuse._forlop_state(package) == before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.pyc").write_bytes(b"compiled")  # not part of Forløp's state
    assert reuse._forlop_state(package) == before
    rules.write_text("tables: {a: 1}\n", encoding="utf-8")
    assert reuse._forlop_state(package) != before


def test_changed_results_or_forlop_validate_again(
    tmp_path: Path, validations: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = write_extract(tmp_path / "extract", ROWS)
    out = tmp_path / "out"
    _run(data, out)
    (out / "validated" / "clean" / "residence.parquet").unlink()
    _run(data, out)
    assert len(validations) == 2
    assert (out / "validated" / "clean" / "residence.parquet").exists()
    summary = out / "validated" / "validation_summary.csv"
    summary.write_text(summary.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _run(data, out)
    assert len(validations) == 3
    monkeypatch.setattr(reuse, "_forlop_state", lambda: "another Forløp")
    _run(data, out)
    assert len(validations) == 4
    _run(data, out)
    assert len(validations) == 4


def test_a_record_that_cannot_be_read_validates_again(tmp_path: Path, validations: list[Path]) -> None:
    data = write_extract(tmp_path / "extract", ROWS)
    _run(data, tmp_path / "out")
    (tmp_path / "out" / "validated" / reuse.RECORD).write_text("{not json", encoding="utf-8")
    _run(data, tmp_path / "out")
    assert len(validations) == 2


def test_two_runs_on_one_out_take_turns(tmp_path: Path) -> None:
    validated = tmp_path / "out" / "validated"
    probe = (
        "import fcntl, sys\n"
        "h = open(sys.argv[1], 'a')\n"
        "try:\n"
        "    fcntl.flock(h, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    print('free')\n"
        "except BlockingIOError:\n"
        "    print('taken')\n"
    )
    lock = f"{validated}.lock"
    with reuse.taking_turns(validated):
        inside = subprocess.run([sys.executable, "-c", probe, lock], capture_output=True, text=True, check=True)
    after = subprocess.run([sys.executable, "-c", probe, lock], capture_output=True, text=True, check=True)
    assert (inside.stdout.strip(), after.stdout.strip()) == ("taken", "free")
