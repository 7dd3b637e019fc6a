"""Packaged data files (forlop.datafile.package_yaml): parsed once, then read from the cache (forlop.cache)."""

from __future__ import annotations

import datetime as dt
import marshal
from importlib import resources
from pathlib import Path

import pytest

from forlop import datafile

SRC = Path(__file__).resolve().parents[1] / "src"
FILES = sorted(p.relative_to(SRC) for p in SRC.glob("forlop/**/*.yaml"))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FORLOP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _package_and_name(path: Path) -> tuple[str, str]:
    return ".".join(path.parent.parts), path.name


def _marshals(value: object) -> bool:
    try:
        marshal.dumps(value)
    except ValueError:
        return False
    return True


def test_every_packaged_file_is_the_same_parsed_and_from_the_cache(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(FILES) >= 20
    parsed = {}
    for path in FILES:
        package, name = _package_and_name(path)
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        parsed[path] = datafile.parse_yaml(text)
        assert datafile.package_yaml(package, name) == parsed[path]  # cold: parsed and stored
    # every file but those whose result holds a value marshal cannot (synth/parameters.yaml has dates)
    cacheable = [path for path in FILES if _marshals(parsed[path])]
    assert [str(p) for p in FILES if p not in cacheable] == ["forlop/synth/parameters.yaml"]
    assert len(list((cache_dir / "data").iterdir())) == len(cacheable)

    def refuse(text: str) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(datafile, "parse_yaml", refuse)
    for path in cacheable:  # warm: from the cache, the same values of the same types (repr tells 1, 1.0, True apart)
        assert repr(datafile.package_yaml(*_package_and_name(path))) == repr(parsed[path])


def test_an_entry_that_is_not_marshal_data_is_parsed_again(cache_dir: Path) -> None:
    first = datafile.package_yaml("forlop", "publications.yaml")
    (entry,) = (cache_dir / "data").iterdir()
    header = entry.read_bytes().split(b"\n", 1)[0]
    entry.write_bytes(header + b"\nnot marshal")
    assert datafile.package_yaml("forlop", "publications.yaml") == first
    assert entry.read_bytes() != header + b"\nnot marshal"  # stored anew


def test_a_result_marshal_cannot_hold_is_parsed_every_time(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def with_a_date(text: str) -> dict:
        calls.append(text)
        return {"from": dt.date(2020, 1, 1)}

    monkeypatch.setattr(datafile, "parse_yaml", with_a_date)
    assert datafile.package_yaml("forlop", "publications.yaml") == {"from": dt.date(2020, 1, 1)}
    assert datafile.package_yaml("forlop", "publications.yaml") == {"from": dt.date(2020, 1, 1)}
    assert len(calls) == 2
    assert list((cache_dir / "data").iterdir()) == []
