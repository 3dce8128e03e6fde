"""The admin's priorities import: upload, preview (a dry run of the importer the command
uses), then confirm. Like the proposals' import page (proposals/admin/imports.py), the
upload waits in the private upload folder and the confirm form carries only a signed
name for it. A proposals file uploaded here is recognised by its header and sent to
the proposals' import page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from proposals.admin import imports as uploads
from proposals.interchange import COLUMNS

from .importing import HEADER, RULES, PriorityReport, import_priorities, is_priorities_header

IMPORT_PERMISSION = "government.import_priorities"
_SALT = "government.admin_import"
TEMPLATE = "admin/government/governmentpriority/import.html"


class PriorityImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV in the format of gov_priorities_2013_2025.csv; UTF-8."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > uploads.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": uploads.MAX_UPLOAD_BYTES // 1048576}
            )
        first = next(iter(upload.chunks(4096)), b"").split(b"\n", 1)[0]
        upload.seek(0)
        text = first.decode("utf-8", errors="replace").strip()
        if tuple(n.strip() for n in text.lstrip("\ufeff").split(",")) == COLUMNS:
            raise forms.ValidationError(
                _("This is a proposals file: import it on the proposals' import page.")
            )
        if not is_priorities_header(text):
            raise forms.ValidationError(
                _("Line 1: the header must be %(header)s.") % {"header": ",".join(HEADER)}
            )
        return upload


def _context(model_admin: ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    opts = model_admin.model._meta
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "has_view_permission": model_admin.has_view_permission(request),
        "header": ",".join(HEADER),
        "rules": [" ".join(item.split()) for item in RULES.split("\n- ")[1:]],
        **extra,
    }


def _run(path: Path, *, name: str, dry_run: bool, user: Any) -> PriorityReport:
    with path.open("rb") as stream:
        return import_priorities(stream, name=name, dry_run=dry_run, user=user)


def import_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The form (GET), upload and preview (POST with a file), confirm or cancel."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    changelist = reverse("admin:government_governmentpriority_changelist")
    if request.method == "POST" and ("confirm" in request.POST or "cancel" in request.POST):
        try:
            data = signing.loads(
                request.POST.get("token", ""), salt=_SALT, max_age=uploads.UPLOAD_MAX_AGE
            )
        except signing.BadSignature:
            data = {}
        path = uploads._stored(data.get("key", ""))
        if path is None:
            messages.error(request, _("That preview has expired or was already imported."))
            return HttpResponseRedirect(reverse("admin:government_governmentpriority_import"))
        if "cancel" in request.POST:
            path.unlink(missing_ok=True)
            messages.info(request, _("Import cancelled: nothing was written."))
            return HttpResponseRedirect(changelist)
        report = _run(path, name=data["name"], dry_run=False, user=request.user)
        path.unlink(missing_ok=True)
        if not report.ok:  # the database changed since the preview; nothing was written
            return _render(model_admin, request, report=report)
        messages.success(
            request,
            _("Imported %(rows)s rows from %(name)s.") % {"rows": report.rows, "name": report.name}
            + " "
            + "; ".join(report.summary_lines()),
        )
        return HttpResponseRedirect(changelist)
    form = PriorityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = get_valid_filename(Path(upload.name).name)[:100] or "upload"
        key = uploads._store(upload)
        report = _run(
            uploads.UPLOAD_DIR / f"{key}.upload", name=name, dry_run=True, user=request.user
        )
        token = None
        if report.ok:
            token = signing.dumps({"key": key, "name": name}, salt=_SALT)
        else:
            (uploads.UPLOAD_DIR / f"{key}.upload").unlink(missing_ok=True)
        return _render(model_admin, request, report=report, confirm_token=token)
    return _render(model_admin, request, form=form)


def _render(model_admin: ModelAdmin, request: HttpRequest, **extra: Any) -> TemplateResponse:
    report = extra.get("report")
    status = 400 if report is not None and not report.ok else 200
    context = _context(model_admin, request, title=_("Import government priorities"), **extra)
    return TemplateResponse(request, TEMPLATE, context, status=status)
