"""forlop qi from the shell: the chart command reproduces the reference; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.cli import forlop as run
from tests.paths import QI_REFERENCE as REFERENCE


def test_chart_command_writes_points_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "points.csv"
    done = run(
        "qi",
        "chart",
        "--csv",
        str(REFERENCE / "cabg_age_i_exclude_input.csv"),
        "--x",
        "x",
        "--y",
        "y",
        "--chart",
        "i",
        "--exclude",
        "10",
        "--exclude",
        "20",
        "--exclude",
        "30",
        "--out",
        str(out),
        "--lang",
        "en",
    )
    assert done.exit_code == 0, done.stderr
    points = pd.read_csv(out)
    expected = pd.read_csv(REFERENCE / "cabg_age_i_exclude_expected.csv")
    assert list(points.columns[:8]) == ["x", "y", "n", "cl", "lcl", "ucl", "runs_signal", "sigma_signal"]
    np.testing.assert_allclose(points[["cl", "lcl", "ucl"]], expected[["cl", "lcl", "ucl"]], atol=1e-4)
    assert points["sigma_signal"].tolist() == expected["sigma_signal"].tolist()
    # Summary: 200 points - 3 excluded = 197 in the calculations, all useful (mean never hit),
    # longest run 11 (limit round(log2 197) + 3 = 11),
    # 81 crossings < qbinom(0.05, 196, 0.5) = 86 -> signal.
    assert (
        "Part 1: 197 points in the calculations, 197 useful observations; longest run 11 (limit 11); crossings 81 "
        "(lower limit 86); non-random variation (Anhøj rules)"
    ) in done.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run(
        "qi",
        "chart",
        "--csv",
        str(REFERENCE / "nhs_p_input.csv"),
        "--x",
        "x",
        "--y",
        "nope",
        "--out",
        str(tmp_path / "p.csv"),
    )
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == [
        f"forlop: {REFERENCE / 'nhs_p_input.csv'}: column 'nope': kolonnen finnes ikke (kolonner: x, y, n)"
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("m,y\n2022-01,3\n2022-02,x\n")
    done = run("qi", "chart", "--csv", str(bad), "--x", "m", "--y", "y", "--out", str(tmp_path / "p.csv"))
    # "2022-02,x" is the 2nd data row: row 2 (header not counted, as forlop validate).
    assert done.exit_code == 2 and "ikke et tall i rad 2" in done.stderr and "Traceback" not in done.stderr
    done = run("qi", "dashboard", "--data", str(tmp_path), "--out", str(tmp_path / "x.html"))
    assert done.exit_code == 2 and "qi_data.parquet" in done.stderr


def _template(tmp_path: Path) -> list[str]:
    """``qi template`` of Team A, January to March 2022, to tmp_path/a.xlsx."""
    return [
        "qi",
        "template",
        "--team",
        "Team A",
        "--out",
        str(tmp_path / "a.xlsx"),
        "--from",
        "2022-01",
        "--to",
        "2022-03",
    ]


def test_template_import_musiq_commands(tmp_path: Path) -> None:
    assert run(*_template(tmp_path)).exit_code == 0
    done = run("qi", "import", str(tmp_path / "a.xlsx"), "--out", str(tmp_path / "data"))
    assert done.exit_code == 0 and (tmp_path / "data" / "qi_data.parquet").exists()
    assert "a.xlsx: lest 0, brukt 0, avvist 0" in done.stderr
    answers = tmp_path / "answers.csv"
    answers.write_text("team,external_motivators,team_qi_skills\nA,5,3\n")
    done = run("qi", "musiq", "--csv", str(answers), "--out", str(tmp_path / "scores.csv"))
    assert done.exit_code == 0
    scores = pd.read_csv(tmp_path / "scores.csv")
    # 5 + 3 = 8 of 14 -> 57.1 %.
    assert (scores["weighted_total"].iloc[0], scores["total_percent"].iloc[0]) == (8, 57.1)


def test_chart_options_are_checked_before_the_data(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("m,y\n2022-01,3\n2022-02,x\n")
    base = ["qi", "chart", "--csv", str(bad), "--x", "m", "--y", "y", "--out", str(tmp_path / "p.csv")]
    # Bad data and an unknown chart type: the chart type is reported (Typer's usage error, one line, exit 2).
    done = run(*base, "--chart", "zz")
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == [
        "forlop: --chart: 'zz' er ikke en av 'run', 'i', 'mr', 'xbar', 's', 't', 'p', 'c', 'u', 'g'"
    ]
    done = run(*base, "--chart", "p")
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == ["forlop: --n: et P-diagram trenger en nevnerkolonne (--n)"]
    done = run(*base, "--freeze", "0")
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == ["forlop: --freeze: 0 er ikke en punktposisjon (1 eller mer)"]
    done = run(*base, "--lang", "sv")
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == ["forlop: --lang: 'sv' er ikke en av 'nb', 'en', 'da'"]


def test_danish_lines_are_danish(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("m,y\n" + "".join(f"2022-{k:02d},{k}\n" for k in range(1, 13)))
    done = run(
        "qi", "chart", "--csv", str(good), "--x", "m", "--y", "y", "--out", str(tmp_path / "p.csv"), "--lang", "da"
    )
    assert done.exit_code == 0, done.stderr
    # 1..12: median 6.5, 12 useful, longest run 6 (limit round(log2 12) + 3 = 7),
    # 1 crossing < qbinom(0.05, 11, 0.5) = 3.
    assert done.stdout.strip() == (
        "Del 1: 12 punkter i beregningen, 12 brugbare observationer; længste serie 6 "
        "(grænse 7); krydsninger 1 (nedre grænse 3); ikke-tilfældig variation (Anhøj-reglerne)"
    )
    assert done.stderr.strip() == f"Punkter skrevet til {tmp_path / 'p.csv'}"
    assert run(*_template(tmp_path), "--lang", "da").exit_code == 0
    done = run("qi", "import", str(tmp_path / "a.xlsx"), "--out", str(tmp_path / "data"), "--lang", "da")
    assert done.stderr.strip().splitlines() == [
        "a.xlsx: læst 0, brugt 0, afvist 0",
        f"Samarbejdsdata skrevet til {tmp_path / 'data'}: 0 rækker fra 1 teams",
    ]
    done = run("qi", "dashboard", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "qi.html"), "--lang", "da")
    assert done.exit_code == 0, done.stderr
    # The whole-collaborative section (adult track) and Team A, no chart (no data).
    assert (
        done.stderr.strip().splitlines()[-1] == f"Dashboard skrevet til {tmp_path / 'qi.html'} (1 teams, 0 diagrammer)"
    )


def test_every_qi_text_has_nb_en_and_da() -> None:
    # Texts for people of the qi commands exist in all three languages, so `--lang da` never
    # falls back to English (forlop.i18n.t falls back to en). The template texts are the
    # exception by rule: Danish teams get the Norwegian template (template.py).
    from importlib import resources

    import yaml

    messages = yaml.safe_load(resources.files("forlop").joinpath("messages.yaml").read_text(encoding="utf-8"))
    qi = {key: set(entry) for key, entry in messages.items() if key.startswith("qi.")}
    missing = [
        key for key, languages in qi.items() if not key.startswith("qi.template.") and languages != {"nb", "en", "da"}
    ]
    assert missing == [] and len(qi) > 60
