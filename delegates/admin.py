from __future__ import annotations

from django.contrib import admin

from core.admin import TrackedAdmin

from .models import Affiliation, AnnualSession, Company, Delegate, Seat


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["company"]


class SeatInline(admin.TabularInline):
    model = Seat
    extra = 0
    autocomplete_fields = ["session"]
    ordering = ["session"]


@admin.register(Delegate)
class DelegateAdmin(TrackedAdmin):
    list_display = ["name", "name_zh", "other_names", "slug"]
    search_fields = ["name", "name_zh", "other_names", "slug"]
    list_filter = ["seats__body"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AffiliationInline, SeatInline]
    show_full_result_count = False


@admin.register(Company)
class CompanyAdmin(TrackedAdmin):
    list_display = ["name", "name_zh", "sector", "website"]
    search_fields = ["name", "name_zh", "slug", "sector"]
    list_filter = ["sector"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False


@admin.register(Affiliation)
class AffiliationAdmin(TrackedAdmin):
    list_display = ["delegate", "company", "role", "start_year", "end_year"]
    list_select_related = ["delegate", "company"]
    search_fields = [
        "delegate__name",
        "delegate__name_zh",
        "company__name",
        "company__name_zh",
        "role",
    ]
    autocomplete_fields = ["delegate", "company"]
    show_full_result_count = False


@admin.register(AnnualSession)
class AnnualSessionAdmin(TrackedAdmin):
    list_display = ["year", "npc_session", "cppcc_session", "opens_on", "closes_on", "in_progress"]
    list_editable = ["in_progress"]
    list_filter = ["in_progress"]
    search_fields = ["year", "npc_session", "cppcc_session"]


@admin.register(Seat)
class SeatAdmin(TrackedAdmin):
    list_display = ["delegate", "session", "body", "delegation"]
    list_filter = ["body", "session"]
    list_select_related = ["delegate", "session"]
    search_fields = ["delegate__name", "delegate__name_zh", "delegate__other_names", "delegation"]
    autocomplete_fields = ["delegate", "session"]
    show_full_result_count = False
