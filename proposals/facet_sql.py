"""One pass over the filtered proposals for every facet that counts them.

The facets that count proposals (not the TrendCount table) all start from the same
selection: the list's filtered proposals, or those under every filter but the facet's
own. Each counting query used to select them again: at a million proposals the
selection of one year and one sub-topic is most of a query's 30 ms, and a search's
was most of several seconds. Here the selection is compiled by the ORM once, kept in
a materialised CTE of the few columns the facets read, and every facet on it (the
grid of year, body and status; topics and their parents; delegates; companies; yes/no
flags) is an arm of one UNION ALL over it: one statement, one pass over the matches.

A search's selection can be bounded (`limit`): the CTE keeps one row more than the
limit, and a selection that fills it is reported as over the limit, uncounted. Exact
counts of a common word's matches cost a read of each of them (at a million proposals
a word in 280,000 took seconds); a bounded one costs at most the limit's.

Every arm returns the same columns: `kind`, four text keys and a count `n`. The same
SQL runs on SQLite and PostgreSQL, but for one source: a PostgreSQL search's topics are
read from the search rows it matched (their `integer[]` of topic ids), not by joining
the tags. Table and column names come from the models.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from delegates.models import Affiliation, Company, Delegate
from topics.models import Topic

from .models import Proposal, ProposalSearch, ProposalTopic

# The selection's columns the arms read, named as in the CTE.
_BASE = ("id", "delegate_id", "session_id")


@dataclass
class PeopleAsk:
    """A people facet's question: the chosen records (ids for delegates, slugs for
    companies) come first, then the top `limit` by count (all of them when None)."""

    chosen: list[Any]
    limit: int | None


@dataclass
class Ask:
    """What to count over one selection."""

    grid: list[str] = field(default_factory=list)  # Proposal columns grouped together
    topics: bool = False
    delegates: PeopleAsk | None = None
    companies: PeopleAsk | None = None
    flags: dict[str, Any] = field(default_factory=dict)  # name -> Q, counted "yes"


@dataclass
class Counted:
    total: int = 0
    # More rows than the limit asked for: nothing below was counted.
    over: bool = False
    grid: list[dict[str, Any]] = field(default_factory=list)  # {column: value, "n": n}
    topics: dict[tuple[str, int], int] = field(default_factory=dict)
    delegates: list[dict[str, Any]] = field(default_factory=list)  # slug, name, name_zh, n
    companies: list[dict[str, Any]] = field(default_factory=list)
    flags: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> {yes, no}


def _table(model: Any) -> str:
    return model._meta.db_table


def _column(name: str) -> str:
    return Proposal._meta.get_field(name).column


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _chosen_first(column: str, chosen: list[Any], params: list[Any]) -> str:
    """An ORDER BY term putting the chosen records first, so one LIMIT keeps them."""
    if not chosen:
        return ""
    params.extend(chosen)
    return f"CASE WHEN {column} IN ({_placeholders(chosen)}) THEN 0 ELSE 1 END, "


def _limit(ask: PeopleAsk, params: list[Any]) -> str:
    if ask.limit is None:
        return ""
    params.append(ask.limit + 1 + len(ask.chosen))  # one more than shown: "show all"
    return " LIMIT %s"


def _arms(ask: Ask, grid: list[str], flag_columns: dict[str, str]) -> tuple[list[str], list[Any]]:
    """The UNION ALL arms over `m` (and `links` when topics are counted), and their
    params. `grid`: the grid's database columns."""
    arms = ["SELECT 'total', NULL, NULL, NULL, NULL, COUNT(*) FROM m"]
    params: list[Any] = []
    if grid:
        keys = [f"CAST({c} AS TEXT)" for c in grid] + ["NULL"] * (4 - len(grid))
        arms.append(f"SELECT 'grid', {', '.join(keys)}, COUNT(*) FROM m GROUP BY {', '.join(grid)}")
    if ask.topics:
        # A parent counts a proposal once however many of its sub-topics apply: the
        # groups' CTE holds each (proposal, group) once.
        arms += [
            "SELECT 'topic', CAST(topic_id AS TEXT), NULL, NULL, NULL, COUNT(*) "
            "FROM links GROUP BY topic_id",
            "SELECT 'group', CAST(grp AS TEXT), NULL, NULL, NULL, COUNT(*) "
            "FROM groups GROUP BY grp",
        ]
    if ask.delegates is not None:
        # Grouped by id alone, then named: grouping by a join's text columns sorts more.
        order = _chosen_first("delegate_id", ask.delegates.chosen, params)
        limit = _limit(ask.delegates, params)
        arms.append(
            "SELECT 'delegate', d.slug, d.name, d.name_zh, NULL, x.n FROM ("
            "SELECT delegate_id, COUNT(*) AS n FROM m GROUP BY delegate_id "
            f"ORDER BY {order}n DESC, delegate_id{limit}) x "
            f"JOIN {_table(Delegate)} d ON d.id = x.delegate_id"
        )
    if ask.companies is not None:
        # A proposal counts for a company when its delegate held a role there that
        # year; of two roles at one company held the same year only the first counts,
        # so each proposal counts once without a COUNT(DISTINCT).
        held = (
            "({a}.start_year IS NULL OR {a}.start_year <= m.session_id) AND "
            "({a}.end_year IS NULL OR {a}.end_year >= m.session_id)"
        )
        order = _chosen_first("c.slug", ask.companies.chosen, params)
        limit = _limit(ask.companies, params)
        roles = _table(Affiliation)
        arms.append(
            "SELECT 'company', slug, name, name_zh, NULL, n FROM ("
            "SELECT c.slug, c.name, c.name_zh, COUNT(*) AS n FROM m "
            f"JOIN {roles} a ON a.delegate_id = m.delegate_id AND {held.format(a='a')} "
            f"JOIN {_table(Company)} c ON c.id = a.company_id "
            f"WHERE NOT EXISTS (SELECT 1 FROM {roles} e WHERE e.delegate_id = a.delegate_id "
            f"AND e.company_id = a.company_id AND e.id < a.id AND {held.format(a='e')}) "
            f"GROUP BY c.id, c.slug, c.name, c.name_zh ORDER BY {order}n DESC, c.name{limit}"
            ") x"
        )
    for name, column in flag_columns.items():
        params.append(name)
        arms.append(f"SELECT 'flag', %s, NULL, NULL, NULL, COUNT(*) FROM m WHERE {column}")
    return arms, params


