from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property

from config.history import TrackedAdmin
from delegates.models import AnnualSession, Body, Seat
from topics.models import Topic

from . import admin_import
from .bulk import announce
from .history import ensure_baseline, latest_version, record_versions, restore_links, snapshot_links
from .models import Proposal, ProposalTopic, Source, Status, TrendCount
from .quality import data_quality

BULK_BATCH = 2000


class KnownCountPaginator(Paginator):
    """A paginator told its count when the caller knows it without a COUNT(*)."""

    def __init__(self, *args: Any, known_count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return super().count if self.known_count is None else self.known_count


# The changelist filters whose counts TrendCount holds, as (parameter, its field there,
# the values it may take), and the parameters that do not change which rows are listed.
TREND_COUNTED_FILTERS = {
    "body__exact": ("body", set(Body.values)),
    "status__exact": ("status", set(Status.values)),
    "session__year__exact": ("year", None),
}
ROW_NEUTRAL_PARAMETERS = {"p", "o", "q", "_popup", "_to_field"}


def count_from_trends(params: Any) -> int | None:
    """The changelist's row count read from TrendCount, or None when its filters are
    not all there (a search, an unknown parameter, a bad value): counting every
    proposal on each page view costs tens of milliseconds at a million rows."""
    if params.get("q", "").strip():
        return None
    counts = TrendCount.objects.all()
    for name in params:
        if name in ROW_NEUTRAL_PARAMETERS:
            continue
        if name not in TREND_COUNTED_FILTERS or len(params.getlist(name)) != 1:
            return None
        field, allowed = TREND_COUNTED_FILTERS[name]
        value = params[name]
        if allowed is None:
            if not value.isdigit():
                return None
            value = int(value)
        elif value not in allowed:
            return None
        counts = counts.filter(**{field: value})
    return counts.total()


class AtLeastOneInline(admin.TabularInline):
    """An inline that must keep one row. InlineModelAdmin has no validate_min
    attribute of its own, so without this min_num only sets how many blank rows show."""

    extra = 0
    min_num = 1

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["validate_min"] = True
        return super().get_formset(request, obj, **kwargs)


class ProposalTopicInline(AtLeastOneInline):
    model = ProposalTopic
    autocomplete_fields = ["topic"]
    verbose_name = "topic"
    verbose_name_plural = "topics (at least one)"


class ProposalSourceInline(AtLeastOneInline):
    model = Proposal.sources.through
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources (at least one; “+” adds a new one)"


# --- Bulk actions ------------------------------------------------------------------------


class TopicChoiceForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.select_related("parent").order_by("parent__name", "name")
    )


class StatusChoiceForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


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


