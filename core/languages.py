"""Records in the reader's language: a field's Chinese twin (`<field>_zh`) on a Chinese
page when it is filled, else the English, else the Chinese. The template tags
(`localized`, `localized_text`) and the modules that word charts and chips read it
here, so the rule is in one place."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language

CHINESE = "zh-hans"


def reader_language() -> str:
    """The reader's language code ("en" when none is active)."""
    return get_language() or "en"


def in_language(obj: Any, field: str, current: str | None = None) -> tuple[str, str]:
    """(text, its language code) of `obj.<field>` for the reader. Works on models,
    TopicNodes and dicts. A lazy translation (a choice's label) is already in the
    reader's language. `current`: reader_language(), for callers naming many records
    (asking for the active language costs more than the rest of this)."""

    def get(name: str) -> Any:
        value = obj.get(name, "") if isinstance(obj, dict) else getattr(obj, name, "")
        return value or ""

    current = current or reader_language()
    english = get(field)
    if isinstance(english, Promise):
        return str(english), current
    english, chinese = str(english), str(get(f"{field}_zh"))
    if current == CHINESE and chinese:
        return chinese, CHINESE
    if english:
        return english, "en"
    return chinese, CHINESE


def localized_text(obj: Any, field: str) -> str:
    """`obj.<field>` in the reader's language, as plain text."""
    return in_language(obj, field)[0]
