"""A reader follows a topic: the dashboard, the topic index, a topic's page, the trend
explorer, and the explorer's measure changed from counts to shares."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.journeys


def test_reader(journey):
    page = journey.page
    journey.go("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main canvas").first).to_be_visible()  # the charts are drawn
    journey.shot("dashboard")

    # The dashboard's topic links open the filtered list; a topic's own page is one click
    # further, through the main navigation's topic index.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Topics").click()
    expect(page).to_have_url(re.compile(r"/topics/$"))
    page.locator('main a[href^="/topics/"]:not([href="/topics/"])').first.click()
    expect(page).to_have_url(re.compile(r"/topics/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.shot("topic")

    page.get_by_role("link", name="Explore these topics").first.click()
    expect(page).to_have_url(re.compile(r"/trends/\?.*topic="))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("radio", name="Number of proposals")).to_be_checked()
    journey.shot("explorer-counts")

    page.get_by_role("radio", name="Share of the year's proposals").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]measure=share"))
    expect(page.get_by_role("radio", name="Share of the year's proposals")).to_be_checked()
    expect(page.locator("main canvas").first).to_be_visible()
    journey.shot("explorer-shares")
