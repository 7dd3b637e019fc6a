"""Read and validate a survey directory: ``survey_frame``, ``survey_responses``, optional ``survey_population``.

The rules of ``forlop validate`` (docs/definitions.md, "Reading and validating an extract"), with its
code (``forlop.extract``): the same file finding and fatal checks, the same parsing of each value and
the same writing of clean and rejected rows. The tables are those of DESIGN.md, "Survey module (002)"
(``contract.yaml`` beside this module), with one ``survey_responses`` column per item of the
questionnaire. Rules added here (docs/definitions.md, "Patient-experience survey (002)"):

- fatal (``InputError``, one line, exit code 2): as ``forlop validate`` (a missing table or column, an
  empty file, a column of the wrong type: no value parses, e.g. ``Ja`` where codes are expected), also
  for a multiple-choice item none of whose values is a list of whole numbers;
- a response row is rejected, with its reason and row number, for: a person not in the frame (or
  whose frame row was rejected), a duplicate respondent (a later row of the same person_id), a
  frame status other than ``answered``, an option code the item does not have (or that the
  respondent's form does not offer), an answer to an item that is not on the respondent's form, an
  answer to an item its filter should have skipped (the filter item empty or without one of the
  filter's codes), a year outside the item's range;
- a population row is rejected for a negative count or a cell (sector, period, sex, age, unit,
  diagnosis group) given twice.

Everything is DuckDB SQL over the files, one expression per item and check over all rows (vectorised
per item, not per row): 002's 33 458 responses x 86 items are small, but the extract's machinery is
already SQL, so the checks are too.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

import duckdb

from forlop.datafile import package_yaml
from forlop.errors import InputError
from forlop.extract.checks import check_table
from forlop.extract.contract import Column, Table, parse_tables
from forlop.extract.output import move_into_place, write_table
from forlop.extract.parse import INT_PATTERN
from forlop.extract.rules import prepare_keys, sql_message
from forlop.extract.sources import Source, drop_source, ident, one_row, open_source, sql_text
from forlop.extract.summary import SUMMARY_FILE, TableCounts, ValidationSummary, write_summary
from forlop.i18n import t
from forlop.survey.questionnaire import Item, Questionnaire, load

FRAME, RESPONSES, POPULATION = "survey_frame", "survey_responses", "survey_population"
OPTIONAL = (POPULATION,)
_STAGE = ".forlop-survey-tmp"
_POPULATION_CELL = ("sector", "period", "sex", "age", "unit", "diagnosis_group")
#: DuckDB threads for the validation. One: the survey's tables are small (002's national survey, 130 908
#: frame rows and 33 458 x 89 responses), and on the shared 2 cores DuckDB's default of one thread per core
#: took 1.8-2.2 s of CPU time and 2.3-3.7 s wall for them, one thread 1.3 s of both.
DUCKDB_THREADS = 1


def _item_column(item: Item) -> Column:
    """The contract column of an item: every item may be empty (skipped or filtered out)."""
    if item.type == "single":
        return Column(name=item.column, type="enum_int", nullable=True, values=item.codes)
    if item.type == "multiple":
        return Column(name=item.column, type="list", nullable=True)
    if item.type == "year":
        return Column(name=item.column, type="int", nullable=True)
    return Column(name=item.column, type="text", nullable=True)


def survey_tables(questionnaire: Questionnaire, lang: str | None = None) -> dict[str, Table]:
    """The input tables: ``contract.yaml``, with the questionnaire's forms and one column per item."""
    tables = parse_tables(package_yaml("forlop.survey", "contract.yaml"), "survey/contract.yaml")
    responses = tables[RESPONSES]
    fixed = [replace(c, values=questionnaire.forms) if c.name == "form" else c for c in responses.columns]
    reserved = {c.name.lower() for c in fixed}
    for item in questionnaire.items:
        if item.column.lower() in reserved:
            raise InputError(
                questionnaire.path, t("survey.questionnaire.reserved_column", lang, item=item.id, column=item.column)
            )
    columns = tuple(fixed) + tuple(_item_column(i) for i in questionnaire.items)
    tables[RESPONSES] = replace(responses, columns=columns)
    return tables


def _codes(codes: tuple[int, ...]) -> str:
    return ", ".join(str(c) for c in codes)


