from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from core.admin import TrackedAdmin

from .models import GovernmentPriority


@admin.register(GovernmentPriority)
class GovernmentPriorityAdmin(TrackedAdmin):
    list_display = ["session", "text_en", "text_zh", "first_named", "topic_slugs"]
    list_filter = ["first_named", "session"]
    search_fields = ["text_en", "text_zh", "topics__slug"]
    autocomplete_fields = ["session", "topics", "sources"]
    list_select_related = ["session"]
    change_list_template = "admin/government/governmentpriority/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[GovernmentPriority]:
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description="topics")
    def topic_slugs(self, obj: GovernmentPriority) -> str:
        return ", ".join(sorted(t.slug for t in obj.topics.all()))

    def get_urls(self) -> list[URLPattern]:
        from .admin_import import import_view

        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return import_view(self, request)

        return [
            path(
                "import/",
                self.admin_site.admin_view(view),
                name="government_governmentpriority_import",
            ),
            *super().get_urls(),
        ]
