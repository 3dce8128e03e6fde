"""Build the real-data fixture from the sourced CSV and the curated facts.

`build_fixture()` is deterministic: the same inputs give byte-identical output, so a
corrected CSV regenerates a reviewable diff of fixtures/real_data.json.
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from proposals.interchange import BASE_COLUMNS, split_person_name, split_topics

from .priorities import PRIORITIES_PATH, priority_records
from .realoutcomes import add_outcomes, reported_rows

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
CSV_PATH = FIXTURES_DIR / "two_sessions_2013_2022.csv"
# The sourced proposals, oldest file first (record ids follow this order).
CSV_PATHS = (CSV_PATH, FIXTURES_DIR / "two_sessions_2023_2025.csv")
CURATION_PATH = FIXTURES_DIR / "curation.toml"
# Chinese titles and summaries (in our own words), and Chinese names of topics and sessions.
TRANSLATIONS_PATH = FIXTURES_DIR / "translations_zh.csv"
NAMES_ZH_PATH = FIXTURES_DIR / "names_zh.toml"
TRANSLATION_COLUMNS = ("year", "delegate_name", "title", "title_zh", "summary_zh")
FIXTURE_PATH = FIXTURES_DIR / "real_data.json"
# Records carry a fixed timestamp so that rebuilding changes nothing unless data does.
RECORDED_AT = "2026-11-23T00:00:00Z"

# Distinct, colour-blind-aware hues for sub-topics, assigned in a fixed order.
SUBTOPIC_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#386cb0",
    "#f0027f",
    "#bf5b17",
)
BODIES = {"NPC": "npc", "CPPCC": "cppcc"}


class BuildError(Exception):
    """Every problem found in the inputs, each naming the place at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class _Model:
    label: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, pk: Any, **fields: Any) -> Any:
        self.rows.append({"model": self.label, "pk": pk, "fields": fields})
        return pk


def read_csv(path: Path = CSV_PATH) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers in the file (the header is line 1)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != BASE_COLUMNS:
            raise BuildError([f"{path.name}, line 1: header must be {','.join(BASE_COLUMNS)}"])
        return [(reader.line_num, row) for row in reader]


@dataclass(frozen=True)
class Place:
    """Where a row is: which file, which line."""

    file: str
    line: int


def _canonical_names(rows: list[tuple[Place, dict[str, str]]], cur: dict[str, Any]) -> None:
    """Give each row the curated spelling of its delegate and company.

    One person may be spelt differently in two files ("Zeng Yuqun" and "Zeng Yuqun
    (Robin Zeng)"): a delegate the curation does not list by that English name is the
    curated person with the same Chinese name. A company is found by its curated name
    or one of its `aliases`."""
    by_zh = {d["name_zh"]: d["csv_name"] for d in cur["delegates"] if d.get("name_zh")}
    for _, row in rows:
        if row["delegate_name"].strip() in {d["csv_name"] for d in cur["delegates"]}:
            by_zh.setdefault(row["delegate_name_zh"].strip(), row["delegate_name"].strip())
    curated = {d["csv_name"] for d in cur["delegates"]}
    company_names = {c["name"]: c["name"] for c in cur["companies"]}
    for c in cur["companies"]:
        for alias in c.get("aliases", []):
            company_names[alias] = c["name"]
    for _, row in rows:
        name, zh = row["delegate_name"].strip(), row["delegate_name_zh"].strip()
        if name not in curated and zh in by_zh:
            row["delegate_name"] = by_zh[zh]
        company = row["company"].strip()
        row["company"] = company_names.get(company, company)


