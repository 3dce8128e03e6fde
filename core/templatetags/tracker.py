"""Template helpers. Query strings: every view state is a URL, so links change one
parameter and keep the rest. Labels: what a body's filings are called."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.urls import translate_url
from django.utils import formats
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from core import languages
from core.languages import in_language, reader_language
from core.urls import page_url

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


@register.simple_tag
def localized(obj: Any, field: str) -> str:
    """`obj.<field>` in the reader's language. Text in the other language (no
    translation yet) is marked with its language and a small badge naming it
    ("English" or "中文", each in its own language), so a reader knows why."""
    return _localized(obj, field, reader_language())


def _localized(obj: Any, field: str, current: str) -> str:
    """localized() for a reader of `current` (tags naming many records ask once)."""
    text, language = in_language(obj, field, current)
    # Numbers (a year facet's labels) read the same in both languages.
    if language == current or not any(ch.isalpha() for ch in text):
        return text
    if language == "en":
        return format_html(
            '<span lang="en">{}</span> <span class="lang-badge" lang="en">English</span>', text
        )
    return format_html(
        '<span lang="zh-Hans">{}</span> <span class="lang-badge" lang="zh-Hans">中文</span>', text
    )


@register.simple_tag
def other_name(obj: Any, field: str) -> str:
    """The name in the language not shown, after the shown one (" <span>雷军</span>"
    beside "Lei Jun"), or nothing when there is none: people and companies are known
    by both."""
    return _other_name(obj, field, reader_language())


def _other_name(obj: Any, field: str, current: str) -> str:
    shown, language = in_language(obj, field, current)
    name = f"{field}_zh" if language == "en" else field
    other = str((obj.get(name) if isinstance(obj, dict) else getattr(obj, name, "")) or "")
    if not other or other == shown:
        return ""
    code = "en" if language != "en" else "zh-Hans"
    return format_html(' <span lang="{}">{}</span>', code, other)


@register.simple_tag
def topic_tag(topic: Any) -> SafeString:
    """A topic's tag in a proposal row: its name, linking to the list of its proposals."""
    return _topic_tag(topic, page_url("public:proposal-list"), reader_language())


def _topic_tag(topic: Any, list_url: str, current: str) -> SafeString:
    name = conditional_escape(_localized(topic, "name", current))
    tag = f'<a class="tag" href="{escape(list_url)}?topic={escape(topic.slug)}">{name}</a>'
    return mark_safe(tag)  # noqa: S308 - each piece is escaped


@register.filter
def localized_text(obj: Any, field: str) -> str:
    """`obj.<field>` in the reader's language as plain text (for <title> and attributes)."""
    return languages.localized_text(obj, field)


