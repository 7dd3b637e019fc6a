"""A survey's questionnaire as data: items, options and codes, filters, forms and indices.

The 002 questionnaire (SINTEF for Helsedirektoratet 2024, appendix "Spørreskjema"; item ids of the
reading guide) is ``questionnaire.yaml`` beside this module; ``--questionnaire FILE`` takes another
survey in the same shape. :func:`load` checks a file field by field and stops at the first problem
with one :class:`~forlop.errors.InputError` line naming the file and the item (or scale, or index):
an unknown field, a duplicate id, an option without a code, a code used twice, a filter on an unknown
or later item or on a code the target does not have, a reverse-scored item that is not in its index,
an index item whose scored codes fall outside the index's range, ... (docs/definitions.md,
"Patient-experience survey (002)").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal, cast, get_args

from forlop.errors import InputError, read_user_yaml
from forlop.i18n import t

ItemType = Literal["single", "multiple", "text", "year"]
ITEM_TYPES: tuple[str, ...] = get_args(ItemType)
#: Options that are categories in frequency tables but missing in means and indices (002 §3.4.1, ch. 9).
Special = Literal["dont_know", "not_relevant", "not_offered", "prefer_not_to_say"]
SPECIALS: tuple[str, ...] = get_args(Special)
ScoreKind = Literal["mean", "sum", "items"]
SCORE_KINDS: tuple[str, ...] = get_args(ScoreKind)

_ITEM_FIELDS = (
    *("id", "question", "section", "type", "text", "row", "scale", "options", "min", "max", "filter"),
    *("forms", "form_text", "column", "reported", "note"),
)
_OPTION_FIELDS = ("code", "nb", "en", "special", "forms", "harmonised")
_INDEX_FIELDS = ("name", "items", "score", "range", "reverse", "min_items")


@dataclass(frozen=True)
class Text:
    """A text for people in Norwegian (Bokmål) and English."""

    nb: str
    en: str

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang`` (``nb`` unless ``en``)."""
        return self.en if lang == "en" else self.nb


@dataclass(frozen=True)
class Option:
    """One answer option of a choice item: its code in the data and its label."""

    code: int
    label: Text
    special: Special | None = None
    forms: tuple[str, ...] = ()
    harmonised: int | None = None


@dataclass(frozen=True)
class Filter:
    """Show an item only when the earlier item ``item`` has (or, if multiple choice, includes) one of ``codes``."""

    item: str
    codes: tuple[int, ...]


@dataclass(frozen=True)
class Item:
    """One item: one data column of ``survey_responses``."""

    id: str
    question: str
    section: str
    type: ItemType
    text: Text
    forms: tuple[str, ...]
    column: str
    row: Text | None = None
    options: tuple[Option, ...] = ()
    filter: Filter | None = None
    form_text: dict[str, Text] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    reported: bool = True
    note: str | None = None

    @property
    def codes(self) -> tuple[int, ...]:
        """Every option code of the item, on any form."""
        return tuple(o.code for o in self.options)

    def codes_on(self, form: str) -> tuple[int, ...]:
        """The option codes the form ``form`` offers."""
        return tuple(o.code for o in self.options if form in o.forms)

    def option(self, code: int) -> Option:
        """The option with ``code``."""
        return next(o for o in self.options if o.code == code)

    @property
    def published(self) -> bool:
        """False for free text: never published (002 §7 gives no rules for publishing it)."""
        return self.type != "text"


@dataclass(frozen=True)
class Index:
    """A scale built from items: its items, how it is scored, and which items are reversed."""

    key: str
    name: Text
    items: tuple[str, ...]
    score: ScoreKind
    low: int
    high: int
    reverse: tuple[str, ...]
    min_items: int


