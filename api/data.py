"""The /data/ page and its files: the current data version's bulk build (api/bulk.py)."""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from . import bulk

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".sqlite3": "application/vnd.sqlite3",
}


@require_safe
def data_page(request: HttpRequest) -> HttpResponse:
    made = bulk.current_build()
    files = {f["name"]: f for f in made.manifest["files"]}
    tables = [
        {"name": name, "rows": rows, "file": files[f"{name}.csv"]}
        for name, rows in made.manifest["tables"].items()
    ]
    return render(
        request,
        "api/data.html",
        {
            "build": made.manifest,
            "built_at": datetime.fromisoformat(made.manifest["built_at"]),
            "sqlite": files[bulk.SQLITE_NAME],
            "json_file": files[bulk.JSON_NAME],
            "tables": tables,
            "section": "data",
        },
    )


@require_safe
def data_file(request: HttpRequest, name: str) -> HttpResponse:
    made = bulk.current_build()
    path = made.file(name)
    if path is None:
        raise Http404("No such file.")
    etag = f'"{made.version}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=name, content_type=content_type
        )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=300)
    return response
