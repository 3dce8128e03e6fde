"""The anonymous per-client throttle: DRF's AnonRateThrottle, its rate from the
TRACKER_API_RATE setting (read per request, so a test or an operator's override takes
effect), counted in the default cache (Redis when several workers serve)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class ClientThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str:
        return settings.TRACKER_API_RATE
