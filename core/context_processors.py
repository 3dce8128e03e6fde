"""What every template may need about the site itself."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _origin(request: HttpRequest) -> str:
    """The site's own origin for absolute links (canonical, alternates): the configured
    one (DJANGO_SITE_ORIGIN), else the request's, if its Host is allowed. A disallowed
    Host is answered with a 400 page, which must not ask the request for it again
    (that raised once more and gave a 500: issue 17, defect 6)."""
    if settings.TRACKER_SITE_ORIGIN:
        return settings.TRACKER_SITE_ORIGIN.rstrip("/")
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
        return f"http://{hosts[0] if hosts else 'localhost'}"


def site(request: HttpRequest) -> dict[str, object]:
    return {"site_origin": SimpleLazyObject(lambda: _origin(request))}
