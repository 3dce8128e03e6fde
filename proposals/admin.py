from __future__ import annotations

from django.contrib import admin

from .models import Proposal, ProposalTopic, Source


class ProposalTopicInline(admin.TabularInline):
    model = ProposalTopic
    extra = 0
    min_num = 1
    validate_min = True
    autocomplete_fields = ["topic"]
    verbose_name = "topic"
    verbose_name_plural = "topics (at least one)"


class ProposalSourceInline(admin.TabularInline):
    model = Proposal.sources.through
    extra = 0
    min_num = 1
    validate_min = True
    autocomplete_fields = ["source"]
    verbose_name = "source"
    verbose_name_plural = "sources (at least one; “+” adds a new one)"


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "delegate", "session", "body", "status", "updated_at"]
    list_filter = ["body", "status", "session"]
    list_select_related = ["delegate"]
    search_fields = ["title", "delegate__name", "delegate__name_zh", "delegate__other_names"]
    autocomplete_fields = ["delegate", "session"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["session", "delegate", "body", "title", "summary", "status", "created_at", "updated_at"]
    inlines = [ProposalTopicInline, ProposalSourceInline]
    show_full_result_count = False
    list_per_page = 50


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
