from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from proposals.editors import EDITORS_GROUP


@pytest.fixture
def real_data(db) -> None:
    """The real 2013-2022 data, loaded the way `make run` loads it."""
    call_command("load_real_data", verbosity=0)


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