def read_translations(
    path: Path, problems: list[str]
) -> dict[tuple[int, str, str], tuple[Place, str, str]]:
    """(year, CSV delegate name, English title) -> (where, Chinese title, summary)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != TRANSLATION_COLUMNS:
            raise BuildError(
                [f"{path.name}, line 1: header must be {','.join(TRANSLATION_COLUMNS)}"]
            )
        found = {}
        for row in reader:
            place = Place(path.name, reader.line_num)
            key = (int(row["year"]), row["delegate_name"].strip(), row["title"].strip())
            if key in found:
                problems.append(f"{path.name}, line {place.line}: translates {key} twice")
            found[key] = (place, row["title_zh"].strip(), row["summary_zh"].strip())
        return found


def build_fixture(
    csv_paths: tuple[Path, ...] = CSV_PATHS,
    curation_path: Path = CURATION_PATH,
    translations_path: Path = TRANSLATIONS_PATH,
    names_zh_path: Path = NAMES_ZH_PATH,
    priorities_path: Path = PRIORITIES_PATH,
    notes: list[str] | None = None,
) -> list[dict]:
    """Merge the CSV files, the curated facts and the Chinese texts into fixture records.
    What the build leaves out on purpose (unmatched outcomes) is added to `notes`."""
    notes = [] if notes is None else notes
    rows = [(Place(path.name, line), row) for path in csv_paths for line, row in read_csv(path)]
    with curation_path.open("rb") as handle:
        cur = tomllib.load(handle)
    with names_zh_path.open("rb") as handle:
        names_zh = tomllib.load(handle)
    problems: list[str] = []
    # Keyed by the files' own spelling of the delegate, before names are made canonical.
    translations = read_translations(translations_path, problems)
    translation_of = {}
    for place, row in rows:
        key = (int(row["year"]), row["delegate_name"].strip(), row["title"].strip())
        if key not in translations:
            problems.append(
                f"{place.file}, line {place.line}: no Chinese title in {translations_path.name}"
            )
            continue
        translation_of[place] = translations.pop(key)
        if not translation_of[place][1]:
            problems.append(
                f"{translation_of[place][0].file}, line "
                f"{translation_of[place][0].line}, column title_zh: empty"
            )
    for index, row, texts in reported_rows(cur):
        place = Place(f"{curation_path.name} [[reported_proposals]]", index)
        rows.append((place, row))
        translation_of[place] = (place, *texts)
    _canonical_names(rows, cur)

    def where(place: Place, column: str, value: str) -> str:
        return f"{place.file}, line {place.line}, column {column} ({value!r})"

    sessions = _Model("delegates.annualsession")
    for s in cur["sessions"]:
        zh = names_zh["sessions"].get(str(s["year"]), {})
        if not zh:
            problems.append(f"{names_zh_path.name}: no Chinese session names for {s['year']}")
        sessions.add(
            s["year"],
            npc_session=s["npc_session"],
            cppcc_session=s["cppcc_session"],
            npc_session_zh=zh.get("npc", ""),
            cppcc_session_zh=zh.get("cppcc", ""),
            opens_on=s["opens_on"].isoformat(),
            closes_on=s["closes_on"].isoformat(),
        )
    years = {s["year"] for s in cur["sessions"]}

    companies = _Model("delegates.company")
    company_pk: dict[str, int] = {}
    for pk, c in enumerate(cur["companies"], 1):
        company_pk[c["name"]] = companies.add(
            pk,
            name=c["name"],
            name_zh=c.get("name_zh", ""),
            slug=c.get("slug") or slugify(c["name"]),
            sector=c.get("sector", ""),
            website=c.get("website", ""),
        )

    def topic_zh(slug: str) -> str:
        if slug not in names_zh["topics"]:
            problems.append(f"{names_zh_path.name}: no Chinese name for topic {slug!r}")
        return names_zh["topics"].get(slug, "")

    # Topics: the groups are the top level, every CSV slug a child of one group.
    topics = _Model("topics.topic")
    topic_pk: dict[str, int] = {}
    names = cur.get("topic_names", {})
    pk = 0
    for group in cur["topic_groups"]:
        pk += 1
        topic_pk[group["slug"]] = topics.add(
            pk,
            name=group["name"],
            name_zh=topic_zh(group["slug"]),
            slug=group["slug"],
            description=group["description"],
            parent=None,
            color=group["color"],
        )
    child_index = 0
    for group in cur["topic_groups"]:
        for slug in group["children"]:
            if slug in topic_pk:
                problems.append(f"{curation_path.name}: topic {slug!r} appears twice in the tree")
                continue
            pk += 1
            topic_pk[slug] = topics.add(
                pk,
                name=names.get(slug, slug.replace("-", " ").capitalize()),
                name_zh=topic_zh(slug),
                slug=slug,
                description="",
                parent=topic_pk[group["slug"]],
                color=SUBTOPIC_PALETTE[child_index % len(SUBTOPIC_PALETTE)],
            )
            child_index += 1

    # Delegates: everyone the CSV names must be curated (their seats live there).
    curated = {d["csv_name"]: d for d in cur["delegates"]}
    zh_by_name: dict[str, str] = {}
    for line, row in rows:  # line: the row's Place
        raw = row["delegate_name"].strip()
        if raw not in curated:
            problems.append(
                f"{where(line, 'delegate_name', raw)}: no entry in {curation_path.name}"
            )
        zh = row["delegate_name_zh"].strip()
        if zh_by_name.setdefault(raw, zh) != zh:
            problems.append(
                f"{where(line, 'delegate_name_zh', zh)}: differs from "
                f"{zh_by_name[raw]!r} given for the same delegate earlier"
            )

    delegates = _Model("delegates.delegate")
    delegate_pk: dict[str, int] = {}
    for pk, d in enumerate(cur["delegates"], 1):
        person = split_person_name(d["csv_name"])
        delegate_pk[d["csv_name"]] = delegates.add(
            pk,
            name=person.name,
            other_names="; ".join(person.other_names),
            name_zh=d.get("name_zh") or zh_by_name.get(d["csv_name"], ""),
            slug=slugify(person.name),
            bio=d.get("bio", ""),
        )

    seats = _Model("delegates.seat")
    seat_bodies: dict[tuple[str, int], set[str]] = defaultdict(set)
    for d in cur["delegates"]:
        for span in d["seats"]:
            for year in range(span["from"], span["to"] + 1):
                if year not in years:
                    problems.append(
                        f"{curation_path.name}: {d['csv_name']} has a seat in "
                        f"{year}, which has no session"
                    )
                    continue
                seat_bodies[(d["csv_name"], year)].add(BODIES[span["body"]])
                seats.add(
                    len(seats.rows) + 1,
                    delegate=delegate_pk[d["csv_name"]],
                    session=year,
                    body=BODIES[span["body"]],
                    delegation=span.get("delegation", ""),
                    citation=span["citation"],
                )

    # Sources: one per URL; a URL's title, publisher and date must agree everywhere.
    sources = _Model("proposals.source")
    source_pk: dict[str, int] = {}
    source_meta: dict[str, tuple[str, str, str]] = {}

    def add_source(url: str, title: str, publisher: str, date: str, place: str) -> int:
        meta = (title, publisher, date)
        if url in source_pk:
            if source_meta[url] != meta:
                problems.append(
                    f"{place}: source {url} is described differently elsewhere "
                    f"({source_meta[url]!r} vs {meta!r})"
                )
            return source_pk[url]
        source_meta[url] = meta
        source_pk[url] = sources.add(
            len(sources.rows) + 1,
            url=url,
            title=title,
            publisher=publisher,
            published_on=date or None,
            delegates=[],
            companies=[],
        )
        return source_pk[url]

    # Affiliations: one per (delegate, company, role), spanning the years the CSV attests it.
    spans: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    proposals = _Model("proposals.proposal")
    links = _Model("proposals.proposaltopic")
    corrections = {tuple(c["row"]): c for c in cur.get("corrections", [])}
    seen: dict[tuple[int, str, str], Place] = {}
    proposal_key: dict[tuple[int, str, str], int] = {}
    for line, row in rows:
        raw = row["delegate_name"].strip()
        title = row["title"].strip()
        try:
            year = int(row["year"])
        except ValueError:
            problems.append(f"{where(line, 'year', row['year'])}: not a year")
            continue
        if year not in years:
            problems.append(
                f"{where(line, 'year', row['year'])}: no session that year in {curation_path.name}"
            )
            continue
        body = BODIES.get(row["body"].strip())
        if body is None:
            problems.append(f"{where(line, 'body', row['body'])}: must be NPC or CPPCC")
            continue
        if raw in curated and body not in seat_bodies[(raw, year)]:
            problems.append(
                f"{where(line, 'body', row['body'])}: {raw} has no "
                f"{row['body']} seat in {year} in {curation_path.name}"
            )
        company = row["company"].strip()
        if company not in company_pk:
            problems.append(f"{where(line, 'company', company)}: no entry in {curation_path.name}")
        else:
            spans[(raw, company, row["role"].strip())].append(year)
        if not title:
            problems.append(f"{where(line, 'title', title)}: empty title")
        key = (year, raw, title)
        if key in seen:
            problems.append(
                f"{where(line, 'title', title)}: duplicate of {seen[key].file}, "
                f"line {seen[key].line}"
            )
            continue
        seen[key] = line
        slugs = split_topics(row["topics"])
        for slug in slugs:
            if slug not in topic_pk:
                problems.append(f"{where(line, 'topics', slug)}: not in the topic tree")
        if not slugs:
            problems.append(f"{where(line, 'topics', row['topics'])}: no topic")
        if not row["source_url"].strip():
            problems.append(f"{where(line, 'source_url', '')}: every proposal needs a source")
        if raw not in delegate_pk:
            continue
        summary = corrections.get(key, {}).get("summary", row["summary"].strip())
        source = add_source(
            row["source_url"].strip(),
            row["source_title"].strip(),
            row["source_publisher"].strip(),
            row["source_date"].strip(),
            where(line, "source_url", row["source_url"]),
        )
        pk = proposal_key[key] = proposals.add(
            len(proposals.rows) + 1,
            session=year,
            delegate=delegate_pk[raw],
            body=body,
            title=title,
            summary=summary,
            title_zh=translation_of[line][1] if line in translation_of else "",
            summary_zh=translation_of[line][2] if line in translation_of else "",
            status=row["status"].strip() or "submitted",
            created_at=RECORDED_AT,
            updated_at=RECORDED_AT,
            sources=[source],
        )
        for slug in dict.fromkeys(slugs):
            if slug in topic_pk:
                links.add(len(links.rows) + 1, proposal=pk, topic=topic_pk[slug])

    for key in corrections:
        if key not in proposal_key:
            problems.append(f"{curation_path.name}: correction for {list(key)} matches no CSV row")

    # Seed articles: a proposal they report gets them as a further source.
    proposal_rows = {r["pk"]: r for r in proposals.rows}
    for seed in cur.get("seed_sources", []):
        spk = add_source(
            seed["url"],
            seed["title"],
            seed["publisher"],
            seed["date"].isoformat(),
            f"{curation_path.name}: seed {seed['url']}",
        )
        src = sources.rows[spk - 1]["fields"]
        src["delegates"] = sorted({delegate_pk[name] for name in seed.get("delegates", [])})
        for reported in seed["reports"]:
            pk = proposal_key.get(tuple(reported))
            if pk is None:
                problems.append(
                    f"{curation_path.name}: seed {seed['publisher']} reports "
                    f"{reported}, which matches no CSV row"
                )
                continue
            row_sources = proposal_rows[pk]["fields"]["sources"]
            if spk not in row_sources:
                row_sources.append(spk)

    def source_for(url: str, place: str, publisher: str) -> int:
        # An outcome's page may already cite a proposal: then it is that source.
        return source_pk[url] if url in source_pk else add_source(url, "", publisher, "", place)

    events = add_outcomes(cur, proposal_rows, proposal_key, source_for, problems, notes)

    affiliations = _Model("delegates.affiliation")
    for (raw, company, role), span_years in sorted(spans.items()):
        if raw in delegate_pk:
            affiliations.add(
                len(affiliations.rows) + 1,
                delegate=delegate_pk[raw],
                company=company_pk[company],
                role=role,
                start_year=min(span_years),
                end_year=max(span_years),
            )
    for d in cur["delegates"]:
        # Delegates without proposals: the company is sourced, the role is not.
        if d.get("company"):
            affiliations.add(
                len(affiliations.rows) + 1,
                delegate=delegate_pk[d["csv_name"]],
                company=company_pk[d["company"]],
                role="",
                start_year=None,
                end_year=None,
            )

    priorities = priority_records(
        priorities_path, topic_pk=topic_pk, years=years, add_source=add_source, problems=problems
    )

    if problems:
        raise BuildError(problems)
    return [
        *sessions.rows,
        *companies.rows,
        *topics.rows,
        *delegates.rows,
        *affiliations.rows,
        *seats.rows,
        *sources.rows,
        *proposals.rows,
        *links.rows,
        *priorities,
        *events,
    ]


def render_fixture(records: list[dict]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
