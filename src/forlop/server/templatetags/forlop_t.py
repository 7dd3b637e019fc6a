"""``{% t "key" name=value %}``: a text of messages.yaml in the request's language (``forlop.i18n.t``)."""

from __future__ import annotations

from typing import Any

from django import template

from forlop.i18n import month_name
from forlop.i18n import t as text

register = template.Library()


@register.simple_tag(takes_context=True)
def t(context: Any, key: str, **values: Any) -> str:
    return text(key, context.get("lang"), **values)


@register.simple_tag(takes_context=True)
def month(context: Any, value: Any) -> str:
    return month_name(value, context.get("lang"))


@register.simple_tag(takes_context=True)
def indicator_name(context: Any, item: Any) -> str:
    return item.name(context.get("lang"))
