"""Template helpers. Query strings: every view state is a URL, so links change one
parameter and keep the rest. Labels: what a body's filings are called."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

register = template.Library()

# What a filing is called in each body: NPC deputies file suggestions, CPPCC members
# file proposals. Keyed by the body's value, as stored.
FILING_LABELS = {"npc": gettext_lazy("NPC suggestion"), "cppcc": gettext_lazy("CPPCC proposal")}


@register.filter
def filing_label(body: str) -> str:
    """“NPC suggestion” or “CPPCC proposal” for a body's value."""
    return FILING_LABELS.get(body, body)


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


@register.simple_tag(takes_context=True)
def language_versions(context: dict[str, Any]) -> list[dict[str, Any]]:
    """This page, filters and all, in each language the site speaks: for the switcher
    and the hreflang alternates. Each: code, name, path and whether it is this one."""
    request = context["request"]
    here = request.get_full_path()
    current = get_language()
    return [
        {"code": code, "name": name, "path": translate_url(here, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]


def _in_language(obj: Any, field: str) -> tuple[str, str]:
    """(text, its language) of `obj.<field>` for the reader: the Chinese field
    (`<field>_zh`) on a Chinese page when it is filled, else the English, else the
    Chinese. Works on models, TopicNodes and dicts."""

    def get(name: str) -> str:
        value = obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")
        return value or ""

    english, chinese = get(field), get(f"{field}_zh")
    if get_language() == "zh-hans" and chinese:
        return chinese, "zh-hans"
    if english:
        return english, "en"
    return chinese, "zh-hans"


@register.simple_tag
def localized(obj: Any, field: str) -> str:
    """`obj.<field>` in the reader's language. Text in the other language (no
    translation yet) is marked with its language and, on a Chinese page, said to be
    English, so a reader knows why it is not in Chinese."""
    text, language = _in_language(obj, field)
    if language == get_language() or not text:
        return text
    if language == "en":
        return format_html(
            '<span lang="en">{}</span> <span class="in-english">{}</span>',
            text,
            gettext("(in English)"),
        )
    return format_html('<span lang="zh-Hans">{}</span>', text)


@register.filter
def localized_text(obj: Any, field: str) -> str:
    """`obj.<field>` in the reader's language as plain text (for <title> and attributes)."""
    return _in_language(obj, field)[0]


@register.filter
def minutes(value: Any) -> int:
    """A timedelta in whole minutes, rounded up (the lockout page's wait)."""
    return max(1, -int(-value.total_seconds() // 60))


_CHECKED = mark_safe(" checked")


def _facet_option(kind: str, name: str, option: Any, css: str) -> SafeString:
    label_zh = format_html(' <span lang="zh">{}</span>', option.label_zh) if option.label_zh else ""
    results = ngettext("%(n)s result", "%(n)s results", option.count) % {"n": option.count}
    return format_html(
        '<label class="{}"><input type="{}" name="{}" value="{}"{}> {}{} '
        '<span class="count" aria-label="{}">{}</span></label>',
        css,
        kind,
        name,
        option.value,
        _CHECKED if option.selected else "",
        option.label,
        label_zh,
        results,
        option.count,
    )


@register.simple_tag
def facet_options(facet: Any) -> SafeString:
    """A facet panel's options (proposals.facets.Facet) as checkboxes or radio buttons,
    each with its count. One tag rather than a template loop: the topic facet has some
    80 options, and their dozen template nodes each were most of the list's rendering
    on a first visit."""
    kind = "checkbox" if facet.multi else "radio"
    parts = []
    if not facet.multi:
        parts.append(
            format_html(
                '<label class="facet-option"><input type="radio" name="{}" value=""{}> {}</label>',
                facet.name,
                "" if facet.any_selected else _CHECKED,
                gettext("Any"),
            )
        )
    for option in facet.options:
        empty = not option.count and not option.selected
        css = "facet-option empty-option" if empty else "facet-option"
        parts.append(_facet_option(kind, facet.name, option, css))
        parts.extend(
            _facet_option("checkbox", facet.name, child, "facet-option child")
            for child in option.children
        )
    if not facet.options:
        parts.append(
            format_html('<p class="empty">{}</p>', gettext("No options in these results."))
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every part is built by format_html
