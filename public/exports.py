"""CSV and JSON exports of the proposal list: the same query string as the list, every
matching row, streamed so memory stays flat however many rows match."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from core.cache import cache_key
from core.errors import FieldError, data_400
from proposals.filters import ProposalFilter
from proposals.interchange import COLUMNS, interchange_row, neutralise
from proposals.models import Proposal
from proposals.querysets import ProposalQuerySet

CHUNK = 1000
# Exports up to this size (about 12,000 rows) are kept whole in the cache under the data
# version: a shared link to a filtered set is downloaded again and again, and building
# it costs about half a millisecond per row. Larger ones are streamed every time.
CACHE_BYTES = 8 * 2**20
CACHE_SECONDS = 60 * 60


def export_queryset(request: HttpRequest) -> ProposalQuerySet | list[FieldError]:
    filterset = ProposalFilter(request.GET, queryset=Proposal.objects.visible())
    if not filterset.is_valid():
        return filterset.error_list
    return filterset.sorted_qs().for_export()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Proposal]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read the Chinese names as UTF-8
    yield writer.writerow(COLUMNS)
    for proposal in rows:
        row = interchange_row(proposal)
        yield writer.writerow([neutralise(row[column]) for column in COLUMNS])


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


def _download(
    request: HttpRequest,
    kind: str,
    content_type: str,
    chunks: Callable[[ProposalQuerySet], Iterator[str]],
) -> HttpResponse:
    # The whole address: the JSON export holds absolute links. Only complete, valid
    # exports are stored, so a hit is served without parsing the filters again.
    key = cache_key(f"export-{kind}", request.build_absolute_uri())
    body = cache.get(key)
    if body is not None:
        response: HttpResponse = HttpResponse(body, content_type=content_type)
    else:
        queryset = export_queryset(request)
        if isinstance(queryset, list):
            return data_400(queryset)
        response = StreamingHttpResponse(_keeping(chunks(queryset), key), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="two-sessions-proposals.{kind}"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        "csv",
        "text/csv; charset=utf-8",
        lambda queryset: _csv_lines(queryset.iterator(chunk_size=CHUNK)),
    )


def _json_chunks(rows: Iterable[Proposal], request: HttpRequest) -> Iterator[str]:
    yield "["
    for index, proposal in enumerate(rows):
        record = {
            "id": proposal.pk,
            "url": request.build_absolute_uri(proposal.get_absolute_url()),
            **interchange_row(proposal),
            "sources": [
                {
                    "url": s.url,
                    "title": s.title,
                    "publisher": s.publisher,
                    "date": s.published_on.isoformat() if s.published_on else None,
                }
                for s in proposal.sources.all()
            ],
        }
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]\n"


def export_json(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        "json",
        "application/json; charset=utf-8",
        lambda queryset: _json_chunks(queryset.iterator(chunk_size=CHUNK), request),
    )
