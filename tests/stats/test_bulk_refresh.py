"""Writes that bypass model signals (imports, bulk actions) still update the trend
counts and retire cached trends, facets and pages."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from proposals.interchange import BASE_COLUMNS as COLUMNS  # a file of the old format

pytestmark = pytest.mark.django_db(transaction=True)

ROW = {
    "year": "2022",
    "body": "NPC",
    "delegate_name": "Lei Jun",
    "delegate_name_zh": "雷军",
    "company": "Xiaomi",
    "role": "Founder, Chairman & CEO",
    "title": "Standardise phone recycling labels",
    "summary": "A test suggestion.",
    "topics": "e-waste",
    "status": "",
    "source_url": "https://news.example.org/recycling-labels",
    "source_title": "Recycling labels",
    "source_publisher": "Example News",
    "source_date": "2022-03-05",
}


def ewaste_2022(client) -> int:
    payload = client.get("/trends/topics.json?topic=e-waste&year_min=2022").json()
    return payload["series"][0]["values"][0]


def test_an_import_updates_trends_facets_and_cached_pages(client, real_data, tmp_path):
    assert ewaste_2022(client) == 1
    list_url = "/proposals/?topic=e-waste"
    assert "Standardise phone recycling labels" not in client.get(list_url).content.decode()
    path = tmp_path / "new.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n" + ",".join(f'"{ROW[c]}"' for c in COLUMNS) + "\n",
        encoding="utf-8",
    )
    call_command("import_proposals", str(path), no_progress=True, verbosity=0)
    assert ewaste_2022(client) == 2
    page = client.get(list_url)
    assert "Standardise phone recycling labels" in page.content.decode()
