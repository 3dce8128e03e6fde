"""The CSV interchange format shared by the real-data build, the public export and
the importer. One place defines its columns and how names in it are read."""

from __future__ import annotations

import re
from dataclasses import dataclass

COLUMNS: tuple[str, ...] = (
    "year",
    "body",
    "delegate_name",
    "delegate_name_zh",
    "company",
    "role",
    "title",
    "summary",
    "topics",
    "status",
    "source_url",
    "source_title",
    "source_publisher",
    "source_date",
)
TOPIC_SEPARATOR = ";"

_BRACKETED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<other>[^()]+)\)\s*$")


@dataclass(frozen=True)
class PersonName:
    name: str
    other_names: tuple[str, ...] = ()


def split_person_name(raw: str) -> PersonName:
    """“Pony Ma (Ma Huateng)” is one person with two names: keep both."""
    raw = " ".join(raw.split())
    match = _BRACKETED.match(raw)
    if not match:
        return PersonName(raw)
    return PersonName(match["name"].strip(), (match["other"].strip(),))


def split_topics(raw: str) -> list[str]:
    return [slug.strip() for slug in raw.split(TOPIC_SEPARATOR) if slug.strip()]
