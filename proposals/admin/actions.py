"""The admin's bulk actions on proposals: add or remove a topic, move to another
session (the status is derived from outcome events, so no action sets it). Each writes in batches past the model signals, records one version
per proposal, and announces the change so counts and caches follow (proposals.bulk)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from delegates.models import AnnualSession, Seat
from topics.models import Topic

from ..bulk import announce
from ..history import ensure_baseline, record_versions
from ..models import Proposal, ProposalTopic

BULK_BATCH = 2000


# --- Forms ------------------------------------------------------------------------


class TopicChoiceForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.select_related("parent").order_by("parent__name", "name")
    )


class SessionChoiceForm(forms.Form):
    session = forms.ModelChoiceField(queryset=AnnualSession.objects.all(), label="Year")


def _batches(queryset: QuerySet[Proposal]) -> Iterator[list[int]]:
    """The selection's ids a batch at a time: "select all" may cover the whole table."""
    ids = list(queryset.order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), BULK_BATCH):
        yield ids[start : start + BULK_BATCH]


def _record(ids: Iterable[int], fields: list[str], apply: Callable[[Proposal], None], **kw) -> int:
    """Apply a change to proposals `ids`, bulk-write `fields`, and record one version each
    (after a baseline for never-recorded ones). bulk_update_with_history would not give
    back the versions, whose topic and source links must be copied too."""
    ids = list(ids)
    if not ids:
        return 0
    ensure_baseline(Proposal, ids)
    objs = list(Proposal.objects.filter(pk__in=ids))
    now = timezone.now()
    slices = set()
    for obj in objs:
        slices.add((obj.session_id, obj.body))
        apply(obj)
        slices.add((obj.session_id, obj.body))
        obj.updated_at = now
    Proposal.objects.bulk_update(objs, [*fields, "updated_at"])
    announce(ids, slices)
    return len(record_versions(Proposal, ids, **kw))


class BulkActions:
    """The bulk actions, mixed into ProposalAdmin."""

    actions = ["add_topic", "remove_topic", "move_to_session"]

    def _choose(
        self,
        request: HttpRequest,
        queryset: QuerySet[Proposal],
        form_class: type[forms.Form],
        title: str,
        apply: Callable[[dict], None],
    ) -> HttpResponse | None:
        """An action's intermediate page: pick a value, then apply it to the selection."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            with transaction.atomic():
                apply(form.cleaned_data)
            return None  # back to the change list, with the action's message
        select_across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "count": queryset.count(),
            "examples": queryset.select_related("delegate")[:10],
            "action": request.POST.get("action", ""),
            "select_across": select_across,
            # With "select all" these are only the ticked page's rows, which the change list
            # still requires; the selection itself comes from its filters.
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/proposals/proposal/bulk_action.html", context)

    @admin.action(description="Add a topic to the selected proposals", permissions=["change"])
    def add_topic(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> Any:
        def apply(data: dict) -> None:
            topic = data["topic"]
            added = 0
            for ids in _batches(queryset):
                have = set(
                    ProposalTopic.objects.filter(topic=topic, proposal_id__in=ids).values_list(
                        "proposal_id", flat=True
                    )
                )
                todo = [pk for pk in ids if pk not in have]
                ensure_baseline(Proposal, todo)
                ProposalTopic.objects.bulk_create(
                    ProposalTopic(proposal_id=pk, topic=topic) for pk in todo
                )
                added += _record(
                    todo, [], lambda p: None, user=request.user, reason=f"Added topic {topic.slug}"
                )
            had = queryset.count() - added
            note = f"; {had} already had it" if had else ""
            self.message_user(request, f"Added the topic “{topic}” to {added} proposal(s){note}.")

        return self._choose(request, queryset, TopicChoiceForm, "Add a topic", apply)

    @admin.action(description="Remove a topic from the selected proposals", permissions=["change"])
    def remove_topic(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> Any:
        def apply(data: dict) -> None:
            topic = data["topic"]
            tagged = ProposalTopic.objects.filter(topic=topic, proposal__in=queryset.order_by())
            only_topic = (
                Proposal.objects.filter(pk__in=tagged.values("proposal_id"))
                .annotate(n=Count("proposaltopic"))
                .filter(n=1)
                .count()
            )
            if only_topic:
                self.message_user(
                    request,
                    f"Nothing changed: “{topic}” is the only topic of {only_topic} selected "
                    "proposal(s), and every proposal keeps at least one.",
                    messages.ERROR,
                )
                return
            removed = 0
            for ids in _batches(queryset):
                todo = list(
                    ProposalTopic.objects.filter(topic=topic, proposal_id__in=ids).values_list(
                        "proposal_id", flat=True
                    )
                )
                ensure_baseline(Proposal, todo)
                ProposalTopic.objects.filter(topic=topic, proposal_id__in=todo).delete()
                removed += _record(
                    todo,
                    [],
                    lambda p: None,
                    user=request.user,
                    reason=f"Removed topic {topic.slug}",
                )
            self.message_user(request, f"Removed the topic “{topic}” from {removed} proposal(s).")

        return self._choose(request, queryset, TopicChoiceForm, "Remove a topic", apply)

    @admin.action(
        description="Move the selected proposals to another session", permissions=["change"]
    )
    def move_to_session(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> Any:
        def apply(data: dict) -> None:
            year = data["session"].year
            moving = list(
                queryset.exclude(session_id=year).values_list("pk", "delegate_id", "body", "title")
            )
            problems = self._move_problems(moving, year)
            if problems:
                self.message_user(
                    request,
                    f"Nothing moved: {len(problems)} proposal(s) cannot go to {year}. "
                    + " ".join(problems[:5]),
                    messages.ERROR,
                )
                return
            moved = 0
            ids = [pk for pk, *_ in moving]
            for start in range(0, len(ids), BULK_BATCH):
                moved += _record(
                    ids[start : start + BULK_BATCH],
                    ["session"],
                    lambda p: setattr(p, "session_id", year),
                    user=request.user,
                    reason=f"Moved to {year}",
                )
            self.message_user(request, f"Moved {moved} proposal(s) to the {year} session.")

        return self._choose(request, queryset, SessionChoiceForm, "Move to another session", apply)

    @staticmethod
    def _move_problems(moving: list[tuple[int, int, str, str]], year: int) -> list[str]:
        """Set-based checks for a move: a matching seat in the new year, and no title
        clash there (the database would refuse a second proposal with the same title)."""
        delegates = {d for _, d, _, _ in moving}
        seats = set(
            Seat.objects.filter(session_id=year, delegate_id__in=delegates).values_list(
                "delegate_id", "body"
            )
        )
        taken = set(
            Proposal.objects.filter(session_id=year, delegate_id__in=delegates).values_list(
                "delegate_id", "title"
            )
        )
        problems = []
        for pk, delegate_id, body, title in moving:
            if (delegate_id, body) not in seats:
                problems.append(f"#{pk} “{title}”: its delegate held no {body.upper()} seat then.")
            elif (delegate_id, title) in taken:
                problems.append(f"#{pk} “{title}”: the delegate has that title there already.")
            taken.add((delegate_id, title))
        return problems
