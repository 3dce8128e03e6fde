from __future__ import annotations

from collections import defaultdict
from functools import cache

import pytest
from django.contrib.auth.models import Group, User
from django.core import serializers
from django.core.cache import cache as django_cache
from django.core.management.color import no_style
from django.db import connection
from django.test import Client

from core import cache as data_cache
from core.editors import EDITORS_GROUP
from demo.realdata import FIXTURE_PATH
from proposals import search_index
from stats import counting


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The cache outlives each test's rolled-back transaction: start every test cold."""
    django_cache.clear()
    data_cache.forget_held_version()


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path) -> None:
    """The export of everything is a file: each test gets its own folder for it."""
    settings.TRACKER_EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture(autouse=True)
def _no_throttle(settings) -> None:
    """Uncached renders are unlimited unless a test sets a rate (tests/core/test_throttle.py):
    one test client is one address, and many tests render hundreds of pages."""
    settings.TRACKER_UNCACHED_RATE = None


@cache
def _real_records() -> tuple[dict, list]:
    """The fixture, parsed once per test run: rows per model and M2M links."""
    rows: dict[type, list] = defaultdict(list)
    links = []
    for item in serializers.deserialize("json", FIXTURE_PATH.read_text(encoding="utf-8")):
        rows[type(item.object)].append(item.object)
        for name, ids in (item.m2m_data or {}).items():
            links.append((type(item.object), name, item.object.pk, ids))
    return rows, links


@pytest.fixture
def real_data(db) -> None:
    """The real 2013-2022 data (fixtures/real_data.json). The same records
    `load_real_data` loads, which tests/proposals/test_real_data.py tests as users run
    it; here inserted in bulk so the many tests that read them stay quick."""
    rows, links = _real_records()
    for model, objects in rows.items():
        model.objects.bulk_create(
            [
                type(o)(**{f.attname: getattr(o, f.attname) for f in o._meta.concrete_fields})
                for o in objects
            ]
        )
    through_rows = defaultdict(list)
    for model, name, pk, ids in links:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        through_rows[through] += [through(**{f"{source}_id": pk, f"{target}_id": i}) for i in ids]
    for through, objects in through_rows.items():
        through.objects.bulk_create(objects)
    # Explicit primary keys: move PostgreSQL's sequences past them, as loaddata does.
    models = list(rows) + list(through_rows)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    counting.refresh()  # bulk inserts bypass the signals that keep the trend table exact
    search_index.rebuild()  # and those that keep the search rows


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("editor", "editor@example.org", "a-long-editor-pass")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def import_topics(db) -> None:
    """The topic slugs the import tests' files use."""
    from tests.factories import TopicFactory

    TopicFactory(name="AI", slug="ai")
    TopicFactory(name="Regulation", slug="regulation")
