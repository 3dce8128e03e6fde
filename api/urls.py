"""/api/v1/: every response gzipped when the client accepts it. The API answers no
session, cookie or token, so a compressed body holds no secret for BREACH to find."""

from __future__ import annotations

from django.urls import path, re_path
from django.views.decorators.gzip import gzip_page
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import views

app_name = "api"


def _gz(cls: type) -> object:
    return gzip_page(cls.as_view())


urlpatterns = [
    path("", _gz(views.ApiRoot), name="root"),
    path("proposals/", _gz(views.ProposalList), name="proposal-list"),
    path("proposals/<int:pk>/", _gz(views.ProposalDetail), name="proposal-detail"),
    path("delegates/", _gz(views.DelegateList), name="delegate-list"),
    path("delegates/<slug:slug>/", _gz(views.DelegateDetail), name="delegate-detail"),
    path("companies/", _gz(views.CompanyList), name="company-list"),
    path("companies/<slug:slug>/", _gz(views.CompanyDetail), name="company-detail"),
    path("topics/", _gz(views.TopicList), name="topic-list"),
    path("topics/<slug:slug>/", _gz(views.TopicDetail), name="topic-detail"),
    path("sessions/", _gz(views.SessionList), name="session-list"),
    path("sessions/<int:year>/", _gz(views.SessionDetail), name="session-detail"),
    path("priorities/", _gz(views.PriorityList), name="priority-list"),
    path("trends/", _gz(views.Trends), name="trends"),
    path("echo/", _gz(views.Echo), name="echo"),
    path("schema/", gzip_page(views.SchemaView.as_view()), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's files; its start-up script is a
    # separate request (the split view) and the page has no inline style, so the
    # site's CSP applies unchanged.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # [\s\S], not ".": an address with a newline in it must end here too.
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found),
]
