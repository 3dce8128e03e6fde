"""Keeping the search rows (`ProposalSearch`) true to the proposals, from Python.

Why receivers and not database triggers alone: the analysis (stemming, jieba's
segmentation of Chinese, pinyin of names) is Python's, and a proposal's row also holds
its delegate's names and its topics' names, which change in other tables. The database's
own triggers (migration 0013) only turn the analysed row into the index: the tsvector on
PostgreSQL, the FTS5 table on SQLite.

What rewrites a proposal's row (`connect()`, called by ProposalsConfig.ready):
- the proposal saved (admin, shell, scripts);
- its topic tags saved, deleted or changed through `proposal.topics`;
- its delegate saved with another name (English, other names, Chinese);
- a topic renamed or moved (its proposals and its sub-topics' proposals; a tagged
  topic cannot be deleted);
- a role (Affiliation) saved or deleted, or a company saved: the company names a
  delegate's proposals are found by, year by year;
- a bulk write announced by `proposals.bulk` (the importer, bulk actions, revert).
A deleted proposal's row goes with it (CASCADE). Loaded fixtures and generated data
are written past the signals: `load_real_data` and `generate_demo_data` rebuild, and
`manage.py rebuild_search` rebuilds everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps as global_apps
from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .search import analyse, company_text, names_text

BATCH = 2000


def _documents(apps: Any, proposal_ids: list[int], using: str) -> list[Any]:
    """The search rows of these proposals, built from the current records."""
    Proposal = apps.get_model("proposals", "Proposal")
    ProposalTopic = apps.get_model("proposals", "ProposalTopic")
    ProposalSearch = apps.get_model("proposals", "ProposalSearch")
    Delegate = apps.get_model("delegates", "Delegate")
    Topic = apps.get_model("topics", "Topic")
    Affiliation = apps.get_model("delegates", "Affiliation")
    rows = list(
        Proposal.objects.using(using)
        .filter(pk__in=proposal_ids)
        .values_list(
            "pk", "title", "title_zh", "summary", "summary_zh", "delegate_id", "session_id"
        )
    )
    delegate_ids = {row[5] for row in rows}
    names = {
        pk: names_text(name, other, name_zh)
        for pk, name, other, name_zh in Delegate.objects.using(using)
        .filter(pk__in=delegate_ids)
        .values_list("pk", "name", "other_names", "name_zh")
    }
    roles: dict[int, list[tuple[int | None, int | None, str]]] = defaultdict(list)
    for delegate_id, start, end, name, name_zh in (
        Affiliation.objects.using(using)
        .filter(delegate_id__in=delegate_ids)
        .values_list("delegate_id", "start_year", "end_year", "company__name", "company__name_zh")
    ):
        roles[delegate_id].append((start, end, company_text(name, name_zh)))

    def companies_in(delegate_id: int, year: int) -> str:
        # The companies the delegate held a role at that year (as the company filter).
        return " ".join(
            text
            for start, end, text in roles.get(delegate_id, ())
            if (start is None or start <= year) and (end is None or end >= year)
        )

    tagged: dict[int, list[int]] = defaultdict(list)
    for proposal_id, topic_id in (
        ProposalTopic.objects.using(using)
        .filter(proposal_id__in=proposal_ids)
        .values_list("proposal_id", "topic_id")
    ):
        tagged[proposal_id].append(topic_id)
    # The whole tree is small (a few hundred topics): read it once per batch.
    topics = {
        pk: (name, name_zh, parent)
        for pk, name, name_zh, parent in Topic.objects.using(using).values_list(
            "pk", "name", "name_zh", "parent_id"
        )
    }

    analysed: dict[tuple[int, ...], tuple[str, list[int], list[int]]] = {}

    def topic_fields(topic_ids: list[int]) -> tuple[str, list[int], list[int]]:
        """The analysed names, the topic ids and the group ids (a sub-topic's parent,
        a top-level topic itself) of one set of tags."""
        key = tuple(sorted(set(topic_ids)))
        if key not in analysed:  # few distinct sets: worked out once each
            # A sub-topic's proposals are found by its parent's name too ("energy").
            shown = sorted({*key, *(topics[t][2] for t in key if topics[t][2])})
            groups = sorted({topics[t][2] or t for t in key})
            analysed[key] = (
                analyse(*(text for t in shown for text in topics[t][:2])),
                list(key),
                groups,
            )
        return analysed[key]

    documents = []
    for pk, title, title_zh, summary, summary_zh, delegate_id, year in rows:
        topic_text, topic_ids, group_ids = topic_fields(tagged.get(pk, []))
        documents.append(
            ProposalSearch(
                proposal_id=pk,
                title=analyse(title, title_zh),
                names=f"{names.get(delegate_id, '')} {companies_in(delegate_id, year)}".strip(),
                summary=analyse(summary, summary_zh),
                topics=topic_text,
                topic_ids=topic_ids,
                group_ids=group_ids,
            )
        )
    return documents


def reindex(proposal_ids: Iterable[int], *, apps: Any = global_apps, using: str = "default") -> int:
    """Rewrite the search rows of these proposals (rows of proposals gone are removed).
    Delete then insert, so SQLite's FTS5 triggers see the old text go. Returns how many
    rows were written."""
    ProposalSearch = apps.get_model("proposals", "ProposalSearch")
    ids = sorted(set(proposal_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        documents = _documents(apps, batch, using)
        with transaction.atomic(using=using):
            ProposalSearch.objects.using(using).filter(proposal_id__in=batch).delete()
            ProposalSearch.objects.using(using).bulk_create(documents)
        written += len(documents)
    return written


def rebuild(
    *,
    apps: Any = global_apps,
    using: str = "default",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild every search row, in batches; returns how many rows were written."""
    Proposal = apps.get_model("proposals", "Proposal")
    ProposalSearch = apps.get_model("proposals", "ProposalSearch")
    ids = list(Proposal.objects.using(using).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            # A DELETE would leave the old rows' space in the table, which every search
            # reads through: the table would be twice its size until a VACUUM FULL.
            with connections[using].cursor() as cursor:
                # TRUNCATE refuses a table with foreign-key checks still pending in
                # the transaction: run them first, then defer again as Django does.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {ProposalSearch._meta.db_table}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:  # row by row, so that the FTS5 triggers see the old text go
            ProposalSearch.objects.using(using).all().delete()
        written = 0
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            documents = _documents(apps, batch, using)
            ProposalSearch.objects.using(using).bulk_create(documents)
            written += len(documents)
            if progress:
                progress(written, len(ids))
    return written


# --- receivers ---------------------------------------------------------------------


def _proposal_saved(sender: type, instance: Any, raw: bool, **kwargs: Any) -> None:
    if not raw:  # loaddata's raw saves: the loading command rebuilds
        reindex([instance.pk])


def _tag_saved(sender: type, instance: Any, raw: bool, **kwargs: Any) -> None:
    if not raw:
        reindex([instance.proposal_id])


def _tag_deleted(sender: type, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    # A proposal being deleted takes its tags first: its row is going too, and writing
    # it again would leave a row pointing at nothing.
    model = getattr(origin, "model", type(origin))
    if model is sender:
        reindex([instance.proposal_id])


def _retagged(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: set | None, **kwargs: Any
) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        reindex([instance.pk])
    elif pk_set:  # topic.proposals.add(...): the proposals named
        reindex(pk_set)
    else:  # topic.proposals.clear(): those it had are no longer known; all of them
        reindex(global_apps.get_model("proposals", "Proposal").objects.values_list("pk", flat=True))


def _names_before(sender: type, instance: Any, raw: bool, **kwargs: Any) -> None:
    fields = ("name", "other_names", "name_zh") if hasattr(instance, "other_names") else None
    fields = fields or ("name", "name_zh", "parent_id")
    instance._search_names = (
        None
        if raw or instance._state.adding
        else sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    )
    instance._search_fields = fields


def _names_saved(sender: type, instance: Any, raw: bool, created: bool, **kwargs: Any) -> None:
    if raw or created:
        return
    now = tuple(getattr(instance, f) for f in instance._search_fields)
    if getattr(instance, "_search_names", None) == now:
        return
    Proposal = global_apps.get_model("proposals", "Proposal")
    if sender._meta.model_name == "delegate":
        affected = Proposal.objects.filter(delegate_id=instance.pk)
    else:
        family = [instance.pk, *instance.children.values_list("pk", flat=True)]
        affected = Proposal.objects.filter(topics__in=family).distinct()
    reindex(affected.values_list("pk", flat=True))


def _role_changed(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # the companies a delegate's proposals are found by, year by year
        Proposal = global_apps.get_model("proposals", "Proposal")
        reindex(
            Proposal.objects.filter(delegate_id=instance.delegate_id).values_list("pk", flat=True)
        )


def _company_saved(sender: type, instance: Any, raw: bool, created: bool, **kwargs: Any) -> None:
    if raw or created:
        return
    Proposal = global_apps.get_model("proposals", "Proposal")
    staff = instance.affiliations.values("delegate_id")
    reindex(Proposal.objects.filter(delegate_id__in=staff).values_list("pk", flat=True))


def _bulk_change(sender: type, proposal_ids: list[int], **kwargs: Any) -> None:
    reindex(proposal_ids)


def connect() -> None:
    from delegates.models import Affiliation, Company, Delegate
    from topics.models import Topic

    from .bulk import proposals_changed_in_bulk
    from .models import Proposal, ProposalTopic

    post_save.connect(_proposal_saved, sender=Proposal, dispatch_uid="search_proposal")
    post_save.connect(_tag_saved, sender=ProposalTopic, dispatch_uid="search_tag_saved")
    post_delete.connect(_tag_deleted, sender=ProposalTopic, dispatch_uid="search_tag_deleted")
    m2m_changed.connect(_retagged, sender=Proposal.topics.through, dispatch_uid="search_retag")
    post_save.connect(_role_changed, sender=Affiliation, dispatch_uid="search_role_saved")
    post_delete.connect(_role_changed, sender=Affiliation, dispatch_uid="search_role_deleted")
    post_save.connect(_company_saved, sender=Company, dispatch_uid="search_company_saved")
    for model in (Delegate, Topic):
        uid = f"search_{model._meta.model_name}"
        pre_save.connect(_names_before, sender=model, dispatch_uid=f"{uid}_before")
        post_save.connect(_names_saved, sender=model, dispatch_uid=f"{uid}_saved")
    proposals_changed_in_bulk.connect(_bulk_change, dispatch_uid="search_bulk")
