from django.contrib import admin
from django.urls import include, path

from proposals import views as proposal_views

admin.site.site_header = "Two Sessions Tracker: curation"
admin.site.site_title = "Two Sessions Tracker admin"
admin.site.index_title = "Curate delegates, sessions, topics and proposals"

urlpatterns = [
    path("", proposal_views.home, name="home"),
    path("healthz", proposal_views.healthz, name="healthz"),
    path("favicon.ico", proposal_views.favicon),
    path("trends/", proposal_views.trends_explorer, name="trends"),
    path("trends/topics.json", proposal_views.trends_json, name="trends-json"),
    path("trends/topics.csv", proposal_views.trends_csv, name="trends-csv"),
    path("admin/", admin.site.urls),
    path("", include("proposals.urls")),
]
