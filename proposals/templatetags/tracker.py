"""Query-string helpers: every view state is a URL, so links change one parameter
and keep the rest."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

register = template.Library()


def _params(context: dict[str, Any]) -> QueryDict:
    return context["request"].GET.copy()


@register.simple_tag(takes_context=True)
def toggle(context: dict[str, Any], key: str, value: Any, multi: bool = False) -> str:
    """The current URL's query with `key=value` switched on or off. Single-valued keys
    are replaced; `multi` keys (year, topic) gain or lose one value. The page resets."""
    params = _params(context)
    value = str(value)
    current = params.getlist(key)
    if value in current:
        params.setlist(key, [v for v in current if v != value])
    elif multi:
        params.setlist(key, [*current, value])
    else:
        params.setlist(key, [value])
    params.pop("page", None)
    return "?" + params.urlencode() if params else "?"


@register.simple_tag(takes_context=True)
def with_param(context: dict[str, Any], key: str, value: Any) -> str:
    """The current query with one key set (e.g. the page or the sort)."""
    params = _params(context)
    params[key] = str(value)
    if key != "page":
        params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def current_query(context: dict[str, Any], drop: str = "page") -> str:
    """The current query string without `drop` (for export and feed links)."""
    params = _params(context)
    params.pop(drop, None)
    return params.urlencode()
