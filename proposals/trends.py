"""Topic trends: how many proposals each topic drew, session by session.

The one place trend numbers are computed. The database does the counting (GROUP BY,
never rows walked one by one in Python); pandas shapes the small result (years filled
in, gaps, share of the year, change on the year before, rank); callers get plain lists
and dicts. The definitions, shown to readers beside every chart:

- a proposal with several topics counts once in each;
- a top-level topic counts a proposal once, however many of its sub-topics apply;
- share = proposals on the topic that year / all proposals that year, both counted
  under the same filters;
- a topic absent from a year that has proposals is 0; a year with no proposals at all
  (under the filters) is a gap: null, never 0 or 0 %.

Unfiltered and body-filtered trends read `TrendCount`, a few thousand rows whatever
the number of proposals, kept exact by `refresh()` (called from model signals, see
proposals/signals.py, and by `manage.py refresh_trends` after bulk loads). Delegate and
company trends count that delegate's or company's own proposals, which the
(delegate, session) index finds directly. Results are cached under a version key that
every write path bumps (`invalidate()`), so an edit shows on the next page load.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxLengthValidator, validate_slug
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from delegates.models import Affiliation, Body, Company, Delegate
from topics.models import Topic

from .models import Proposal, ProposalTopic, TrendCount
from .selectors import headline_counts

TOP_N = 8
MAX_TOPICS = 12
YEAR_MIN, YEAR_MAX = 1949, 2100  # AnnualSession's own bounds
SHARE_DECIMALS = 4
# Keys carry the version, so they never serve stale data; the timeout only lets the
# entries of superseded versions expire.
CACHE_SECONDS = 24 * 60 * 60
VERSION_KEY = "trends:version"
# The public proposal list; it filters by topic, year, body, delegate and company.
PROPOSAL_LIST_URL = "/proposals/"

# Point shapes per series, so that colour is not the only way to tell lines apart;
# static/js/trend-chart.js uses the same list in the same order.
MARKERS = ("circle", "rect", "triangle", "rectRot", "star", "crossRot")

# Shown beside every chart: what the numbers count.
DEFINITIONS = (
    "A proposal with several topics counts once in each, so topics can add up to more "
    "than the proposals filed.",
    "A top-level topic counts a proposal once, however many of its sub-topics apply.",
    "Share is the proposals on a topic in a year divided by all proposals that year, "
    "both counted under the same filters (body, delegate, company).",
    "A topic absent from a year that has proposals counts 0. A year with no proposals at "
    "all under the filters is a gap in the line, never 0 or 0%.",
    "Without chosen topics, a chart shows the eight top-level topics with most proposals "
    "in its years.",
)

T = TypeVar("T")
Row = tuple[int, int | None, int]  # (year, topic id or None for all proposals, proposals)


# --- Parameters ---------------------------------------------------------------


@dataclass(frozen=True)
class TrendParams:
    """What a trend is asked for; empty values mean no filter, no `topics` the top 8
    top-level topics in the range."""

    topics: tuple[str, ...] = ()
    measure: str = "count"
    body: str = ""
    company: str = ""
    delegate: str = ""
    year_min: int | None = None
    year_max: int | None = None

    def query(self) -> str:
        """The query string that asks the trend endpoints for this trend again."""
        pairs: list[tuple[str, Any]] = [("topic", slug) for slug in self.topics]
        if self.measure != "count":
            pairs.append(("measure", self.measure))
        for name in ("body", "company", "delegate", "year_min", "year_max"):
            value = getattr(self, name)
            if value not in ("", None):
                pairs.append((name, value))
        return urlencode(pairs)

    def list_query(self) -> str:
        """Proposal-list filters for this trend's scope; a point adds topic and year."""
        names = ("body", "delegate", "company")
        return urlencode([(name, getattr(self, name)) for name in names if getattr(self, name)])

    @property
    def filtered_by_person(self) -> bool:
        return bool(self.delegate or self.company)


