"""Files for the importer's tests: rows in the interchange format, and a snapshot of
every tracker and history table to compare before and after."""

from __future__ import annotations

import codecs
import csv
import io

from django.apps import apps

from proposals import importing
from proposals.importing import import_proposals
from proposals.interchange import COLUMNS


def make_row(**values: str) -> dict[str, str]:
    row = {
        "year": "2023",
        "body": "NPC",
        "delegate_name": "Lei Jun",
        "delegate_name_zh": "雷军",
        "company": "Xiaomi",
        "role": "Founder",
        "title": "Build high-power charging",
        "summary": "Our own words.",
        "topics": "ai;regulation",
        "status": "",
        "source_url": "https://news.example.org/lei-2023",
        "source_title": "Lei Jun's suggestions",
        "source_publisher": "Example News",
        "source_date": "2023-03-05",
    }
    row.update(values)
    return row


def csv_bytes(rows: list[dict[str, str]], *, bom: bool = False, columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data


def run(data: bytes, name: str = "session.csv", **options) -> importing.ImportReport:
    return import_proposals(io.BytesIO(data), name=name, **options)


def db_state() -> dict[str, list[dict]]:
    """Every row of every tracker table and history table, to compare before and after."""
    state = {}
    for label in ("topics", "delegates", "proposals"):
        for model in apps.get_app_config(label).get_models():
            if not model._meta.managed:
                # SQLite's FTS5 table (ProposalSearchFTS): its hidden column reads as a
                # cursor value, not data; the search rows it indexes are compared.
                continue
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


THREE_ROWS = [
    make_row(),
    make_row(title="Protect personal data in e-waste", topics="regulation"),
    make_row(
        delegate_name="Pony Ma (Ma Huateng)",
        delegate_name_zh="马化腾",
        company="Tencent",
        role="CEO",
        title="Plan compute nationally",
        topics="ai",
        source_url="https://news.example.org/pony-2023",
        source_title="",
        source_publisher="",
        source_date="",
    ),
]
