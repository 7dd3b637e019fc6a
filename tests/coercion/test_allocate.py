"""Random allocation of clusters: stratified, seeded, reproducible."""

from __future__ import annotations

import yaml

from forlop.coercion.allocate import allocate
from tests.cli import forlop

STRATA = {f"K{i:02d}": ("large" if i < 5 else "small") for i in range(10)}


def test_same_seed_same_allocation_and_balance_within_strata():
    first = allocate(STRATA, seed=42)
    assert first == allocate(STRATA, seed=42)
    assert sorted(first) == sorted(STRATA)
    # 5 large and 5 small clusters: each stratum splits 2 + 3 or 3 + 2, and the odd extras go to
    # different arms, so the arms are 5 + 5 overall.
    assert sum(a == "intervention" for a in first.values()) == 5
    for stratum in ("large", "small"):
        n = sum(first[c] == "intervention" for c, s in STRATA.items() if s == stratum)
        assert n in (2, 3)


def test_seeds_give_different_allocations():
    allocations = {tuple(sorted(allocate(STRATA, seed=s).items())) for s in range(20)}
    # 10 x 10 ways of splitting two strata of five 2/3 or 3/2 with totals 5 + 5: 20 seeds should find many.
    assert len(allocations) > 10


def test_unstratified_even_split():
    arms = allocate(["a", "b", "c", "d"], seed=1)
    assert sorted(arms.values()) == ["control", "control", "intervention", "intervention"]


def test_allocate_command_writes_trial_yaml(tmp_path):
    clusters = tmp_path / "clusters.csv"
    clusters.write_text("cluster,size\n" + "".join(f"{c},{s}\n" for c, s in STRATA.items()), encoding="utf-8")
    out = tmp_path / "trial.yaml"
    done = forlop("coercion", "allocate", "--clusters", str(clusters), "--stratum", "size", "--seed", "42",
                  "--out", str(out), "--period", "baseline:2018-01:2018-12", "--period", "intervention:2019-01:2019-12")
    assert done.exit_code == 0, done.stderr
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["arms"] == allocate(STRATA, seed=42)
    assert written["periods"]["baseline"] == ["2018-01", "2018-12"]
