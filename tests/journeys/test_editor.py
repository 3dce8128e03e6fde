"""An editor's session: log in, import a file (upload, preview, confirm), change the
imported proposal, and revert the change from its history."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.journeys

REAL_DATA = settings.BASE_DIR / "fixtures" / "two_sessions_2013_2022.csv"


def _one_row_file(folder, title: str) -> str:
    """A CSV of one new proposal: the first real row (a real delegate, seat and topics)
    under a title no proposal has."""
    with REAL_DATA.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(reader)
        fields = reader.fieldnames
    row["title"] = title
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerow(row)
    path = folder / f"{re.sub(r'[^a-z0-9]+', '-', title.lower())}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def test_editor(journey, editor_login, tmp_path):
    page = journey.page
    username, password = editor_login
    title = f"Journey import {journey.name} {int(time.time())}"

    journey.go("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    journey.shot("admin")

    journey.go("/admin/proposals/proposal/")
    page.get_by_role("link", name="Import a file").click()
    expect(page).to_have_url(re.compile(r"/admin/proposals/proposal/import/"))
    page.get_by_label("File").set_input_files(_one_row_file(tmp_path, title))
    journey.shot("import-form")
    page.get_by_role("button", name="Preview the import").click()
    summary = page.get_by_role("table", name="What the import will do")
    expect(summary).to_be_visible()
    changes = page.get_by_role("table", name="Proposals created or updated")
    expect(changes.get_by_role("row").filter(has_text=title)).to_contain_text("new")
    journey.shot("import-preview")
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("table", name="What the import will do")).to_have_count(0)
    journey.shot("import-done")

    # The imported proposal, found through the admin's search, given a new summary.
    journey.go(f"/admin/proposals/proposal/?q={title.replace(' ', '+')}")
    page.get_by_role("link", name=title).click()
    proposal = re.search(r"/proposal/(\d+)/change/", page.url).group(1)
    summary_field = page.locator('textarea[name="summary"]')
    original = summary_field.input_value()
    summary_field.fill("A summary the editor will take back.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    journey.shot("changed")

    # History: the version the import created, reverted to.
    journey.go(f"/admin/proposals/proposal/?q={title.replace(' ', '+')}")
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="History").click()
    versions = page.locator("#change-history tbody tr")
    expect(versions).to_have_count(2)
    journey.shot("history")
    # Oldest last: the import's version. Followed by its address, not clicked: at phone
    # width the admin's history table overflows and its cells cover the links.
    journey.go(versions.last.get_by_role("link").first.get_attribute("href"))
    expect(page.locator('textarea[name="summary"]')).to_have_value(original)
    journey.shot("revert-form")
    page.get_by_role("button", name="Revert").first.click()
    expect(page.locator(".messagelist")).to_contain_text("successfully")
    journey.shot("reverted")
    journey.go(f"/admin/proposals/proposal/{proposal}/change/")
    expect(page.locator('textarea[name="summary"]')).to_have_value(original)

    # The public page shows the reverted summary.
    journey.go(f"/proposals/{proposal}/")
    expect(page.get_by_role("main")).to_contain_text(original[:60])
    expect(page.get_by_role("main")).not_to_contain_text("take back")
    journey.shot("public-page")