@register.filter
def number(value: Any) -> str:
    """A count with the reader's language's digit grouping (1,234 in English)."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, force_grouping=True)


@register.filter
def both_names(obj: Any, field: str = "name") -> str:
    """A name in the reader's language, then in the other when known, as plain text
    ("Pony Ma 马化腾", on a Chinese page "马化腾 Pony Ma"): for <title>."""
    shown, language = in_language(obj, field)
    other = getattr(obj, f"{field}_zh" if language == "en" else field, "") or ""
    return f"{shown} {other}" if other and other != shown else shown


@register.filter
def minutes(value: Any) -> int:
    """A timedelta in whole minutes, rounded up (the lockout page's wait)."""
    return max(1, -int(-value.total_seconds() // 60))


class _Counts:
    """Each count's digits and "N results" label, worked out once per facet panel:
    formatting and translating them per option was most of a first visit's rendering
    (the topic facet alone has some 80 options, many with the same count)."""

    def __init__(self) -> None:
        self._shown: dict[int, tuple[str, str]] = {}

    def __call__(self, n: int) -> tuple[str, str]:
        """(the count as shown, its "N results" label), both escaped."""
        if n not in self._shown:
            shown = number(n)
            results = ngettext("%(n)s result", "%(n)s results", n) % {"n": shown}
            self._shown[n] = (escape(shown), escape(results))
        return self._shown[n]


def _facet_option(
    kind: str, name: str, option: Any, css: str, others: bool, counts: _Counts, current: str
) -> str:
    """One option; `name` is the parameter's name, escaped. An uncounted option (a
    search over its count limit) has no count."""
    checked = " checked" if option.selected else ""
    count = ""
    if option.count is not None:
        shown, results = counts(option.count)
        count = f' <span class="count" aria-label="{results}">{shown}</span>'
    # The option's name in the reader's language (marked when it falls back), and for
    # people and companies the other language's name beside it; every piece escaped.
    label = conditional_escape(_localized(option, "label", current))
    other = _other_name(option, "label", current) if others else ""
    return (
        f'<label class="{css}"><input type="{kind}" name="{name}" '
        f'value="{escape(option.value)}"{checked}> {label}{other}{count}</label>'
    )


@register.simple_tag
def facet_options(facet: Any) -> SafeString:
    """A facet panel's options (proposals.facets.Facet) as checkboxes or radio buttons,
    each with its count. One tag rather than a template loop: the topic facet has some
    80 options, and their dozen template nodes each were most of the list's rendering
    on a first visit."""
    kind = "checkbox" if facet.multi else "radio"
    others = facet.name != "topic"
    counts = _Counts()
    current = reader_language()
    name = escape(facet.name)
    parts = []
    if not facet.multi:
        parts.append(
            format_html(
                '<label class="facet-option"><input type="radio" name="{}" value=""{}> {}</label>',
                facet.name,
                "" if facet.any_selected else mark_safe(" checked"),
                gettext("Any"),
            )
        )
    for option in facet.options:
        empty = option.count == 0 and not option.selected
        css = "facet-option empty-option" if empty else "facet-option"
        parts.append(_facet_option(kind, name, option, css, others, counts, current))
        parts.extend(
            _facet_option("checkbox", name, child, "facet-option child", others, counts, current)
            for child in option.children
        )
    if not facet.counted and not facet.said_above:
        parts.append(
            format_html('<p class="empty">{}</p>', gettext("Not counted: too many matches."))
        )
    elif not facet.options:
        parts.append(
            format_html('<p class="empty">{}</p>', gettext("No options in these results."))
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped where it is built


def _proposal_row(proposal: Any, hide_delegate: bool, list_url: str, current: str) -> str:
    title = getattr(proposal, "search_title", "") or _localized(proposal, "title", current)
    excerpt = getattr(proposal, "search_excerpt", "")
    parts = [
        '<li class="proposal-row">\n'
        f'  <span class="meta">{proposal.session_id} · '
        f"{conditional_escape(filing_label(proposal.body))}</span>\n"
        f'  <a class="title" href="{escape(proposal.get_absolute_url())}">'
        f"{conditional_escape(title)}</a>\n"
    ]
    if excerpt:
        parts.append(f'  <p class="snippet">{conditional_escape(excerpt)}</p>\n')
    if not hide_delegate:
        delegate = proposal.delegate
        link = f'<a href="{escape(delegate.get_absolute_url())}">'
        marked = getattr(proposal, "search_name", "")
        if marked:  # a search: the name with the matched words marked
            name = f"{link}{conditional_escape(marked)}</a>"
            if delegate.name_zh:
                other = getattr(proposal, "search_name_zh", "") or delegate.name_zh
                name += f' <span lang="zh-Hans">{conditional_escape(other)}</span>'
        else:
            name = (
                f"{link}{conditional_escape(_localized(delegate, 'name', current))}</a>"
                f"{_other_name(delegate, 'name', current)}"
            )
        parts.append(f'  <span class="by">{name}</span>\n')
    tags = "".join(_topic_tag(topic, list_url, current) for topic in proposal.topics.all())
    parts.append(f'  <span class="topics">{tags}</span>\n</li>')
    return "".join(parts)


@register.simple_tag
def proposal_rows(proposals: Any, hide_delegate: bool = False) -> SafeString:
    """Proposals as the rows of a list: year and kind of filing, title (its matched
    words marked after a search, with an excerpt), delegate, topic tags. Each from
    for_list() (or with_snippets()). One tag rather than an include per row: the
    include's two dozen template nodes per row were a quarter of a list's first
    visit. Every value is escaped here (conditional_escape keeps marked-up search
    snippets, which are escaped piece by piece when built)."""
    list_url, current = page_url("public:proposal-list"), reader_language()
    rows = (_proposal_row(p, hide_delegate, list_url, current) for p in proposals)
    return mark_safe("\n".join(rows))  # noqa: S308
