from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import TrackedAdmin

from .models import Topic


class LevelFilter(admin.SimpleListFilter):
    title = "level"
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("top", "Top-level topics"), ("sub", "Sub-topics")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
        if self.value() == "top":
            return queryset.filter(parent__isnull=True)
        if self.value() == "sub":
            return queryset.filter(parent__isnull=False)
        return queryset


@admin.register(Topic)
class TopicAdmin(TrackedAdmin):
    list_display = ["name", "name_zh", "slug", "parent", "color"]
    list_filter = [LevelFilter]
    list_select_related = ["parent"]
    search_fields = ["name", "name_zh", "slug", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["parent__name", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Topic | None = None) -> list[str]:
        # Slugs are in shared URLs and import files: fixed once the topic exists.
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Topic | None = None) -> dict:
        return {} if obj else self.prepopulated_fields
