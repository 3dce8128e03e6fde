"""Links built without walking the URL resolver each time.

`reverse()` costs some 40 µs, and a list page asks it for every row's proposal,
delegate and topic links: over a hundred times, a tenth of a first visit. The shape of
a record's URL depends only on the route, the language (its /zh-hans/ prefix), the
script prefix and the URLconf, so it is reversed once per shape with a placeholder,
and each record's own value is put in its place. Values that are not plain slugs or
numbers (which would need quoting, or may not fit the route) go through reverse()."""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Digits: every converter our record routes use (int, slug) accepts them.
_PLACEHOLDER = "7777777777"
_PLAIN = re.compile(r"[-A-Za-z0-9_]+")


@functools.lru_cache(maxsize=1024)
def _reversed(name: str, placeholder: bool, language: str, prefix: str, urlconf: str) -> str:
    return reverse(name, args=[_PLACEHOLDER] if placeholder else None, urlconf=urlconf)


def _key() -> tuple[str, str, str]:
    return (get_language() or "", get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))


def record_url(name: str, value: int | str) -> str:
    """reverse(name, args=[value]) for a route taking one slug or number."""
    text = str(value)
    if not _PLAIN.fullmatch(text):
        return reverse(name, args=[value])
    return _reversed(name, True, *_key()).replace(_PLACEHOLDER, text, 1)


def page_url(name: str) -> str:
    """reverse(name) for a route taking no arguments."""
    return _reversed(name, False, *_key())
