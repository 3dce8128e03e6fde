"""The list's facets as an analyst uses them: a chosen option never leaves the form,
delegate and company facets list everyone and take several values."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db
URL = "/proposals/"


def checked(page: str, name: str) -> set[str]:
    """The values of the checked inputs called `name` in the page."""
    return {
        m.group(1)
        for m in re.finditer(
            rf'<input type="(?:checkbox|radio)" name="{name}" value="([^"]*)" checked>', page
        )
    }


def option_count(page: str, name: str, value: str) -> int:
    """The count shown beside one facet option."""
    match = re.search(
        rf'name="{name}" value="{re.escape(value)}"[^>]*>.*?<span class="count"[^>]*>(\d+)</span>',
        page,
        re.S,
    )
    assert match, f"no {name}={value} option"
    return int(match.group(1))


def test_a_chosen_year_with_no_results_stays_checked_with_its_zero(client, real_data):
    """The issue's URL: 2021 has no battery-swapping NPC suggestion, so its option was
    not rendered and the next Apply dropped year=2021 from the URL."""
    response = client.get(f"{URL}?topic=battery-swapping&year=2021&year=2022&body=npc")
    page = response.content.decode()
    assert response.status_code == 200
    assert checked(page, "year") == {"2021", "2022"}
    assert option_count(page, "year", "2021") == 0
    assert checked(page, "topic") == {"battery-swapping"}
    assert checked(page, "body") == {"npc"}