def _multiple_items(con: duckdb.DuckDBPyConnection, items: list[Item], source: Source, lang: str | None) -> None:
    """Check the codes of multiple-choice items; make each column a sorted list of distinct codes.

    A column with values none of which is a ';' list of whole numbers is the wrong type (fatal); a list
    with a code the item does not have rejects the row.
    """
    checks = []
    integer = f"regexp_full_match(x, '{INT_PATTERN}')"
    as_int = "TRY_CAST(TRY_CAST(x AS DOUBLE) AS BIGINT)"
    for item in items:
        col = ident(item.column)
        present, whole = one_row(
            con,
            f"SELECT count({col}), count(*) FILTER (WHERE len(list_filter({col}, x -> NOT {integer})) = 0) "
            f"FROM chk_{RESPONSES}",
        )
        if present and not whole:
            row, value = one_row(
                con,
                f"SELECT __row, array_to_string({col}, ';') FROM chk_{RESPONSES} WHERE {col} IS NOT NULL "
                f"ORDER BY __row LIMIT 1",
            )
            raise InputError(
                str(source.path),
                t("extract.wrong_type", lang, what=t("survey.what.codes", lang)),
                column=item.column,
                example=t("extract.example", lang, row=row, value=str(value)[:40]),
            )
        bad = f"list_filter({col}, x -> NOT coalesce({integer} AND {as_int} IN ({_codes(item.codes)}), false))"
        what = t("extract.what.enum", lang, values=_codes(item.codes))
        message = sql_message(
            "extract.reason.bad_value", lang, column=sql_text(item.column), value=f"{bad}[1]", what=sql_text(what)
        )
        checks.append((f"len({bad}) > 0", message))
    _add_reasons(con, RESPONSES, checks)
    for item in items:  # after the reasons: they show the values as given
        col = ident(item.column)
        codes = f"list_sort(list_distinct(list_transform({col}, x -> {as_int})))"
        con.execute(
            f"ALTER TABLE chk_{RESPONSES} ALTER COLUMN {col} SET DATA TYPE BIGINT[] "
            f"USING CASE WHEN len({codes}) > 0 THEN {codes} END"
        )


def _answer_checks(questionnaire: Questionnaire, lang: str | None) -> list[tuple[str, str]]:
    """(condition, reason) of the per-item rules on typed columns: forms, year ranges, filters."""
    checks = []
    forms = set(questionnaire.forms)
    for item in questionnaire.items:
        col = ident(item.column)
        name = sql_text(item.id)
        if set(item.forms) != forms:
            message = sql_message("survey.reason.not_on_form", lang, item=name, form="form")
            checks.append((f"{col} IS NOT NULL AND form NOT IN ({', '.join(map(sql_text, item.forms))})", message))
        for option in item.options:
            if set(option.forms) >= set(item.forms):
                continue
            has = f"list_contains({col}, {option.code})" if item.type == "multiple" else f"{col} = {option.code}"
            message = sql_message(
                "survey.reason.option_not_on_form", lang, item=name, code=str(option.code), form="form"
            )
            checks.append((f"{has} AND form NOT IN ({', '.join(map(sql_text, option.forms))})", message))
        if item.type == "year":
            what = t("survey.what.year", lang, low=item.minimum, high=item.maximum)
            message = sql_message(
                "extract.reason.bad_value", lang, column=name, value=f"CAST({col} AS VARCHAR)", what=sql_text(what)
            )
            checks.append((f"{col} NOT BETWEEN {item.minimum} AND {item.maximum}", message))
        if item.filter is not None:
            target = questionnaire.item(item.filter.item)
            tcol = ident(target.column)
            codes = _codes(item.filter.codes)
            if target.type == "multiple":
                shown, value = f"list_has_any({tcol}, [{codes}])", f"array_to_string({tcol}, ';')"
            else:
                shown, value = f"{tcol} IN ({codes})", f"CAST({tcol} AS VARCHAR)"
            empty = sql_text(t("survey.empty", lang))
            message = sql_message(
                "survey.reason.filter",
                lang,
                item=name,
                target=sql_text(target.id),
                codes=sql_text(codes),
                value=f"coalesce({value}, {empty})",
            )
            checks.append((f"{col} IS NOT NULL AND NOT coalesce({shown}, false)", message))
    return checks


def _add_reasons(con: duckdb.DuckDBPyConnection, table: str, checks: list[tuple[str, str]]) -> None:
    """Append the reasons of ``checks`` to ``chk_<table>.__reason`` in one pass over the rows."""
    if not checks:
        return
    cases = ", ".join(f"CASE WHEN {condition} THEN {message} END" for condition, message in checks)
    con.execute(f"UPDATE chk_{table} SET __reason = NULLIF(concat_ws('; ', __reason, {cases}), '')")


def _check_responses(
    con: duckdb.DuckDBPyConnection, questionnaire: Questionnaire, source: Source, lang: str | None
) -> None:
    """The survey's own rules on ``chk_survey_responses`` (the module docstring)."""
    multiple = [i for i in questionnaire.items if i.type == "multiple"]
    _multiple_items(con, multiple, source, lang)
    _add_reasons(con, RESPONSES, _answer_checks(questionnaire, lang))
    message = sql_message("survey.reason.status", lang, person="c.person_id", status="f.status")
    con.execute(
        f"UPDATE chk_{RESPONSES} c SET __reason = concat_ws('; ', c.__reason, {message}) "
        f"FROM usable_frame f WHERE c.person_id = f.person_id AND f.status <> 'answered'"
    )


