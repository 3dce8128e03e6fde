"""Languages outside the public pages' prefix: the admin speaks each editor's own, and
records show the reader's language with a marked fallback."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from core.templatetags.tracker import localized, localized_text
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_the_admin_speaks_the_editors_language(editor_client):
    chinese = editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans"' in chinese and "注销" in chinese  # Log out
    english = editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in english and "Log out" in english


def test_the_admin_switcher_remembers_the_choice(editor_client):
    response = editor_client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    assert editor_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = editor_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "注销" in page
    # The public pages still take their language from the address.
    assert '<html lang="en">' in editor_client.get("/topics/").content.decode()


def test_records_show_the_readers_language_and_mark_a_fallback():
    both = ProposalFactory(title="Build 5G", title_zh="建设5G")
    english_only = ProposalFactory(title="Build <b>6G</b>", title_zh="")
    with translation.override("en"):
        assert localized(both, "title") == "Build 5G"
    with translation.override("zh-hans"):
        assert localized(both, "title") == "建设5G"
        marked = localized(english_only, "title")
        assert marked.startswith('<span lang="en">Build &lt;b&gt;6G&lt;/b&gt;</span>')
        assert localized_text(english_only, "title") == "Build <b>6G</b>"
