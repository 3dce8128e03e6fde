"""The admin's import pages: upload, preview (a dry run of the same importer the command
uses), then confirm. The upload waits in a private temporary folder between preview and
confirm; the confirm form carries only a signed name for it, so nobody can point the
importer at another file."""

from __future__ import annotations

import re
import secrets
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext, gettext_lazy

from ..importing import MODELS, RULE_ITEMS, ImportReport, import_proposals

IMPORT_PERMISSION = "proposals.import_proposals"
# Larger files take longer than a web request may (gunicorn's timeout): the command
# takes any size.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_DIR = Path(tempfile.gettempdir()) / "tracker-imports"
UPLOAD_MAX_AGE = 6 * 3600  # seconds an uploaded file waits for its confirmation
SHOWN_PROBLEMS = 1000
_SALT = "proposals.admin_import"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV in the export's format, or JSON Lines with the same keys; UTF-8."
        ),
    )
    create_topics = forms.BooleanField(
        required=False,
        label=gettext_lazy("Create unknown topics"),
        help_text=gettext_lazy("Otherwise a topic slug the tracker does not know is an error."),
    )
    progress = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size).1f MB; the admin takes files up to %(max)s MB. Split "
                    "it, or import it with `manage.py import_proposals FILE`, which takes any "
                    "size."
                )
                % {"size": upload.size / 1048576, "max": MAX_UPLOAD_BYTES // 1048576}
            )
        return upload


def _progress_key(token: str) -> str:
    return f"proposals:import-progress:{token}"


def _progress_callback(token: str) -> Any:
    if not _TOKEN.match(token or ""):
        return None

    def progress(rows: int, bytes_read: int) -> None:
        cache.set(_progress_key(token), rows, 600)

    return progress


def _clear_old_uploads() -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE
    for path in UPLOAD_DIR.glob("*.upload"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _store(upload: Any) -> str:
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    _clear_old_uploads()
    key = uuid.uuid4().hex
    with (UPLOAD_DIR / f"{key}.upload").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return key


def _stored(key: str) -> Path | None:
    if not _TOKEN.match(key):
        return None
    path = UPLOAD_DIR / f"{key}.upload"
    return path if path.exists() else None


def _run(
    path: Path, *, name: str, dry_run: bool, create_topics: bool, user: Any, token: str
) -> ImportReport:
    with path.open("rb") as stream:
        return import_proposals(
            stream,
            name=name,
            dry_run=dry_run,
            create_topics=create_topics,
            user=user,
            progress=_progress_callback(token),
        )


def _context(model_admin: ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    opts = model_admin.model._meta
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "has_view_permission": model_admin.has_view_permission(request),
        "max_mb": MAX_UPLOAD_BYTES // 1048576,
        "progress_token": secrets.token_hex(16),
        "rules": [gettext(rule) for rule in RULE_ITEMS],
        **extra,
    }


def _preview(
    model_admin: ModelAdmin, request: HttpRequest, report: ImportReport, confirm: str | None
) -> TemplateResponse:
    context = _context(
        model_admin,
        request,
        title=(gettext("Import %(name)s: preview") if confirm else gettext("Import %(name)s"))
        % {"name": report.name},
        report=report,
        summary=report.summary_rows(),
        problems=report.problems[:SHOWN_PROBLEMS],
        problem_lines=len({p.line for p in report.problems}),
        hidden_problems=max(0, len(report.problems) - SHOWN_PROBLEMS),
        confirm_token=confirm,
        model_names=MODELS,
    )
    return TemplateResponse(request, "admin/proposals/proposal/import_preview.html", context)


def import_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload and preview (POST with a file), confirm (POST with a token), or the form."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    changelist = reverse("admin:proposals_proposal_changelist")
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(model_admin, request, changelist)
    if request.method == "POST" and "cancel" in request.POST:
        _discard(request.POST.get("token", ""))
        messages.info(request, gettext("Import cancelled: nothing was written."))
        return HttpResponseRedirect(changelist)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["create_topics"] and not request.user.has_perm("topics.add_topic"):
            form.add_error("create_topics", gettext("You may not create topics."))
        else:
            upload = form.cleaned_data["file"]
            name = get_valid_filename(Path(upload.name).name)[:100] or "upload"
            key = _store(upload)
            create_topics = form.cleaned_data["create_topics"]
            report = _run(
                UPLOAD_DIR / f"{key}.upload",
                name=name,
                dry_run=True,
                create_topics=create_topics,
                user=request.user,
                token=form.cleaned_data["progress"],
            )
            token = None
            if report.ok:
                token = signing.dumps(
                    {"key": key, "name": name, "create_topics": create_topics}, salt=_SALT
                )
            else:
                (UPLOAD_DIR / f"{key}.upload").unlink(missing_ok=True)
            return _preview(model_admin, request, report, token)
    context = _context(model_admin, request, title=gettext("Import proposals"), form=form)
    return TemplateResponse(request, "admin/proposals/proposal/import.html", context)


def _discard(token: str) -> None:
    try:
        data = signing.loads(token, salt=_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature:
        return
    path = _stored(data.get("key", ""))
    if path:
        path.unlink(missing_ok=True)


def _confirm(model_admin: ModelAdmin, request: HttpRequest, changelist: str) -> HttpResponse:
    try:
        data = signing.loads(request.POST.get("token", ""), salt=_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature:
        data = {}
    path = _stored(data.get("key", ""))
    if path is None:
        messages.error(
            request, gettext("That preview has expired or was already imported: upload again.")
        )
        return HttpResponseRedirect(reverse("admin:proposals_proposal_import"))
    if data["create_topics"] and not request.user.has_perm("topics.add_topic"):
        raise PermissionDenied
    report = _run(
        path,
        name=data["name"],
        dry_run=False,
        create_topics=data["create_topics"],
        user=request.user,
        token=request.POST.get("progress", ""),
    )
    if not report.ok:
        # The database changed since the preview; nothing was written.
        path.unlink(missing_ok=True)
        return _preview(model_admin, request, report, None)
    path.unlink(missing_ok=True)
    messages.success(
        request,
        gettext("Imported %(rows)s rows from %(name)s.")
        % {"rows": f"{report.rows:,}", "name": report.name}
        + " "
        + "; ".join(report.summary_lines()),
    )
    return HttpResponseRedirect(changelist)


def progress_view(request: HttpRequest, token: str) -> JsonResponse:
    """Rows read so far by the import started with this token (polled by the page)."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    rows = cache.get(_progress_key(token)) if _TOKEN.match(token) else None
    return JsonResponse({"rows": rows or 0}, headers={"Cache-Control": "no-store"})