class TopicSlugsField(forms.Field):
    """Several `topic` values, each a known topic slug, each reported by name."""

    widget = forms.SelectMultiple

    def __init__(self, *, known: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.known = frozenset(known)

    def to_python(self, value: Any) -> tuple[str, ...]:
        if not value:
            return ()
        if isinstance(value, str):
            value = [value]
        # Keep the reader's order (it sets the series order), drop repeats.
        return tuple(dict.fromkeys(str(v) for v in value))

    def validate(self, value: tuple[str, ...]) -> None:
        super().validate(value)
        problems = []
        for slug in value:
            try:
                MaxLengthValidator(100)(slug)
                validate_slug(slug)
            except forms.ValidationError:
                problems.append("A topic is a slug such as battery-swapping, at most 100 long.")
                continue
            if slug not in self.known:
                problems.append(f"Unknown topic “{slug}”.")
        if len(value) > MAX_TOPICS:
            problems.append(f"Choose at most {MAX_TOPICS} topics (got {len(value)}).")
        if problems:
            raise forms.ValidationError(problems)


class TrendForm(forms.Form):
    """The trend endpoints' parameters. Unknown parameters and repeated single-valued
    ones are errors too (see `errors_by_field`); whether a delegate or company slug
    names anyone is found by the counting query itself (UnknownFilter)."""

    topic = TopicSlugsField(required=False, label="Topics")
    measure = forms.ChoiceField(
        choices=[("count", "Number of proposals"), ("share", "Share of the year's proposals")],
        required=False,
        error_messages={"invalid_choice": "Use count or share."},
    )
    body = forms.ChoiceField(
        choices=[("", "Both bodies"), *Body.choices],
        required=False,
        error_messages={"invalid_choice": "Use npc or cppcc, or leave it out for both."},
    )
    company = forms.SlugField(max_length=200, required=False)
    delegate = forms.SlugField(max_length=200, required=False)
    year_min = forms.IntegerField(
        label="From", min_value=YEAR_MIN, max_value=YEAR_MAX, required=False
    )
    year_max = forms.IntegerField(
        label="To", min_value=YEAR_MIN, max_value=YEAR_MAX, required=False
    )

    def __init__(self, data: Any, *, known_topics: Iterable[str]) -> None:
        super().__init__(data)
        self.fields["topic"].known = frozenset(known_topics)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name in self.fields.keys() - {"topic"}:
                if len(getlist(name)) > 1:
                    self.add_error(name, f"Give {name} once.")
        low, high = cleaned.get("year_min"), cleaned.get("year_max")
        if low is not None and high is not None and low > high:
            self.add_error("year_max", "year_max must not be before year_min.")
        return cleaned

    def unknown_names(self) -> list[str]:
        return sorted(set(self.data) - self.fields.keys())

    def errors_by_field(self) -> dict[str, list[str]]:
        """Every problem with the request, by parameter name; empty when it is valid."""
        self.is_valid()
        problems: dict[str, list[str]] = {
            name: list(messages) for name, messages in self.errors.items()
        }
        for name in self.unknown_names():
            # The name itself may be huge or hostile: report a bounded copy.
            problems[name[:40]] = ["Unknown parameter."]
        return problems

    def params(self) -> TrendParams:
        data = self.cleaned_data
        return TrendParams(
            topics=data["topic"],
            measure=data["measure"] or "count",
            body=data["body"],
            company=data["company"],
            delegate=data["delegate"],
            year_min=data["year_min"],
            year_max=data["year_max"],
        )


class ExplorerForm(TrendForm):
    """The explorer page's parameters: the trend's, and how to draw it."""

    chart = forms.ChoiceField(
        choices=[("line", "Lines"), ("area", "Stacked areas")],
        required=False,
        error_messages={"invalid_choice": "Use line or area."},
    )

    def unknown_names(self) -> list[str]:
        return []  # a shared page link may carry anything (utm_source...): ignore it


def trend_form(data: Any, *, explorer: bool = False) -> TrendForm:
    """A bound form over `data` that knows the visible topics (one cached query)."""
    form_class = ExplorerForm if explorer else TrendForm
    return form_class(data, known_topics=catalogue().by_slug)


# --- Cache and invalidation ------------------------------------------------------


# The version as this process last read it, and when (time.monotonic()). Every cached
# page needs it; holding it for a second saves a cache round trip per request, at the
# price of an edit made through another process showing up to a second later.
_held_version: tuple[str, float] = ("", float("-inf"))


def _version() -> str:
    global _held_version
    version, read_at = _held_version
    now = time.monotonic()
    if now - read_at < settings.TRACKER_VERSION_HOLD_SECONDS:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY, "")
    _held_version = (version, now)
    return version


