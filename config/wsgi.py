import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# jieba loads its dictionary on first use (about a second): a web process loads it now,
# so the first Chinese search it serves does not pay for it. Commands load it when needed.
from proposals.search import warm_up  # noqa: E402

warm_up()
