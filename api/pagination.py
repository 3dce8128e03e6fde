"""Keyset ("cursor") pagination: a page starts after the last row of the one before,
found through an index, so page 10,000 costs what page 1 costs. The cursor is opaque to
clients (base64 of the key of the row it starts after, and its direction); DRF's own
CursorPagination keys on one column plus an offset within equal values, which at a
million proposals means skipping up to a whole year's rows."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from core.errors import FieldError

from .errors import ParamError

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CURSOR_LENGTH = 100


def _encode(direction: str, key: Sequence[int]) -> str:
    raw = f"{direction}:{','.join(str(k) for k in key)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> tuple[str, tuple[int, ...]]:
    bad = ParamError([FieldError("cursor", gettext("This cursor is not one the API gave."))])
    if len(cursor) > CURSOR_LENGTH:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        direction, _, numbers = raw.partition(":")
        key = tuple(int(n) for n in numbers.split(","))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    if direction not in ("n", "p") or len(key) != width or any(abs(k) > 2**62 for k in key):
        raise bad
    return direction, key


def _single(request: HttpRequest, name: str) -> str | None:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise ParamError([FieldError(name, gettext("Give this parameter once."))])
    return values[0] if values else None


def page_size(request: HttpRequest) -> int:
    """The `page_size` parameter: 1 to MAX_PAGE_SIZE, PAGE_SIZE when not given."""
    raw = _single(request, "page_size")
    if raw is None:
        return PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ParamError(
            [
                FieldError(
                    "page_size",
                    gettext("Give a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE},
                )
            ]
        )
    return size


def _after(fields: Sequence[str], key: Sequence[int], descending: bool) -> Q:
    """Rows after `key` in the order of `fields` (all ascending or all descending):
    (a, b) > (x, y) written as a > x OR (a = x AND b > y), with a >= x beside it. The
    OR alone is no range an index can seek to: SQLite and PostgreSQL then walk the
    index from its start and filter, so page 4,000 read 100,000 entries. With the
    bound on the first field they seek to x and skip at most the rest of x's rows
    (one year's proposals), whatever the depth."""
    op = "lt" if descending else "gt"
    condition = Q()
    for i, name in enumerate(fields):
        step = Q(**{f"{name}__{op}": key[i]})
        for earlier, value in zip(fields[:i], key[:i], strict=True):
            step &= Q(**{earlier: value})
        condition |= step
    return Q(**{f"{fields[0]}__{op}e": key[0]}) & condition


def keyset_page(
    queryset: QuerySet,
    request: HttpRequest,
    fields: Sequence[str],
    *,
    descending: bool,
) -> dict[str, Any]:
    """One page of `queryset` in the order of `fields` (attribute names, each an
    integer), with `next` and `previous` links carrying every other parameter."""
    size = page_size(request)
    raw = _single(request, "cursor")
    direction, key = _decode(raw, len(fields)) if raw else ("n", None)
    backwards = direction == "p"
    # Forward in the list's order; a previous page walks back in the reverse order.
    walk_desc = descending != backwards
    order = [f"-{f}" if walk_desc else f for f in fields]
    rows = queryset
    if key is not None:
        rows = rows.filter(_after(fields, key, walk_desc))
    rows = list(rows.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def link(direction: str, row: Any) -> str:
        params = [(k, v) for k, vs in request.GET.lists() if k != "cursor" for v in vs]
        params.append(("cursor", _encode(direction, [getattr(row, f) for f in fields])))
        return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

    has_next = more if not backwards else key is not None
    has_previous = (key is not None) if not backwards else more
    return {
        "rows": rows,
        "next": link("n", rows[-1]) if rows and has_next else None,
        "previous": link("p", rows[0]) if rows and has_previous else None,
    }
