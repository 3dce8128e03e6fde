from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "Two Sessions Tracker: curation"
admin.site.site_title = "Two Sessions Tracker admin"
admin.site.index_title = "Curate delegates, sessions, topics and proposals"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("admin/", admin.site.urls),
    path("", include("public.urls")),
]