def _check_population(con: duckdb.DuckDBPyConnection, lang: str | None) -> None:
    """A negative count; a cell given twice (the first row of a cell is kept, as for keys)."""
    negative = sql_message("survey.reason.count_negative", lang, count="count")
    _add_reasons(con, POPULATION, [('"count" < 0', negative)])
    cell = ", ".join(ident(c) for c in _POPULATION_CELL)
    values = "concat_ws(', ', " + ", ".join(f"coalesce(CAST(c.{ident(k)} AS VARCHAR), '')" for k in _POPULATION_CELL)
    message = sql_message(
        "extract.reason.duplicate",
        lang,
        columns=sql_text(", ".join(_POPULATION_CELL)),
        values=values + ")",
        first="d.first",
    )
    con.execute(
        f"UPDATE chk_{POPULATION} c SET __reason = concat_ws('; ', c.__reason, {message}) "
        f"FROM (SELECT __row, min(__row) OVER (PARTITION BY {cell}) AS first FROM chk_{POPULATION}) d "
        f"WHERE c.__row = d.__row AND d.first < c.__row"
    )


def _present(data_dir: Path, table: str) -> bool:
    return any((data_dir / f"{table}.{ext}").is_file() for ext in ("parquet", "csv"))


def _frame_warnings(con: duckdb.DuckDBPyConnection, lang: str | None) -> list[str]:
    """Frame persons with status ``answered`` and no usable response (kept; counted in a warning)."""
    missing = one_row(
        con,
        f"SELECT count(*) FROM usable_frame f WHERE f.status = 'answered' AND f.person_id NOT IN "
        f"(SELECT person_id FROM chk_{RESPONSES} ANTI JOIN rej_{RESPONSES} USING (__row) "
        f"WHERE person_id IS NOT NULL)",
    )[0]
    return [t("survey.warning.answered_without_response", lang, persons=missing)] if missing else []


def validate_survey(
    data_dir: Path, out_dir: Path, questionnaire: Questionnaire | None = None, lang: str | None = None
) -> ValidationSummary:
    """Validate the survey directory ``data_dir``; write ``clean/``, ``rejected/`` and the summary to ``out_dir``.

    ``questionnaire``: default 002's. Raises ``InputError`` for fatal input (nothing is written then);
    every row read is either in ``clean/<table>.parquet`` or in ``rejected/<table>.csv`` (with
    ``reason`` and ``row``), and ``validation_summary.csv`` gives rows read = used + rejected.
    In ``clean/survey_responses.parquet`` a single-choice item is its code (int64), a multiple-choice
    item the sorted list of its distinct codes.
    """
    started = time.perf_counter()
    questionnaire = questionnaire or load(lang=lang)
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    if not data_dir.is_dir():
        raise InputError(str(data_dir), t("extract.no_folder", lang))
    tables = survey_tables(questionnaire, lang)
    stage = out_dir / _STAGE
    shutil.rmtree(stage, ignore_errors=True)
    for folder in ("clean", "rejected"):
        (stage / folder).mkdir(parents=True)
    con = duckdb.connect(config={"threads": DUCKDB_THREADS})
    counts: dict[str, TableCounts] = {}
    warnings: list[str] = []
    id_types: dict[str, bool] = {}
    try:
        sources: dict[str, Source] = {}
        for name, table in tables.items():  # every file opened first: the cheap fatal checks
            if name in OPTIONAL and not _present(data_dir, name):
                continue
            sources[name] = source = open_source(con, data_dir, table, lang)
            if source.extra:
                warnings.append(t("extract.warning.extra_columns", lang, table=name, columns=", ".join(source.extra)))
            if source.rows == 0:
                raise InputError(str(source.path), t("extract.no_rows", lang))
        for name, source in sources.items():
            table = tables[name]
            try:
                check_table(con, table, source, id_types, lang)
                if name == RESPONSES:
                    _check_responses(con, questionnaire, source, lang)
                elif name == POPULATION:
                    _check_population(con, lang)
                counts[name] = write_table(con, table, source, stage, lang)
                if name == FRAME:
                    prepare_keys(con, table)
                    con.execute(
                        f"CREATE TEMP TABLE usable_frame AS SELECT person_id, status "
                        f"FROM chk_{FRAME} ANTI JOIN rej_{FRAME} USING (__row)"
                    )
                elif name == RESPONSES:
                    warnings += _frame_warnings(con, lang)
            except duckdb.Error as error:
                detail = str(error).strip().splitlines()[0].strip()
                raise InputError(str(source.path), t("extract.unreadable", lang, detail=detail)) from None
            drop_source(con, source)
        write_summary(stage / SUMMARY_FILE, counts)
        for name in tables:
            (out_dir / "clean" / f"{name}.parquet").unlink(missing_ok=True)
            (out_dir / "rejected" / f"{name}.csv").unlink(missing_ok=True)
        move_into_place(stage, out_dir)
    finally:
        con.close()
        shutil.rmtree(stage, ignore_errors=True)
    return ValidationSummary(
        out_dir=out_dir,
        tables=counts,
        id_types={k: "int64" if v else "string" for k, v in id_types.items()},
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )


__all__ = ["FRAME", "POPULATION", "RESPONSES", "survey_tables", "validate_survey"]
