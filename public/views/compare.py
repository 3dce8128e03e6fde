"""The compare page: two to four delegates or companies, their topic profiles over
the years side by side (stats.profiles)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from core.cache import cache_public_page
from core.errors import FieldError, form_errors, page_400
from proposals import selectors
from proposals.params import BY_NAME, form_for
from stats import echo, profiles

MIN_COMPARED, MAX_COMPARED = 2, 4
CompareForm = form_for((BY_NAME["delegate"], BY_NAME["company"]))


# The page reads these parameters only: its cache key and the query it sees are made
# of them (core.cache), so junk parameters share the entry.
@cache_public_page(params=lambda: ("delegate", "company"))
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return page_400(request, form_errors(form))
    chosen = [("delegate", d) for d in form.cleaned_data["delegate"]] + [
        ("company", c) for c in form.cleaned_data["company"]
    ]
    if chosen and not MIN_COMPARED <= len(chosen) <= MAX_COMPARED:
        field = "delegate" if form.cleaned_data["delegate"] else "company"
        message = gettext("Compare %(low)s to %(high)s delegates or companies (got %(n)s).") % {
            "low": MIN_COMPARED,
            "high": MAX_COMPARED,
            "n": len(chosen),
        }
        return page_400(request, [FieldError(field, message, str(form.fields[field].label))])
    comparison = (
        profiles.compare([profiles.profile(r, kind) for kind, r in chosen]) if chosen else None
    )
    return render(
        request,
        "public/compare.html",
        {
            "comparison": comparison,
            "choices": selectors.people_choices(),
            "chosen": {
                kind: {r.slug for k, r in chosen if k == kind} for kind in ("delegate", "company")
            },
            # Per person, how many proposals echo that year's Government Work Report and
            # how many came before the report first named their topic (stats.echo).
            "echoes": [{"record": r, "kind": kind, **_echo_counts(kind, r)} for kind, r in chosen],
        },
    )


def _echo_counts(kind: str, record: object) -> dict[str, int]:
    found = (
        echo.delegate_echo(record.slug, record)
        if kind == "delegate"
        else echo.company_echo(record.slug, record)
    )
    return {"proposals": found["proposals"], "echo": found["echo"], "ahead": found["ahead"]}
