"""An analyst narrows the list: a filter, a second one, one chip removed, a search, and
the matching rows exported as CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.journeys

# The export's columns (issues 13 and 14): the link back to the site first, then the
# interchange format with outcomes and repeats, the Chinese text last.
HEADER = (
    "id,url,year,body,delegate_name,delegate_name_zh,company,role,title,summary,topics,status,"
    "source_url,source_title,source_publisher,source_date,outcomes,repeats,title_zh,summary_zh"
)


def _results(page) -> int:
    """The count the results' heading gives ("269 results · page 1 of 11")."""
    heading = page.get_by_role("heading", level=2, name=re.compile(r"^[\d,]+ results?"))
    return int(re.match(r"[\d,]+", heading.inner_text()).group().replace(",", ""))


def test_analyst(journey):
    page = journey.page
    journey.go("/proposals/")
    filters = page.get_by_role("form", name="Filter proposals")
    everything = _results(page)
    journey.shot("list")

    # One body, then one year: each is a checkbox or radio button in its facet.
    filters.locator('input[name="body"][value="cppcc"]').check()
    filters.get_by_role("button", name="Apply filters").first.click()
    expect(page).to_have_url(re.compile(r"[?&]body=cppcc"))
    filters.locator('input[name="year"]').first.check()
    filters.get_by_role("button", name="Apply filters").first.click()
    expect(page).to_have_url(re.compile(r"[?&]year=\d{4}"))
    chips = page.get_by_role("list", name="Active filters")
    expect(chips.get_by_role("link", name=re.compile(r"^Remove filter"))).to_have_count(2)
    narrowed = _results(page)
    assert 0 < narrowed < everything
    journey.shot("two-filters")

    # Removing the year's chip keeps the body.
    chips.get_by_role("link", name=re.compile(r"^Remove filter \D*\d{4}$")).click()
    expect(page).not_to_have_url(re.compile(r"[?&]year="))
    expect(page).to_have_url(re.compile(r"[?&]body=cppcc"))
    expect(chips.get_by_role("link", name=re.compile(r"^Remove filter"))).to_have_count(1)
    journey.shot("chip-removed")

    search = page.get_by_label("Search titles, summaries and names")
    search.fill("data")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=data"))
    expect(page).to_have_url(re.compile(r"[?&]body=cppcc"))
    found = _results(page)
    assert found > 0
    journey.shot("search")

    with page.expect_download() as download:
        page.get_by_role("main").get_by_role("link", name="CSV", exact=True).click()
    path = download.value.path()
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == found
    assert {row["body"].lower() for row in rows} == {"cppcc"}
