"""Who a request comes from, for login lockouts and rate limits.

Behind the site's own nginx (DJANGO_BEHIND_PROXY) every request arrives from the proxy's
address; nginx sets X-Real-IP to the client's, replacing any the client sent
(deploy/proxy_params.conf). Without a proxy the header is the client's to forge, so only
the socket's address counts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, or None when the request has none (a test client's
    force_login): django-axes stores it in an address column, which takes no stand-in."""
    if settings.TRACKER_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded[:64]
    return request.META.get("REMOTE_ADDR") or None
