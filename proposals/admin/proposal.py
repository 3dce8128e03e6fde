"""The proposal admin: inlines, history and revert with links, the import and data-quality
pages, and a changelist that reads its count from TrendCount when it can."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property

from core.admin import TrackedAdmin

from ..bulk import announce
from ..history import ensure_baseline, latest_version, restore_links, snapshot_links
from ..models import Proposal, ProposalTopic, TrendCount
from ..params import PARAMS, make_field
from ..quality import data_quality
from ..timeline import derive_statuses
from . import imports as admin_import
from .actions import BulkActions
from .outcomes import OutcomeEventInline, RepeatCandidates


class KnownCountPaginator(Paginator):
    """A paginator told its count when the caller knows it without a COUNT(*)."""

    def __init__(self, *args: Any, known_count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        return super().count if self.known_count is None else self.known_count


# The changelist filters that mean a list parameter TrendCount can count under, from the
# parameter table, and the changelist parameters that do not change which rows are listed.
TREND_COUNTED_FILTERS = {p.admin_lookup: p for p in PARAMS if p.admin_lookup and p.counts}
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
        param = TREND_COUNTED_FILTERS[name]
        try:
            value = make_field(param).clean(params[name])
        except forms.ValidationError:
            return None
        if not param.values(value):
            return None
        counts = getattr(counts, param.counts)(value)
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


@admin.register(Proposal)
class ProposalAdmin(BulkActions, RepeatCandidates, TrackedAdmin):
    list_display = ["title", "delegate", "year", "body", "status"]
    list_filter = ["body", "status", "session"]
    list_select_related = ["delegate"]
    search_fields = [
        "title",
        "title_zh",
        "delegate__name",
        "delegate__name_zh",
        "delegate__other_names",
    ]
    autocomplete_fields = ["delegate", "session", "repeats"]
    # The status follows the outcome events (inline below); no form sets it alone.
    readonly_fields = ["status", "created_at", "updated_at"]
    fields = [
        "session",
        "delegate",
        "body",
        "title",
        "summary",
        "title_zh",
        "summary_zh",
        "repeats",
        "status",
        "created_at",
        "updated_at",
    ]
    inlines = [ProposalTopicInline, ProposalSourceInline, OutcomeEventInline]
    show_full_result_count = False
    list_per_page = 50
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
                # The version's copy holds the status of its day; the status is the
                # events', which a revert of the proposal does not touch.
                slices = derive_statuses([proposal.pk])
                # Links come back through bulk queries, which send no model signals.
                announce([proposal.pk], {(proposal.session_id, proposal.body)} | slices)
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
            path("repeats/", wrap(self.repeats_view), name="proposals_proposal_repeats"),
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
