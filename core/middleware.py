"""The admin's language.

Public pages take their language from the address (`/zh-hans/…`); with
`prefix_default_language=False`, Django's LocaleMiddleware gives every address without a
prefix the default language, the admin's included. Editors work in the admin in their own
language instead: the one they chose with the admin's language switcher (Django's
`set_language`, which sets the language cookie), else their browser's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