def _bump() -> None:
    global _held_version
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    _held_version = (version, time.monotonic())


def forget_held_version() -> None:
    """Read the version from the cache on next use (tests that clear the cache)."""
    global _held_version
    _held_version = ("", float("-inf"))


def invalidate() -> None:
    """Retire every cached trend. Called on every write that can change a number.

    It bumps now and again on commit: a reader who computed from the old rows between
    the two would otherwise keep their result cached under the new version.
    """
    _bump()
    transaction.on_commit(_bump)


def cache_key(name: str, parts: Any) -> str:
    """A key under the current version; generated data shown or not is part of it."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    shown = int(bool(settings.TRACKER_SHOW_GENERATED))
    return f"trends:{_version()}:{shown}:{name}:{digest}"


def cached(name: str, parts: Any, compute: Callable[[], T]) -> T:
    key = cache_key(name, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- Topics -------------------------------------------------------------------


@dataclass(frozen=True)
class TopicInfo:
    id: int
    slug: str
    name: str
    color: str
    parent_id: int | None
    parent_name: str = ""

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


@dataclass
class Catalogue:
    """The visible topics, in tree order: what charts label, colour and accept."""

    topics: list[TopicInfo]
    by_slug: dict[str, TopicInfo] = field(init=False)
    by_id: dict[int, TopicInfo] = field(init=False)

    def __post_init__(self) -> None:
        self.by_slug = {t.slug: t for t in self.topics}
        self.by_id = {t.id: t for t in self.topics}

    @property
    def roots(self) -> list[TopicInfo]:
        return [t for t in self.topics if t.is_root]

    def leaves(self) -> list[TopicInfo]:
        """Topics without sub-topics: counting these counts no proposal twice per topic."""
        parents = {t.parent_id for t in self.topics}
        return [t for t in self.topics if t.id not in parents]

    def groups(self) -> list[tuple[TopicInfo, list[TopicInfo]]]:
        return [(root, [t for t in self.topics if t.parent_id == root.id]) for root in self.roots]


def catalogue() -> Catalogue:
    """The visible topic tree (one query, then cached)."""
    return cached("catalogue", (), _load_catalogue)


def _load_catalogue() -> Catalogue:
    rows = list(
        Topic.objects.visible()
        .order_by()
        .values_list("id", "slug", "name", "color", "parent_id", "parent__name")
    )
    names = {row[0]: row[2] for row in rows}
    topics = [
        TopicInfo(tid, slug, name, color, parent, parent_name or "")
        for tid, slug, name, color, parent, parent_name in rows
        # A sub-topic of a hidden parent is hidden with it.
        if parent is None or parent in names
    ]
    topics.sort(
        key=lambda t: (
            names.get(t.parent_id, t.name).lower(),
            t.parent_id is not None,
            t.name.lower(),
        )
    )
    return Catalogue(topics)


# --- Counting, in the database -------------------------------------------------------


class UnknownFilter(Exception):
    """A delegate or company slug that names nothing visible."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _label(text: str) -> Value:
    return Value(text, output_field=CharField())


_NO_TOPIC = Value(None, output_field=IntegerField())


