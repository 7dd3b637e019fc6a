"""Every indicator the report publishes is defined in docs/definitions.md (common.md: "every number a
user sees has a definition").

Convention (stated in docs/definitions.md, Pathways, "Indicator ids the report publishes"): in the
sections "## Pathways" and "## Report", an id is defined when it appears in backticks, either as
itself or in a family pattern where ``{a,b}`` stands for each of a and b and ``*`` for any part of
an id (``[a-z0-9_]*``). A ``*`` pattern must keep at least 8 literal characters, so that no
catch-all like `*_share` can define everything at once.
"""

from __future__ import annotations

import re
from pathlib import Path

from forlop.report.spec import load_spec
from forlop.report.usage import published_breakdowns

DEFINITIONS = Path(__file__).resolve().parents[2] / "docs" / "definitions.md"
SECTIONS = ("Pathways", "Report")


def defining_sections(markdown: str) -> str:
    """The text of the ``## Pathways`` and ``## Report`` sections."""
    parts = re.split(r"(?m)^## ", markdown)
    return "\n".join(p for p in parts if p.startswith(SECTIONS))


def expand(token: str) -> list[str]:
    """`a_{x,y}_b` -> [a_x_b, a_y_b] (every ``{…,…}`` group; a group without a comma stays literal)."""
    match = re.search(r"\{([^{}]*,[^{}]*)\}", token)
    if match is None:
        return [token]
    out: list[str] = []
    for alternative in match.group(1).split(","):
        out += expand(token[: match.start()] + alternative + token[match.end() :])
    return out


def patterns(markdown: str) -> list[re.Pattern]:
    """Compiled id patterns of every backticked token in the defining sections."""
    out = []
    for token in set(re.findall(r"`([^`\s]+)`", defining_sections(markdown))):
        for pattern in expand(token):
            if "*" in pattern and len(pattern.replace("*", "")) < 8:
                continue
            out.append(re.compile("^" + re.escape(pattern).replace(r"\*", "[a-z0-9_]*") + "$"))
    return out


def undefined(ids: list[str], markdown: str) -> list[str]:
    """The ids that no backticked token of the defining sections defines."""
    compiled = patterns(markdown)
    return [i for i in ids if not any(p.match(i) for p in compiled)]


def test_the_convention_on_a_small_document() -> None:
    # `a_{x,y}_b` defines a_x_b and a_y_b, not a_z_b; `first_contact_*` (14 literal characters)
    # defines first_contact_none; `*_share` (6 literal characters) is too broad to define anything;
    # a token outside the Pathways and Report sections defines nothing.
    doc = (
        "## QI\n`qi_only`\n## Pathways\n`a_{x,y}_b` and `first_contact_*`, `*_share`\n"
        "## Report (`forlop report`)\n`patients`\n"
    )
    ids = ["a_x_b", "a_y_b", "a_z_b", "first_contact_none", "coercion_share", "patients", "qi_only"]
    assert undefined(ids, doc) == ["a_z_b", "coercion_share", "qi_only"]


def test_every_published_indicator_is_defined() -> None:
    ids = sorted(published_breakdowns(load_spec()))
    # the report publishes 246 indicator ids today (usage.published_breakdowns over report_spec.yaml);
    # the ones the reviewer found undefined must be among them
    assert len(ids) >= 240
    assert {
        "female_share",
        "gp_consultation_share_of_gp_contacts",
        "readmission_30d_with_outpatient_share",
        "ambulant_share_of_outpatient_contacts",
        "outpatient_n_30d_mean",
    } <= set(ids)
    missing = undefined(ids, DEFINITIONS.read_text(encoding="utf-8"))
    assert missing == [], f"not defined in docs/definitions.md: {missing}"
