from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views

admin.site.site_header = _("Two Sessions Tracker: curation")
admin.site.site_title = _("Two Sessions Tracker admin")
admin.site.index_title = _("Curate delegates, sessions, topics and proposals")

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon),
    path("admin/", admin.site.urls),
    # The admin's language switcher posts here (it sets the language cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    # The public JSON API (api/): one address for every language, Chinese fields inside.
    path("api/v1/", include("api.urls")),
    # Every public page in each language: English at today's addresses, Chinese under
    # /zh-hans/.
    *i18n_patterns(
        path("", include("public.urls")),
        path("data/", include("api.data_urls")),
        prefix_default_language=False,
    ),
]
