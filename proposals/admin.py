from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Proposal, ProposalTopic, Source


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
class ProposalAdmin(admin.ModelAdmin):
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

    @admin.display(description="year", ordering="session")
    def year(self, obj: Proposal) -> int:
        return obj.session_id


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["publisher", "title", "published_on", "url"]
    search_fields = ["url", "title", "publisher"]
    autocomplete_fields = ["delegates", "companies"]
    date_hierarchy = "published_on"
    show_full_result_count = False


@admin.register(ProposalTopic)
class ProposalTopicAdmin(admin.ModelAdmin):
    list_display = ["proposal", "topic"]
    list_select_related = ["proposal", "topic__parent"]
    search_fields = ["proposal__title", "topic__name", "topic__slug"]
    autocomplete_fields = ["proposal", "topic"]
    show_full_result_count = False
