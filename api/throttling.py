"""The anonymous per-client throttle: DRF's AnonRateThrottle, its rate from the
TRACKER_API_RATE setting (read per request, so a test or an operator's override takes
effect), counted in the default cache (Redis when several workers serve), per client
address as core.clients finds it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import AnonRateThrottle

from core.clients import client_ip


class ClientThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str:
        return settings.TRACKER_API_RATE

    def get_ident(self, request: HttpRequest) -> str:
        # The same client as the login lockout sees: behind our nginx its X-Real-IP,
        # else the socket's address (a forged header counts for nothing).
        return client_ip(request)