def _counting_parts(
    proposals: QuerySet,
    tags: QuerySet,
    dims: tuple[str, ...],
    *,
    child_ids: list[int] | None = None,
    root_ids: list[int] | None = None,
) -> list[QuerySet]:
    """The parts of one UNION ALL query that counts, per `dims` (Proposal field names):
    all proposals, the proposals of each sub-topic, and those of each top-level topic,
    each proposal once even when several sub-topics (or the topic itself) apply. Rows
    are (kind, *dims, topic id or None, proposals), kind "total" or "topic".

    `tags` are the ProposalTopic rows of `proposals`. `child_ids` and `root_ids` limit
    the topics counted: None counts all of that level, an empty list none.
    """
    aliases = [f"d{i}" for i in range(len(dims))]
    tag_dims = {alias: F(f"proposal__{dim}") for alias, dim in zip(aliases, dims, strict=True)}
    parts = [
        proposals.order_by()
        .values(*dims)
        .annotate(kind=_label("total"), tid=_NO_TOPIC, n=Count("pk"))
        .values_list("kind", *dims, "tid", "n")
    ]
    if child_ids is None or child_ids:
        children = tags.filter(topic__parent__isnull=False)
        if child_ids is not None:
            children = children.filter(topic_id__in=child_ids)
        parts.append(
            children.order_by()
            .values(**tag_dims, tid=F("topic_id"))
            .annotate(kind=_label("topic"), n=Count("proposal_id"))
            .values_list("kind", *aliases, "tid", "n")
        )
    if root_ids is None or root_ids:
        under_roots = tags
        if root_ids is not None:
            under_roots = tags.filter(Q(topic_id__in=root_ids) | Q(topic__parent_id__in=root_ids))
        parts.append(
            under_roots.order_by()
            .values(**tag_dims, tid=Coalesce("topic__parent_id", "topic_id"))
            # Distinct: two sub-topics of one parent on one proposal count it once.
            .annotate(kind=_label("topic"), n=Count("proposal_id", distinct=True))
            .values_list("kind", *aliases, "tid", "n")
        )
    return parts


def _in_range(params: TrendParams, year: str) -> Q:
    where = Q()
    if params.year_min is not None:
        where &= Q(**{f"{year}__gte": params.year_min})
    if params.year_max is not None:
        where &= Q(**{f"{year}__lte": params.year_max})
    return where


def _aggregate_rows(params: TrendParams, topic_ids: list[int]) -> list[Row]:
    """Counts from TrendCount: cost bound by years x topics, not by proposals."""
    counts = TrendCount.objects.visible().filter(_in_range(params, "year"))
    if params.body:
        counts = counts.filter(body=params.body)
    return list(
        counts.filter(Q(topic__isnull=True) | Q(topic_id__in=topic_ids))
        .order_by()
        .values("year", "topic_id")
        .annotate(n=Sum("proposals"))
        .values_list("year", "topic_id", "n")
    )


def _scoped_rows(
    params: TrendParams, child_ids: list[int] | None, root_ids: list[int] | None
) -> list[Row]:
    """Counts over one delegate's or company's proposals, found through indexes.

    The existence of the delegate or company rides along in the same query as a
    marker row, so that a request stays within two queries; a missing marker raises
    UnknownFilter.
    """
    proposals = Proposal.objects.visible().filter(_in_range(params, "session_id"))
    if params.body:
        proposals = proposals.filter(body=params.body)
    markers = []
    if params.delegate:
        proposals = proposals.filter(delegate__slug=params.delegate)
        markers.append(Delegate.objects.visible().filter(slug=params.delegate))
    if params.company:
        affiliations = Affiliation.objects.filter(company__slug=params.company)
        # A proposal is the company's when an affiliation of its delegate covers its
        # year; the plain delegate list lets the planner start from the index.
        proposals = proposals.filter(
            Exists(
                affiliations.held_in(OuterRef("session_id")).filter(delegate=OuterRef("delegate"))
            ),
            delegate__in=affiliations.values("delegate"),
        )
        markers.append(Company.objects.visible().filter(slug=params.company))
    tags = ProposalTopic.objects.filter(proposal__in=proposals.values("pk"))
    parts = _counting_parts(
        proposals, tags, ("session_id",), child_ids=child_ids, root_ids=root_ids
    )
    parts += [
        marker.order_by().values_list(
            _label(marker.model._meta.model_name), _NO_TOPIC, _NO_TOPIC, Value(0)
        )
        for marker in markers
    ]
    query = parts[0].union(*parts[1:], all=True)
    rows: list[Row] = []
    found = set()
    for kind, year, topic_id, n in query:
        if kind in ("total", "topic"):
            rows.append((year, topic_id, n))
        else:
            found.add(kind)
    for name in ("delegate", "company"):
        if getattr(params, name) and name not in found:
            raise UnknownFilter(name, f"Unknown {name} “{getattr(params, name)}”.")
    return rows


# --- Shaping, with pandas ------------------------------------------------------------


@dataclass
class Series:
    topic: str
    name: str
    color: str
    parent: str
    counts: list[int | None]
    shares: list[float | None]
    changes: list[int | None]
    ranks: list[int | None]