@admin.register(Proposal)
class ProposalAdmin(TrackedAdmin):
    list_display = ["title", "delegate", "year", "body", "status"]
    list_filter = ["body", "status", "session"]
    list_select_related = ["delegate"]
    search_fields = ["title", "delegate__name", "delegate__name_zh", "delegate__other_names"]
    autocomplete_fields = ["delegate", "session"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "session",
        "delegate",
        "body",
        "title",
        "summary",
        "status",
        "created_at",
        "updated_at",
    ]
    inlines = [ProposalTopicInline, ProposalSourceInline]
    show_full_result_count = False
    list_per_page = 50
    actions = ["add_topic", "remove_topic", "set_status", "move_to_session"]
    change_list_template = "admin/proposals/proposal/change_list.html"
    object_history_form_template = "admin/proposals/proposal/revert_form.html"
    # Each entry's diff reads its topic and source copies: keep a page short.
    history_list_per_page = 25

    @admin.display(description="year", ordering="session")
    def year(self, obj: Proposal) -> int:
        return obj.session_id

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        return KnownCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            known_count=count_from_trends(request.GET),
        )

    # History ------------------------------------------------------------------------------

    def record_baseline(self, model: Any, pks: Iterable[Any]) -> None:
        ensure_baseline(model, pks)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The version save_model recorded was copied before the inline topics and
        # sources were saved: copy them again now.
        snapshot_links(latest_version(form.instance), replace=True)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """Reverting also brings back the version's topics and sources."""
        version = Proposal.history.filter(id=object_id, history_id=version_id).first()
        extra = {
            "version_topics": list(version.topics.select_related("topic")) if version else [],
            "version_sources": list(version.sources.select_related("source")) if version else [],
            **(extra_context or {}),
        }
        with transaction.atomic():
            response = super().history_form_view(request, object_id, version_id, extra)
            if request.method == "POST" and response.status_code == 302 and version:
                proposal = Proposal.objects.get(pk=object_id)
                # Links come back through bulk queries, which send no model signals.
                announce([proposal.pk], {(proposal.session_id, proposal.body)})
                for note in restore_links(proposal, version):
                    messages.warning(request, f"Not restored: {note}.")
                snapshot_links(latest_version(proposal), replace=True)
        return response

    # Pages --------------------------------------------------------------------------------

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/",
                wrap(lambda request: admin_import.import_view(self, request)),
                name="proposals_proposal_import",
            ),
            path(
                "import/progress/<str:token>/",
                wrap(admin_import.progress_view),
                name="proposals_proposal_import_progress",
            ),
            path("quality/", wrap(self.quality_view), name="proposals_proposal_quality"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {
            "can_import": request.user.has_perm(admin_import.IMPORT_PERMISSION),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def quality_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Data quality",
            "checks": data_quality(limit=50),
        }
        return TemplateResponse(request, "admin/proposals/proposal/quality.html", context)

    # Bulk actions -------------------------------------------------------------------------

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

    @admin.action(description="Set the status of the selected proposals", permissions=["change"])
    def set_status(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> Any:
        def apply(data: dict) -> None:
            status = data["status"]
            changed = 0
            for ids in _batches(queryset.exclude(status=status)):
                changed += _record(
                    ids,
                    ["status"],
                    lambda p: setattr(p, "status", status),
                    user=request.user,
                    reason=f"Status set to {status}",
                )
            label = Status(status).label
            self.message_user(request, f"Set the status of {changed} proposal(s) to “{label}”.")

        return self._choose(request, queryset, StatusChoiceForm, "Set the status", apply)

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


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    list_display = ["publisher", "title", "published_on", "url"]
    search_fields = ["url", "title", "publisher"]
    autocomplete_fields = ["delegates", "companies"]
    date_hierarchy = "published_on"
    show_full_result_count = False


@admin.register(ProposalTopic)
class ProposalTopicAdmin(admin.ModelAdmin):
    """Topic tags have no history of their own: each change is recorded as a new version
    of the proposal, whose versions keep its topics."""

    list_display = ["proposal", "topic"]
    list_select_related = ["proposal", "topic__parent"]
    search_fields = ["proposal__title", "topic__name", "topic__slug"]
    autocomplete_fields = ["proposal", "topic"]
    show_full_result_count = False

    def _recorded(self, request: HttpRequest, proposal_ids: list[int], change: Callable) -> None:
        with transaction.atomic():
            ensure_baseline(Proposal, proposal_ids)
            change()
            record_versions(Proposal, proposal_ids, user=request.user, reason="Topic tags edited")

    def save_model(self, request: HttpRequest, obj: ProposalTopic, form: Any, change: bool) -> None:
        ids = [obj.proposal_id]
        if change and "proposal" in form.changed_data:
            ids.append(form.initial["proposal"])
        self._recorded(
            request,
            ids,
            lambda: super(ProposalTopicAdmin, self).save_model(request, obj, form, change),
        )

    def delete_model(self, request: HttpRequest, obj: ProposalTopic) -> None:
        self._recorded(
            request,
            [obj.proposal_id],
            lambda: super(ProposalTopicAdmin, self).delete_model(request, obj),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProposalTopic]) -> None:
        ids = list(queryset.values_list("proposal_id", flat=True).distinct())
        self._recorded(
            request, ids, lambda: super(ProposalTopicAdmin, self).delete_queryset(request, queryset)
        )
