"""What became of a proposal: the kinds of outcome event, their partial dates, the
rules of their order, and the status a timeline derives.

Pure functions over plain values, so the model's validation, the admin's inline
formset and the importer all check a timeline by the same rules without a query of
their own. Dates are partial ("2022", "2022-10", "2022-10-18"): the sources often
give only a year or a month, and a date we do not have is never made up.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned to a department")
    REPLIED = "replied", _("Replied")
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Grade(models.TextChoices):
    """The grade the handling unit gives its reply (NPC practice)."""

    A = "A", _("A: solved")
    B = "B", _("B: being solved or planned")
    C = "C", _("C: to be solved later")
    D = "D", _("D: for reference")


ADOPTIONS = {Kind.ADOPTED, Kind.PARTLY_ADOPTED}
# The handling chain whose dated order is checked; adoption into a law or the
# Government Work Report can come before a reply (or without one), so it is not.
HANDLING_ORDER = {Kind.REGISTERED: 0, Kind.ASSIGNED: 1, Kind.REPLIED: 2}
# How far a timeline got, for the derived status: the furthest stage reached, a
# withdrawal ending it.
STAGE = {
    Kind.REGISTERED: 1,
    Kind.ASSIGNED: 1,
    Kind.REPLIED: 2,
    Kind.PARTLY_ADOPTED: 3,
    Kind.ADOPTED: 4,
    Kind.WITHDRAWN: 5,
}
# Status values (proposals.models.Status) by kind, spelt out to avoid importing models.
STATUS_OF_KIND = {
    Kind.REGISTERED: "accepted",
    Kind.ASSIGNED: "accepted",
    Kind.REPLIED: "answered",
    Kind.PARTLY_ADOPTED: "partial",
    Kind.ADOPTED: "adopted",
    Kind.WITHDRAWN: "withdrawn",
}
NO_OUTCOME_STATUS = "submitted"

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(text: str) -> tuple[date, date] | None:
    """The first and last day a partial date can mean, or None when it is not one
    ("2022" is 2022-01-01 to 2022-12-31). An empty text is no date: also None."""
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        exact = date(year, month, day)
    except ValueError:
        return None
    return exact, exact


def validate_partial_date(text: str) -> None:
    from django.core.exceptions import ValidationError

    if text and parse_partial_date(text) is None:
        raise ValidationError(
            gettext("“%(value)s” is not a date: write 2022, 2022-10 or 2022-10-18.")
            % {"value": text[:20]}
        )


def precision(text: str) -> str:
    """ "year", "month", "day" or "" for a partial date."""
    return {4: "year", 7: "month", 10: "day"}.get(len(text.strip()), "")


@dataclass(frozen=True)
class Step:
    """One event as the rules see it."""

    kind: str
    when: str = ""


def _span(step: Step) -> tuple[date, date] | None:
    return parse_partial_date(step.when) if step.when else None


def _label(kind: str) -> str:
    return str(Kind(kind).label).lower()


def timeline_problems(steps: Iterable[Step], year: int | None = None) -> list[str]:
    """Why these events cannot all be one proposal's timeline (empty: they can).

    Refused: an event dated before the proposal's year; a reply or assignment dated
    before the registration (or a reply before the assignment); two registrations;
    two adoptions (adopted or partly adopted); two withdrawals, or any event dated
    after the withdrawal. Undated events are checked by count only: their order is
    not known."""
    steps = list(steps)
    problems: list[str] = []
    if year is not None:
        for step in steps:
            span = _span(step)
            if span and span[1].year < year:
                problems.append(
                    gettext(
                        "“%(kind)s” is dated %(when)s, before the proposal was filed in %(year)s."
                    )
                    % {"kind": _label(step.kind), "when": step.when, "year": year}
                )
    if sum(s.kind == Kind.REGISTERED for s in steps) > 1:
        problems.append(gettext("A proposal is registered once: there are two registrations."))
    if sum(s.kind in ADOPTIONS for s in steps) > 1:
        problems.append(
            gettext(
                "A proposal is adopted once: there are two adoptions (adopted or partly adopted)."
            )
        )
    withdrawals = [s for s in steps if s.kind == Kind.WITHDRAWN]
    if len(withdrawals) > 1:
        problems.append(gettext("A proposal is withdrawn once: there are two withdrawals."))
    for earlier in steps:
        for later in steps:
            if later.kind not in HANDLING_ORDER or earlier.kind not in HANDLING_ORDER:
                continue
            if HANDLING_ORDER[earlier.kind] >= HANDLING_ORDER[later.kind]:
                continue
            a, b = _span(earlier), _span(later)
            if a and b and b[1] < a[0]:
                problems.append(
                    gettext("“%(later)s” (%(b)s) cannot come before “%(earlier)s” (%(a)s).")
                    % {
                        "later": _label(later.kind),
                        "b": later.when,
                        "earlier": _label(earlier.kind),
                        "a": earlier.when,
                    }
                )
    for withdrawal in withdrawals[:1]:
        end = _span(withdrawal)
        for step in steps:
            span = _span(step)
            if step is not withdrawal and end and span and span[0] > end[1]:
                problems.append(
                    gettext(
                        "Nothing follows a withdrawal: “%(kind)s” (%(when)s) is after it (%(w)s)."
                    )
                    % {"kind": _label(step.kind), "when": step.when, "w": withdrawal.when}
                )
    return problems


def derived_status(kinds: Iterable[str]) -> str:
    """The status a timeline gives: its furthest stage (a withdrawal ends it), or
    "submitted" when nothing is known of what became of the proposal."""
    kinds = [k for k in kinds if k in STAGE]
    if not kinds:
        return NO_OUTCOME_STATUS
    return STATUS_OF_KIND[Kind(max(kinds, key=lambda k: STAGE[Kind(k)]))]


def timeline_order(when: str, kind: str) -> tuple:
    """Sort key for showing a timeline: dated events by date, undated ones after them
    in the order handling runs."""
    span = parse_partial_date(when) if when else None
    return (span is None, span[0] if span else date.max, STAGE.get(kind, 0))
