"""Admins of the records proposals cite and link: sources and topic tags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import TrackedAdmin

from ..history import ensure_baseline, record_versions
from ..models import Proposal, ProposalTopic, Source


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
