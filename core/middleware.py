"""The admin's language, and the body size limit.

Public pages take their language from the address (`/zh-hans/…`); with
`prefix_default_language=False`, Django's LocaleMiddleware gives every address without a
prefix the default language, the admin's included. Editors work in the admin in their own
language instead: the one they chose with the admin's language switcher (Django's
`set_language`, which sets the language cookie), else their browser's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(reverse("admin:index")):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class BodySizeMiddleware:
    """Refuse a request body larger than the limit from its Content-Length, with 413,
    before anything reads it (issue 17, defect 9: a 55 MB anonymous POST to the login
    page was read and parsed whole). The admin may send the import's file; the rest of
    the site takes forms only. A body without a Content-Length is read as empty by
    Django, so the header is the whole story; nginx has the same limits in front."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unparsable length as no body at all
        if length > self.limit(request):
            return render(
                request,
                "413.html",
                {"limit_mb": max(1, self.limit(request) // (1024 * 1024))},
                status=413,
            )
        return self.get_response(request)

    @staticmethod
    def limit(request: HttpRequest) -> int:
        if request.path_info.startswith(reverse("admin:index")):
            return settings.TRACKER_MAX_ADMIN_BODY_BYTES
        return settings.TRACKER_MAX_BODY_BYTES
