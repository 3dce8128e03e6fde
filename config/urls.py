from django.contrib import admin
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from proposals import views as proposal_views

admin.site.site_header = "Two Sessions Tracker: curation"
admin.site.site_title = "Two Sessions Tracker admin"
admin.site.index_title = "Curate delegates, sessions, topics and proposals"

urlpatterns = [
    path("", proposal_views.home, name="home"),
    path("healthz", proposal_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page, the admin's included.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
]
