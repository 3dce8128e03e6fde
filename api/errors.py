"""Every API error in the site's data format, `{"errors": [{"field", "message"}]}`,
whatever raised it: a bad parameter, an unknown record, a throttled client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import FieldError


class ParamError(APIException):
    """A 400 naming each parameter at fault (from the parameter table's forms)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(detail="; ".join(e.message for e in self.errors))


def _flatten(detail: Any, field: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        return [item for key, value in detail.items() for item in _flatten(value, str(key))]
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    return [{"field": field, "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, Retry-After on a 429), then the body in our format."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handling and logging
    if isinstance(exc, ParamError):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    elif isinstance(exc, ValidationError):
        errors = _flatten(exc.detail)
    else:
        errors = [{"field": "", "message": str(getattr(exc, "detail", exc))}]
    response.data = {"errors": errors}
    return response
