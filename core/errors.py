"""The two ways a bad request is answered, whatever the endpoint.

Pages answer the styled 400 page that names each field at fault; data endpoints (JSON
and CSV alike) answer `{"errors": [{"field": ..., "message": ...}]}` with status 400.
Forms and parameter tables produce `FieldError`s; views raise `BadRequest` or call
one of the two responses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# A parameter name comes from the request and may be huge or hostile.
FIELD_NAME_LENGTH = 40


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    # What the reader calls the field (its form label); pages show it beside the name.
    label: str = ""


class BadRequest(Exception):
    """Raised by parsing code; the view answers it with one of the responses below."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def form_errors(form: forms.Form) -> list[FieldError]:
    """Every error of a bound, validated form, by field ('__all__' for the form's own)."""
    return [
        FieldError(name[:FIELD_NAME_LENGTH], str(message), _label(form, name))
        for name, messages in form.errors.items()
        for message in messages
    ]


def _label(form: forms.Form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else ""


def page_400(request: HttpRequest, errors: Iterable[FieldError]) -> HttpResponse:
    """The styled 400 page that names each parameter at fault and why, with a way back."""
    return render(request, "400.html", {"errors": list(errors)}, status=400)


def data_400(errors: Iterable[FieldError]) -> HttpResponse:
    """The data endpoints' 400: JSON, whatever format the endpoint serves."""
    body = {"errors": [{"field": e.field, "message": e.message} for e in errors]}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=400,
        content_type="application/json; charset=utf-8",
    )