@dataclass
class Trend:
    """A trend ready to draw: years on the axis, all proposals per year (None for a
    gap), and one series per topic."""

    params: TrendParams
    years: list[int]
    totals: list[int | None]
    series: list[Series]

    def values(self, series: Series) -> list[int | float | None]:
        return series.shares if self.params.measure == "share" else series.counts

    def payload(self) -> dict[str, Any]:
        """What /trends/topics.json answers."""
        return {
            "measure": self.params.measure,
            "years": self.years,
            "series": [
                {"topic": s.topic, "name": s.name, "color": s.color, "values": self.values(s)}
                for s in self.series
            ],
        }

    def csv(self) -> str:
        """Both measures, one row per topic and year, for /trends/topics.csv."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["year", "topic", "name", "parent", "count", "share", "year_total", "change", "rank"]
        )
        for s in self.series:
            for i, year in enumerate(self.years):
                writer.writerow(
                    [
                        year,
                        s.topic,
                        _csv_text(s.name),
                        _csv_text(s.parent),
                        *(
                            "" if v is None else v
                            for v in (s.counts[i], s.shares[i], self.totals[i] or 0)
                        ),
                        *("" if v is None else v for v in (s.changes[i], s.ranks[i])),
                    ]
                )
        return out.getvalue()


def _csv_text(text: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _plain(frame: pd.DataFrame | pd.Series, digits: int | None = None) -> list:
    """JSON-ready Python numbers, None for NaN (a gap): never numpy scalars or NaN."""
    values = frame.to_numpy(dtype="float64", na_value=np.nan)
    if digits is not None:
        values = np.round(values, digits)
    cast = float if digits is not None else int
    return [[None if v != v else cast(v) for v in row] for row in values.reshape(len(frame), -1)]


def _shape(
    rows: Iterable[Row], candidates: list[TopicInfo], top_n: int | None
) -> tuple[list[int], list[int | None], list[Series]]:
    # pandas is kept to whole-frame operations: per-row pandas calls would cost more
    # than the query that fetched the rows.
    totals_rows: list[Row] = []
    topic_rows: list[Row] = []
    for row in rows:
        (totals_rows if row[1] is None else topic_rows).append(row)
    totals = pd.DataFrame(totals_rows, columns=["year", "topic", "n"]).groupby("year")["n"].sum()
    totals = totals[totals > 0]
    if totals.empty:
        return [], [], []
    # The axis runs from the first to the last year with proposals; a year inside
    # without any stays on it as a gap rather than silently closing up.
    years = pd.RangeIndex(int(totals.index.min()), int(totals.index.max()) + 1, name="year")
    totals = totals.reindex(years).astype("float64")
    # groupby + unstack, not pivot_table: the same table at a quarter of the time,
    # which matters on an uncached request.
    per_cell = pd.DataFrame(topic_rows, columns=["year", "topic", "n"]).groupby(["topic", "year"])
    table = per_cell["n"].sum().unstack()  # noqa: PD010
    counts = (
        table.reindex(index=[t.id for t in candidates], columns=years, fill_value=0)
        .fillna(0)
        .astype("float64")
    )
    if top_n is not None:
        ranking = pd.DataFrame(
            {"total": counts.sum(axis=1), "name": [t.name.lower() for t in candidates]},
            index=counts.index,
        ).sort_values(["total", "name"], ascending=[False, True])
        counts = counts.loc[ranking.index[ranking["total"] > 0][:top_n]]
    counts.loc[:, totals.isna().to_numpy()] = np.nan
    shares = counts.div(totals, axis=1)
    changes = counts.diff(axis=1)
    # Rank 1 = most proposals that year among the charted topics; a topic without any
    # has no rank.
    ranks = counts.where(counts > 0).rank(axis=0, method="min", ascending=False)
    by_id = {t.id: t for t in candidates}
    series = [
        Series(
            topic=by_id[topic_id].slug,
            name=by_id[topic_id].name,
            color=by_id[topic_id].color,
            parent=by_id[topic_id].parent_name,
            counts=count_row,
            shares=share_row,
            changes=change_row,
            ranks=rank_row,
        )
        for topic_id, count_row, share_row, change_row, rank_row in zip(
            counts.index,
            _plain(counts),
            _plain(shares, SHARE_DECIMALS),
            _plain(changes),
            _plain(ranks),
            strict=True,
        )
    ]
    return list(years), [row[0] for row in _plain(totals)], series


def _candidates(params: TrendParams, cat: Catalogue) -> tuple[list[TopicInfo], int | None]:
    if params.topics:
        return [cat.by_slug[slug] for slug in params.topics], None
    return cat.roots, TOP_N


def build_trend(params: TrendParams, rows: Iterable[Row], cat: Catalogue) -> Trend:
    """Shape counted rows into a Trend (no queries)."""
    candidates, top_n = _candidates(params, cat)
    years, totals, series = _shape(rows, candidates, top_n)
    return Trend(params, years, totals, series)


def topic_trend(params: TrendParams) -> Trend:
    """The trend `params` ask for. Cached; at most two queries when not (the topic
    catalogue, then one counting query). Raises UnknownFilter for a delegate or
    company that does not exist or is hidden."""
    return cached("trend", astuple(params), lambda: _compute_trend(params))


def _compute_trend(params: TrendParams) -> Trend:
    cat = catalogue()
    candidates, _ = _candidates(params, cat)
    if params.filtered_by_person:
        if params.topics:
            child_ids = [t.id for t in candidates if not t.is_root]
            root_ids = [t.id for t in candidates if t.is_root]
        else:
            child_ids, root_ids = [], None
        rows = _scoped_rows(params, child_ids, root_ids)
    else:
        rows = _aggregate_rows(params, [t.id for t in candidates])
    return build_trend(params, rows, cat)


# --- Keeping TrendCount exact -------------------------------------------------------


def refresh(slices: Iterable[tuple[int, str]] | None = None) -> int:
    """Recount TrendCount for the given (year, body) slices, or for everything.

    A slice is recounted whole rather than patched by +1/-1, so that the parent-topic
    rule (each proposal once) stays exact whatever changed. Returns the rows written.
    """
    if slices is None:
        counts, proposals, tags = Q(), Q(), Q()
    else:
        slices = set(slices)
        if not slices:
            return 0
        counts, proposals, tags = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
        for year, body in slices:
            counts |= Q(year=year, body=body)
            proposals |= Q(session_id=year, body=body)
            tags |= Q(proposal__session_id=year, proposal__body=body)
    dims = ("session_id", "body", "is_generated", "status")
    parts = _counting_parts(
        Proposal.objects.filter(proposals), ProposalTopic.objects.filter(tags), dims
    )
    with transaction.atomic():
        TrendCount.objects.filter(counts).delete()
        rows = [
            TrendCount(
                year=year,
                body=body,
                is_generated=generated,
                status=status,
                topic_id=tid,
                proposals=n,
            )
            for _, year, body, generated, status, tid, n in parts[0].union(*parts[1:], all=True)
        ]
        TrendCount.objects.bulk_create(rows, batch_size=2000)
    invalidate()
    return len(rows)


# --- The dashboard -----------------------------------------------------------------


def dashboard() -> dict[str, Any]:
    """Everything the home page shows but its newest proposals. Cached; cold, it costs
    the five headline counts, the topic catalogue and one TrendCount query."""
    return cached("dashboard", (), _build_dashboard)


def _build_dashboard() -> dict[str, Any]:
    cat = catalogue()
    by_body = list(
        TrendCount.objects.visible()
        .order_by()
        .values("year", "body", "topic_id")
        .annotate(n=Sum("proposals"))
        .values_list("year", "body", "topic_id", "n")
    )

    def rows(body: str = "") -> list[Row]:
        # Both bodies: _shape sums the two rows of each (year, topic).
        return [(year, topic, n) for year, b, topic, n in by_body if not body or b == body]

    everything = rows()
    overall = build_trend(TrendParams(), everything, cat)
    # The bodies are compared on the same topics, in the same colours.
    top = tuple(s.topic for s in overall.series)
    by_body = [
        (
            Body(body),
            build_trend(TrendParams(topics=top, measure="share", body=body), rows(body), cat),
        )
        for body in Body.values
    ]
    return {
        "counts": headline_counts(),
        "overall": overall,
        "by_body": by_body if top else [],
        "movers": movers(everything, cat),
    }


def movers(rows: Iterable[Row], cat: Catalogue, limit: int = 5) -> dict[str, Any] | None:
    """The sub-topics that gained and lost most proposals between the last two
    sessions with proposals (None with fewer than two). Only topics without
    sub-topics compete, so no proposal is counted twice in the list."""
    leaves = cat.leaves()
    years, totals, series = _shape(rows, leaves, None)
    known = [(year, total) for year, total in zip(years, totals, strict=True) if total]
    if len(known) < 2:
        return None
    (before_year, before_total), (after_year, after_total) = known[-2:]
    i, j = years.index(before_year), years.index(after_year)
    frame = pd.DataFrame(
        {
            "topic": [s.topic for s in series],
            "name": [s.name for s in series],
            "parent": [s.parent for s in series],
            "color": [s.color for s in series],
            "before": [s.counts[i] for s in series],
            "after": [s.counts[j] for s in series],
        }
    )
    frame["change"] = frame["after"] - frame["before"]
    frame["points"] = (frame["after"] / after_total - frame["before"] / before_total) * 100
    frame["rank"] = frame["after"].rank(method="min", ascending=False).astype("int64")
    frame["sort_name"] = frame["name"].str.lower()
    rose = frame.loc[frame["change"] > 0].sort_values(
        ["change", "after", "sort_name"], ascending=[False, False, True]
    )
    fell = frame.loc[frame["change"] < 0].sort_values(
        ["change", "before", "sort_name"], ascending=[True, False, True]
    )

    def listed(part: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "topic": row["topic"],
                "name": row["name"],
                "parent": row["parent"],
                "color": row["color"],
                "before": int(row["before"]),
                "after": int(row["after"]),
                "change": int(row["change"]),
                "points": round(float(row["points"]), 1),
                "rank": int(row["rank"]),
                "href": list_url(topic=row["topic"], year=after_year),
            }
            for row in part.head(limit).to_dict("records")
        ]

    return {
        "before_year": before_year,
        "after_year": after_year,
        "before_total": before_total,
        "after_total": after_total,
        "rose": listed(rose),
        "fell": listed(fell),
    }


# --- What templates get ---------------------------------------------------------------


def list_url(*, topic: str, year: int, scope: str = "") -> str:
    """The proposal list filtered to one point of a chart."""
    query = urlencode([("topic", topic), ("year", year)])
    return f"{PROPOSAL_LIST_URL}?{query}&{scope}" if scope else f"{PROPOSAL_LIST_URL}?{query}"


def _cell(value: int | float | None, measure: str) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}%" if measure == "share" else str(value)


def chart_context(trend: Trend, *, id: str, title: str, kind: str = "line") -> dict[str, Any]:
    """What templates/includes/chart.html draws: the JSON payload (for json_script),
    the data table, and the CSV, JSON, explorer and proposal-list links. No queries.

    `kind` is "line" or "area" (stacked); a trend of one year is drawn as bars.
    """
    params = trend.params
    measure = params.measure
    scope = params.list_query()
    rows = []
    for s in trend.series:
        cells = []
        for year, value, count in zip(trend.years, trend.values(s), s.counts, strict=True):
            cells.append(
                {
                    "text": _cell(value, measure),
                    "gap": value is None,
                    "href": list_url(topic=s.topic, year=year, scope=scope) if count else "",
                }
            )
        rows.append(
            {
                "topic": s.topic,
                "name": s.name,
                "parent": s.parent,
                "color": s.color,
                "marker": MARKERS[len(rows) % len(MARKERS)],
                "cells": cells,
            }
        )
    query = params.query()
    return {
        "id": id,
        "data_id": f"{id}-data",
        "title": title,
        "kind": "bar" if len(trend.years) == 1 else kind,
        "measure": measure,
        "data": trend.payload(),
        "years": trend.years,
        "totals": [_cell(total, "count") for total in trend.totals],
        "rows": rows,
        "json_url": f"{reverse('trends-json')}?{query}".rstrip("?"),
        "csv_url": f"{reverse('trends-csv')}?{query}".rstrip("?"),
        "explore_url": f"{reverse('trends')}?{query}".rstrip("?"),
        "list_url": PROPOSAL_LIST_URL,
        "list_query": scope,
    }
