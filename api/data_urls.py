from __future__ import annotations

from django.urls import path

from . import data

app_name = "bulk"

urlpatterns = [
    path("", data.data_page, name="data"),
    path("files/<str:name>", data.data_file, name="file"),
]