@dataclass(frozen=True)
class Questionnaire:
    """A survey's questionnaire: its forms, items in form order and indices."""

    survey: str
    forms: tuple[str, ...]
    items: tuple[Item, ...]
    indices: dict[str, Index]
    path: str

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``."""
        return next(i for i in self.items if i.id == item_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """The item ids in form order."""
        return tuple(i.id for i in self.items)


DEFAULT_PATH = "questionnaire.yaml"


class _Check:
    """Raises one InputError line: the file, where in it (item, scale, index) and what is wrong."""

    def __init__(self, path: str, lang: str | None) -> None:
        self.path = path
        self.lang = lang

    def fail(self, where: str, key: str, **values: object) -> InputError:
        problem = t(key, self.lang, **values)
        return InputError(self.path, t("survey.questionnaire.at", self.lang, where=where, problem=problem))

    def where(self, kind: str, name: object) -> str:
        return t(f"survey.questionnaire.{kind}", self.lang, name=name)

    def mapping(self, raw: object, where: str, known: tuple[str, ...]) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(where, "survey.questionnaire.not_mapping")
        for name in raw:
            if name not in known:
                raise self.fail(where, "survey.questionnaire.unknown_field", field=name, known=", ".join(known))
        return raw

    def integer(self, value: object, where: str, name: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, "survey.questionnaire.not_integer", field=name, value=value)
        return value

    def text(self, raw: object, where: str, name: str) -> Text:
        if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("nb", "en")):
            raise self.fail(where, "survey.questionnaire.text", field=name)
        return Text(nb=raw["nb"], en=raw["en"])

    def forms(self, raw: object, where: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        if raw is None:
            return allowed
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "survey.questionnaire.forms", known=", ".join(allowed))
        for form in raw:
            if form not in allowed:
                raise self.fail(where, "survey.questionnaire.unknown_form", form=form, known=", ".join(allowed))
        return tuple(raw)


def _options(check: _Check, raw: object, where: str, forms: tuple[str, ...]) -> tuple[Option, ...]:
    """The options of an item or scale: each with an integer code, unique, nb and en labels."""
    if not isinstance(raw, list) or not raw:
        raise check.fail(where, "survey.questionnaire.no_options")
    options: list[Option] = []
    for number, spec in enumerate(raw, start=1):
        label = spec.get("nb", number) if isinstance(spec, dict) else spec
        if not isinstance(spec, dict) or "code" not in spec:
            raise check.fail(where, "survey.questionnaire.option_without_code", option=label)
        check.mapping(spec, where, _OPTION_FIELDS)
        code = check.integer(spec["code"], where, f"code ({label})")
        if code in (o.code for o in options):
            raise check.fail(where, "survey.questionnaire.duplicate_code", code=code)
        there = f"{where}, {t('survey.questionnaire.option', check.lang, name=code)}"
        special = spec.get("special")
        if special is not None and special not in SPECIALS:
            raise check.fail(there, "survey.questionnaire.unknown_special", special=special, known=", ".join(SPECIALS))
        harmonised = spec.get("harmonised")
        options.append(
            Option(
                code=code,
                label=check.text(spec, there, "nb/en"),
                special=cast("Special | None", special),
                forms=check.forms(spec.get("forms"), there, forms),
                harmonised=None if harmonised is None else check.integer(harmonised, there, "harmonised"),
            )
        )
    codes = {o.code for o in options}
    for option in options:
        if option.harmonised is not None and option.harmonised not in codes:
            raise check.fail(where, "survey.questionnaire.harmonised", code=option.code, target=option.harmonised)
    return tuple(options)


def _item(
    check: _Check, spec: dict, forms: tuple[str, ...], scales: dict[str, tuple[Option, ...]], earlier: dict[str, Item]
) -> Item:
    """One item, checked field by field against the items before it."""
    where = check.where("item", spec.get("id", "?"))
    check.mapping(spec, where, _ITEM_FIELDS)
    for name in ("id", "section", "type", "text"):
        if name not in spec:
            raise check.fail(where, "survey.questionnaire.missing", field=name)
    item_id = spec["id"]
    if not isinstance(item_id, str) or not item_id.strip():
        raise check.fail(where, "survey.questionnaire.bad_id")
    kind = spec["type"]
    if kind not in ITEM_TYPES:
        raise check.fail(where, "survey.questionnaire.bad_value", field="type", value=kind, known=", ".join(ITEM_TYPES))
    item_forms = check.forms(spec.get("forms"), where, forms)
    options: tuple[Option, ...] = ()
    if kind in ("single", "multiple"):
        if "scale" in spec and "options" in spec:
            raise check.fail(where, "survey.questionnaire.scale_and_options")
        if "scale" in spec:
            if spec["scale"] not in scales:
                raise check.fail(
                    where, "survey.questionnaire.unknown_scale", scale=spec["scale"], known=", ".join(scales)
                )
            options = scales[spec["scale"]]
        else:
            options = _options(check, spec.get("options"), where, forms)
        for option in options:
            if not set(option.forms) & set(item_forms):
                raise check.fail(where, "survey.questionnaire.option_form", code=option.code)
    elif "scale" in spec or "options" in spec:
        raise check.fail(where, "survey.questionnaire.options_on_other", type=kind)
    minimum = maximum = None
    if kind == "year":
        minimum = check.integer(spec.get("min"), where, "min")
        maximum = check.integer(spec.get("max"), where, "max")
        if minimum > maximum:
            raise check.fail(where, "survey.questionnaire.range", low=minimum, high=maximum)
    item_filter = None
    if "filter" in spec:
        raw = check.mapping(spec["filter"], where, ("item", "in"))
        target = raw.get("item")
        if target not in earlier:
            raise check.fail(where, "survey.questionnaire.filter_target", target=target)
        codes = raw.get("in")
        if not isinstance(codes, list) or not codes:
            raise check.fail(where, "survey.questionnaire.filter_codes_missing", target=target)
        target_item = earlier[target]
        if target_item.type not in ("single", "multiple"):
            raise check.fail(where, "survey.questionnaire.filter_type", target=target)
        for code in codes:
            if code not in target_item.codes:
                raise check.fail(where, "survey.questionnaire.filter_code", target=target, code=code)
        item_filter = Filter(item=target, codes=tuple(codes))
    form_text = {}
    for form, text in (spec.get("form_text") or {}).items():
        if form not in item_forms:
            raise check.fail(where, "survey.questionnaire.unknown_form", form=form, known=", ".join(item_forms))
        form_text[form] = check.text(text, where, f"form_text.{form}")
    reported = spec.get("reported", True)
    if not isinstance(reported, bool):
        raise check.fail(where, "survey.questionnaire.bad_value", field="reported", value=reported, known="true, false")
    return Item(
        id=item_id,
        question=str(spec.get("question", item_id)),
        section=str(spec["section"]),
        type=cast(ItemType, kind),
        text=check.text(spec["text"], where, "text"),
        forms=item_forms,
        column=str(spec.get("column", item_id)),
        row=check.text(spec["row"], where, "row") if "row" in spec else None,
        options=options,
        filter=item_filter,
        form_text=form_text,
        minimum=minimum,
        maximum=maximum,
        reported=reported,
        note=spec.get("note"),
    )


def _index(check: _Check, key: str, spec: object, items: dict[str, Item]) -> Index:
    """One index: its items must be single-choice items whose scored codes lie in ``range``."""
    where = check.where("index", key)
    spec = check.mapping(spec, where, _INDEX_FIELDS)
    for name in ("items", "score", "range"):
        if name not in spec:
            raise check.fail(where, "survey.questionnaire.missing", field=name)
    members = spec["items"]
    if not isinstance(members, list) or not members:
        raise check.fail(where, "survey.questionnaire.missing", field="items")
    if spec["score"] not in SCORE_KINDS:
        raise check.fail(
            where, "survey.questionnaire.bad_value", field="score", value=spec["score"], known=", ".join(SCORE_KINDS)
        )
    bounds = spec["range"]
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise check.fail(where, "survey.questionnaire.range", low="?", high="?")
    low, high = (check.integer(b, where, "range") for b in bounds)
    if low >= high:
        raise check.fail(where, "survey.questionnaire.range", low=low, high=high)
    for member in members:
        item = items.get(member)
        if item is None or item.type != "single":
            raise check.fail(where, "survey.questionnaire.index_item", item=member)
        for option in item.options:
            if option.special is None and not low <= option.code <= high:
                raise check.fail(
                    where, "survey.questionnaire.index_code", item=member, code=option.code, low=low, high=high
                )
    reverse = spec.get("reverse") or []
    for member in reverse:
        if member not in members:
            raise check.fail(where, "survey.questionnaire.reverse_not_in_index", item=member)
    min_items = check.integer(spec.get("min_items", len(members)), where, "min_items")
    if not 1 <= min_items <= len(members):
        raise check.fail(where, "survey.questionnaire.min_items", n=len(members))
    return Index(
        key=key,
        name=check.text(spec.get("name"), where, "name"),
        items=tuple(members),
        score=cast(ScoreKind, spec["score"]),
        low=low,
        high=high,
        reverse=tuple(reverse),
        min_items=min_items,
    )


def parse(raw: object, path: str, lang: str | None = None) -> Questionnaire:
    """The questionnaire in ``raw`` (parsed YAML of ``path``), checked; one ``InputError`` line otherwise."""
    check = _Check(path, lang)
    top = check.where("top", path)
    raw = check.mapping(raw, top, ("survey", "forms", "scales", "items", "indices"))
    forms = raw.get("forms")
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        raise check.fail(top, "survey.questionnaire.missing", field="forms")
    forms_t = tuple(forms)
    scales = {}
    for name, options in (raw.get("scales") or {}).items():
        scales[name] = _options(check, options, check.where("scale", name), forms_t)
    if not isinstance(raw.get("items"), list) or not raw["items"]:
        raise check.fail(top, "survey.questionnaire.missing", field="items")
    items: dict[str, Item] = {}
    columns: dict[str, str] = {}
    for spec in raw["items"]:
        if not isinstance(spec, dict):
            raise check.fail(top, "survey.questionnaire.not_mapping")
        item = _item(check, spec, forms_t, scales, items)
        for name in {item.id.lower(), item.column.lower()}:
            if name in columns:
                raise check.fail(check.where("item", item.id), "survey.questionnaire.duplicate_id", other=columns[name])
            columns[name] = item.id
        items[item.id] = item
    indices = {key: _index(check, key, spec, items) for key, spec in (raw.get("indices") or {}).items()}
    return Questionnaire(
        survey=str(raw.get("survey", "")), forms=forms_t, items=tuple(items.values()), indices=indices, path=path
    )


def load(path: Path | str | None = None, lang: str | None = None) -> Questionnaire:
    """The questionnaire of ``path`` (default: 002's, ``questionnaire.yaml`` beside this module), checked."""
    if path is None:
        source = resources.files("forlop.survey").joinpath(DEFAULT_PATH)
        return parse(read_user_yaml(Path(str(source)), lang), str(source), lang)
    return parse(read_user_yaml(Path(path), lang), str(path), lang)


__all__ = ["Filter", "Index", "Item", "Option", "Questionnaire", "Text", "load", "parse"]