def count(proposals: QuerySet, ask: Ask, limit: int | None = None) -> Counted:
    """Everything `ask` wants counted over `proposals`, in one statement; with a
    `limit`, only when the selection holds no more rows than that (else `over`)."""
    flag_columns = {name: f"flag_{i}" for i, name in enumerate(ask.flags)}
    flags = {
        column: ExpressionWrapper(ask.flags[name], output_field=BooleanField())
        for name, column in flag_columns.items()
    }
    grid = [_column(name) for name in ask.grid]
    columns = list(dict.fromkeys([*_BASE, *grid, *flag_columns.values()]))
    names = list(columns)
    # A PostgreSQL search joins the search rows, which carry each match's topic ids.
    connection = connections[proposals.db]
    from_rows = ask.topics and connection.vendor == "postgresql" and _joins_search_rows(proposals)
    if from_rows:
        names += ["search_row__topic_ids", "search_row__group_ids"]
        columns += ["topic_ids", "group_ids"]
    selected = proposals.order_by().annotate(**flags).values_list(*names)
    try:
        inner, inner_params = selected.query.get_compiler(using=selected.db).as_sql()
    except EmptyResultSet:  # a filter that can match nothing, such as an empty IN
        return Counted(flags={name: {"yes": 0, "no": 0} for name in ask.flags})
    arms, params = _arms(ask, grid, flag_columns)
    if limit is None:
        ctes = [f"m({', '.join(columns)}) AS MATERIALIZED ({inner})"]
    else:
        # One row past the limit is read; the arms see them only when that row is not
        # there (over the limit m is empty: the arms count nothing and cost nothing).
        ctes = [
            f"bounded({', '.join(columns)}) AS MATERIALIZED ({inner} LIMIT %s)",
            "m AS MATERIALIZED (SELECT * FROM bounded WHERE (SELECT COUNT(*) FROM bounded) <= %s)",
        ]
        inner_params = [*inner_params, limit + 1, limit]
        arms[0] = "SELECT 'total', NULL, NULL, NULL, NULL, COUNT(*) FROM bounded"
    if from_rows:
        # unnest() in the select list: as a lateral join it was a function scan per
        # match, twice as slow.
        ctes += [
            "links AS (SELECT id AS proposal_id, unnest(topic_ids) AS topic_id FROM m)",
            "groups AS (SELECT id AS proposal_id, unnest(group_ids) AS grp FROM m)",
        ]
    elif ask.topics:
        # Every other selection joins the tags (at a million proposals a search's
        # matches joined this way hashed all 1.9 million of them).
        ctes += [
            f"links AS (SELECT pt.proposal_id, pt.topic_id FROM m "
            f"JOIN {_table(ProposalTopic)} pt ON pt.proposal_id = m.id)",
            "groups AS (SELECT DISTINCT l.proposal_id, COALESCE(t.parent_id, l.topic_id) AS grp "
            f"FROM links l JOIN {_table(Topic)} t ON t.id = l.topic_id)",
        ]
    # SQLite takes no parentheses around a UNION's arms: the ordered and limited arms
    # are derived tables instead.
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(arms)
    with connections[selected.db].cursor() as cursor:
        cursor.execute(sql, [*inner_params, *params])
        rows = cursor.fetchall()
    counted = _read(rows, ask)
    if limit is not None and counted.total > limit:
        return Counted(total=counted.total, over=True)
    return counted


def _joins_search_rows(proposals: QuerySet) -> bool:
    """Whether the selection joins the search rows (a PostgreSQL search: matched and
    ranked on them), so their copy of each match's topic ids can be read."""
    table = _table(ProposalSearch)
    return any(
        getattr(join, "table_name", None) == table for join in proposals.query.alias_map.values()
    )


def _read(rows: list[tuple], ask: Ask) -> Counted:
    counted = Counted()
    yes: dict[str, int] = defaultdict(int)
    for kind, a, b, c, d, n in rows:
        if kind == "total":
            counted.total = n
        elif kind == "grid":
            values = dict(zip(ask.grid, (a, b, c, d), strict=False))
            counted.grid.append({**values, "n": n})
        elif kind in ("topic", "group"):
            counted.topics[(kind, int(a))] = n
        elif kind == "delegate":
            counted.delegates.append({"slug": a, "name": b, "name_zh": c, "n": n})
        elif kind == "company":
            counted.companies.append({"slug": a, "name": b, "name_zh": c, "n": n})
        elif kind == "flag":
            yes[a] = n
    counted.flags = {
        name: {"yes": yes[name], "no": counted.total - yes[name]} for name in ask.flags
    }
    return counted
