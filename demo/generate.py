"""Generated demo data at scale: realistic, deterministic, flagged and removable.

`generate_demo_data()` writes sessions, delegates with seats over five-year terms,
companies with affiliations, a two-level topic tree and proposals with their topics
and sources, every row marked `is_generated` (seats, affiliations and link rows belong
to generated delegates or proposals). `remove_demo_data()` deletes all of it and leaves
the real data as it was.

Design choices, so that a million proposals fit in minutes and bounded memory:

- Rows are built as tuples and written in batches, with COPY on PostgreSQL and
  `executemany` elsewhere. Neither calls `Model.save()`: the seat rule holds by
  construction (a proposal's delegate and body are drawn from that year's seats) and
  `created_at` keeps the fixed timestamp we give it instead of `auto_now_add`'s clock.
- Primary keys of rows that others point to are assigned here (from the table's current
  maximum, tables locked on PostgreSQL), so no insert has to report ids back; the
  sequences are reset afterwards. Link rows take their ids from the database.
- Each concern draws from its own `random.Random` seeded by (seed, concern[, year]), so
  the same arguments give the same data whatever the database already holds.
- Only one year's seats, titles and sources are held at a time, plus one row per
  generated delegate; proposals leave memory with each batch.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.utils.text import slugify

from delegates.models import Affiliation, AnnualSession, Body, Company, Delegate, Seat
from demo.realdata import SUBTOPIC_PALETTE
from proposals.models import OutcomeEvent, Proposal, ProposalTopic, Source
from topics.models import Topic

from . import vocabulary as vocab
from .outcomes import EVENT_FIELDS, Chains, outcome_events
from .plan import GenerationPlan, Member, ordinal, rng_for, term_of, yearly_counts
from .tables import COUNTED_MODELS, ID_ASSIGNED, Ids, ProposalSource, TableWriter
from .text import compose, in_sentence


class _Generator:
    def __init__(
        self,
        plan: GenerationPlan,
        cursor: Any,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.plan = plan
        self.cursor = cursor
        self.progress = progress
        self.ids = Ids()
        self.sessions = TableWriter(
            AnnualSession,
            ["year", "npc_session", "cppcc_session", "opens_on", "closes_on", "is_generated"],
        )
        self.topics = TableWriter(
            Topic, ["id", "name", "slug", "description", "parent", "color", "is_generated"]
        )
        self.companies = TableWriter(
            Company, ["id", "name", "name_zh", "slug", "sector", "website", "is_generated"]
        )
        self.delegates = TableWriter(
            Delegate, ["id", "name", "other_names", "name_zh", "slug", "bio", "is_generated"]
        )
        self.affiliations = TableWriter(
            Affiliation, ["delegate", "company", "role", "start_year", "end_year"]
        )
        self.seats = TableWriter(Seat, ["delegate", "session", "body", "delegation", "citation"])
        self.sources = TableWriter(
            Source, ["id", "url", "title", "publisher", "published_on", "is_generated"]
        )
        self.proposals = TableWriter(
            Proposal,
            [
                "id", "session", "delegate", "body", "title", "summary", "status",
                "created_at", "updated_at", "is_generated", "repeats",
            ],
        )  # fmt: skip
        self.events = TableWriter(OutcomeEvent, EVENT_FIELDS)
        self.chains = Chains()
        self.proposal_topics = TableWriter(ProposalTopic, ["proposal", "topic"])
        self.proposal_sources = TableWriter(ProposalSource, ["proposal", "source"])
        # Parents before children, referenced rows before the rows pointing at them.
        self.writers = (
            self.sessions,
            self.topics,
            self.companies,
            self.delegates,
            self.affiliations,
            self.seats,
            self.sources,
            self.proposals,
            self.proposal_topics,
            self.proposal_sources,
            self.events,
        )
        # Sub-topics in vocab.TOPIC_TREE order: id, spec, root index, and popularity terms.
        self.sub_ids: list[int] = []
        self.subs: list[vocab.SubTopic] = [
            sub for root in vocab.TOPIC_TREE for sub in root.children
        ]
        self.sub_root: list[int] = [i for i, r in enumerate(vocab.TOPIC_TREE) for _ in r.children]
        self.sub_base: list[float] = []
        self.sub_drift: list[float] = []
        self.company_ids: list[list[int]] = [[] for _ in vocab.TOPIC_TREE]  # per sector (root)
        self.members: dict[str, list[Member]] = {Body.NPC: [], Body.CPPCC: []}
        self.delegate_count = 0
        self.source_count = 0

    # --- Orchestration ---------------------------------------------------------------

    def run(self) -> None:
        self._add_sessions()
        self._add_topics()
        self._add_companies()
        self._flush()
        counts = yearly_counts(self.plan)
        for year in self.plan.years:
            if year == self.plan.first_year or term_of(year)[1] == 1:
                self._seat_new_term(year)
            self._add_seats(year)
            self._add_proposals(year, counts[year])
        self._flush()

    def _flush(self) -> None:
        for writer in self.writers:
            writer.flush(self.cursor)

    # --- Sessions, topics, companies -------------------------------------------------

    def _add_sessions(self) -> None:
        existing = set(
            AnnualSession.objects.filter(year__in=self.plan.years).values_list("year", flat=True)
        )
        for year in self.plan.years:
            rng = rng_for(self.plan.seed, "session", year)
            # The CPPCC opens around 3 March and the NPC closes a week or so later.
            opens = date(year, 3, 3)
            closes = opens + timedelta(days=rng.randint(7, 12))
            if year in existing:
                continue  # a real session: reused as it is, never flagged or changed
            term, number = term_of(year)
            self.sessions.add(
                (
                    year,
                    f"{ordinal(term)} NPC, {ordinal(number)} session",
                    f"{ordinal(term)} CPPCC, {ordinal(number)} session",
                    opens,
                    closes,
                    True,
                )
            )

    def _add_topics(self) -> None:
        child_index = 0
        for root in vocab.TOPIC_TREE:
            root_id = self.ids.take(Topic)
            self.topics.add(
                (
                    root_id,
                    root.name + vocab.DEMO_MARK,
                    vocab.SLUG_PREFIX + slugify(root.name),
                    f"Generated demo topic ({root.name_zh}).",
                    None,
                    root.color,
                    True,
                )
            )
            for sub in root.children:
                sub_id = self.ids.take(Topic)
                self.topics.add(
                    (
                        sub_id,
                        sub.name + vocab.DEMO_MARK,
                        vocab.SLUG_PREFIX + slugify(sub.name),
                        f"Generated demo topic, in proposals from {sub.intro} on.",
                        root_id,
                        SUBTOPIC_PALETTE[child_index % len(SUBTOPIC_PALETTE)],
                        True,
                    )
                )
                self.sub_ids.append(sub_id)
                child_index += 1
        rng = rng_for(self.plan.seed, "topic-popularity")
        # A long tail: the k-th most popular topic gets weight 1 / k^1.1. Which topic
        # is popular, and how it drifts over the decades, depends on the seed.
        ranks = list(range(1, len(self.sub_ids) + 1))
        rng.shuffle(ranks)
        self.sub_base = [rank**-1.1 for rank in ranks]
        self.sub_drift = [rng.uniform(-0.05, 0.05) for _ in self.sub_ids]

    def _add_companies(self) -> None:
        rng = rng_for(self.plan.seed, "companies")
        count = max(len(vocab.TOPIC_TREE), (self.plan.npc_size + self.plan.cppcc_size) // 3)
        brands = [(a, b) for a in vocab.BRAND_SYLLABLES for b in vocab.BRAND_SYLLABLES if a != b]
        combos = [
            (brand, root_index, kind)
            for brand in brands
            for root_index, root in enumerate(vocab.TOPIC_TREE)
            for kind in root.kinds
        ]
        names: set[str] = set()
        for (first, second), root_index, (kind, kind_zh) in rng.sample(
            combos, min(count, len(combos))
        ):
            name = f"{first[0]}{second[0].lower()} {kind}"
            if name in names:
                continue  # two syllable pairs that spell the same word
            names.add(name)
            company_id = self.ids.take(Company)
            self.companies.add(
                (
                    company_id,
                    name + vocab.DEMO_MARK,
                    first[1] + second[1] + kind_zh,
                    vocab.SLUG_PREFIX + slugify(name),
                    vocab.TOPIC_TREE[root_index].sector,
                    f"https://{slugify(name)}.{vocab.SOURCE_DOMAIN}/",
                    True,
                )
            )
            self.company_ids[root_index].append(company_id)

    # --- Delegates and seats ---------------------------------------------------------

    def _seat_new_term(self, year: int) -> None:
        """Seat a new term: many members re-elected, a few switching body, the rest new."""
        rng = rng_for(self.plan.seed, "term", year)
        sizes = {Body.NPC: self.plan.npc_size, Body.CPPCC: self.plan.cppcc_size}
        starts_mid_term = not self.members[Body.NPC] and term_of(year)[1] != 1
        retained: dict[str, list[Member]] = {}
        leavers: dict[str, list[Member]] = {}
        for body, previous in self.members.items():
            kept = rng.sample(previous, round(len(previous) * vocab.REELECTED_SHARE))
            kept_ids = {m.id for m in kept}
            retained[body] = kept
            leavers[body] = [m for m in previous if m.id not in kept_ids]
        new_members: dict[str, list[Member]] = {}
        for body, other in ((Body.NPC, Body.CPPCC), (Body.CPPCC, Body.NPC)):
            switching = rng.sample(
                leavers[other],
                min(len(leavers[other]), round(sizes[body] * vocab.BODY_SWITCH_SHARE)),
            )
            members = retained[body] + switching
            while len(members) < sizes[body]:
                members.append(self._new_delegate(rng, body, year, starts_mid_term))
            for member in members:
                if body not in member.delegations:
                    pool = vocab.PROVINCES if body == Body.NPC else vocab.CPPCC_SECTORS
                    member.delegations[body] = rng.choice(pool)
            new_members[body] = members[: sizes[body]]
        self.members = new_members

    def _new_delegate(
        self, rng: random.Random, body: str, year: int, starts_mid_term: bool
    ) -> Member:
        self.delegate_count += 1
        delegate_id = self.ids.take(Delegate)
        surname, surname_zh = rng.choices(vocab.SURNAMES, cum_weights=_SURNAME_CUM_WEIGHTS, k=1)[0]
        syllables = rng.sample(vocab.GIVEN_SYLLABLES, 1 if rng.random() < 0.3 else 2)
        given = "".join(s for s, _ in syllables).capitalize()
        name = f"{surname} {given}"
        name_zh = surname_zh + "".join(c for _, c in syllables)
        role = "an NPC deputy" if body == Body.NPC else "a CPPCC member"
        since = "in office when the record begins" if starts_mid_term else f"first seated {year}"
        bio = f"Generated demo delegate: {role}, {since}."
        self.delegates.add(
            (
                delegate_id,
                name,
                "",
                name_zh,
                f"{vocab.SLUG_PREFIX}{slugify(name)}-{self.delegate_count}",
                bio,
                True,
            )
        )
        focus = rng.randrange(len(vocab.TOPIC_TREE))
        if rng.random() < vocab.AFFILIATED_SHARE and self.company_ids[focus]:
            # Entrepreneurs file on their own industry: the company's sector is their field.
            company_id = rng.choice(self.company_ids[focus])
            start = year - rng.randint(0, 12)
            self.affiliations.add(
                (delegate_id, company_id, rng.choice(vocab.ROLES), max(start, 1949), None)
            )
            if rng.random() < 0.15:
                other_root = rng.randrange(len(vocab.TOPIC_TREE))
                if self.company_ids[other_root]:
                    # An earlier role elsewhere, closed before the current one began.
                    earlier_end = max(start - 1, 1949)
                    self.affiliations.add(
                        (
                            delegate_id,
                            rng.choice(self.company_ids[other_root]),
                            rng.choice(vocab.ROLES),
                            max(earlier_end - rng.randint(2, 10), 1949),
                            earlier_end,
                        )
                    )
        # Log-normal filing rates, capped: most file a few a year, a few file dozens.
        activity = min(rng.lognormvariate(0.0, 1.0), 12.0) if rng.random() > 0.1 else 0.05
        return Member(delegate_id, name, name_zh, activity, focus)

    def _add_seats(self, year: int) -> None:
        for body, members in self.members.items():
            for member in members:
                self.seats.add((member.id, year, body, member.delegations[body], ""))

    # --- Proposals -------------------------------------------------------------------

    def _topic_weights(self, year: int) -> list[float]:
        weights = []
        for base, drift, sub in zip(self.sub_base, self.sub_drift, self.subs, strict=True):
            intro = sub.intro
            if year < intro:
                weights.append(0.0)
                continue
            # New topics ramp up over their first three years, then follow their drift.
            ramp = min(1.0, (year - intro + 1) / 3)
            trend = math.exp(drift * (year - 2004))
            # A topic that only appears lately is a hot one: it enters near the top.
            hot = 4.0 if intro >= 2014 else 1.0
            weights.append(base * trend * ramp * hot)
        return weights

    def _add_proposals(self, year: int, count: int) -> None:
        if count == 0:
            return
        rng = rng_for(self.plan.seed, "proposals", year)
        seated = [(m, body) for body, members in self.members.items() for m in members]
        cum_activity = list(accumulate(m.activity for m, _ in seated))
        weights = self._topic_weights(year)
        cum_topics = list(accumulate(weights))
        # Per field: the cumulative weights of that root's sub-topics, for focused picks.
        by_root: list[tuple[list[int], list[float]]] = []
        for root_index in range(len(vocab.TOPIC_TREE)):
            members = [i for i, r in enumerate(self.sub_root) if r == root_index and weights[i]]
            by_root.append((members, list(accumulate(weights[i] for i in members))))
        statuses = (
            vocab.LATEST_STATUS_WEIGHTS
            if year == self.plan.last_year
            else vocab.PAST_STATUS_WEIGHTS
        )
        status_values = list(statuses)
        status_cum = list(accumulate(statuses.values()))
        topic_k_cum = list(accumulate(vocab.TOPIC_COUNT_WEIGHTS))
        source_k_cum = list(accumulate(vocab.SOURCE_COUNT_WEIGHTS))
        stamp = datetime(year, 3, 15, 4, 0, tzinfo=UTC)
        # Its own stream, so outcomes leave the proposals drawn for a seed unchanged.
        later = rng_for(self.plan.seed, "outcomes", year)
        titles: dict[int, set[str]] = {}
        # A news page covers several proposals in its field: one open article per root,
        # replaced once it has covered its share.
        open_source: dict[int, list[int]] = {}
        year_sources: list[int] = []
        n_subs = len(self.sub_ids)

        drawn = rng.choices(range(len(seated)), cum_weights=cum_activity, k=count)
        for index, who in enumerate(drawn):
            member, body = seated[who]
            proposal_id = self.ids.take(Proposal)

            k = bisect(topic_k_cum, rng.random() * topic_k_cum[-1]) + 1
            chosen: list[int] = []
            subs, cum = by_root[member.focus]
            if subs and rng.random() < vocab.FOCUS_SHARE:
                chosen.append(subs[bisect(cum, rng.random() * cum[-1])])
            while len(chosen) < k:
                pick = min(bisect(cum_topics, rng.random() * cum_topics[-1]), n_subs - 1)
                if pick not in chosen:
                    chosen.append(pick)
            first = chosen[0]
            root = vocab.TOPIC_TREE[self.sub_root[first]]
            seen = titles.setdefault(member.id, set())
            title, summary = compose(rng, member, body, root, self.subs[first], year, seen)
            status = status_values[bisect(status_cum, rng.random() * status_cum[-1])]
            created = stamp + timedelta(seconds=index)
            self.proposals.add(
                (
                    proposal_id, year, member.id, body, title, summary, status,
                    created, created, True,
                    self.chains.repeats(later, member.id, proposal_id, year),
                )
            )  # fmt: skip
            for event in outcome_events(later, proposal_id, year, status):
                self.events.add(event)
            for topic_index in chosen:
                self.proposal_topics.add((proposal_id, self.sub_ids[topic_index]))

            root_index = self.sub_root[first]
            article = open_source.get(root_index)
            if article is None or article[1] <= 0:
                article = [self._new_source(rng, year, member, root), _article_size(rng)]
                open_source[root_index] = article
                year_sources.append(article[0])
            article[1] -= 1
            linked = [article[0]]
            extra = bisect(source_k_cum, rng.random() * source_k_cum[-1])
            for _ in range(extra):
                # A round-up of the whole session, cited beside the field's article.
                other = rng.choice(year_sources)
                if other not in linked:
                    linked.append(other)
            for source_id in linked:
                self.proposal_sources.add((proposal_id, source_id))

            if len(self.proposals.rows) >= self.plan.batch_size:
                self._flush_proposals()
        self._flush_proposals()

    def _flush_proposals(self) -> None:
        self._flush()
        if self.progress:
            self.progress(self.proposals.written, self.plan.proposals)

    def _new_source(
        self, rng: random.Random, year: int, member: Member, root: vocab.RootTopic
    ) -> int:
        self.source_count += 1
        source_id = self.ids.take(Source)
        publisher, host = rng.choice(vocab.OUTLETS)
        published = date(year, 3, rng.randint(2, 15))
        fields = {
            "year": year,
            "name": member.name,
            "name_zh": member.name_zh,
            "root": root.name,
            "root_lower": in_sentence(root.name),
            "root_zh": root.name_zh,
        }
        chinese = any("\u4e00" <= ch <= "\u9fff" for ch in publisher)
        template = rng.choice(vocab.ZH_SOURCE_TITLES if chinese else vocab.EN_SOURCE_TITLES)
        url = (
            f"https://{host}.{vocab.SOURCE_DOMAIN}/{year}/{published:%m%d}/"
            f"two-sessions-{self.source_count}.html"
        )
        self.sources.add((source_id, url, template.format(**fields), publisher, published, True))
        return source_id


_SURNAME_CUM_WEIGHTS = list(accumulate(1 / (rank + 1) for rank in range(len(vocab.SURNAMES))))


def _article_size(rng: random.Random) -> int:
    # Most pages report a handful of proposals; a few round-ups cite a hundred or more.
    return min(int(rng.paretovariate(1.2) * 4), 300)


# --- Public API ------------------------------------------------------------------------


def generate_demo_data(
    *,
    plan: GenerationPlan,
    progress: Callable[[int, int], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write one generated dataset and return the rows written per model.

    Call inside `transaction.atomic()`: the tables are locked and the ids assigned for
    the duration of the transaction, and a failure must leave nothing behind.
    `progress(done, total)` is called after each batch of proposals, and `notify(text)`
    announces the long step after the last one.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Nobody else may insert into a table whose ids we are handing out.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ID_ASSIGNED)
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        generator = _Generator(plan, cursor, progress)
        generator.run()
        for sql in connection.ops.sequence_reset_sql(no_style(), list(ID_ASSIGNED)):
            cursor.execute(sql)
    if notify:
        notify("Checking every reference (the database does this once for all rows)...")
    # Foreign keys are checked at commit; check now, so a failure is reported here.
    connection.check_constraints()
    written = {writer.table: writer.written for writer in generator.writers}
    return {model._meta.label: written[model._meta.db_table] for model in COUNTED_MODELS}
