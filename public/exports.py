"""CSV and JSON exports of the proposal list: the same query string as the list.

- The export of everything (no filter) is a file built once per data version and
  served as a file (public/export_files.py), so it is never cut off and holds no
  worker while it downloads.
- A filtered export of up to TRACKER_EXPORT_MAX_ROWS proposals is streamed, and kept
  whole in the cache when small. A larger one is refused with a 400 that points to the
  export of everything and the bulk download (/data/): streaming it could run into the
  worker timeout, which is how defect 2 cut exports off.
- Cache keys and file names come from the validated, normalised parameters only, so
  junk parameters (utm_source=…) share the entry of the export they decorate.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.cache import cache_key
from core.errors import FieldError, data_400
from proposals.export_rows import ExportProposal, export_rows
from proposals.filters import ProposalFilter
from proposals.interchange import EXPORT_COLUMNS, export_row, interchange_row, neutralise_cell
from proposals.models import Proposal
from proposals.params import url_value
from proposals.querysets import ProposalQuerySet

from . import export_files

# Exports up to this size (about 12,000 rows) are kept whole in the cache under the data
# version: a shared link to a filtered set is downloaded again and again.
CACHE_BYTES = 8 * 2**20
CACHE_SECONDS = 60 * 60
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
# The interchange row's single-source columns: the JSON lists every source instead.
_FLAT_SOURCE = ("source_url", "source_title", "source_publisher", "source_date")
BULK_DOWNLOAD_PATH = "/data/"


def export_filter(request: HttpRequest) -> Any:
    return ProposalFilter(request.GET, queryset=Proposal.objects.visible())


def export_params(filterset: Any) -> tuple:
    """Every known parameter's validated, normalised value (repeated values sorted):
    what decides an export's content, and nothing else of the query string."""
    data = filterset.form.cleaned_data
    return tuple(
        (param.name, tuple(sorted(url_value(v) for v in param.values(data.get(param.name)))))
        for param in filterset.table
    )


def site_origin(request: HttpRequest) -> str:
    """Scheme and host of the canonical links: the TRACKER_SITE_ORIGIN setting, else
    the request's own (its Host header already passed ALLOWED_HOSTS)."""
    configured = getattr(settings, "TRACKER_SITE_ORIGIN", "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


def url_maker(origin: str) -> Callable[[int], str]:
    """The canonical (English, unprefixed) address of a proposal by id, without a
    reverse() per row."""
    with translation.override(settings.LANGUAGE_CODE):
        marker = 987654321
        path = reverse("public:proposal-detail", args=[marker])
    head, tail = (origin + path).split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


# --- Formats -------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[ExportProposal], url_of: Callable[[int], str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read the Chinese names as UTF-8
    yield writer.writerow(EXPORT_COLUMNS)
    for proposal in rows:
        row = export_row(proposal, url_of(proposal.pk))
        yield writer.writerow([neutralise_cell(row[column]) for column in EXPORT_COLUMNS])


def json_record(proposal: ExportProposal, url: str) -> dict[str, Any]:
    """One proposal in the JSON export: numbers as numbers, lists as lists, and null
    (never "") for every missing value."""
    record: dict[str, Any] = {"id": proposal.pk, "url": url}
    for key, value in interchange_row(proposal).items():
        if key not in _FLAT_SOURCE:
            record[key] = value or None
    record["year"] = proposal.session_id
    if "outcomes" in record:  # the interchange's JSON cell, as a list here
        record["outcomes"] = json.loads(record["outcomes"]) if record["outcomes"] else []
    record["title_zh"] = proposal.title_zh or None
    record["summary_zh"] = proposal.summary_zh or None
    record["topics"] = [
        {"slug": t.slug, "name": t.name, "name_zh": t.name_zh or None}
        for t in proposal.topics.all()
    ]
    record["sources"] = [
        {
            "url": s.url or None,
            "title": s.title or None,
            "publisher": s.publisher or None,
            "date": s.published_on.isoformat() if s.published_on else None,
        }
        for s in proposal.sources.all()
    ]
    return record


def json_chunks(rows: Iterable[ExportProposal], url_of: Callable[[int], str]) -> Iterator[str]:
    yield "["
    for index, proposal in enumerate(rows):
        record = json_record(proposal, url_of(proposal.pk))
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


FORMATS = {"csv": csv_chunks, "json": json_chunks}


def full_export_chunks(kind: str, origin: str) -> Iterator[str]:
    """The export of every visible proposal, newest first (what the file holds)."""
    queryset = Proposal.objects.visible().newest_first()
    return FORMATS[kind](export_rows(queryset), url_maker(origin))


# --- Serving -------------------------------------------------------------------------------


def _keeping(chunks: Iterable[str], key: str) -> Iterator[str]:
    """Pass the chunks through and cache their sum once the last one is sent, unless it
    grew past CACHE_BYTES. A download cut short caches nothing: the generator is closed
    at a yield and never reaches the end."""
    kept: list[str] | None = []
    size = 0
    for chunk in chunks:
        if kept is not None:
            kept.append(chunk)
            size += len(chunk)
            if size > CACHE_BYTES:
                kept = None
        yield chunk
    if kept is not None:
        cache.set(key, "".join(kept), CACHE_SECONDS)


def _attachment(response: HttpResponse, kind: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="two-sessions-proposals.{kind}"'
    return response


def _serve_full(kind: str, origin: str) -> HttpResponse:
    path = export_files.ensure_full_export(
        kind,
        origin,
        lambda: full_export_chunks(kind, origin),
        inline=lambda: (
            not settings.TRACKER_EXPORT_IN_BACKGROUND
            or Proposal.objects.visible().count() <= settings.TRACKER_EXPORT_INLINE_ROWS
        ),
    )
    if path is None:
        response = data_400(
            [FieldError("__all__", gettext("The export is being prepared: try again shortly."))]
        )
        response.status_code = 503
        response["Retry-After"] = "15"
        return response
    # A file, sent by the server's file wrapper (sendfile under gunicorn).
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[kind])
    return _attachment(response, kind)


def _too_large(count: int) -> HttpResponse:
    message = gettext(
        "These filters match %(count)s proposals; exports of more than %(limit)s are not "
        "built per filter. Narrow the filters, or download every proposal from "
        "%(full)s or the bulk download at %(bulk)s."
    ) % {
        "count": count,
        "limit": settings.TRACKER_EXPORT_MAX_ROWS,
        "full": reverse("public:export-csv"),
        "bulk": BULK_DOWNLOAD_PATH,
    }
    return data_400([FieldError("__all__", message)])


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    filterset = export_filter(request)
    if not filterset.is_valid():
        return data_400(filterset.error_list)
    params = export_params(filterset)
    origin = site_origin(request)
    if not filterset.active():
        return _serve_full(kind, origin)
    key = cache_key(f"export-{kind}", (params, origin))
    body = cache.get(key)
    if body is not None:
        return _attachment(HttpResponse(body, content_type=CONTENT_TYPES[kind]), kind)
    queryset: ProposalQuerySet = filterset.sorted_qs()
    count = queryset.count()
    if count > settings.TRACKER_EXPORT_MAX_ROWS:
        return _too_large(count)
    chunks = FORMATS[kind](export_rows(queryset), url_maker(origin))
    response = StreamingHttpResponse(_keeping(chunks, key), content_type=CONTENT_TYPES[kind])
    return _attachment(response, kind)


def export_csv(request: HttpRequest) -> HttpResponse:
    return _download(request, "csv")


def export_json(request: HttpRequest) -> HttpResponse:
    return _download(request, "json")
